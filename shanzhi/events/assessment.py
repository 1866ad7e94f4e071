"""事件考核 (domain.md G4): per county department, township, village, grid and person — 响应率, 办结率, 按期结案率,
超时率, 返工率, 满意率 and the average handling time, for any place and period; "the denominator is what fell due
in the period".

How it works:

- Each deadline an event puts on a unit is a **duty** (``EventDuty``): 受理 (accept within ``ACCEPT_DAYS``
  working days of the assignment) or 办理 (close by the matter's working-day limit, counted from acceptance or
  from a 返工). The unit is the one holding the event at that step: triage, escalation and transfer each start a
  new duty for the new unit. The event services call the ``duty_*`` functions below inside each step's
  transaction (``services._assign`` and the accept / return / close / rate effects).
- The page aggregates duties in SQL, GROUP BY unit (and by handler for persons): a handful of queries whatever
  the number of events (``assessment_compute``).
- Every figure can be recomputed from the workflow history alone (``recompute_from_history``): assignment rows
  record the unit they named (``extra["holder"]``, see ``holder_extra``) and the engine records each state's
  deadline (``extra["due_at"]``). ``assessment_check`` compares both, and so does the command
  ``shanzhi events_assessment_check --place … --month …``.

The definitions (also shown on the page, ``METRICS``), for a period [start, end) in Beijing time, as of ``now``:

- a duty **fell due with a unit** in the period when its deadline is in [start, min(end, now)), unless the unit
  handed it on (退回、提级、转办) before the deadline — then it fell due with whoever took it next;
- 响应率 = of the accept duties that fell due, the share accepted by the deadline;
- 办结率 = of the handle duties that fell due, the share closed by the end of the period;
- 按期结案率 = of the handle duties that fell due, the share closed by the deadline; 超时率 = the rest;
- 返工率 = of the closures in the period, the share rated 不满意 (sent back for rework);
- 满意率 = of the ratings given in the period, the share 满意;
- 平均办理时长 = over the closures in the period, the mean time from the start of the handling clock (受理, or the
  返工 rating) to the closure, in hours;
- per person (the handler who closed): closures, the share of them closed by the deadline, 返工率, 满意率 and the
  average handling time, on the same bases.
"""

from __future__ import annotations

import calendar as _calendar
import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from shanzhi.access.roles import Perm
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.regions.models import Place
from shanzhi.workflow.calendar import CHINA, add_working_days, local_date
from shanzhi.workflow.clock import current
from shanzhi.workflow.models import CaseHistory

from .assessment_models import DutyKind, DutyOutcome, EventDuty
from .choices import AssigneeLevel
from .workflow import ACCEPT_DAYS, ASSIGNED, CLOSED, DONE, HANDLING

ASSESSMENT_PLACE_LEVELS = ("county", "township", "village")
PERIOD_MAX_DAYS = 400
# A handling limit is at most grid.choices.TIME_LIMIT_MAX (180) working days: a duty falling due in a period
# started at most this long before it, so the history check reads no further back.
HISTORY_LOOKBACK_DAYS = 400

METRICS: list[tuple[str, Any, Any]] = [
    (
        "response",
        _("响应率"),
        _(
            "受理期限（分派、提级或转办后 1 个工作日，当日 17:30 止）在本期内到期的分派中，按时受理的比例。"
            "期限前已退回、提级或转办的，不计入原单位。"
        ),
    ),
    (
        "completion",
        _("办结率"),
        _(
            "办理期限（受理或返工起按事项时限计算）在本期内到期的事件中，到本期末已办结的比例。"
            "期限前已提级或转办的，不计入原单位。"
        ),
    ),
    ("ontime", _("按期结案率"), _("办理期限在本期内到期的事件中，在期限内办结的比例。")),
    ("overdue", _("超时率"), _("办理期限在本期内到期的事件中，到期限仍未办结的比例（= 1 − 按期结案率）。")),
    ("rework", _("返工率"), _("本期内办结的事件中，被评价为不满意而返工的比例。")),
    ("satisfaction", _("满意率"), _("本期内作出的满意度评价中，满意的比例。")),
    (
        "avg_hours",
        _("平均办理时长"),
        _("本期内办结的事件，从受理（或返工重新起算）到办结的平均时长（小时）。"),
    ),
]
METRIC_KEYS = [m[0] for m in METRICS]
METRIC_LABELS = {m[0]: m[1] for m in METRICS}
# Rates where lower is better (the ranking puts the lowest first).
LOWER_IS_BETTER = {"overdue", "rework", "avg_hours"}

