"""Pages of 积分制 (domain.md P1–P3): schemes and templates, the grid worker's phone page (一事一记), batch
recording, the villager's own page with 群众申报 and 复议, the review queue, quarters (branch approval,
publication, objections) and the grid's monthly ledger export. Views parse input and call services/selectors;
out of scope is 404, a refusal is shown on the page with nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ApplicationError, NotFound, ValidationFailed
from shanzhi.core.forms import parse_date
from shanzhi.core.http import act_then_redirect, safe_next
from shanzhi.files.selectors import attachment_list
from shanzhi.imports.xlsx import export_rows, xlsx_response
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate

from . import links, selectors, services
from .choices import (
    CapPeriod,
    EntryStatus,
    ReconsiderationStatus,
    ReviewCadence,
    SchemeKind,
    SchemeStatus,
    SubjectType,
)
from .ledger import quarter_end, quarter_label, quarter_start, today
from .models import Account, Category, Item, fmt_points


def _staff(user: Any) -> bool:
    return any(user.has_perm_anywhere(p) for p in (Perm.POINTS_VIEW, Perm.POINTS_RECORD, Perm.POINTS_MANAGE))


@login_required
def points_index(request: HttpRequest) -> HttpResponse:
    """积分制 home: staff see the schemes in their scope with what waits; villagers go to their own page."""
    user = request.user
    if not _staff(user):
        if user.has_perm_anywhere(Perm.POINTS_DECLARE):
            return redirect("points_mine")
        raise NotFound()
    schemes = list(selectors.scheme_list(user=user, templates=False)[:200])
    pending = selectors.pending_counts([s.pk for s in schemes])
    for s in schemes:
        s.pending = pending.get(s.pk, 0)
    return render(request, "points/index.html", {
        "schemes": schemes,
        "templates": list(selectors.scheme_list(user=user, templates=True)[:50]) if user.has_perm_anywhere(
            Perm.POINTS_VIEW) else [],
        "available": list(selectors.templates_available(user=user)[:50]),
        "can_manage": user.has_perm_anywhere(Perm.POINTS_MANAGE),
        "can_record": user.has_perm_anywhere(Perm.POINTS_RECORD),
        "can_review": user.has_perm_anywhere(Perm.POINTS_REVIEW),
        "open_reconsiderations": selectors.reconsideration_list(user=user, status="open").count()
        if user.has_perm_anywhere(Perm.POINTS_VIEW) else 0,
    })


# --- P1 schemes ------------------------------------------------------------------------------------------


def _spec(post: Any) -> services.SchemeSpec:
    stars = []
    for n in range(1, 11):
        value = (post.get(f"star_{n}") or "").strip()
        if value:
            stars.append({"stars": n, "min": value})
    return services.SchemeSpec(
        name=post.get("name", ""), kind=post.get("kind", ""), subject_type=post.get("subject_type", ""),
        review_cadence=post.get("review_cadence", ReviewCadence.MONTHLY), star_thresholds=stars,
        blacklist_below=post.get("blacklist_below") or None, description=post.get("description", ""),
        title_rules=[t.strip() for t in (post.get("title_rules") or "").splitlines() if t.strip()],
    )


def _manage_places(user: Any) -> list[Place]:
    return list(Place.objects.visible_to(user, Perm.POINTS_MANAGE).filter(
        level__in=[Level.VILLAGE, Level.TOWNSHIP], is_active=True).order_by("path")[:300])


@login_required
@require_http_methods(["GET", "POST"])
def scheme_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_anywhere(Perm.POINTS_MANAGE):
        raise NotFound()
    places = _manage_places(user)
    error, form = "", request.POST
    if request.method == "POST":
        place = next((p for p in places if p.code == request.POST.get("place")), None)
        try:
            if place is None:
                raise ValidationFailed("请选择所属村（社区）或乡镇。")
            scheme = services.scheme_create(acting_user=user, place=place, spec=_spec(request.POST),
                                            is_template=place.level == Level.TOWNSHIP)
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "方案草案已建立，请添加类别和细则。")
            return redirect("points_scheme", scheme.pk)
    return render(request, "points/scheme_form.html", {
        "places": places, "form": form, "error": error, "kinds": SchemeKind.choices,
        "subject_types": SubjectType.choices, "cadences": ReviewCadence.choices,
        "stars": [(n, form.get(f"star_{n}", "")) for n in range(1, 6)],
    })


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    scheme = selectors.scheme_detail(user=user, pk=pk)
    if not user.has_perm_at(Perm.POINTS_MANAGE, scheme.place_path):
        raise NotFound()
    error = ""
    if request.method == "POST":
        try:
            services.scheme_update(acting_user=user, scheme=scheme, spec=_spec(request.POST))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "方案已保存。")
            return redirect("points_scheme", scheme.pk)
        form: Any = request.POST
    else:
        form = {"name": scheme.name, "kind": scheme.kind, "subject_type": scheme.subject_type,
                "review_cadence": scheme.review_cadence, "description": scheme.description,
                "blacklist_below": "" if scheme.blacklist_below is None else f"{fmt_points(scheme.blacklist_below)}",
                "title_rules": "\n".join(str(t) for t in scheme.title_rules)}
        for row in scheme.star_thresholds:
            form[f"star_{row['stars']}"] = row["min"]
    return render(request, "points/scheme_form.html", {
        "scheme": scheme, "form": form, "error": error, "kinds": SchemeKind.choices,
        "subject_types": SubjectType.choices, "cadences": ReviewCadence.choices,
        "stars": [(n, form.get(f"star_{n}", "")) for n in range(1, 6)],
    })


@login_required
def scheme_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A scheme: settings, adoption record, categories and items (with their village-rules clause), quarters."""
    user = request.user
    scheme = selectors.scheme_detail(user=user, pk=pk)
    items = list(selectors.scheme_items(scheme))
    labels = dict(links.clause_choices(scheme.place)) if not scheme.is_template else {}
    for item in items:
        item.clause_label = labels.get(item.rule_clause_id) or links.clause_label(item.rule_clause_id)
        item.clause_url = links.clause_url(item.rule_clause_id) if item.rule_clause_id else ""
    can_manage = user.has_perm_at(Perm.POINTS_MANAGE, scheme.place_path)
    villages = []
    if scheme.is_template and scheme.status == SchemeStatus.ADOPTED:
        villages = list(Place.objects.visible_to(user, Perm.POINTS_MANAGE).filter(
            level=Level.VILLAGE, path__prefix=scheme.place_path).order_by("path")[:300])
    quarters = []
    if not scheme.is_template and user.has_perm_at(Perm.POINTS_VIEW, scheme.place_path):
        quarters = selectors.quarter_list(user=user, scheme=scheme)
    current = quarter_start(today())
    return render(request, "points/scheme.html", {
        "scheme": scheme, "items": items, "categories": list(scheme.categories.all()),
        "can_manage": can_manage, "is_draft": scheme.status == SchemeStatus.DRAFT,
        "can_approve": user.has_perm_at(Perm.POINTS_APPROVE, scheme.place_path),
        "can_review": user.has_perm_at(Perm.POINTS_REVIEW, scheme.place_path),
        "can_record": user.has_perm_anywhere(Perm.POINTS_RECORD) and scheme.status == SchemeStatus.ADOPTED
        and not scheme.is_template,
        "clauses": links.clause_choices(scheme.place) if (can_manage and not scheme.is_template) else [],
        "decisions": links.decision_choices(user, scheme.place) if (can_manage and not scheme.is_template) else [],
        "decisions_available": links.decisions_available(),
        "decision_url": links.decision_url(scheme.decision_id), "cap_periods": CapPeriod.choices,
        "villages": villages, "quarters": quarters, "current_quarter": current,
        "current_quarter_label": quarter_label(current), "today": today(),
    })


