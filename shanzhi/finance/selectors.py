"""Reads of 村级财务 (domain.md A3). Everything starts from ``visible_to(user, finance.view)``: another village's
books, a missing entry — both are NotFound."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.timezone import localdate

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound
from shanzhi.core.home import ActionItem
from shanzhi.publication.models import Objection

from .choices import EntryKind, EntryState, StepLevel
from .models import BookPublication, Entry, Ledger, Statement, month_start
from .services import add_months, statement_due

LATE_WINDOW_MONTHS = 24  # how far back the overview looks for unpublished months


def ledgers_visible(*, user: Any) -> QuerySet[Ledger]:
    return Ledger.objects.visible_to(user, Perm.FINANCE_VIEW).select_related("village", "township")


def ledger_detail(*, user: Any, pk: Any) -> Ledger:
    return ledgers_visible(user=user).select_related("chain").get_visible(user, Perm.FINANCE_VIEW, pk=pk)


def entries_visible(*, user: Any) -> QuerySet[Entry]:
    return Entry.objects.visible_to(user, Perm.FINANCE_VIEW)


@dataclasses.dataclass(frozen=True)
class EntryFilters:
    month: dt.date | None = None
    kind: str = ""
    category: int | None = None
    state: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, data: Any) -> EntryFilters:
        month = None
        raw = (data.get("month") or "").strip()
        if raw:
            try:
                y, m = raw.split("-")[:2]
                month = dt.date(int(y), int(m), 1)
            except (TypeError, ValueError):
                month = None
        try:
            category = int(data.get("category") or 0) or None
        except (TypeError, ValueError):
            category = None
        kind = (data.get("kind") or "").strip()
        state = (data.get("state") or "").strip()
        return cls(month=month, kind=kind if kind in EntryKind.values else "", category=category,
                   state=state if state in EntryState.values else "", q=(data.get("q") or "").strip()[:50])


def entry_list(*, user: Any, ledger: Ledger, filters: EntryFilters | None = None) -> QuerySet[Entry]:
    f = filters or EntryFilters()
    qs = entries_visible(user=user).filter(ledger=ledger).select_related("category", "entered_by", "current_step")
    if f.month:
        qs = qs.filter(month=f.month)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.q:
        qs = qs.filter(Q(number__icontains=f.q) | Q(summary__icontains=f.q) | Q(counterparty__icontains=f.q))
    return qs.order_by("-date", "-id")


def entry_detail(*, user: Any, pk: Any) -> Entry:
    try:
        return entries_visible(user=user).select_related(
            "ledger__village", "ledger__chain", "category", "entered_by", "current_step", "correction_of").get(pk=pk)
    except (Entry.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def waiting_q(user: Any) -> Q:
    """Entries waiting for this user's signature: the current step names them, or (naming nobody) its role is one
    they hold with finance.approve at exactly the step's place (the village or its township)."""
    q = Q(state=EntryState.IN_APPROVAL, current_step__user_id=user.pk)
    if user.is_superuser:
        return Q(state=EntryState.IN_APPROVAL)
    for role, perms, path in user.grants():
        if Perm.FINANCE_APPROVE not in perms:
            continue
        base = Q(state=EntryState.IN_APPROVAL, current_step__user__isnull=True, current_step__role=role)
        q |= base & Q(current_step__level=StepLevel.VILLAGE, place_path=path)
        q |= base & Q(current_step__level=StepLevel.TOWNSHIP, township_path=path)
    return q


def approval_queue(*, user: Any) -> QuerySet[Entry]:
    """待我审批."""
    return (entries_visible(user=user).filter(waiting_q(user))
            .select_related("ledger__village", "category", "entered_by", "current_step").order_by("entered_at", "id"))


def returned_to_me(*, user: Any) -> QuerySet[Entry]:
    return entries_visible(user=user).filter(state=EntryState.RETURNED, entered_by=user)


def statements_of(*, ledger: Ledger) -> dict[dt.date, Statement]:
    return {s.month: s for s in Statement.objects.filter(ledger=ledger).select_related("publication")}