TABS: list[tuple[str, Any]] = [
    ("department", _("县级部门")),
    ("township", _("乡镇（街道）")),
    ("village", _("村（社区）")),
    ("grid", _("网格")),
    ("person", _("人员")),
]
TAB_KEYS = [t[0] for t in TABS]
PERSON_NOTE = _(
    "人员按办结人统计：办结数、其中在期限内办结的占比（按期办结占比）、返工率、满意率和平均办理时长；"
    "受理和到期未办结的责任属于承办单位，不计入个人。"
)


# --- the duties, kept by the event services in each step's transaction ------------------------------------


def holder_extra(level: str, department: str, path: str) -> dict[str, Any]:
    """What an assignment's history row records about the unit it named (``extra["holder"]``), so the
    assessment can be recomputed from the history alone."""
    return {
        "holder": {
            "level": level,
            "department": department if level == AssigneeLevel.DEPARTMENT else "",
            "path": path,
        }
    }


def _open(event: Any) -> QuerySet[EventDuty]:
    return EventDuty.objects.filter(event_id=event.pk, ended_at__isnull=True)


def duty_assigned(event: Any, at: dt.datetime) -> EventDuty:
    """分派 / 提级 / 转办 named ``event``'s new unit (already on the event): the duty the previous unit held ends
    as handed on, and the new unit must accept within ``ACCEPT_DAYS`` working days."""
    _open(event).update(ended_at=at, outcome=DutyOutcome.HANDED_ON)
    return EventDuty.objects.create(
        event_id=event.pk,
        place_path=event.place_path,
        kind=DutyKind.ACCEPT,
        unit_level=event.assignee_level,
        unit_department=event.assignee_department if event.assignee_level == AssigneeLevel.DEPARTMENT else "",
        unit_path=event.assignee_path,
        started_at=at,
        due_at=add_working_days(at, ACCEPT_DAYS),
    )


def _handle(event: Any, at: dt.datetime, *, rework: bool) -> EventDuty:
    return EventDuty.objects.create(
        event_id=event.pk,
        place_path=event.place_path,
        kind=DutyKind.HANDLE,
        unit_level=event.assignee_level,
        unit_department=event.assignee_department if event.assignee_level == AssigneeLevel.DEPARTMENT else "",
        unit_path=event.assignee_path,
        started_at=at,
        due_at=event.due_at,
        rework=rework,
    )


def duty_accepted(event: Any, user: Any, at: dt.datetime) -> EventDuty:
    """受理: the accept duty is done; the handling duty starts, due at the event's (new) deadline."""
    _open(event).filter(kind=DutyKind.ACCEPT).update(
        ended_at=at, outcome=DutyOutcome.ACCEPTED, done_at=at, done_by=_user(user)
    )
    return _handle(event, at, rework=False)


def duty_returned(event: Any, at: dt.datetime) -> None:
    """退回: the unit hands the event back to the dispatcher."""
    _open(event).update(ended_at=at, outcome=DutyOutcome.RETURNED)


def duty_closed(event: Any, user: Any, at: dt.datetime) -> None:
    """办结: the handling duty is done, with its handling time."""
    for duty in _open(event).filter(kind=DutyKind.HANDLE):
        duty.ended_at = duty.done_at = at
        duty.outcome = DutyOutcome.CLOSED
        duty.done_by = _user(user)
        duty.handling_seconds = max(0, int((at - duty.started_at).total_seconds()))
        duty.save(update_fields=["ended_at", "done_at", "outcome", "done_by", "handling_seconds"])


def duty_rated(event: Any, satisfied: bool, at: dt.datetime) -> None:
    """回访评价 of the last closure; 不满意 starts a rework duty for the same unit (due at the new deadline)."""
    last = (
        EventDuty.objects.filter(
            event_id=event.pk, kind=DutyKind.HANDLE, outcome=DutyOutcome.CLOSED, rated_at__isnull=True
        )
        .order_by("-done_at", "-id")
        .first()
    )
    if last is not None:
        last.rated_at, last.satisfied = at, satisfied
        last.save(update_fields=["rated_at", "satisfied"])
    if not satisfied:
        _handle(event, at, rework=True)


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