def _item_spec(post: Any) -> services.ItemSpec:
    return services.ItemSpec(
        category_id=selectors._int(post.get("category")) or 0, code=post.get("code", ""), name=post.get("name", ""),
        points_min=post.get("points_min", ""), points_max=post.get("points_max") or post.get("points_min", ""),
        cap_count=post.get("cap_count") or None, cap_period=post.get("cap_period", ""),
        evidence_required=post.get("evidence_required") == "1", rule_clause_id=post.get("rule_clause") or None,
        active=post.get("active", "1") == "1",
    )


@login_required
@require_POST
def category_add(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = selectors.scheme_detail(user=request.user, pk=pk)
    return act_then_redirect(request, lambda: services.category_create(
        acting_user=request.user, scheme=scheme, name=request.POST.get("name", "")),
        success="类别已添加。", to=redirect(reverse("points_scheme", args=[pk]) + "#items"))


@login_required
@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = selectors.scheme_detail(user=request.user, pk=pk)
    return act_then_redirect(request, lambda: services.item_save(
        acting_user=request.user, scheme=scheme, spec=_item_spec(request.POST)),
        success="细则已添加。", to=redirect(reverse("points_scheme", args=[pk]) + "#items"))


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = Item.objects.select_related("scheme", "scheme__place").filter(pk=pk).first()
    if item is None:
        raise NotFound()
    scheme = selectors.scheme_detail(user=user, pk=item.scheme_id)
    if not user.has_perm_at(Perm.POINTS_MANAGE, scheme.place_path):
        raise NotFound()
    error = ""
    if request.method == "POST":
        try:
            services.item_save(acting_user=user, scheme=scheme, spec=_item_spec(request.POST), item_id=item.pk)
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "细则已保存。")
            return redirect(reverse("points_scheme", args=[scheme.pk]) + "#items")
    form = request.POST if request.method == "POST" else {
        "category": str(item.category_id), "code": item.code, "name": item.name,
        "points_min": f"{fmt_points(item.points_min)}", "points_max": f"{fmt_points(item.points_max)}",
        "cap_count": item.cap_count or "", "cap_period": item.cap_period,
        "evidence_required": "1" if item.evidence_required else "", "rule_clause": str(item.rule_clause_id or ""),
        "active": "1" if item.active else "0"}
    return render(request, "points/item_form.html", {
        "scheme": scheme, "item": item, "form": form, "error": error, "categories": Category.objects.filter(
            scheme=scheme), "cap_periods": CapPeriod.choices,
        "clauses": links.clause_choices(scheme.place) if not scheme.is_template else []})