def month_rows(*, ledger: Ledger, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Every month from the start of the books to last month: published, due or late (newest first)."""
    today = today or localdate()
    published = statements_of(ledger=ledger)
    last = add_months(month_start(today), -1)
    first = max(ledger.start_month, add_months(last, -LATE_WINDOW_MONTHS + 1))
    rows = []
    month = last
    while month >= first:
        due = statement_due(ledger, month)
        st = published.get(month)
        rows.append({"month": month, "statement": st, "due": due, "late": st is None and due < today})
        month = add_months(month, -1)
    return rows


def disclosure_overview(*, user: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Township overview: each village in scope, its last published month, its late months (two queries)."""
    today = today or localdate()
    ledgers = list(ledgers_visible(user=user).order_by("place_path"))
    published: dict[int, set[dt.date]] = {}
    for ledger_id, month in Statement.objects.filter(ledger__in=[lg.pk for lg in ledgers]).values_list(
            "ledger_id", "month"):
        published.setdefault(ledger_id, set()).add(month)
    last = add_months(month_start(today), -1)
    out = []
    for ledger in ledgers:
        months = published.get(ledger.pk, set())
        late = []
        month = max(ledger.start_month, add_months(last, -LATE_WINDOW_MONTHS + 1))
        while month <= last:
            if month not in months and statement_due(ledger, month) < today:
                late.append(month)
            month = add_months(month, 1)
        out.append({"ledger": ledger, "last_published": max(months) if months else None, "late": late})
    return out


def disclosure_frequencies(*, village_ids: list[int]) -> dict[int, str]:
    """Each village's set finance disclosure frequency ("monthly" / "quarterly"), for the villages that keep a
    ledger here (one query; the notice board's overview uses it)."""
    return dict(Ledger.objects.filter(village_id__in=village_ids).values_list("village_id", "frequency"))


def villages_without_ledger(*, user: Any) -> QuerySet:
    from shanzhi.regions.choices import Level
    from shanzhi.regions.models import Place

    return (Place.objects.visible_to(user, Perm.FINANCE_ENTER).filter(level=Level.VILLAGE, is_active=True)
            .exclude(pk__in=Ledger.objects.values("village_id")).order_by("path"))


def entry_questions(*, entry: Entry) -> list[Objection]:
    """Villagers' questions (objections on the month's statement) that name this entry by its voucher number."""
    st = Statement.objects.filter(ledger_id=entry.ledger_id, month=entry.month).first()
    if st is None:
        return []
    return list(Objection.objects.filter(publication_id=st.publication_id, text__contains=entry.number)
                .select_related("handled_by").order_by("created_at"))


def book_publications(*, ledger: Ledger) -> QuerySet[BookPublication]:
    return BookPublication.objects.filter(ledger=ledger).select_related("publication").order_by("-published_at")


def home_items(user: Any) -> list[ActionItem]:
    """待我审批 (signers), returned entries (enterers), villages late with their statements (township staff)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm_anywhere(Perm.FINANCE_VIEW):
        return []
    items = []
    if user.has_perm_anywhere(Perm.FINANCE_APPROVE):
        n = entries_visible(user=user).filter(waiting_q(user)).count()
        if n:
            items.append(ActionItem(title="待我审批的村级财务支出", count=n, url=reverse("finance_approvals")))
    if user.has_perm_anywhere(Perm.FINANCE_ENTER):
        n = returned_to_me(user=user).count()
        if n:
            items.append(ActionItem(title="被退回待修改的财务记录", count=n,
                                    url=f"{reverse('finance_approvals')}#returned", level="warning"))
    overview = disclosure_overview(user=user)
    late = [row for row in overview if row["late"]]
    if late:
        if len(overview) > 1:
            items.append(ActionItem(title="财务公开逾期的村", count=len(late), url=reverse("finance_overview"),
                                    level="danger"))
        else:
            items.append(ActionItem(title="逾期未公开的财务月报", count=len(late[0]["late"]),
                                    url=reverse("finance_statements", args=[late[0]["ledger"].pk]), level="danger"))
    return items