# --- periods ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Period:
    """A span of whole Beijing days, ``start``..``end`` inclusive."""

    start: dt.date
    end: dt.date

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=CHINA)

    @property
    def end_at(self) -> dt.datetime:
        """The first instant after the period."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=CHINA)

    @property
    def is_month(self) -> bool:
        return self.start.day == 1 and self.end == month_of(self.start).end

    @property
    def label(self) -> str:
        if self.is_month:
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    @property
    def month_value(self) -> str:
        return f"{self.start:%Y-%m}" if self.is_month else ""


def month_of(day: dt.date) -> Period:
    last = _calendar.monthrange(day.year, day.month)[1]
    return Period(day.replace(day=1), day.replace(day=last))


def parse_month(value: str) -> Period:
    value = (value or "").strip()
    try:
        year, month = (int(x) for x in value.split("-"))
        return month_of(dt.date(year, month, 1))
    except (ValueError, TypeError):
        raise ValidationFailed(
            f"月份“{value[:20]}”格式不正确，应为 年-月（如 2026-03）。", code="assessment_month"
        )


def period_from(data: Any, *, today: dt.date) -> Period:
    """The period a query asks for: ``start``/``end`` dates, else ``month`` (YYYY-MM), else this month."""
    start, end = (data.get("start") or "").strip(), (data.get("end") or "").strip()
    if start or end:
        try:
            period = Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
        except ValueError:
            raise ValidationFailed("请填写正确的起止日期（年-月-日）。", code="assessment_period")
        if period.end < period.start:
            raise ValidationFailed("截止日期不能早于开始日期。", code="assessment_period")
        if (period.end - period.start).days + 1 > PERIOD_MAX_DAYS:
            raise ValidationFailed(f"统计期间最长 {PERIOD_MAX_DAYS} 天。", code="assessment_period")
        return period
    if (data.get("month") or "").strip():
        return parse_month(data.get("month"))
    return month_of(today)


# --- figures -----------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Figures:
    """The counts behind the rates of one unit (or person, or the whole place)."""

    accept_due: int = 0
    accepted_on_time: int = 0
    handle_due: int = 0
    closed_by_end: int = 0
    closed_on_time: int = 0
    closures: int = 0
    closures_on_time: int = 0
    closures_reworked: int = 0
    handling_seconds: int = 0
    ratings: int = 0
    satisfied: int = 0

    def add(self, other: Figures) -> None:
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100.0 * part / whole, 1) if whole else None

    @property
    def handle_overdue(self) -> int:
        return self.handle_due - self.closed_on_time

    def rate(self, key: str) -> float | None:
        """The rate ``key`` in percent (one decimal), or hours for ``avg_hours``; None when nothing to count."""
        if key == "avg_hours":
            return round(self.handling_seconds / 3600 / self.closures, 1) if self.closures else None
        part, whole = {
            "response": (self.accepted_on_time, self.accept_due),
            "completion": (self.closed_by_end, self.handle_due),
            "ontime": (self.closed_on_time, self.handle_due),
            "overdue": (self.handle_overdue, self.handle_due),
            "rework": (self.closures_reworked, self.closures),
            "satisfaction": (self.satisfied, self.ratings),
            "closures_ontime": (self.closures_on_time, self.closures),
        }[key]
        return self._share(part, whole)

    def rates(self) -> dict[str, float | None]:
        return {key: self.rate(key) for key in (*METRIC_KEYS, "closures_ontime")}

    def as_tuple(self) -> tuple[int, ...]:
        return dataclasses.astuple(self)


UnitKey = tuple[str, str, str]  # (level, department, path)


@dataclasses.dataclass
class Assessment:
    place: Place
    period: Period
    as_of: dt.datetime
    units: dict[UnitKey, Figures]
    persons: dict[int, Figures]

    @property
    def total(self) -> Figures:
        total = Figures()
        for f in self.units.values():
            total.add(f)
        return total


def _cutoff(period: Period, now: dt.datetime) -> dt.datetime:
    return min(period.end_at, now)


def _handed_on_early() -> Q:
    return Q(outcome__in=(DutyOutcome.RETURNED, DutyOutcome.HANDED_ON), ended_at__lte=F("due_at"))


def place_for(*, user: Any, code: str | None) -> Place:
    """The place an assessment is asked for: a county, township or village where the user holds event.view;
    any other (or missing) is NotFound. Without a code: the user's widest such place."""
    qs = Place.objects.visible_to(user, Perm.EVENT_VIEW).filter(
        level__in=ASSESSMENT_PLACE_LEVELS, is_active=True
    )
    code = (code or "").strip()
    place = qs.filter(code=code).first() if code else qs.order_by("path").first()
    if place is None or not user.has_perm_at(Perm.EVENT_VIEW, place.path):
        raise NotFound()
    return place


def duties(*, user: Any, place: Place) -> QuerySet[EventDuty]:
    """Duties of the events that happened in ``place`` and below, within the user's event.view scope (``user``
    None: the system's own reading, for the history check)."""
    qs = EventDuty.objects.all() if user is None else EventDuty.objects.visible_to(user, Perm.EVENT_VIEW)
    return qs.filter(place_path__prefix=place.path)


UNIT = ("unit_level", "unit_department", "unit_path")