@login_required
@require_POST
def scheme_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = selectors.scheme_detail(user=request.user, pk=pk)

    def act() -> None:
        services.scheme_adopt(acting_user=request.user, scheme=scheme,
                              adopted_on=parse_date(request.POST.get("adopted_on"), "通过日期", required=False),
                              decision_id=selectors._int(request.POST.get("decision")),
                              decision_note=request.POST.get("decision_note", ""))

    return act_then_redirect(request, act, success="模板已发布。" if scheme.is_template else "方案已通过施行。",
                             to=redirect("points_scheme", pk))


@login_required
@require_POST
def scheme_retire(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = selectors.scheme_detail(user=request.user, pk=pk)
    return act_then_redirect(request, lambda: services.scheme_retire(
        acting_user=request.user, scheme=scheme, reason=request.POST.get("reason", "")),
        success="方案已停用。", to=redirect("points_scheme", pk))


@login_required
@require_POST
def template_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """A village takes a township template: a draft copy linked to it, to adapt and vote on."""
    user = request.user
    template = selectors.scheme_detail(user=user, pk=pk)
    village = Place.objects.visible_to(user, Perm.POINTS_MANAGE).filter(
        code=request.POST.get("village", ""), level=Level.VILLAGE).first()
    try:
        if village is None:
            raise ValidationFailed("请选择采用模板的村（社区）。")
        copy = services.scheme_copy_template(acting_user=user, template=template, village=village,
                                             name=request.POST.get("name", ""))
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("points_scheme", pk)
    messages.success(request, "已按模板建立本村方案草案，请结合本村实际修改后提交表决。")
    return redirect("points_scheme", copy.pk)


# --- P2 recording ----------------------------------------------------------------------------------------


def _photos(request: HttpRequest) -> list[Any]:
    return [f for f in request.FILES.getlist("photos") if getattr(f, "size", 0)]


def _pick_scheme(request: HttpRequest, schemes: list[Any]) -> Any:
    wanted = selectors._int(request.GET.get("scheme") or request.POST.get("scheme"))
    for s in schemes:
        if s.pk == wanted:
            return s
    return schemes[0] if schemes else None


@login_required
@require_http_methods(["GET", "POST"])
def record_page(request: HttpRequest) -> HttpResponse:
    """一事一记 on the phone: search the household/person by name or initials, pick the item (points
    prefilled within its range), deed date, photo."""
    user = request.user
    if not user.has_perm_anywhere(Perm.POINTS_RECORD):
        raise NotFound()
    schemes = selectors.recordable_schemes_for_grid_worker(user=user)
    scheme = _pick_scheme(request, schemes)
    error, form = "", request.POST
    subject_id = request.POST.get("subject") or request.GET.get("subject") or ""
    if request.method == "POST" and scheme is not None:
        try:
            entry = services.entry_record(
                acting_user=user, item_id=request.POST.get("item"), subject_id=subject_id,
                points=request.POST.get("points", ""), deed_date=parse_date(request.POST.get("deed_date"), "事迹日期"),
                note=request.POST.get("note", ""), photos=_photos(request))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"已记录：{entry.account.name} {entry.item.name} {fmt_points(entry.points, sign=True)} 分，待评议。")
            return redirect(f"{reverse('points_record')}?scheme={scheme.pk}")
    q = request.GET.get("q", "").strip()
    candidates = selectors.subject_search(user=user, scheme=scheme, q=q) if (scheme and q) else []
    items = list(selectors.scheme_items(scheme).filter(active=True)) if scheme else []
    recent = selectors.recent_entries(user=user, scheme=scheme) if scheme else []
    return render(request, "points/record.html", {
        "schemes": schemes, "scheme": scheme, "items": items, "q": q, "candidates": candidates,
        "subject_id": str(subject_id), "subject_label": selectors.subject_label(user=user, scheme=scheme, subject_id=subject_id) if (
            scheme and subject_id) else "",
        "form": form, "error": error, "today": today(), "recent": recent,
    })


