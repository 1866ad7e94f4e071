"""A year of events for the demo (issue 3: "county demo scale plus a year of events — about 200,000"): every
grid reports about 95 events a year, which go round the five-step loop as they do in a township that works
reasonably well — most accepted the same day and closed in time and rated satisfied, some accepted late, some
closed late, a few reworked after an unsatisfied rating, a few escalated; the last fortnight's are still open.

Like the registry (``services.demo_load``), the rows are written in bulk rather than through the event services,
which write one step with its audit entry and notifications at a time (200,000 events × 5 steps would take
hours). What the services would write is reproduced exactly: the event row, its workflow history (the same
states, labels and ``extra`` — the unit each assignment named and each state's deadline), and the assessment
duties, which are not built here but replayed from that history by ``events.assessment.replay`` — so the
assessment page's figures and its recomputation from the history agree (``events_assessment_check``).

The actors are accounts of the people who would act: a grid worker per grid, a cadre per village, a dispatcher
and a staff member per township, a member of staff per county department and a few villagers per village; where
a demo account holds that post (the 克井镇 accounts), it is used, so logging in as ``dispatcher`` or ``gridworker``
shows their own year of work. The synthetic accounts cannot log in (no usable password).

Deterministic by seed and end date; idempotent (the audit entry ``demo_events`` marks a load)."""

from __future__ import annotations

import datetime as dt
import functools
import random
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from shanzhi.access.models import RoleAssignment, User
from shanzhi.access.roles import Role
from shanzhi.audit.models import AuditEntry
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.events import assessment
from shanzhi.events.assessment_models import EventDuty
from shanzhi.events.choices import SUGGESTED_LEVEL, AssigneeLevel, ReporterKind, Satisfaction
from shanzhi.events.models import Event
from shanzhi.events.workflow import ASSIGNED, CLOSED, DONE, EVENT, HANDLING, REPORTED
from shanzhi.grid.selectors import matters_applicable
from shanzhi.orgs.models import Organisation, OrgKind, UnitAccount
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place
from shanzhi.workflow import engine
from shanzhi.workflow.calendar import CHINA, add_working_days
from shanzhi.workflow.models import CaseHistory, HistoryKind

from .event_texts import RESULTS, UNSATISFIED, event_text
from .services import COUNTY_CODE, DEMO_ACCOUNTS, allocate_ids, bulk_insert
from .synthetic import NameMaker

DEMO_EVENTS = "demo_events"
EVENTS_PER_GRID = 95  # a year: ~200,000 for the 2,112 grids of the county scale
OPEN_DAYS = 14  # events reported in the last fortnight may still be open


@functools.lru_cache(maxsize=50_000)
def _due(day: dt.date, n: int) -> dt.datetime:
    """``add_working_days`` depends only on the local start date and n: cached, one query per (day, n)."""
    return add_working_days(day, n)


def due_after(at: dt.datetime, n: int) -> dt.datetime:
    return _due(at.astimezone(CHINA).date(), n)


class _Accounts:
    """The account acting at each post, created in bulk when no demo account holds it."""

    def __init__(self, rng: random.Random, most: int) -> None:
        self.most = most  # keys reserved at the first new account: one allocation (SQLite's are not reserved)
        self.names = NameMaker(rng)
        self.password = "!"  # unusable: synthetic actors never log in
        demo = {username for username, _role, _code in DEMO_ACCOUNTS}
        self.held: dict[tuple[str, str], User] = {}
        for ra in RoleAssignment.objects.filter(user__username__in=demo, is_active=True).select_related("user"):
            self.held.setdefault((ra.role, ra.place_path), ra.user)
        self.new_users: list[User] = []
        self.new_roles: list[RoleAssignment] = []
        self.new_units: list[UnitAccount] = []
        self.ids: list[int] = []

    def _make(self, username: str, role: str, place: Place) -> User:
        if not self.ids:
            if self.new_users:
                raise RuntimeError("more demo accounts than reserved")
            self.ids = allocate_ids(User, self.most)
        name = self.names.person(male=self.names.rng.random() < 0.6, birth_year=1975).text
        user = User(id=self.ids.pop(0), username=username, password=self.password, full_name=name, is_active=True,
                    must_change_password=True, is_staff=False, is_superuser=False, date_joined=dt.datetime(
                        2025, 1, 1, tzinfo=dt.UTC), first_name="", last_name="", email="", failed_logins=0)
        self.new_users.append(user)
        self.new_roles.append(RoleAssignment(user_id=user.pk, role=role, place_id=place.pk, place_path=place.path,
                                             is_active=True))
        return user

    def at(self, role: str, place: Place, username: str) -> User:
        key = (role, place.path)
        if key not in self.held:
            self.held[key] = self._make(username, role, place)
        return self.held[key]

    def for_unit(self, org: Organisation, county: Place) -> User:
        key = ("unit", str(org.pk))
        if key not in self.held:
            self.held[key] = self._unit_account(org, county)
        return self.held[key]

    def _unit_account(self, org: Organisation, county: Place) -> User:
        linked = UnitAccount.objects.filter(organisation=org, is_active=True).select_related("user").first()
        if linked is not None:
            return linked.user
        user = self._make(f"demo_dept_{org.pk}", Role.DEPARTMENT, county)
        self.new_units.append(UnitAccount(organisation_id=org.pk, user_id=user.pk, place_path=org.place_path,
                                          is_active=True))
        return user

    def save(self) -> None:
        for model, rows in ((User, self.new_users), (RoleAssignment, self.new_roles), (UnitAccount, self.new_units)):
            if rows:
                model.objects.bulk_create(rows, batch_size=500)


