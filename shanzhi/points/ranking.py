"""积分排名与溯源 (domain.md P4 results; issue 4 "every number on a ranking or balance page can be traced").

Rankings are by the honour score — the sum of a subject's APPROVED earning entries (corrections included,
spends and refunds never) whose deed date falls in the period — not the spendable balance. A subject with no
entries in the period ranks with 0. Ties share a rank (competition ranking, 1 2 2 4: 并列), ordered by name.

One SQL statement answers a page of a ranking, however many subjects the village has: the entries are joined
under the period's condition (``FilteredRelation``: the condition sits in the JOIN, so the account's history
index is used), summed per account, and ranked with a window function (``RANK() OVER``), then paginated.

Reads start from ``visible_to(user, points.view)``; a scope (village, villager group, grid) outside the user's
scope is NotFound, like a missing one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Rank

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.core.scoping import path_q
from shanzhi.regions.choices import SIGNIFICANT, Level
from shanzhi.regions.models import Place

from .choices import EARNING_KINDS, EntryStatus
from .models import Account, Entry, Scheme

ZERO = Decimal("0.0")
SCORE = DecimalField(max_digits=11, decimal_places=1)
MAX_DAYS = 3 * 366  # a custom period of at most three years


VILLAGE_PATH = SIGNIFICANT[Level.VILLAGE]  # a village's path is its 12-digit code; groups and grids extend it


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def quarter_end(first: dt.date) -> dt.date:
    month = first.month + 3
    year = first.year + (month > 12)
    return dt.date(year, (month - 1) % 12 + 1, 1) - dt.timedelta(days=1)


def quarter_label(first: dt.date) -> str:
    return f"{first.year}年第{(first.month - 1) // 3 + 1}季度"


def _int(value: Any, default: int, low: int, high: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return n if low <= n <= high else default


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


@dataclasses.dataclass(frozen=True)
class Period:
    """A ranking period: a quarter, a year, or custom dates (inclusive)."""

    kind: str  # "quarter" | "year" | "custom"
    starts_on: dt.date
    ends_on: dt.date

    @classmethod
    def quarter(cls, day: dt.date) -> Period:
        first = quarter_start(day)
        return cls("quarter", first, quarter_end(first))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls("year", dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def from_query(cls, data: Any, *, today: dt.date) -> Period:
        """``period=quarter&year=2026&q=3``, ``period=year&year=2026`` or ``period=custom&from=…&to=…``. Bad
        custom dates are refused with a message (the page shows it); a missing choice means the current quarter."""
        kind = (data.get("period") or "quarter").strip()
        year = _int(data.get("year"), today.year, 2000, 2100)
        if kind == "year":
            return cls.year(year)
        if kind == "custom":
            start, end = _date(data.get("from") or ""), _date(data.get("to") or "")
            if start is None or end is None:
                raise ValidationFailed("请填写起止日期（如 2026-01-01）。", code="period_dates")
            if end < start:
                raise ValidationFailed("截止日期不能早于起始日期。", code="period_order")
            if (end - start).days > MAX_DAYS:
                raise ValidationFailed("自定义期间最长三年。", code="period_long")
            return cls("custom", start, end)
        q = _int(data.get("q"), (today.month - 1) // 3 + 1, 1, 4)
        return cls.quarter(dt.date(year, (q - 1) * 3 + 1, 1))

    @property
    def quarter_num(self) -> int:
        return (self.starts_on.month - 1) // 3 + 1

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return quarter_label(self.starts_on)
        if self.kind == "year":
            return f"{self.starts_on.year}年"
        return f"{self.starts_on:%Y-%m-%d} 至 {self.ends_on:%Y-%m-%d}"

    @property
    def query(self) -> str:
        """The query string that selects this period again (for links)."""
        if self.kind == "quarter":
            return f"period=quarter&year={self.starts_on.year}&q={(self.starts_on.month - 1) // 3 + 1}"
        if self.kind == "year":
            return f"period=year&year={self.starts_on.year}"
        return f"period=custom&from={self.starts_on:%Y-%m-%d}&to={self.ends_on:%Y-%m-%d}"

    def entry_q(self, prefix: str = "") -> Q:
        """Approved earning entries with a deed in the period. The quarter bounds let the (scheme, quarter,
        status, account) index narrow the rows before the deed dates are compared."""
        return Q(**{
            f"{prefix}status": EntryStatus.APPROVED,
            f"{prefix}kind__in": EARNING_KINDS,
            f"{prefix}quarter__gte": quarter_start(self.starts_on),
            f"{prefix}quarter__lte": quarter_start(self.ends_on),
            f"{prefix}deed_date__gte": self.starts_on,
            f"{prefix}deed_date__lte": self.ends_on,
        })


def schemes_visible(*, user: Any) -> QuerySet[Scheme]:
    """The village schemes (not township templates) the user may read results of: those in their points.view
    scope and, for staff of a grid or group, their own village's (they rank their grid within it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Scheme.objects.none()
    paths = user.scope_paths(Perm.POINTS_VIEW)
    if not paths:
        return Scheme.objects.none()
    villages = [p[:VILLAGE_PATH] for p in paths if len(p) > VILLAGE_PATH]
    return (Scheme.objects.filter(path_q("place_path", paths) | Q(place_path__in=villages), is_template=False)
            .select_related("place").order_by("place_path", "kind", "pk"))