@login_required
@require_http_methods(["GET", "POST"])
def batch_page(request: HttpRequest) -> HttpResponse:
    """活动批量记录: one item for everyone at an activity."""
    user = request.user
    if not user.has_perm_anywhere(Perm.POINTS_RECORD):
        raise NotFound()
    schemes = selectors.recordable_schemes_for_grid_worker(user=user)
    scheme = _pick_scheme(request, schemes)
    error = ""
    chosen = [s for s in (request.POST.getlist("subjects") or request.GET.getlist("subjects")) if s.isdigit()]
    if request.method == "POST" and scheme is not None and request.POST.get("action") == "save":
        try:
            entries = services.entries_record_batch(
                acting_user=user, item_id=request.POST.get("item"), subject_ids=chosen,
                points=request.POST.get("points", ""),
                deed_date=parse_date(request.POST.get("deed_date"), "活动日期"), note=request.POST.get("note", ""),
                photos=_photos(request))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"已为 {len(entries)} 户（人）记录，待评议。")
            return redirect(f"{reverse('points_batch')}?scheme={scheme.pk}")
    q = (request.POST.get("q") or request.GET.get("q") or "").strip()
    candidates = selectors.subject_search(user=user, scheme=scheme, q=q, limit=50) if (scheme and q) else []
    chosen_labels = selectors.subject_labels(user=user, scheme=scheme, subject_ids=chosen[:500]) if scheme else []
    return render(request, "points/batch.html", {
        "schemes": schemes, "scheme": scheme, "q": q, "candidates": candidates, "chosen": chosen_labels,
        "chosen_ids": set(chosen), "items": list(selectors.scheme_items(scheme).filter(active=True)) if scheme else [],
        "form": request.POST, "error": error, "today": today(),
    })


# --- villagers --------------------------------------------------------------------------------------------