class _Builder:
    """Builds one event's row and history, step by step, as the services would have written them."""

    def __init__(self, ct: ContentType, end: dt.datetime) -> None:
        self.ct = ct
        self.end = end
        self.events: list[Event] = []
        self.history: list[CaseHistory] = []
        self.by_event: dict[int, list[CaseHistory]] = defaultdict(list)

    def step(self, event: Event, *, kind: str, name: str, label: str, before: str, after: str, actor: User | None,
             at: dt.datetime, note: str = "", extra: dict[str, Any] | None = None) -> None:
        row = CaseHistory(content_type_id=self.ct.pk, object_id=event.pk, workflow=EVENT.name, kind=kind,
                          transition=name, label=label, from_state=before, to_state=after, actor=actor,
                          actor_name=(actor.full_name or actor.username) if actor else "系统", note=note[:500],
                          extra=extra, at=at)
        self.history.append(row)
        self.by_event[event.pk].append(row)


def demo_events_state() -> dict[str, Any] | None:
    entry = AuditEntry.objects.filter(event=DEMO_EVENTS).order_by("-id").first()
    return entry.after if entry else None


def demo_events_load(*, seed: int, end: dt.datetime, per_grid: int = EVENTS_PER_GRID,
                     say: Callable[[str], None] | None = None) -> int:
    """Load a year of events up to ``end`` for every grid of the demo county; returns how many (0 when a load
    is already there)."""
    say = say or (lambda _m: None)
    if demo_events_state() is not None:
        return 0
    county = Place.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return 0
    started = time.perf_counter()
    rng = random.Random(f"{seed}:events")
    grids = list(Place.objects.filter(path__prefix=county.path, level=Level.GRID, is_active=True).order_by("path"))
    if not grids:
        return 0
    places = {p.path: p for p in Place.objects.filter(
        path__prefix=county.path, level__in=(Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY))}
    matters = list(matters_applicable(place=grids[0]).order_by("code"))
    departments = {o.name: o for o in Organisation.objects.filter(place=county, kind=OrgKind.GOV_DEPARTMENT,
                                                                   is_active=True)}
    accounts = _Accounts(rng, most=len(grids) + 3 * len(places) + len(departments) + 10)
    builder = _Builder(ContentType.objects.get_for_model(Event), end)
    ids = iter(allocate_ids(Event, len(grids) * per_grid))
    start = end - dt.timedelta(days=365)
    for grid in grids:
        village = places[grid.path[:12]]
        township = places[grid.path[:9]]
        reporter = accounts.at(Role.GRID_WORKER, grid, f"demo_gw_{grid.code}")
        villagers = [accounts.at(Role.VILLAGER, village, f"demo_vr_{village.code}_{i}") for i in (1, 2)]
        for _ in range(per_grid):
            matter = rng.choice(matters)
            level = SUGGESTED_LEVEL.get(matter.level, AssigneeLevel.VILLAGE)
            org = None
            if level == AssigneeLevel.DEPARTMENT:
                org = departments.get(f"县{matter.department}") or departments.get(matter.department)
                if org is None:
                    level = AssigneeLevel.TOWNSHIP
            unit_place = {AssigneeLevel.GRID: grid, AssigneeLevel.VILLAGE: village,
                          AssigneeLevel.TOWNSHIP: township, AssigneeLevel.DEPARTMENT: county}[level]
            if level == AssigneeLevel.GRID:
                handler = reporter
            elif level == AssigneeLevel.VILLAGE:
                handler = accounts.at(Role.VILLAGE_CADRE, village, f"demo_vc_{village.code}")
            elif level == AssigneeLevel.TOWNSHIP:
                handler = accounts.at(Role.TOWNSHIP_STAFF, township, f"demo_ts_{township.code}")
            else:
                handler = accounts.for_unit(org, county)
            dispatcher = accounts.at(Role.DISPATCHER, township, f"demo_td_{township.code}")
            by_villager = rng.random() < 0.15
            _one_event(builder, rng, pk=next(ids), grid=grid, matter=matter, level=level, org=org,
                       unit_place=unit_place, reporter=rng.choice(villagers) if by_villager else reporter,
                       reporter_kind=ReporterKind.VILLAGER if by_villager else ReporterKind.GRID_WORKER,
                       dispatcher=dispatcher, handler=handler,
                       reported_at=start + dt.timedelta(seconds=rng.uniform(0, 365 * 86400)))
    duties = [d for event in builder.events for d in _duties(event, builder.by_event[event.pk])]
    for event in builder.events:
        if event.due_at is not None and event.state in (REPORTED, ASSIGNED, HANDLING):
            engine.set_due(event, event.due_at)  # the pre-deadline warning, as the kernel sets it
            if event.warn_at is not None and event.warn_at <= end:
                event.warned_at = event.warn_at  # already sent: the first sweep does not repeat a year of them
    with transaction.atomic():
        accounts.save()
        bulk_insert(Event, builder.events)
        bulk_insert(CaseHistory, _with_ids(builder.history))
        bulk_insert(EventDuty, _with_ids(duties))
        audit_record(actor=None, action=AuditAction.IMPORT, event=DEMO_EVENTS, obj=county, place_path=county.path,
                     object_repr="演示事件", detail=f"载入演示事件 {len(builder.events)} 件",
                     after={"events": len(builder.events), "history": len(builder.history), "duties": len(duties),
                            "end": end.isoformat(), "seed": seed})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE events_event, workflow_casehistory, events_eventduty")
    say(f"事件：{len(builder.events)} 件，流程记录 {len(builder.history)} 条，承办责任 {len(duties)} 条，"
        f"用时 {time.perf_counter() - started:.1f} 秒")
    return len(builder.events)