def assessment_compute(
    *, user: Any | None, place: Place, period: Period, now: dt.datetime | None = None
) -> Assessment:
    """The figures of G4 for ``place`` and ``period`` from the duties, aggregated in SQL (six GROUP BY queries,
    whatever the number of events). See the module docstring for the definitions."""
    now = current(now)
    base = duties(user=user, place=place)
    start, end, cutoff = period.start_at, period.end_at, _cutoff(period, now)
    units: dict[UnitKey, Figures] = defaultdict(Figures)
    persons: dict[int, Figures] = defaultdict(Figures)

    accept = (
        base.filter(kind=DutyKind.ACCEPT, due_at__gte=start, due_at__lt=cutoff)
        .exclude(_handed_on_early())
        .values(*UNIT)
        .order_by()
        .annotate(n=Count("id"), ok=Count("id", filter=Q(done_at__lte=F("due_at"))))
    )
    for row in accept:
        f = units[_key(row)]
        f.accept_due, f.accepted_on_time = row["n"], row["ok"]

    handle = (
        base.filter(kind=DutyKind.HANDLE, due_at__gte=start, due_at__lt=cutoff)
        .exclude(_handed_on_early())
        .values(*UNIT)
        .order_by()
        .annotate(
            n=Count("id"),
            closed=Count("id", filter=Q(done_at__lt=end)),
            ok=Count("id", filter=Q(done_at__lte=F("due_at"))),
        )
    )
    for row in handle:
        f = units[_key(row)]
        f.handle_due, f.closed_by_end, f.closed_on_time = row["n"], row["closed"], row["ok"]

    closures = base.filter(kind=DutyKind.HANDLE, done_at__gte=start, done_at__lt=end)
    closure_counts = {
        "n": Count("id"),
        "ok": Count("id", filter=Q(done_at__lte=F("due_at"))),
        "rework": Count("id", filter=Q(satisfied=False)),
        "seconds": Sum("handling_seconds"),
    }
    for group, target in ((UNIT, units), (("done_by_id",), persons)):
        for row in closures.values(*group).order_by().annotate(**closure_counts):
            f = target[_key(row) if group is UNIT else row["done_by_id"]]
            f.closures, f.closures_on_time, f.closures_reworked = row["n"], row["ok"], row["rework"]
            f.handling_seconds = row["seconds"] or 0

    ratings = base.filter(kind=DutyKind.HANDLE, rated_at__gte=start, rated_at__lt=end)
    for group, target in ((UNIT, units), (("done_by_id",), persons)):
        for row in (
            ratings.values(*group)
            .order_by()
            .annotate(n=Count("id"), ok=Count("id", filter=Q(satisfied=True)))
        ):
            f = target[_key(row) if group is UNIT else row["done_by_id"]]
            f.ratings, f.satisfied = row["n"], row["ok"]
    persons.pop(None, None)  # type: ignore[call-overload]  # closures by the system (none today)
    return Assessment(place=place, period=period, as_of=now, units=dict(units), persons=dict(persons))


def _key(row: dict[str, Any]) -> UnitKey:
    return (row["unit_level"], row["unit_department"], row["unit_path"])


# --- tables for the page, the export and the bulletin ---------------------------------------------------------


@dataclasses.dataclass
class Row:
    key: str  # the unit or person, as the drill-down link names it
    label: str
    figures: Figures
    rank: int = 0

    @property
    def rates(self) -> dict[str, float | None]:
        return self.figures.rates()


def unit_key_str(key: UnitKey) -> str:
    level, department, path = key
    return f"{level}:{department}" if level == AssigneeLevel.DEPARTMENT else f"{level}:{path}"


def table(assessment: Assessment, tab: str, *, sort: str = "response") -> list[Row]:
    """The ranking table of one tab, sorted by ``sort`` (best first; rows with nothing to count last)."""
    rows: list[Row] = []
    if tab == "person":
        from shanzhi.access.models import User

        names = {
            u.pk: u.display_name
            for u in User.objects.filter(pk__in=list(assessment.persons)).only("id", "username", "full_name")
        }
        rows = [
            Row(key=str(pk), label=names.get(pk, str(pk)), figures=f) for pk, f in assessment.persons.items()
        ]
    elif tab == "department":
        merged: dict[str, Figures] = defaultdict(Figures)
        for (level, department, _path), f in assessment.units.items():
            if level == AssigneeLevel.DEPARTMENT:
                merged[department or str(AssigneeLevel.DEPARTMENT.label)].add(f)
        rows = [Row(key=f"department:{name}", label=name, figures=f) for name, f in merged.items()]
    elif tab in TAB_KEYS:
        picked = {path: f for (level, _d, path), f in assessment.units.items() if level == tab}
        names = dict(Place.objects.filter(path__in=list(picked)).values_list("path", "name"))
        rows = [
            Row(key=f"{tab}:{path}", label=names.get(path, path), figures=f) for path, f in picked.items()
        ]
    return rank(rows, sort)