def scheme_for(*, user: Any, pk: Any) -> Scheme:
    return _get(schemes_visible(user=user), pk)


def _get(qs: QuerySet, pk: Any) -> Any:
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, TypeError, ValueError):
        raise NotFound()


RANK_LEVELS = (Level.VILLAGE, Level.GROUP, Level.GRID)


def scope_places(*, user: Any, scheme: Scheme) -> list[Place]:
    """The places a ranking of ``scheme`` may be narrowed to: its village, its villager groups and its grids
    that the user may see (a grid worker sees their own grid)."""
    return list(Place.objects.visible_to(user, Perm.POINTS_VIEW)
                .filter(path__prefix=scheme.place_path, level__in=RANK_LEVELS, is_active=True)
                .order_by("level", "path").only("pk", "code", "name", "path", "level")[:500])


def scope_for(*, user: Any, scheme: Scheme, code: str | None) -> Place:
    """The ranking's scope: the place with ``code`` under the scheme's village (village, group or grid) if the
    user may see it; no code means the widest the user may see (the village, or their own grid)."""
    places = scope_places(user=user, scheme=scheme)
    if not places:
        raise NotFound()
    if code:
        for p in places:
            if p.code == code:
                return p
        raise NotFound()
    return min(places, key=lambda p: (len(p.path), p.path))


def _scope_q(scope: Place, prefix: str = "") -> Q:
    """Subjects inside ``scope``: by the grid path for a village or grid, by the household's villager group for
    a group (groups and grids are separate divisions of a village)."""
    if scope.level == Level.GROUP:
        return Q(**{f"{prefix}household__group_id": scope.pk}) | Q(**{f"{prefix}person__household__group_id": scope.pk})
    return Q(**{f"{prefix}place_path__prefix": scope.path})


def accounts_in_scope(*, user: Any, scheme: Scheme, scope: Place) -> QuerySet[Account]:
    return Account.objects.visible_to(user, Perm.POINTS_VIEW).filter(_scope_q(scope), scheme=scheme)


def ranking(*, user: Any, scheme: Scheme, scope: Place, period: Period) -> QuerySet[Account]:
    """Every subject of ``scheme`` inside ``scope`` with ``score`` (honour score in the period), ``deeds`` (the
    number of entries behind it) and ``rank`` (ties share a rank), best first. Paginate the result."""
    return (accounts_in_scope(user=user, scheme=scheme, scope=scope)
            .annotate(period_entries=FilteredRelation("entries", condition=period.entry_q("entries__")))
            .annotate(score=Coalesce(Sum("period_entries__points"), Value(ZERO), output_field=SCORE),
                      deeds=Count("period_entries__id"))
            .annotate(rank=Window(expression=Rank(), order_by=F("score").desc()))
            .order_by("rank", "name", "pk")
            .only("pk", "name", "place_path", "earned", "spent", "scheme_id", "household_id", "person_id",
                  "enterprise_id"))