def _with_ids(rows: list[Any]) -> list[Any]:
    if rows:
        for row, pk in zip(rows, allocate_ids(type(rows[0]), len(rows)), strict=True):
            row.pk = pk
    return rows


def _duties(event: Event, rows: list[CaseHistory]) -> list[EventDuty]:
    """The assessment duties of one event, replayed from its history as ``events_assessment_check`` does; a
    handling duty that follows another handling duty was started by an unsatisfied rating (返工)."""
    out: list[EventDuty] = []
    previous = None
    for d in assessment.replay(rows):
        out.append(_duty(event, d, rework=d.kind == "handle" and previous is not None and previous.kind == "handle"))
        previous = d
    return out


def _duty(event: Event, d: Any, *, rework: bool) -> EventDuty:
    level, department, path = d.unit
    return EventDuty(event_id=event.pk, place_path=event.place_path, kind=d.kind, unit_level=level,
                     unit_department=department, unit_path=path, started_at=d.started_at, due_at=d.due_at,
                     ended_at=d.ended_at, outcome=d.outcome, done_at=d.done_at, done_by_id=d.done_by,
                     handling_seconds=(max(0, int((d.done_at - d.started_at).total_seconds()))
                                       if d.done_at is not None and d.kind == "handle" else None),
                     rework=rework, rated_at=d.rated_at, satisfied=d.satisfied)