@login_required
def mine_page(request: HttpRequest) -> HttpResponse:
    """村民: my household's accounts — honour score and spendable balance — and every entry with its rule,
    recorder and approver; buttons to declare and to ask for reconsideration."""
    user = request.user
    accounts = selectors.own_accounts(user=user)
    if not accounts and not user.has_perm_anywhere(Perm.POINTS_DECLARE):
        raise NotFound()
    wanted = selectors._int(request.GET.get("account"))
    current = next((a for a in accounts if a.pk == wanted), accounts[0] if accounts else None)
    page = paginate(request, selectors.account_entries(current)) if current else None
    if page is not None:
        labels: dict[int, str] = {}  # one look-up per clause, not per entry
        for e in page.object_list:
            clause = e.item.rule_clause_id if e.item_id else None
            if clause and clause not in labels:
                labels[clause] = links.clause_label(clause)
            e.clause_label = labels.get(clause, "") if clause else ""
    return render(request, "points/mine.html", {
        "accounts": accounts, "account": current, "page_obj": page,
        "declarable": selectors.declarable_schemes(user=user),
        "reconsiderations": list(current.reconsiderations.order_by("-filed_at")[:10]) if current else [],
    })


@login_required
@require_http_methods(["GET", "POST"])
def declare_page(request: HttpRequest) -> HttpResponse:
    """群众申报 with a photo, or 推荐邻里好人好事 (neighbour chosen by full name in the same village)."""
    user = request.user
    schemes = selectors.declarable_schemes(user=user)
    if not schemes:
        raise NotFound()
    scheme = _pick_scheme(request, schemes)
    neighbour = request.GET.get("for") == "neighbour" or request.POST.get("for") == "neighbour"
    error = ""
    matches: list[Any] = []
    if request.method == "POST":
        try:
            neighbour_id = None
            if neighbour:
                matches = selectors.neighbour_matches(user=user, scheme=scheme, name=request.POST.get("name", ""))
                picked = request.POST.get("neighbour")
                if picked and any(str(m.subject_id) == picked for m in matches):
                    neighbour_id = picked
                elif len(matches) == 1:
                    neighbour_id = matches[0].subject_id
                elif not matches:
                    raise ValidationFailed("本村没有找到这个名字，请核对姓名。")
                else:
                    raise ValidationFailed("本村有同名村民，请选择是哪一户。")
            services.entry_declare(
                acting_user=user, item_id=request.POST.get("item"), points=request.POST.get("points", ""),
                deed_date=parse_date(request.POST.get("deed_date"), "事迹日期"), note=request.POST.get("note", ""),
                photos=_photos(request), neighbour_id=neighbour_id)
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "已提交，评议小组评议后计入积分。")
            return redirect("points_mine")
    items = [i for i in selectors.scheme_items(scheme).filter(active=True) if not i.is_negative]
    return render(request, "points/declare.html", {
        "schemes": schemes, "scheme": scheme, "items": items, "neighbour": neighbour, "form": request.POST,
        "error": error, "today": today(), "matches": matches if len(matches) > 1 else [],
    })


@login_required
@require_POST
def reconsider(request: HttpRequest) -> HttpResponse:
    """积分复议 at any time, from the villager's own page (or a staff account page)."""
    account_id = request.POST.get("account", "")
    back = safe_next(request, f"{reverse('points_mine')}?account={account_id}")
    return act_then_redirect(request, lambda: services.reconsideration_file(
        acting_user=request.user, account_id=account_id, entry_id=request.POST.get("entry") or None,
        reason=request.POST.get("reason", "")), success="复议申请已提交，村里将调查核实后答复。", to=redirect(back))


@login_required
@require_POST
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    back = safe_next(request, f"{reverse('points_mine')}?account={pk}")
    value = request.POST.get("name_public") == "1"
    return act_then_redirect(request, lambda: services.account_consent(
        acting_user=request.user, account_id=pk, name_public=value),
        success="已登记：公示时显示姓名。" if value else "已登记：公示时姓名脱敏。", to=redirect(back))


# --- P3 review, quarters, reconsiderations -----------------------------------------------------------------