def rank(rows: list[Row], sort: str) -> list[Row]:
    sort = sort if sort in METRIC_KEYS else "response"
    sign = 1 if sort in LOWER_IS_BETTER else -1
    with_value = sorted(
        (r for r in rows if r.figures.rate(sort) is not None),
        key=lambda r: (sign * (r.figures.rate(sort) or 0), r.label),
    )
    without = sorted((r for r in rows if r.figures.rate(sort) is None), key=lambda r: r.label)
    previous, place = None, 0
    for n, r in enumerate(with_value, start=1):
        value = r.figures.rate(sort)
        if value != previous:
            place, previous = n, value
        r.rank = place
    return with_value + without


# --- drill-down: the events behind a number -------------------------------------------------------------

# measure → (duty kind, which dates, subset): the events counted in one cell of the page.
MEASURES = {
    "accept_due": "受理到期",
    "accepted_on_time": "按时受理",
    "accept_late": "未按时受理",
    "handle_due": "办理到期",
    "closed_by_end": "期末已办结",
    "closed_on_time": "按期办结",
    "handle_overdue": "超时",
    "closures": "本期办结",
    "closures_on_time": "本期按期办结",
    "closures_reworked": "返工",
    "ratings": "本期评价",
    "satisfied": "满意",
    "unsatisfied": "不满意",
}


def measure_duties(
    *, user: Any, place: Place, period: Period, measure: str, key: str = "", now: dt.datetime | None = None
) -> QuerySet[EventDuty]:
    """The duties counted in one number of the page (``measure`` of the unit or person ``key``; all when
    empty) — the same filters as ``assessment_compute``."""
    if measure not in MEASURES:
        raise ValidationFailed("未知的统计项。", code="assessment_measure")
    now = current(now)
    start, end, cutoff = period.start_at, period.end_at, _cutoff(period, now)
    qs = duties(user=user, place=place)
    if measure.startswith("accept"):
        qs = qs.filter(kind=DutyKind.ACCEPT, due_at__gte=start, due_at__lt=cutoff).exclude(_handed_on_early())
        qs = {
            "accept_due": qs,
            "accepted_on_time": qs.filter(done_at__lte=F("due_at")),
            "accept_late": qs.exclude(done_at__lte=F("due_at")),
        }[measure]
    elif measure in ("handle_due", "closed_by_end", "closed_on_time", "handle_overdue"):
        qs = qs.filter(kind=DutyKind.HANDLE, due_at__gte=start, due_at__lt=cutoff).exclude(_handed_on_early())
        qs = {
            "handle_due": qs,
            "closed_by_end": qs.filter(done_at__lt=end),
            "closed_on_time": qs.filter(done_at__lte=F("due_at")),
            "handle_overdue": qs.exclude(done_at__lte=F("due_at")),
        }[measure]
    elif measure.startswith("closures"):
        qs = qs.filter(kind=DutyKind.HANDLE, done_at__gte=start, done_at__lt=end)
        if measure == "closures_reworked":
            qs = qs.filter(satisfied=False)
        elif measure == "closures_on_time":
            qs = qs.filter(done_at__lte=F("due_at"))
    else:
        qs = qs.filter(kind=DutyKind.HANDLE, rated_at__gte=start, rated_at__lt=end)
        if measure != "ratings":
            qs = qs.filter(satisfied=measure == "satisfied")
    return _for_key(qs, key)


def key_label(key: str, duties: QuerySet[EventDuty] | None = None) -> str:
    """A drill-down key as people read it: the department's name, the place's name, the person's name — the
    latter only for someone who accepted or closed one of ``duties`` (the viewer's scoped duties), so a key
    cannot be used to look up any account's name."""
    kind, _sep, value = key.partition(":")
    if kind == "department":
        return value
    if kind in (AssigneeLevel.GRID, AssigneeLevel.VILLAGE, AssigneeLevel.TOWNSHIP):
        return Place.objects.filter(path=value).values_list("name", flat=True).first() or value
    if key.isdigit():
        from shanzhi.access.models import User

        users = User.objects.filter(pk=int(key))
        if duties is not None:
            users = users.filter(pk__in=duties.filter(done_by_id=int(key)).values("done_by_id")[:1])
        user = users.only("username", "full_name").first()
        return user.display_name if user else key
    return ""


def _for_key(qs: QuerySet[EventDuty], key: str) -> QuerySet[EventDuty]:
    if not key:
        return qs
    kind, _sep, value = key.partition(":")
    if kind == "department":
        return qs.filter(unit_level=AssigneeLevel.DEPARTMENT, unit_department=value)
    if kind in (AssigneeLevel.GRID, AssigneeLevel.VILLAGE, AssigneeLevel.TOWNSHIP):
        return qs.filter(unit_level=kind, unit_path=value)
    if key.isdigit():
        return qs.filter(done_by_id=int(key))
    raise ValidationFailed("未知的统计对象。", code="assessment_key")


