"""Monthly mediation statistics (domain.md M7 figures; the 人民调解工作统计表 reported upward every month).

For a place in the user's ``mediation.stats`` scope and a period (a month or a year), over the cases *received*
in the period at that place and below (the cohort the monthly report counts): received by source and by dispute
type; accepted (调解数), settled (调解成功), failed, refused, withdrawn; success rate = settled ÷ concluded
(settled + failed); written agreements; amount involved; average duration from receipt to closing (days); the
same per mediator and per organisation; a 12-month trend. Every figure is a GROUP BY in the database (one query
per table), never a query per row, so a county's year (~10,000 cases) answers in well under a second."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, CharField, Count, F, FloatField, Func, Q, QuerySet, Sum

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.regions.models import Place
from shanzhi.workflow.calendar import CHINA

from .choices import DisputeType, Result, Source
from .models import Case

STATS_LEVELS = ("province", "city", "county", "township", "village")


@dataclass(frozen=True)
class Period:
    """A calendar month (``month`` 1–12) or a whole year (``month`` 0), in Beijing time."""

    year: int
    month: int = 0

    @classmethod
    def parse(cls, value: str, *, today: dt.date) -> Period:
        value = (value or "").strip()
        if not value:
            return cls(today.year, today.month)
        try:
            if len(value) == 4:
                period = cls(int(value), 0)
            else:
                y, m = value.split("-")
                period = cls(int(y), int(m))
        except ValueError:
            raise ValidationFailed("统计期间格式应为“2026-11”（月）或“2026”（年）。", code="stats_period")
        if not (2000 <= period.year <= 2100 and 0 <= period.month <= 12):
            raise ValidationFailed("统计期间超出范围。", code="stats_period")
        return period

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, self.month or 1, 1, tzinfo=CHINA)

    @property
    def end(self) -> dt.datetime:
        if self.month == 0 or self.month == 12:
            return dt.datetime(self.year + 1, 1, 1, tzinfo=CHINA)
        return dt.datetime(self.year, self.month + 1, 1, tzinfo=CHINA)

    @property
    def key(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月" if self.month else f"{self.year}年"


def stats_places(*, user: Any) -> QuerySet[Place]:
    """Places the user may count: county, township and village levels in their mediation.stats scope."""
    return Place.objects.visible_to(user, Perm.MEDIATION_STATS).filter(level__in=STATS_LEVELS, is_active=True)


def stats_place(*, user: Any, code: str) -> Place:
    """The place asked for (by code), or the user's widest stats place; NotFound outside their scope."""
    qs = stats_places(user=user)
    place = qs.filter(code=code).first() if code else qs.order_by("path").first()
    if place is None:
        raise NotFound()
    return place


def cases_counted(*, place: Place, start: dt.datetime, end: dt.datetime) -> QuerySet[Case]:
    """The cohort: cases that arose at ``place`` or below and were received in [start, end). Callers have
    checked ``place`` is in the user's stats scope (``stats_place``), so its subtree is."""
    return Case.objects.filter(place_path__prefix=place.path, received_at__gte=start, received_at__lt=end)


class DaysBetween(Func):
    """Days (fractional) from ``received_at`` to ``closed_at``, computed by the database's own date arithmetic —
    ``julianday`` on SQLite, ``EXTRACT(EPOCH …)`` on PostgreSQL — rather than Django's generic duration, which
    on SQLite calls back into Python for every row."""

    output_field = FloatField()
    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)"
    arg_joiner = " - "

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(julianday(%(expressions)s))",
                           arg_joiner=") - julianday(", **extra)


class MonthKey(Func):
    """'YYYY-MM' of a timestamp in Beijing time (the report's months), in the database."""

    output_field = CharField()
    template = "to_char((%(expressions)s) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="substr(datetime(%(expressions)s, '+8 hours'), 1, 7)", **extra)


DURATION = DaysBetween(F("closed_at"), F("received_at"))