def ranking_page(request: Any, *, user: Any, scheme: Scheme, scope: Place, period: Period) -> Any:
    """A page of the ranking. The number of rows is the number of accounts in scope (the ranking has one row
    per account), counted on the accounts alone rather than over the windowed aggregate."""
    from shanzhi.web.pagination import COUNT_CAP, DEFAULT_PER_PAGE, Page, page_number

    per_page = DEFAULT_PER_PAGE
    number = page_number(request.GET.get("page"))
    offset = (number - 1) * per_page
    rows = list(ranking(user=user, scheme=scheme, scope=scope, period=period)[offset:offset + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    if number == 1 and not has_next:
        count, capped = len(rows), False
    else:
        n = accounts_in_scope(user=user, scheme=scheme, scope=scope)[:COUNT_CAP + 1].count()
        count, capped = min(n, COUNT_CAP), n > COUNT_CAP
    return Page(object_list=rows, number=number, per_page=per_page, has_next=has_next, count=count,
                count_capped=capped)


def account_score(*, account: Account, period: Period) -> tuple[Decimal, int]:
    """One subject's honour score and deed count in the period (the balance page's "本期" figure)."""
    row = Entry.objects.filter(period.entry_q(), account=account).aggregate(s=Sum("points"), n=Count("id"))
    return row["s"] or ZERO, row["n"]


@dataclasses.dataclass
class UnitRow:
    place: Place
    subjects: int
    total: Decimal
    average: Decimal
    rank: int = 0


def unit_ranking(*, user: Any, scheme: Scheme, period: Period) -> dict[str, list[UnitRow]]:
    """The village's grids and villager groups ranked by the average honour score per subject (H4: 组组竞比).
    Two queries whatever the number of subjects: the accounts with their grid path and group, and the period's
    scores per account (the (scheme, quarter, status, account) index); the sums are made here."""
    places = [p for p in scope_places(user=user, scheme=scheme) if p.level in (Level.GRID, Level.GROUP)]
    if not places:
        return {"grid": [], "group": []}
    grids = {p.path: p for p in places if p.level == Level.GRID}
    groups = {p.pk: p for p in places if p.level == Level.GROUP}
    accounts = (Account.objects.visible_to(user, Perm.POINTS_VIEW).filter(scheme=scheme)
                .annotate(grp=Coalesce("household__group_id", "person__household__group_id"))
                .values_list("pk", "place_path", "grp"))
    scores = dict(Entry.objects.filter(period.entry_q(), scheme=scheme).values("account_id")
                  .annotate(s=Sum("points")).order_by().values_list("account_id", "s"))
    sums: dict[str, dict[Any, list]] = {"grid": {}, "group": {}}
    lengths = sorted({len(p) for p in grids}, reverse=True)
    for pk, path, grp in accounts:
        score = scores.get(pk) or ZERO
        grid = next((grids[path[:n]] for n in lengths if path[:n] in grids), None)
        for key, unit in (("grid", grid), ("group", groups.get(grp))):
            if unit is not None:
                acc = sums[key].setdefault(unit.pk, [unit, 0, ZERO])
                acc[1] += 1
                acc[2] += score
    out: dict[str, list[UnitRow]] = {}
    for key, units in sums.items():
        rows = [UnitRow(place, n, total, (total / n).quantize(Decimal("0.1")) if n else ZERO)
                for place, n, total in units.values()]
        rows.sort(key=lambda r: (-r.average, r.place.path))
        previous, rank = None, 0
        for i, r in enumerate(rows, start=1):
            if r.average != previous:
                rank, previous = i, r.average
            r.rank = rank
        out[key] = rows
    return out


# ---- traceability -------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class EntryFilters:
    account: int | None = None
    item: int | None = None
    status: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    earning: bool = False  # only what counts towards the honour score (approved earning entries)
    place: str = ""  # a grid's (or group's path) code: the grid's ledger (一网格一档)

    @classmethod
    def from_query(cls, data: Any) -> EntryFilters:
        def num(key: str) -> int | None:
            try:
                return int(data.get(key) or 0) or None
            except (TypeError, ValueError):
                return None

        status = (data.get("status") or "").strip()
        return cls(account=num("account"), item=num("item"),
                   status=status if status in EntryStatus.values else "",
                   starts_on=_date(data.get("from") or ""), ends_on=_date(data.get("to") or ""),
                   earning=data.get("earning") in ("1", "on", "true"),
                   place=(data.get("place") or "").strip()[:24])

    @property
    def query(self) -> str:
        parts = []
        for key, value in (("account", self.account), ("item", self.item), ("status", self.status),
                           ("place", self.place),
                           ("from", self.starts_on), ("to", self.ends_on)):
            if value:
                parts.append(f"{key}={value}")
        if self.earning:
            parts.append("earning=1")
        return "&".join(parts)


ENTRY_RELATED = ("item", "item__category", "recorder", "reviewer", "account", "corrects")


def entry_list(*, user: Any, scheme: Scheme, filters: EntryFilters) -> QuerySet[Entry]:
    """A scheme's entries in the user's scope, newest deed first, narrowed by the filters. With ``earning`` and
    the period of a ranking it lists exactly the entries summed into that ranking's score."""
    qs = Entry.objects.visible_to(user, Perm.POINTS_VIEW).filter(scheme=scheme)
    if filters.account:
        qs = qs.filter(account_id=filters.account)
    if filters.item:
        qs = qs.filter(item_id=filters.item)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.earning:
        qs = qs.filter(status=EntryStatus.APPROVED, kind__in=EARNING_KINDS)
    if filters.starts_on:
        qs = qs.filter(deed_date__gte=filters.starts_on, quarter__gte=quarter_start(filters.starts_on))
    if filters.ends_on:
        qs = qs.filter(deed_date__lte=filters.ends_on, quarter__lte=quarter_start(filters.ends_on))
    if filters.place:
        place = scope_for(user=user, scheme=scheme, code=filters.place)  # NotFound outside the user's scope
        if place.level == Level.GROUP:
            qs = qs.filter(Q(account__household__group_id=place.pk) | Q(account__person__household__group_id=place.pk))
        else:
            qs = qs.filter(place_path__prefix=place.path)
    return qs.select_related(*ENTRY_RELATED).order_by("-deed_date", "-pk")


def entry_detail(*, user: Any, pk: Any) -> Entry:
    qs = (Entry.objects.visible_to(user, Perm.POINTS_VIEW)
          .select_related("scheme", "scheme__place", "account", *ENTRY_RELATED))
    return _get(qs, pk)


def account_detail(*, user: Any, pk: Any) -> Account:
    return _get(Account.objects.visible_to(user, Perm.POINTS_VIEW).select_related("scheme", "scheme__place"), pk)
