"""Reading warnings and zero-reports (domain.md G5). Every read starts from the user's scope: warnings and
sheets from ``Perm.WARNING_VIEW``, the grid worker's page from ``Perm.ZERO_REPORT_FILE``; a period declared
above the user's scope applies to it (``AppliesDownQuerySet``). Out of scope and missing alike are NotFound.

For other apps (the grid risk card): ``current_warning(obj)`` and ``warnings_under(path)``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound
from shanzhi.core.home import ActionItem
from shanzhi.core.scoping import path_q
from shanzhi.regions.models import Place
from shanzhi.workflow.calendar import is_working_day, local_date
from shanzhi.workflow.clock import current

from . import zero
from .choices import DayStatus, WarningKind, WarningLevel
from .event_reads import events_by_grid
from .models import EarlyWarning, WarningChange, ZeroReport, ZeroReportPeriod

# --- warnings --------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class WarningFilters:
    level: str = ""
    kind: str = ""
    state: str = "active"  # active | lifted | all

    @classmethod
    def from_query(cls, data: Any) -> WarningFilters:
        level = (data.get("level") or "").strip()
        kind = (data.get("kind") or "").strip()
        state = (data.get("state") or "active").strip()
        return cls(
            level=level if level in WarningLevel.values else "",
            kind=kind if kind in WarningKind.values else "",
            state=state if state in ("active", "lifted", "all") else "active",
        )


def warnings_visible(*, user: Any) -> QuerySet[EarlyWarning]:
    return EarlyWarning.objects.visible_to(user, Perm.WARNING_VIEW)


def warning_list(*, user: Any, filters: WarningFilters | None = None) -> QuerySet[EarlyWarning]:
    """预警列表: warnings in the user's scope, the ones in force by default, most recently changed first."""
    filters = filters or WarningFilters()
    qs = warnings_visible(user=user)
    if filters.state == "active":
        qs = qs.filter(is_active=True)
    elif filters.state == "lifted":
        qs = qs.filter(is_active=False)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.select_related("place", "raised_by", "lifted_by").order_by("-changed_at", "-id")