def _figures() -> dict[str, Any]:
    """The columns of every table: one aggregate each, all computed in the same GROUP BY (named ``n_…`` so they
    never collide with the case's own fields ``settled`` and ``amount``)."""
    return {
        "n_received": Count("id"),
        "n_accepted": Count("id", filter=Q(accepted_at__isnull=False)),
        "n_settled": Count("id", filter=Q(result=Result.SETTLED)),
        "n_failed": Count("id", filter=Q(result=Result.FAILED)),
        "n_refused": Count("id", filter=Q(result=Result.REFUSED)),
        "n_withdrawn": Count("id", filter=Q(result__in=(Result.WITHDRAWN, Result.REJECTED))),
        "n_open": Count("id", filter=Q(closed_at__isnull=True)),
        "n_closed": Count("id", filter=Q(closed_at__isnull=False)),
        "n_agreements": Count("agreement"),
        "n_amount": Sum("amount"),
        "n_amount_settled": Sum("amount", filter=Q(result=Result.SETTLED)),
        "n_avg_duration": Avg(DURATION, filter=Q(closed_at__isnull=False)),
    }


COUNTS = ("received", "accepted", "settled", "failed", "refused", "withdrawn", "open", "closed", "agreements")


@dataclass
class Row:
    """One line of a table: a dispute type, a source, a mediator or an organisation (or the total)."""

    key: Any
    label: str
    received: int = 0
    accepted: int = 0
    settled: int = 0
    failed: int = 0
    refused: int = 0
    withdrawn: int = 0
    open: int = 0
    closed: int = 0
    agreements: int = 0
    amount: Decimal = Decimal("0")
    amount_settled: Decimal = Decimal("0")
    avg_days: float | None = None
    place: str = ""

    @property
    def concluded(self) -> int:
        return self.settled + self.failed

    @property
    def success_rate(self) -> float | None:
        """调解成功率 = 调解成功 ÷ (调解成功 + 调解不成); refusals and withdrawals are not mediations."""
        return self.settled / self.concluded if self.concluded else None

    @property
    def success_pct(self) -> str:
        rate = self.success_rate
        return "—" if rate is None else f"{rate * 100:.1f}%"

    @property
    def avg_days_text(self) -> str:
        return "—" if self.avg_days is None else f"{self.avg_days:.1f}"


def _days(value: Any) -> float | None:
    return None if value is None else float(value)


def _row(key: Any, label: str, data: dict[str, Any], **extra: Any) -> Row:
    counts = {name: data.get(f"n_{name}") or 0 for name in COUNTS}
    return Row(key=key, label=label, **counts, amount=data.get("n_amount") or Decimal("0"),
               amount_settled=data.get("n_amount_settled") or Decimal("0"),
               avg_days=_days(data.get("n_avg_duration")), **extra)


