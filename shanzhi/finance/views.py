"""Pages of 村级财务 (domain.md A3): the township overview of the villages' disclosure, a ledger's entries with
filters, the entry form and page (vouchers, the chain with who signed when, the buttons this user has), the
approval queue (待我审批), the monthly statements, the chain and category settings, the seven open books.
Views parse input and call services / selectors; out of scope is 404, a refusal is a message on the page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.timezone import localdate
from django.views.decorators.http import require_http_methods, require_POST

from shanzhi.access.roles import ROLE_LEVELS, Perm, Role
from shanzhi.core.errors import ApplicationError, NotFound
from shanzhi.core.forms import parse_pk
from shanzhi.core.http import act_then_redirect
from shanzhi.files.selectors import attachment_list
from shanzhi.imports.xlsx import export_rows, xlsx_response
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate

from . import selectors, services
from .choices import (
    REGISTER_BOOKS,
    Book,
    CategoryTag,
    DebtDirection,
    DisclosureFrequency,
    EntryKind,
    EntryState,
    StepLevel,
)
from .models import BookItem, Category, Entry, Ledger


def _need_view(request: HttpRequest) -> None:
    if not request.user.has_perm_anywhere(Perm.FINANCE_VIEW):
        raise NotFound()


@login_required
def finance_index(request: HttpRequest) -> HttpResponse:
    _need_view(request)
    ledgers = list(selectors.ledgers_visible(user=request.user)[:2])
    if len(ledgers) == 1:
        return redirect("finance_ledger", pk=ledgers[0].pk)
    return redirect("finance_overview")


@login_required
def finance_overview(request: HttpRequest) -> HttpResponse:
    """The township's view of its villages' books: last published month, late months, villages without books."""
    _need_view(request)
    rows = selectors.disclosure_overview(user=request.user)
    queue = {}
    for ledger_id in selectors.approval_queue(user=request.user).values_list("ledger_id", flat=True)[:500]:
        queue[ledger_id] = queue.get(ledger_id, 0) + 1
    for row in rows:
        row["waiting_me"] = queue.get(row["ledger"].pk, 0)
    missing = list(selectors.villages_without_ledger(user=request.user)[:200])
    return render(request, "finance/overview.html", {
        "rows": rows, "late_count": sum(1 for r in rows if r["late"]), "missing": missing,
        "frequencies": DisclosureFrequency.choices, "this_month": f"{localdate():%Y-%m}"})


@login_required
@require_POST
def ledger_open(request: HttpRequest) -> HttpResponse:
    village = Place.objects.visible_to(request.user, Perm.FINANCE_ENTER).filter(
        code=request.POST.get("village", "")).first()
    if village is None:
        raise NotFound()
    try:
        ledger = services.ledger_open(
            acting_user=request.user, village=village, start_month=request.POST.get("start_month"),
            agency_bookkeeping=request.POST.get("agency") == "1", opening_balance=request.POST.get("opening_balance") or "0",
            frequency=request.POST.get("frequency", DisclosureFrequency.MONTHLY))
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("finance_overview")
    messages.success(request, f"已为{village.name}开设村集体账。")
    return redirect("finance_ledger", pk=ledger.pk)


def _ledger(request: HttpRequest, pk: int) -> Ledger:
    return selectors.ledger_detail(user=request.user, pk=pk)


@login_required
def ledger_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A village's entries with filters (month, income/expense, category, state, text), paginated; Excel export."""
    ledger = _ledger(request, pk)
    filters = selectors.EntryFilters.from_query(request.GET)
    qs = selectors.entry_list(user=request.user, ledger=ledger, filters=filters)
    if request.GET.get("export") == "xlsx":
        headers = ["凭证号", "日期", "收支", "科目", "金额（元）", "收付对象", "摘要", "状态", "录入人"]
        rows = ([e.number, e.date, e.get_kind_display(), e.category.name, e.amount, e.counterparty, e.summary,
                 e.get_state_display(), e.entered_by.display_name]
                for e in export_rows(request, qs, perm=Perm.FINANCE_VIEW, event="finance_entry_export",
                                     what=f"{ledger.village.name}收支记录"))
        return xlsx_response(f"{ledger.village.name}收支记录.xlsx", headers, rows, title="收支记录")
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(request, "finance/ledger.html", {
        "ledger": ledger, "page_obj": paginate(request, qs), "filters": filters, "query": query.urlencode(),
        "categories": list(Category.objects.filter(ledger=ledger).order_by("kind", "position")),
        "kinds": EntryKind.choices, "states": EntryState.choices, "may_enter": services.may_enter(request.user, ledger),
        "months": [r["month"] for r in selectors.month_rows(ledger=ledger)][:24]})


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = _ledger(request, pk)
    if not services.may_enter(request.user, ledger) and not ledger.agency_bookkeeping:
        raise NotFound()
    data = request.POST if request.method == "POST" else {"date": f"{localdate():%Y-%m-%d}", "kind": "expense"}
    error = ""
    correction_of = None
    if request.GET.get("correct"):
        correction_of = Entry.objects.filter(ledger=ledger, pk=parse_pk(request.GET.get("correct")),
                                             state=EntryState.POSTED).first()
    if request.method == "POST":
        try:
            entry = services.entry_create(
                acting_user=request.user, ledger=ledger, date=data.get("date"), kind=data.get("kind", ""),
                category=data.get("category"), amount=data.get("amount", ""), counterparty=data.get("counterparty", ""),
                summary=data.get("summary", ""), counterparty_private=data.get("counterparty_private") == "1",
                vouchers=request.FILES.getlist("vouchers"), correction_of=correction_of)
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"已录入 {entry.number}" + ("，已送审批。" if entry.needs_chain else "。"))
            return redirect("finance_entry", pk=entry.pk)
    chain = ledger.chain
    return render(request, "finance/entry_form.html", {
        "ledger": ledger, "data": data, "error": error, "chain": chain, "correction_of": correction_of,
        "categories": list(Category.objects.filter(ledger=ledger, is_active=True).order_by("kind", "position")),
        "steps": services.active_steps(ledger)}, status=400 if error else 200)