@login_required
def review_page(request: HttpRequest) -> HttpResponse:
    """评议小组的月评议队列: pending entries in scope, oldest first, with photos; approve, adjust, reject."""
    user = request.user
    if not user.has_perm_anywhere(Perm.POINTS_REVIEW):
        raise NotFound()
    filters = selectors.ReviewFilters.from_query(request.GET)
    page = paginate(request, selectors.review_queue(user=user, filters=filters))
    photos = selectors.photo_counts([e.pk for e in page.object_list])
    for e in page.object_list:
        e.photo_count = photos.get(e.pk, 0)
    return render(request, "points/review.html", {
        "page_obj": page, "filters": filters, "statuses": EntryStatus.choices,
        "schemes": selectors.review_schemes(user=user),
        "query": request.GET.urlencode(),
    })


@login_required
def review_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """One entry for the reviewer: the deed, the photos, the rule; the decision form."""
    user = request.user
    entry = selectors.review_entry(user=user, pk=pk)
    return render(request, "points/review_entry.html", {
        "entry": entry, "photos": attachment_list(user=user, obj=entry),
        "clause_label": links.clause_label(entry.item.rule_clause_id) if entry.item_id else "",
        "next": request.GET.get("next", ""),
    })


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    back = safe_next(request, reverse("points_review"))
    decision = request.POST.get("decision", "")
    return act_then_redirect(request, lambda: services.entry_review(
        acting_user=request.user, entry_id=pk, decision=decision, points=request.POST.get("points") or None,
        note=request.POST.get("note", "")),
        success="已通过。" if decision == "approve" else "已不予通过。", to=redirect(back))


@login_required
@require_POST
def review_bulk(request: HttpRequest) -> HttpResponse:
    back = safe_next(request, reverse("points_review"))
    ids = request.POST.getlist("entries")
    return act_then_redirect(request, lambda: services.entries_review_bulk(acting_user=request.user, entry_ids=ids),
                             success=f"已通过 {len(ids)} 条记录。", to=redirect(back))


@login_required
@require_POST
def quarter_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    scheme = selectors.scheme_detail(user=user, pk=pk)
    starts = parse_date(request.POST.get("quarter"), "季度", required=False)

    def act() -> None:
        if starts is None:
            raise ValidationFailed("请选择季度。")
        services.quarter_approve(acting_user=user, scheme=scheme, starts_on=starts, note=request.POST.get("note", ""))

    return act_then_redirect(request, act, success="党支部审核通过，该季度已锁定。",
                             to=redirect(reverse("points_scheme", args=[pk]) + "#quarters"))