# --- recomputing from the history alone ----------------------------------------------------------------------


@dataclasses.dataclass
class _Duty:
    kind: str
    unit: UnitKey
    started_at: dt.datetime
    due_at: dt.datetime
    ended_at: dt.datetime | None = None
    outcome: str = ""
    done_at: dt.datetime | None = None
    done_by: int | None = None
    rated_at: dt.datetime | None = None
    satisfied: bool | None = None


def _due(row: CaseHistory) -> dt.datetime:
    return dt.datetime.fromisoformat((row.extra or {})["due_at"])


def replay(rows: Iterable[CaseHistory]) -> list[_Duty]:
    """The duties of one event from its history rows (oldest first), by the states each step moved between:
    into 待受理 (分派、提级、转办) a new unit must accept (``extra["holder"]``); 待受理 → 办理中 accepts and starts
    the handling duty; 待受理 → 待分派 returns; 办理中 → 待评价 closes; 待评价 → 已办结 / 办理中 rates (不满意 restarts
    the clock for the same unit)."""
    out: list[_Duty] = []
    holder: UnitKey | None = None

    def open_duties() -> Iterator[_Duty]:
        return (d for d in out if d.ended_at is None)

    for row in rows:
        if (
            row.kind not in ("start", "transition")
            or row.from_state == row.to_state
            and row.to_state != ASSIGNED
        ):
            continue
        if row.to_state == ASSIGNED:
            for d in open_duties():
                d.ended_at, d.outcome = row.at, DutyOutcome.HANDED_ON
            h = (row.extra or {}).get("holder") or {}
            holder = (h.get("level", ""), h.get("department", ""), h.get("path", ""))
            out.append(_Duty(DutyKind.ACCEPT, holder, row.at, _due(row)))
        elif row.from_state == ASSIGNED and row.to_state == HANDLING and holder is not None:
            for d in open_duties():
                d.ended_at = d.done_at = row.at
                d.outcome, d.done_by = DutyOutcome.ACCEPTED, row.actor_id
            out.append(_Duty(DutyKind.HANDLE, holder, row.at, _due(row)))
        elif row.from_state == ASSIGNED:
            for d in open_duties():
                d.ended_at, d.outcome = row.at, DutyOutcome.RETURNED
            holder = None
        elif row.from_state == HANDLING and row.to_state == CLOSED:
            for d in open_duties():
                d.ended_at = d.done_at = row.at
                d.outcome, d.done_by = DutyOutcome.CLOSED, row.actor_id
        elif row.from_state == CLOSED and row.to_state in (DONE, HANDLING):
            closed = [
                d
                for d in out
                if d.kind == DutyKind.HANDLE and d.outcome == DutyOutcome.CLOSED and d.rated_at is None
            ]
            if closed:
                closed[-1].rated_at, closed[-1].satisfied = row.at, row.to_state == DONE
            if row.to_state == HANDLING and holder is not None:
                out.append(_Duty(DutyKind.HANDLE, holder, row.at, _due(row)))
    return out


def _figures_of(duty: _Duty, period: Period, cutoff: dt.datetime) -> Figures:
    """One duty's contribution, written out plainly (independent of the SQL in ``assessment_compute``)."""
    f = Figures()
    start, end = period.start_at, period.end_at
    handed_early = (
        duty.outcome in (DutyOutcome.RETURNED, DutyOutcome.HANDED_ON)
        and duty.ended_at is not None
        and duty.ended_at <= duty.due_at
    )
    fell_due = start <= duty.due_at < cutoff and not handed_early
    on_time = duty.done_at is not None and duty.done_at <= duty.due_at
    if duty.kind == DutyKind.ACCEPT:
        if fell_due:
            f.accept_due, f.accepted_on_time = 1, int(on_time)
        return f
    if fell_due:
        f.handle_due, f.closed_on_time = 1, int(on_time)
        f.closed_by_end = int(duty.done_at is not None and duty.done_at < end)
    if duty.done_at is not None and start <= duty.done_at < end:
        f.closures, f.closures_on_time = 1, int(on_time)
        f.closures_reworked = int(duty.satisfied is False)
        f.handling_seconds = max(0, int((duty.done_at - duty.started_at).total_seconds()))
    if duty.rated_at is not None and start <= duty.rated_at < end:
        f.ratings, f.satisfied = 1, int(bool(duty.satisfied))
    return f