@login_required
def entry_page(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_detail(user=request.user, pk=pk)
    ledger = entry.ledger
    user = request.user
    steps = services.active_steps(ledger) if entry.needs_chain else []
    history = list(entry.history.select_related("actor").order_by("at", "id"))
    signed = {h.step_id: h for h in history if h.round == entry.round and h.action == "approve"}
    may_enter = services.may_enter(user, ledger)
    decisions = []
    decision_state = ""
    if entry.needs_decision:
        decision_state = services.decision_state(entry)
        if may_enter and decision_state in ("none", "rejected"):
            decisions = list(services.linkable_decisions(user, ledger, entry)[:50])
    return render(request, "finance/entry.html", {
        "entry": entry, "ledger": ledger, "vouchers": list(attachment_list(user=user, obj=entry)),
        "steps": [{"step": s, "signed": signed.get(s.pk), "current": entry.current_step_id == s.pk} for s in steps],
        "history": history, "may_sign": services.may_sign(user, entry, entry.current_step)
        and entry.state == EntryState.IN_APPROVAL, "may_enter": may_enter,
        "post_refusal": services.post_refusal(entry) if entry.state in (EntryState.ENTERED, EntryState.APPROVED,
                                                                         EntryState.IN_APPROVAL) else "",
        "decision_state": decision_state, "decisions": decisions,
        "decision_url": _decision_url(entry.decision_id), "questions": selectors.entry_questions(entry=entry),
        "statement": ledger.statements.filter(month=entry.month).select_related("publication").first(),
        "categories": list(Category.objects.filter(ledger=ledger, kind=entry.kind, is_active=True)),
        "open_states": (EntryState.ENTERED, EntryState.IN_APPROVAL, EntryState.RETURNED, EntryState.APPROVED)})


def _decision_url(decision_id: int | None) -> str:
    if not decision_id:
        return ""
    from shanzhi.affairs import api as affairs

    return affairs.decision_url(decision_id)


ENTRY_ACTIONS = {"approve", "reject", "resubmit", "post", "cancel", "decision_request", "decision_link"}


@login_required
@require_POST
def entry_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    entry = selectors.entry_detail(user=request.user, pk=pk)
    if action not in ENTRY_ACTIONS:
        raise NotFound()
    p = request.POST
    user = request.user
    calls: dict[str, tuple[Any, str]] = {
        "approve": (lambda: services.entry_approve(acting_user=user, entry=entry, reason=p.get("reason", "")), "已签批同意。"),
        "reject": (lambda: services.entry_reject(acting_user=user, entry=entry, reason=p.get("reason", "")), "已退回录入人。"),
        "resubmit": (lambda: services.entry_resubmit(
            acting_user=user, entry=entry, reason=p.get("reason", ""), date=p.get("date") or None,
            category=p.get("category") or None, amount=p.get("amount") or None, counterparty=p.get("counterparty"),
            summary=p.get("summary"), vouchers=request.FILES.getlist("vouchers")), "已修改并重新提交。"),
        "post": (lambda: services.entry_post(acting_user=user, entry=entry), "已入账。"),
        "cancel": (lambda: services.entry_cancel(acting_user=user, entry=entry, reason=p.get("reason", "")), "已作废。"),
        "decision_request": (lambda: services.entry_decision_request(acting_user=user, entry=entry),
                             "已发起四议两公开决策。"),
        "decision_link": (lambda: services.entry_decision_link(acting_user=user, entry=entry,
                                                               decision_id=p.get("decision")), "已关联决策。"),
    }
    call, success = calls[action]
    to = redirect("finance_approvals") if action in ("approve", "reject") and p.get("next") == "queue" \
        else redirect("finance_entry", pk=entry.pk)
    return act_then_redirect(request, call, success=success, to=to)


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    """待我审批, and my entries sent back to me."""
    _need_view(request)
    return render(request, "finance/approvals.html", {
        "page_obj": paginate(request, selectors.approval_queue(user=request.user)),
        "returned": list(selectors.returned_to_me(user=request.user).select_related("ledger__village", "category")
                         .order_by("-id")[:100])})


@login_required
def statements(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = _ledger(request, pk)
    rows = selectors.month_rows(ledger=ledger)
    may_publish = request.user.has_perm_at(Perm.PUBLISH, ledger.place_path)
    return render(request, "finance/statements.html", {
        "ledger": ledger, "rows": rows, "may_publish": may_publish,
        "books": list(selectors.book_publications(ledger=ledger)[:20])})


@login_required
@require_http_methods(["GET", "POST"])
def month_page(request: HttpRequest, pk: int, month: str) -> HttpResponse:
    """A month's statement: as published, or a preview with what still blocks it and the publish button."""
    ledger = _ledger(request, pk)
    try:
        the_month = services.parse_month(month)
    except ApplicationError:
        raise NotFound()
    if request.method == "POST":
        return act_then_redirect(
            request, lambda: services.statement_publish(acting_user=request.user, ledger=ledger, month=the_month,
                                                        contact=request.POST.get("contact", "")),
            success=f"{services.month_label(the_month)}财务收支已公开。",
            to=redirect("finance_month", pk=ledger.pk, month=month))
    statement = ledger.statements.filter(month=the_month).select_related("publication").first()
    figures = services.month_figures(ledger, the_month)
    return render(request, "finance/month.html", {
        "ledger": ledger, "month": the_month, "statement": statement, "figures": figures,
        "blockers": [] if statement else services.statement_blockers(ledger, the_month),
        "due": services.statement_due(ledger, the_month),
        "may_publish": request.user.has_perm_at(Perm.PUBLISH, ledger.place_path),
        "rows": services.statement_rows(figures), "columns": services.STATEMENT_COLUMNS,
        "objections": list(statement.publication.objections.order_by("-created_at")[:100]) if statement else []})


@login_required
@require_http_methods(["GET", "POST"])
def chain_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The township sets the village's approval chain and thresholds."""
    ledger = _ledger(request, pk)
    may = services.may_configure(request.user, ledger)
    if request.method == "POST":
        if not may:
            raise NotFound()
        specs = []
        p = request.POST
        for i in range(12):
            label = (p.get(f"label_{i}") or "").strip()
            if not label:
                continue
            user_id = p.get(f"user_{i}") or None
            try:
                user_id = int(user_id) if user_id else None
            except ValueError:
                user_id = None
            specs.append(services.StepSpec(label, p.get(f"role_{i}", ""), p.get(f"level_{i}", ""), user_id))
        return act_then_redirect(request, lambda: services.chain_configure(
            acting_user=request.user, ledger=ledger, chain_threshold=p.get("chain_threshold"),
            decision_threshold=p.get("decision_threshold"), steps=specs), success="审批链已保存。",
            to=redirect("finance_chain", pk=ledger.pk))
    steps = services.active_steps(ledger)
    from shanzhi.access.models import User

    candidates = list(User.objects.filter(
        is_active=True, role_assignments__is_active=True,
        role_assignments__place_path__in=[ledger.place_path, ledger.township_path],
        role_assignments__role__in=services.APPROVER_ROLES).distinct().order_by("id")[:200])
    rows = [{"label": s.label, "role": s.role, "level": s.level, "user_id": s.user_id} for s in steps]
    rows += [{"label": "", "role": "", "level": "", "user_id": None}] * max(0, min(12, len(rows) + 3) - len(rows))
    roles = [(r, Role(r).label, sorted(ROLE_LEVELS.get(r, set()) & set(StepLevel.values)))
             for r in services.APPROVER_ROLES]
    return render(request, "finance/chain.html", {
        "ledger": ledger, "chain": ledger.chain, "rows": rows, "may": may, "roles": roles,
        "levels": StepLevel.choices, "candidates": candidates})


@login_required
@require_http_methods(["GET", "POST"])
def categories_page(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = _ledger(request, pk)
    may = services.may_enter(request.user, ledger) or services.may_configure(request.user, ledger)
    if request.method == "POST":
        if not may:
            raise NotFound()
        p = request.POST
        if p.get("toggle"):
            category = Category.objects.filter(ledger=ledger, pk=parse_pk(p.get("toggle"))).first()
            if category is None:
                raise NotFound()
            return act_then_redirect(request, lambda: services.category_set_active(
                acting_user=request.user, category=category, active=not category.is_active), success="已保存。",
                to=redirect("finance_categories", pk=ledger.pk))
        return act_then_redirect(request, lambda: services.category_create(
            acting_user=request.user, ledger=ledger, kind=p.get("kind", ""), name=p.get("name", ""),
            tag=p.get("tag", "")), success="科目已添加。", to=redirect("finance_categories", pk=ledger.pk))
    return render(request, "finance/categories.html", {
        "ledger": ledger, "may": may, "kinds": EntryKind.choices, "tags": CategoryTag.choices,
        "categories": list(Category.objects.filter(ledger=ledger).order_by("kind", "position"))})


@login_required
@require_http_methods(["GET", "POST"])
def books_page(request: HttpRequest, pk: int) -> HttpResponse:
    """晒 7 本裸账: each book's publish button; the asset, resource and debt registers with their add form."""
    ledger = _ledger(request, pk)
    p = request.POST
    to = redirect("finance_books", pk=ledger.pk)
    if request.method == "POST":
        what = p.get("do")
        if what == "publish":
            return act_then_redirect(request, lambda: services.book_publish(
                acting_user=request.user, ledger=ledger, book=p.get("book", ""), year=p.get("year") or localdate().year,
                contact=p.get("contact", "")), success="已公开。", to=to)
        if what == "add":
            return act_then_redirect(request, lambda: services.book_item_add(
                acting_user=request.user, ledger=ledger, book=p.get("book", ""), name=p.get("name", ""),
                value=p.get("value") or "0", quantity=p.get("quantity", ""), direction=p.get("direction", ""),
                counterparty=p.get("counterparty", ""), note=p.get("note", ""),
                recorded_on=p.get("recorded_on") or None), success="已登记。", to=to)
        if what == "retire":
            item = BookItem.objects.filter(ledger=ledger, pk=parse_pk(p.get("item"))).first()
            if item is None:
                raise NotFound()
            return act_then_redirect(request, lambda: services.book_item_retire(
                acting_user=request.user, item=item, reason=p.get("reason", "")), success="已注销。", to=to)
        raise NotFound()
    year = localdate().year
    items = list(BookItem.objects.filter(ledger=ledger, is_active=True).order_by("book", "recorded_on", "id")[:500])
    latest = {}
    for bp in selectors.book_publications(ledger=ledger)[:100]:
        latest.setdefault(bp.book, bp)
    books = [{"value": v, "label": label, "register": v in REGISTER_BOOKS, "latest": latest.get(v),
              "items": [i for i in items if i.book == v]} for v, label in Book.choices]
    return render(request, "finance/books.html", {
        "ledger": ledger, "books": books, "year": year, "directions": DebtDirection.choices[1:],
        "may_enter": services.may_enter(request.user, ledger),
        "may_publish": request.user.has_perm_at(Perm.PUBLISH, ledger.place_path),
        "through": services.book_through_month(ledger, year)})