def _one_event(b: _Builder, rng: random.Random, *, pk: int, grid: Place, matter: Any, level: str, org: Any,
               unit_place: Place, reporter: User, reporter_kind: str, dispatcher: User, handler: User,
               reported_at: dt.datetime) -> None:
    """One event from its report to wherever it stands at ``b.end``: each step happens after a plausible delay,
    and the event stops at the first step that would fall after the end."""
    local = reported_at.astimezone(CHINA)
    reported_at = local.replace(hour=rng.choice((7, 8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17, 18)),
                                minute=rng.randrange(60)).astimezone(dt.UTC)
    end = b.end
    e = Event(id=pk, number=f"SJ{local:%Y%m%d}-{pk:06d}", matter_id=matter.pk, text=event_text(rng, matter.code,
              matter.name), place_id=grid.pk, place_path=grid.path, address=f"{grid.name}",
              reporter_id=reporter.pk, reporter_kind=reporter_kind, reported_at=reported_at,
              client_key=f"demo-bulk-{pk}", assignee_level="", assignee_department="", assignee_org_id=None,
              assignee_place_id=None, assignee_path="", reopen_count=0, result="", satisfaction="",
              satisfaction_reason="", urge_count=0, is_overdue=False)
    b.events.append(e)

    def enter(state: str, at: dt.datetime, due: dt.datetime | None) -> None:
        e.state, e.state_since, e.due_at = state, at, due
        e.warn_at = e.warned_at = e.overdue_at = e.escalate_at = e.escalated_at = None
        e.is_overdue = False

    enter(REPORTED, reported_at, due_after(reported_at, 1))
    b.step(e, kind=HistoryKind.START, name="report", label="上报", before="", after=REPORTED, actor=reporter,
           at=reported_at, extra={"due_at": e.due_at.isoformat()})
    # 分派: within hours.
    at = reported_at + dt.timedelta(minutes=rng.uniform(10, 360))
    if at > end:
        return
    unit = {"level": level, "department": org.name[:60] if org else "", "path": unit_place.path}
    to = org.name if org else f"{unit_place.name}（{AssigneeLevel(level).label}）"
    enter(ASSIGNED, at, due_after(at, 1))
    e.assignee_level, e.assignee_org_id = level, org.pk if org else None
    e.assignee_department, e.assignee_place_id, e.assignee_path = unit["department"], unit_place.pk, unit_place.path
    e.assigned_at = at
    b.step(e, kind=HistoryKind.TRANSITION, name="triage", label="分派", before=REPORTED, after=ASSIGNED,
           actor=dispatcher, at=at, note=f"分派至{to}。", extra={"to": to, "holder": unit,
                                                                "due_at": e.due_at.isoformat()})
    # 受理: mostly within the working day; one in twelve late.
    accept_due = e.due_at
    at = at + dt.timedelta(hours=rng.uniform(0.3, 6)) if rng.random() < 11 / 12 else \
        accept_due + dt.timedelta(hours=rng.uniform(2, 40))
    if at > end:
        _overdue_if_due(b, e, end)
        return
    enter(HANDLING, at, due_after(at, matter.time_limit_days))
    e.accepted_at = at
    b.step(e, kind=HistoryKind.TRANSITION, name="accept", label="受理", before=ASSIGNED, after=HANDLING,
           actor=handler, at=at, extra={"due_at": e.due_at.isoformat()})
    for round_ in (1, 2):
        # 办结: in time six times in seven; late otherwise.
        due = e.due_at
        span = (due - at).total_seconds()
        at = at + dt.timedelta(seconds=rng.uniform(0.05, 0.9) * span) if rng.random() < 6 / 7 else \
            due + dt.timedelta(hours=rng.uniform(1, 72))
        if at > end:
            _overdue_if_due(b, e, end)
            return
        if at > due:
            b.step(e, kind=HistoryKind.OVERDUE, name="", label="超期", before=HANDLING, after=HANDLING, actor=None,
                   at=due + dt.timedelta(minutes=5), note=f"已超过办理期限（{due.astimezone(CHINA):%Y-%m-%d %H:%M}）。",
                   extra={"waiting_on": []})
        result = rng.choice(RESULTS)
        enter(CLOSED, at, None)
        e.result, e.closed_at, e.handled_by_id = result, at, handler.pk
        b.step(e, kind=HistoryKind.TRANSITION, name="close", label="办结", before=HANDLING, after=CLOSED,
               actor=handler, at=at, note=result)
        # 回访评价: within days; one in sixteen unsatisfied the first time (返工).
        at = at + dt.timedelta(hours=rng.uniform(1, 60))
        if at > end:
            return
        rater = reporter if rng.random() < 0.7 else dispatcher
        if round_ == 1 and rng.random() < 1 / 16:
            reason = rng.choice(UNSATISFIED)
            enter(HANDLING, at, due_after(at, matter.time_limit_days))
            e.satisfaction, e.satisfaction_reason, e.rated_at, e.rated_by_id = (Satisfaction.UNSATISFIED, reason, at,
                                                                                rater.pk)
            e.reopen_count += 1
            b.step(e, kind=HistoryKind.TRANSITION, name="rate_unsatisfied", label="不满意（返工）", before=CLOSED,
                   after=HANDLING, actor=rater, at=at, note=reason, extra={"due_at": e.due_at.isoformat()})
            continue
        enter(DONE, at, None)
        e.satisfaction, e.satisfaction_reason, e.rated_at, e.rated_by_id = Satisfaction.SATISFIED, "", at, rater.pk
        b.step(e, kind=HistoryKind.TRANSITION, name="rate_satisfied", label="满意", before=CLOSED, after=DONE,
               actor=rater, at=at)
        return


def _overdue_if_due(b: _Builder, e: Event, end: dt.datetime) -> None:
    """An event still waiting at the end whose deadline has passed carries the sweeper's overdue flag."""
    if e.due_at is not None and e.due_at < end:
        e.is_overdue, e.overdue_at = True, e.due_at + dt.timedelta(minutes=5)
        if e.state == HANDLING:  # the state that escalates (workflow.py): one working day after the deadline
            e.escalate_at = due_after(e.due_at, 1)
        b.step(e, kind=HistoryKind.OVERDUE, name="", label="超期", before=e.state, after=e.state, actor=None,
               at=e.overdue_at, note=f"已超过办理期限（{e.due_at.astimezone(CHINA):%Y-%m-%d %H:%M}）。",
               extra={"waiting_on": []})