def recompute_from_history(*, place: Place, period: Period, now: dt.datetime | None = None) -> Assessment:
    """The same figures as ``assessment_compute``, from the workflow history (CaseHistory) alone, event by event
    in Python — slow, for checking (``assessment_check``), not for the page."""
    from .models import Event

    now = current(now)
    cutoff = _cutoff(period, now)
    ct = ContentType.objects.get_for_model(Event)
    since = period.start_at - dt.timedelta(days=HISTORY_LOOKBACK_DAYS)
    ids = list(
        Event.objects.filter(
            place_path__prefix=place.path, reported_at__gte=since, reported_at__lt=period.end_at
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    units: dict[UnitKey, Figures] = defaultdict(Figures)
    persons: dict[int, Figures] = defaultdict(Figures)
    for i in range(0, len(ids), 2000):
        chunk = ids[i : i + 2000]
        rows = (
            CaseHistory.objects.filter(content_type=ct, object_id__in=chunk)
            .only("object_id", "kind", "from_state", "to_state", "actor_id", "extra", "at")
            .order_by("object_id", "at", "id")
        )
        by_event: dict[int, list[CaseHistory]] = defaultdict(list)
        for row in rows.iterator(chunk_size=5000):
            by_event[row.object_id].append(row)
        for event_rows in by_event.values():
            for duty in replay(event_rows):
                f = _figures_of(duty, period, cutoff)
                units[duty.unit].add(f)
                if duty.done_by is not None and duty.kind == DutyKind.HANDLE and (f.closures or f.ratings):
                    person = Figures(
                        closures=f.closures,
                        closures_on_time=f.closures_on_time,
                        closures_reworked=f.closures_reworked,
                        handling_seconds=f.handling_seconds,
                        ratings=f.ratings,
                        satisfied=f.satisfied,
                    )
                    persons[duty.done_by].add(person)
    empty = Figures().as_tuple()
    return Assessment(
        place=place,
        period=period,
        as_of=now,
        units={k: f for k, f in units.items() if f.as_tuple() != empty},
        persons={k: f for k, f in persons.items() if f.as_tuple() != empty},
    )


def assessment_check(
    *, place: Place, period: Period, now: dt.datetime | None = None, user: Any = None
) -> list[str]:
    """Compare the page's figures (duties, SQL) with the history's (``recompute_from_history``); the
    differences, one line each — empty when they agree. ``user`` None: the whole place, unscoped (the command)."""
    now = current(now)
    page = assessment_compute(user=user, place=place, period=period, now=now)
    history = recompute_from_history(place=place, period=period, now=now)
    empty = Figures().as_tuple()
    problems: list[str] = []
    for label, a, b in (("单位", page.units, history.units), ("人员", page.persons, history.persons)):
        for key in sorted(set(a) | set(b), key=str):
            fa, fb = a.get(key, Figures()).as_tuple(), b.get(key, Figures()).as_tuple()
            if fa != fb and not (fa == empty and fb == empty):
                names = [f.name for f in dataclasses.fields(Figures)]
                diff = ", ".join(
                    f"{n}: 页面 {x} / 历史 {y}" for n, x, y in zip(names, fa, fb, strict=True) if x != y
                )
                problems.append(f"{label} {key}: {diff}")
    return problems


def today_local(now: dt.datetime | None = None) -> dt.date:
    return local_date(current(now))


# --- the monthly bulletin (通报), published through the publication kernel ---------------------------------

BULLETIN_LEVELS = ("county", "township")
# Which tables a bulletin of a county or a township carries (units only: persons are not named in public).
BULLETIN_TABS = {"county": ("department", "township"), "township": ("department", "village", "grid")}
# G4 "public bulletins of departments that do not respond": units under this 响应率 are named for criticism.
CRITICISM_RESPONSE_BELOW = 90.0
BULLETIN_DAYS = 15
BULLETIN_COLUMNS = [
    "类别",
    "排名",
    "单位",
    "应受理",
    "按时受理",
    "响应率",
    "应办结",
    "按期办结",
    "办结率",
    "按期结案率",
    "超时率",
    "返工率",
    "满意率",
    "平均办理时长（小时）",
    "通报",
]


def bulletin_title(place: Place, period: Period) -> str:
    return f"{place.name}{period.start.year}年{period.start.month}月事件办理情况通报"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def bulletin_rows(result: Assessment) -> list[list[str]]:
    """The bulletin's table: per category, the units ranked by 响应率, those below
    ``CRITICISM_RESPONSE_BELOW`` marked 通报批评 (G4), then the total."""
    labels = dict(TABS)
    out: list[list[str]] = []
    for tab in BULLETIN_TABS[result.place.level]:
        for r in table(result, tab, sort="response"):
            f = r.figures
            if not (f.accept_due or f.handle_due or f.closures or f.ratings):
                continue
            response = f.rate("response")
            named = response is not None and response < CRITICISM_RESPONSE_BELOW
            avg = f.rate("avg_hours")
            out.append(
                [
                    str(labels[tab]),
                    str(r.rank or "—"),
                    r.label,
                    str(f.accept_due),
                    str(f.accepted_on_time),
                    _pct(response),
                    str(f.handle_due),
                    str(f.closed_on_time),
                    _pct(f.rate("completion")),
                    _pct(f.rate("ontime")),
                    _pct(f.rate("overdue")),
                    _pct(f.rate("rework")),
                    _pct(f.rate("satisfaction")),
                    "—" if avg is None else f"{avg:.1f}",
                    "通报批评" if named else "",
                ]
            )
    if out:
        t = result.total
        avg = t.rate("avg_hours")
        out.append(
            [
                "合计",
                "",
                result.place.name,
                str(t.accept_due),
                str(t.accepted_on_time),
                _pct(t.rate("response")),
                str(t.handle_due),
                str(t.closed_on_time),
                _pct(t.rate("completion")),
                _pct(t.rate("ontime")),
                _pct(t.rate("overdue")),
                _pct(t.rate("rework")),
                _pct(t.rate("satisfaction")),
                "—" if avg is None else f"{avg:.1f}",
                "",
            ]
        )
    return out


def live_bulletin(*, place: Place, period: Period) -> Any:
    """The bulletin of this place and month now on its board, if any (published or ended, not withdrawn or
    replaced by a correction)."""
    from shanzhi.publication.choices import PublicationKind, PublicationStatus
    from shanzhi.publication.models import Publication

    return (
        Publication.objects.filter(
            kind=PublicationKind.EVENT_BULLETIN,
            place=place,
            title=bulletin_title(place, period),
            status__in=(PublicationStatus.PUBLISHED, PublicationStatus.CLOSED),
        )
        .order_by("-published_at", "-id")
        .first()
    )


@transaction.atomic
def bulletin_publish(
    *,
    acting_user: Any,
    place: Place,
    period: Period,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    contact: str = "",
    reason: str = "",
    now: dt.datetime | None = None,
) -> Any:
    """月度通报 (G4: "public bulletins of departments that do not respond"): a township or county leader
    publishes a finished month's rankings — units only, those under ``CRITICISM_RESPONSE_BELOW`` 响应率 named for
    criticism — on the place's own board through the publication kernel (public page, fingerprint, PDF notice,
    objection window). A month already on the board is refused; with a reason it is corrected the kernel's way
    (the new bulletin supersedes the old one, which stays on record)."""
    from shanzhi.publication.choices import PublicationKind
    from shanzhi.publication.services import publication_create

    if (
        acting_user is None
        or not getattr(acting_user, "is_authenticated", False)
        or not acting_user.has_perm_at(Perm.EVENT_VIEW, place.path)
    ):
        raise NotFound()
    if place.level not in BULLETIN_LEVELS:
        raise ValidationFailed("事件办理通报由乡镇（街道）或县发布，请选择乡镇或县。", code="bulletin_place")
    if not acting_user.has_perm_at(Perm.PUBLISH, place.path):
        raise PermissionDenied(
            "只有县乡领导（有发布权限的人员）可以发布事件办理通报。", code="bulletin_forbidden"
        )
    if not period.is_month:
        raise ValidationFailed("通报按自然月发布，请选择月份。", code="bulletin_period")
    now = current(now)
    today = local_date(now)
    if period.end >= today:
        raise ValidationFailed(f"{period.label}尚未结束，月底之后才能发布通报。", code="bulletin_period")
    starts_on = starts_on or today
    ends_on = ends_on or starts_on + dt.timedelta(days=BULLETIN_DAYS - 1)
    reason = (reason or "").strip()
    title = bulletin_title(place, period)
    # Two leaders publishing the same month at once: the place row is the lock, so the second sees the first.
    Place.objects.select_for_update().filter(pk=place.pk).first()
    old = live_bulletin(place=place, period=period)
    if old is not None and not reason:
        raise Conflict(
            f"{title}已发布（公开编号 {old.public_id}）。如需更正，请填写更正原因，新通报将替代原通报。",
            code="bulletin_exists",
        )
    rows = bulletin_rows(assessment_compute(user=acting_user, place=place, period=period, now=now))
    if not rows:
        raise ValidationFailed(
            f"{place.name}{period.label}没有到期或办结的事件，无需通报。", code="bulletin_empty"
        )
    return publication_create(
        acting_user=acting_user,
        place=place,
        kind=PublicationKind.EVENT_BULLETIN,
        title=title,
        columns=BULLETIN_COLUMNS,
        rows=rows,
        starts_on=starts_on,
        ends_on=ends_on,
        contact=contact,
        supersedes=old,
        reason=reason,
    )