def warning_detail(*, user: Any, pk: Any) -> EarlyWarning:
    try:
        return warnings_visible(user=user).select_related("place", "raised_by", "lifted_by").get(pk=pk)
    except (EarlyWarning.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def warning_history(*, warning: EarlyWarning) -> QuerySet[WarningChange]:
    return warning.changes.select_related("by").order_by("at", "id")


def current_warning(obj: Any, *, user: Any = None) -> EarlyWarning | None:
    """The warning in force on ``obj`` (an event or a place), or None; with ``user``, only if in their scope.
    One query (content types are cached)."""
    ct = ContentType.objects.get_for_model(obj)
    qs = warnings_visible(user=user) if user is not None else EarlyWarning.objects.all()
    return qs.filter(content_type=ct, object_id=obj.pk, is_active=True).select_related("raised_by").first()


def warnings_under(path: str, *, user: Any = None) -> QuerySet[EarlyWarning]:
    """Warnings in force on events and places at ``path`` and below (a grid's risk card, a village page),
    most serious first; with ``user``, only those in their scope."""
    qs = warnings_visible(user=user) if user is not None else EarlyWarning.objects.all()
    severity = {WarningLevel.RED: 0, WarningLevel.ORANGE: 1, WarningLevel.YELLOW: 2}
    order = Case(*[When(level=lv, then=Value(n)) for lv, n in severity.items()], output_field=IntegerField())
    return (
        qs.filter(place_path__prefix=path, is_active=True)
        .select_related("place")
        .annotate(severity=order)
        .order_by("severity", "-changed_at", "-id")
    )


def place_warnings(*, user: Any, place: Place) -> QuerySet[EarlyWarning]:
    """All warnings raised on one place, in force or lifted, newest first."""
    ct = ContentType.objects.get_for_model(Place)
    return (
        warnings_visible(user=user)
        .filter(content_type=ct, object_id=place.pk)
        .select_related("raised_by", "lifted_by")
        .order_by("-raised_at", "-id")
    )


WARNING_PLACE_LEVELS = ("county", "township", "village", "group", "grid", "microgrid")


def warning_place(*, user: Any, code: str) -> Place:
    place = Place.objects.get_visible(user, Perm.WARNING_VIEW, code=code)
    if place.level not in WARNING_PLACE_LEVELS:
        raise NotFound()
    return place


# --- zero-report -----------------------------------------------------------------------------------------------


def periods_visible(*, user: Any, perm: str = Perm.WARNING_VIEW) -> QuerySet[ZeroReportPeriod]:
    return ZeroReportPeriod.objects.visible_to(user, perm)


def period_list(*, user: Any) -> QuerySet[ZeroReportPeriod]:
    return periods_visible(user=user).select_related("place", "declared_by").order_by("-starts_on", "-id")


def period_detail(*, user: Any, pk: Any) -> ZeroReportPeriod:
    try:
        return periods_visible(user=user).select_related("place", "declared_by").get(pk=pk)
    except (ZeroReportPeriod.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def period_days(period: ZeroReportPeriod) -> list[dt.date]:
    """The days of a period that need a report: its working days."""
    return zero.working_days(period.starts_on, period.ends_on)


def _narrow(a: list[str], b: list[str]) -> list[str]:
    """Paths covering the intersection of two sets of subtrees."""
    if "" in a:
        return b
    if "" in b:
        return a
    out = {x if len(x) >= len(y) else y for x in a for y in b if x.startswith(y) or y.startswith(x)}
    return sorted(p for p in out if not any(p != q and p.startswith(q) for q in out))


def grid_days(*, grids: list[Place], under: list[str], day: dt.date, now: dt.datetime) -> list[zero.GridDay]:
    """The status of each grid for ``day``: one query for the "无情况" reports, one for the events."""
    if not grids:
        return []
    reports = {
        r.grid_id: r
        for r in ZeroReport.objects.filter(path_q("place_path", under), date=day).select_related("filed_by")
    }
    events = events_by_grid(under=under, day=day)
    due = zero.deadline(day)
    rows = []
    for grid in grids:
        report, ev = reports.get(grid.pk), events.get(grid.path)
        rows.append(
            zero.GridDay(
                grid=grid,
                report=report,
                events=ev,
                status=zero.grid_status(report=report, events=ev, due=due, now=now),
            )
        )
    return rows


def day_sheet(
    *,
    user: Any,
    period: ZeroReportPeriod,
    day: dt.date,
    under: Place | None = None,
    now: dt.datetime | None = None,
) -> list[zero.GridDay]:
    """零报告日报表: every grid of the period's subtree in the user's scope (optionally below ``under``) with its
    status on ``day``. Four queries whatever the number of grids."""
    base = under.path if under is not None and under.path.startswith(period.place_path) else period.place_path
    grids = list(
        Place.objects.visible_to(user, Perm.WARNING_VIEW)
        .filter(level="grid", is_active=True, path__prefix=base)
        .select_related("parent")
        .order_by("path")
    )
    return grid_days(grids=grids, under=[base], day=day, now=current(now))


def sheet_counts(rows: list[zero.GridDay]) -> dict[str, int]:
    counts = Counter(r.status for r in rows)
    return {s: counts.get(s, 0) for s in DayStatus.values}


def active_periods(*, user: Any, day: dt.date, perm: str) -> QuerySet[ZeroReportPeriod]:
    return periods_visible(user=user, perm=perm).filter(starts_on__lte=day, ends_on__gte=day)


@dataclasses.dataclass
class Today:
    """The grid worker's "今日零报告": today's date, whether a report is due, and their grids' rows."""

    day: dt.date
    due: dt.datetime
    in_period: bool
    working: bool
    rows: list[zero.GridDay]


MY_GRIDS_MAX = 100


def my_today(*, user: Any, now: dt.datetime | None = None) -> Today:
    """What the user must file today: the grids where they hold ``ZERO_REPORT_FILE`` and that a period covers."""
    at = current(now)
    day = local_date(at)
    periods = list(
        active_periods(user=user, day=day, perm=Perm.ZERO_REPORT_FILE).values_list("place_path", flat=True)
    )
    if not periods:
        return Today(day=day, due=zero.deadline(day), in_period=False, working=False, rows=[])
    if not is_working_day(day):
        return Today(day=day, due=zero.deadline(day), in_period=True, working=False, rows=[])
    under = _narrow(user.scope_paths(Perm.ZERO_REPORT_FILE), periods)
    grids = list(
        Place.objects.filter(path_q("path", under), level="grid", is_active=True)
        .select_related("parent")
        .order_by("path")[:MY_GRIDS_MAX]
    )
    return Today(
        day=day,
        due=zero.deadline(day),
        in_period=True,
        working=True,
        rows=grid_days(grids=grids, under=under, day=day, now=at),
    )


def home_items(user: Any) -> list[ActionItem]:
    """Home-page provider (G5): a grid worker's grids not yet reported today; for those who manage warnings,
    today's grids not yet reported in their scope and the red warnings in force. One query when no period is on."""
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[ActionItem] = []
    files = user.has_perm_anywhere(Perm.ZERO_REPORT_FILE)
    manages = user.has_perm_anywhere(Perm.WARNING_MANAGE)
    if not (files or manages):
        return items
    at = current()
    day = local_date(at)
    late = at > zero.deadline(day)
    if files:
        today = my_today(user=user, now=at)
        open_rows = [r for r in today.rows if r.status in (DayStatus.PENDING, DayStatus.MISSING)]
        if open_rows:
            items.append(
                ActionItem(
                    title="今日零报告未报",
                    count=len(open_rows),
                    url=reverse("zero_today"),
                    hint=f"截止 {today.due:%H:%M}",
                    level="danger" if late else "warning",
                )
            )
    if manages:
        periods = list(active_periods(user=user, day=day, perm=Perm.WARNING_VIEW).select_related("place"))
        if periods and is_working_day(day):
            under = _narrow(user.scope_paths(Perm.WARNING_VIEW), [p.place_path for p in periods])
            grids = list(
                Place.objects.filter(path_q("path", under), level="grid", is_active=True).only("id", "path")
            )
            rows = grid_days(grids=grids, under=under, day=day, now=at)
            missing = sum(r.status in (DayStatus.PENDING, DayStatus.MISSING) for r in rows)
            if missing:
                items.append(
                    ActionItem(
                        title="今日零报告未报网格",
                        count=missing,
                        url=f"{reverse('zero_sheet', args=[periods[0].pk])}?status=open",
                        hint="已过截止时间" if late else f"截止 {zero.deadline(day):%H:%M}",
                        level="danger" if late else "warning",
                    )
                )
        red = (
            warnings_visible(user=user)
            .filter(is_active=True, level=WarningLevel.RED)
            .aggregate(n=Count("id"))["n"]
        )
        if red:
            items.append(
                ActionItem(
                    title="生效中的红色预警",
                    count=red,
                    url=f"{reverse('warning_list')}?level=red",
                    level="danger",
                )
            )
    return items