def _total(rows: list[Row], label: str = "合计", key: Any = "total") -> Row:
    """The sum of the rows; the average duration weighted by each row's closed cases (no second query)."""
    total = Row(key=key, label=label)
    for r in rows:
        for name in (*COUNTS, "amount", "amount_settled"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
    weighted = [(r.avg_days, r.closed) for r in rows if r.avg_days is not None and r.closed]
    if weighted:
        total.avg_days = sum(d * n for d, n in weighted) / sum(n for _d, n in weighted)
    return total


def by_type(qs: QuerySet[Case]) -> list[Row]:
    """Rows = every dispute type (zero rows kept: the report's layout is fixed)."""
    found = {d["dispute_type"]: d for d in qs.order_by().values("dispute_type").annotate(**_figures())}
    empty = dict.fromkeys(_figures(), None) | dict.fromkeys(("received", "accepted", "settled", "failed", "refused", "withdrawn", "open", "agreements"), 0)
    return [_row(value, str(label), found.get(value, empty)) for value, label in DisputeType.choices]


def by_source(qs: QuerySet[Case]) -> list[Row]:
    found = {d["source"]: d for d in qs.order_by().values("source").annotate(**_figures())}
    return [_row(value, str(label), found[value]) for value, label in Source.choices if value in found]


def by_mediator(qs: QuerySet[Case]) -> QuerySet:
    """Per main mediator (cases without one yet counted under "未指定"), most cases first."""
    return (qs.order_by().values("mediator_id", "mediator__name", "mediator__place__name")
            .annotate(**_figures()).order_by("-n_received", "mediator__name"))


def by_organisation(qs: QuerySet[Case]) -> QuerySet:
    return (qs.order_by().values("organisation_id", "organisation__name", "organisation__place__name")
            .annotate(**_figures()).order_by("-n_received", "organisation__name"))


def mediator_rows(values: list[dict[str, Any]]) -> list[Row]:
    return [_row(v["mediator_id"], v["mediator__name"] or "未指定", v, place=v["mediator__place__name"] or "")
            for v in values]


def organisation_rows(values: list[dict[str, Any]]) -> list[Row]:
    return [_row(v["organisation_id"], v["organisation__name"], v, place=v["organisation__place__name"] or "")
            for v in values]


def _window(period: Period) -> tuple[Period, int]:
    """The 12 months ending with the period's last month (a year's window is the year itself): (last, first
    month index as year * 12 + month - 1)."""
    last = Period(period.year, period.month or 12)
    return last, (last.year * 12 + last.month - 1) - 11


def _month_index(key: str) -> int:
    return int(key[:4]) * 12 + int(key[5:7]) - 1


def trend_from(cells: list[tuple[dict[str, Any], Row]], first: int) -> list[dict[str, Any]]:
    """Received, settled and success rate per month of the window, from the grouped cells."""
    by_month: dict[int, list[Row]] = defaultdict(list)
    for c, row in cells:
        by_month[_month_index(c["m"])].append(row)
    out = []
    for i in range(12):
        r = _total(by_month.get(first + i, []))
        y, m = divmod(first + i, 12)
        out.append({"month": f"{y}-{m + 1:02d}", "received": r.received, "settled": r.settled,
                    "rate": round(r.settled / r.concluded * 100, 1) if r.concluded else None})
    return out


@dataclass
class Report:
    place: Place
    period: Period
    total: Row
    types: list[Row]
    sources: list[Row]
    trend: list[dict[str, Any]] = field(default_factory=list)


def monthly_report(*, user: Any, place: Place, period: Period, with_trend: bool = True) -> Report:
    """The report for one place and period: totals, by type, by source, and the 12-month trend — all from ONE
    grouped query over the 12-month window (month × type × source, at most 12 × 11 × 6 cells), summed here.
    (Per mediator and per organisation are paginated lists: ``by_mediator`` / ``by_organisation``.)"""
    if not user.has_perm_at(Perm.MEDIATION_STATS, place.path):
        raise NotFound()
    last, first = _window(period)
    if not with_trend:
        first = last.year * 12 + last.month - 1 if period.month else first
    window_start = Period(first // 12, first % 12 + 1).start
    cells = [(c, _row(None, "", c)) for c in cases_counted(place=place, start=window_start, end=last.end)
             .order_by().values("dispute_type", "source", m=MonthKey("received_at")).annotate(**_figures())]
    wanted = {period.year * 12 + period.month - 1} if period.month else {period.year * 12 + i for i in range(12)}
    by_type: dict[str, list[Row]] = defaultdict(list)
    by_source: dict[str, list[Row]] = defaultdict(list)
    for c, row in cells:
        if _month_index(c["m"]) in wanted:
            by_type[c["dispute_type"]].append(row)
            by_source[c["source"]].append(row)
    types = [_total(by_type.get(value, []), str(label), key=value) for value, label in DisputeType.choices]
    sources = [_total(by_source[value], str(label), key=value) for value, label in Source.choices if value in by_source]
    return Report(place=place, period=period, total=_total(types), types=types, sources=sources,
                  trend=trend_from(cells, first) if with_trend else [])