@login_required
def quarter_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A quarter: status, publication (public page and PDF notice), objections filed on it and the
    investigations they led to."""
    user = request.user
    quarter = selectors.quarter_detail(user=user, pk=pk)
    objections = selectors.quarter_objections(quarter)
    start = max(today(), quarter.starts_on)
    last_month_28 = dt.date(quarter_end(quarter.starts_on).year, quarter_end(quarter.starts_on).month, 28)
    start = max(start, last_month_28) if last_month_28 >= today() else start
    return render(request, "points/quarter.html", {
        "quarter": quarter, "scheme": quarter.scheme, "objections": objections,
        "can_approve": user.has_perm_at(Perm.POINTS_APPROVE, quarter.place_path),
        "accounts": list(Account.objects.filter(scheme=quarter.scheme).order_by("place_path", "name")
                         .only("id", "name", "place_path")[:2000]) if objections else [],
        "default_start": start, "default_end": start + dt.timedelta(days=6),
        "rows": services.quarter_rows(quarter)[:50] if quarter.status != "open" and not quarter.publication_id else [],
    })


@login_required
@require_POST
def quarter_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    quarter = selectors.quarter_detail(user=user, pk=pk)

    def act() -> None:
        services.quarter_publish(acting_user=user, quarter_id=quarter.pk,
                                 starts_on=parse_date(request.POST.get("starts_on"), "公示开始日期"),
                                 ends_on=parse_date(request.POST.get("ends_on"), "公示截止日期"),
                                 contact=request.POST.get("contact", ""))

    return act_then_redirect(request, act, success="已公示。", to=redirect("points_quarter", pk))


@login_required
@require_POST
def objection_investigate(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    quarter = selectors.quarter_detail(user=user, pk=pk)
    try:
        rec = services.reconsideration_from_objection(
            acting_user=user, objection_id=request.POST.get("objection"), account_id=request.POST.get("account"),
            entry_id=request.POST.get("entry") or None)
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("points_quarter", quarter.pk)
    messages.success(request, "已立案调查。")
    return redirect("points_reconsideration", rec.pk)


@login_required
def reconsideration_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_anywhere(Perm.POINTS_VIEW):
        raise NotFound()
    status = request.GET.get("status", "open")
    page = paginate(request, selectors.reconsideration_list(user=user, status=status))
    return render(request, "points/reconsiderations.html", {
        "page_obj": page, "status": status, "statuses": ReconsiderationStatus.choices})


@login_required
def reconsideration_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    rec = selectors.reconsideration_detail(user=user, pk=pk)
    return render(request, "points/reconsideration.html", {
        "rec": rec, "can_decide": user.has_perm_at(Perm.POINTS_APPROVE, rec.place_path)
        and rec.status in (ReconsiderationStatus.OPEN, ReconsiderationStatus.INVESTIGATING),
        "entries": list(selectors.account_entries(rec.account)[:20]),
        "items": list(selectors.scheme_items(rec.scheme)),
    })


@login_required
@require_POST
def reconsideration_decide(request: HttpRequest, pk: int) -> HttpResponse:
    upheld = request.POST.get("upheld") == "1"
    return act_then_redirect(request, lambda: services.reconsideration_decide(
        acting_user=request.user, reconsideration_id=pk, upheld=upheld,
        investigation=request.POST.get("investigation", ""), points=request.POST.get("points") or None,
        item_id=request.POST.get("item") or None, entry_id=request.POST.get("entry") or None),
        success="复议成立，已记更正记录。" if upheld else "已答复：复议不成立。", to=redirect("points_reconsideration", pk))


# --- 台账 ---------------------------------------------------------------------------------------------------


LEDGER_HEADERS = ["网格/村", "事迹日期", "方案", "名称", "类别", "细则编号", "细则", "来源", "分值", "状态", "记录人",
                  "评议人", "评议意见", "事迹说明", "更正的记录", "记录编号"]


@login_required
def ledger_page(request: HttpRequest) -> HttpResponse:
    """一网格一档: the grid's (or village's) month of entries, on screen and exported to Excel (audited)."""
    user = request.user
    if not user.has_perm_anywhere(Perm.POINTS_VIEW):
        raise NotFound()
    places = list(Place.objects.visible_to(user, Perm.POINTS_VIEW).filter(
        level__in=[Level.VILLAGE, Level.GRID], is_active=True).order_by("path")[:500])
    code = request.GET.get("place") or (places[0].code if places else "")
    place = next((p for p in places if p.code == code), None)
    if place is None:
        raise NotFound()
    month = request.GET.get("month") or today().strftime("%Y-%m")
    qs = selectors.ledger_rows(user=user, place_path=place.path, month=month)
    if request.GET.get("export") == "xlsx":
        names = {p.path: p.name for p in places}
        rows = export_rows(request, qs, perm=Perm.POINTS_VIEW, event="points.ledger_export",
                           what=f"{place.name}{month}积分台账")
        return xlsx_response(f"{place.name}{month}积分台账.xlsx", LEDGER_HEADERS, (
            [names.get(e.place_path, e.place_path), e.deed_date, e.scheme.name, e.account.name,
             e.item.category.name if e.item_id else "", e.item.code if e.item_id else "",
             e.item.name if e.item_id else e.note, e.get_kind_display(), e.points, e.get_status_display(),
             e.recorder.display_name if e.recorder_id else "", e.reviewer.display_name if e.reviewer_id else "",
             e.review_note, e.note, e.corrects_id or "", e.pk] for e in rows), title="积分台账")
    return render(request, "points/ledger.html", {
        "places": places, "place": place, "month": month, "page_obj": paginate(request, qs),
    })
