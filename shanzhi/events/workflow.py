"""事件 workflow: the five-step closed loop (domain.md G3), run by the F6 kernel.

    (new) ──上报──▶ reported ──分派──▶ assigned ──受理──▶ handling ──办结──▶ closed ──满意──▶ done
                       ▲                 │ ▲ ▲              │ │ ▲                  │
                       └──────退回───────┘ │ └──提级/转办───┘ │ └──不满意（返工）──┘
                                           └──────转办─────────(assigned)

- 上报: event.report at the place where it happened (grid worker, assistant, villager, staff);
- 分派 (分级分流): the township's dispatcher (event.dispatch at the township of the place), to the grid, the
  village, the township or a county department — the service records the assignee;
- 受理 / 退回 / 提级 / 办结: the assignee — event.handle at the assignee's place, held by a role of the
  assigned level (网格: grid staff or the village cadres; 村: village cadres; 乡镇: township staff; 部门:
  the staff of the named county department, ``orgs.UnitAccount``). 受理 starts the matter's working-day
  limit (``services.apply_accept``); 提级 names the department when it goes to the county;
- 转办: the assignee or the dispatcher hands the event to another unit without going back to triage; the new
  unit accepts it anew. 办理记录 (progress notes with photos): the assignee, the dispatcher, the supervisors;
- 满意 / 不满意: the reporter, or the dispatcher calling back on their behalf (回访); 不满意 needs the reason
  and returns the event to the same assignee with a fresh time limit (返工);
- 合并: the dispatcher folds a duplicate report still waiting for triage into another open event of the same
  matter (``merging.py``); the duplicate ends as 已合并 and its reporter follows the main event;
- 催办 / 督办: leaders and the command centre of the township; handling is warned one working day before its
  deadline (临期预警), flagged overdue at it and, one working day later, put before them (提级督办) and moved
  up one level by the system (``services.auto_escalate``: grid → village → township → the matter's county
  department), where the new unit accepts it anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from shanzhi.access.roles import Perm, Role
from shanzhi.workflow.definition import (
    NEW,
    AnyOf,
    Escalation,
    Guard,
    Notes,
    State,
    Transition,
    Workflow,
    register,
)

from .choices import AssigneeLevel

REPORTED, ASSIGNED, HANDLING, CLOSED, DONE = "reported", "assigned", "handling", "closed", "done"
MERGED = "merged"  # 已合并: a duplicate report folded into another open event (merging.py)
OPEN_STATES = (REPORTED, ASSIGNED, HANDLING)
TRIAGE_DAYS = 1
ACCEPT_DAYS = 1
# The handling state's declared deadline only makes the sweeper watch it; the real limit is the matter's,
# written by ``services.apply_accept`` / ``apply_unsatisfied`` when the clock starts.
HANDLING_DEFAULT_DAYS = 5

LEVEL_ROLES: dict[str, tuple[str, ...]] = {
    AssigneeLevel.GRID: (Role.GRID_WORKER, Role.GRID_CHIEF, Role.VILLAGE_CADRE),
    AssigneeLevel.VILLAGE: (Role.VILLAGE_CADRE,),
    AssigneeLevel.TOWNSHIP: (Role.TOWNSHIP_STAFF,),
    AssigneeLevel.DEPARTMENT: (Role.DEPARTMENT,),
}


@dataclass(frozen=True)
class AssigneeGuard(Guard):
    """The assignee: ``perm`` at the assignee's place, held by one of the roles of the assigned level (so a
    county department does not act on what was given to a township, though its place is above it); for a
    county department, only the accounts working for that department (``orgs.UnitAccount``)."""

    def _at_level(self, case: Any) -> Guard:
        return Guard(at=self.at, who=self.who, perm=self.perm, roles=LEVEL_ROLES.get(case.assignee_level, ("-",)))

    def allows(self, user: Any, case: Any) -> bool:
        if not self._at_level(case).allows(user, case):
            return False
        if case.assignee_level == AssigneeLevel.DEPARTMENT and not user.is_superuser:
            from shanzhi.orgs.selectors import unit_ids

            return case.assignee_org_id is not None and case.assignee_org_id in unit_ids(user)
        return True

    def holders(self, case: Any) -> QuerySet:
        people = self._at_level(case).holders(case)
        if case.assignee_level == AssigneeLevel.DEPARTMENT:
            from shanzhi.orgs.selectors import unit_account_users

            people = people.filter(pk__in=unit_account_users(organisation_id=case.assignee_org_id))
        return people


@dataclass(frozen=True)
class RaterGuard(Guard):
    """The reporter themselves, or the guard's holders calling back on their behalf (回访)."""

    def allows(self, user: Any, case: Any) -> bool:
        if getattr(user, "is_authenticated", False) and user.is_active and user.pk == case.reporter_id:
            return True
        return super().allows(user, case)

    def holders(self, case: Any) -> QuerySet:
        from shanzhi.access.models import User

        return User.objects.filter(Q(pk=case.reporter_id, is_active=True)
                                   | Q(pk__in=super().holders(case).values("pk"))).order_by("id")


REPORTER = Guard(at="place_path", perm=Perm.EVENT_REPORT, who="事发地的网格员、村务助理、村民或工作人员")
DISPATCHER = Guard(at="place_path", level="township", perm=Perm.EVENT_DISPATCH, who="乡镇指挥中心调度员")
SUPERVISOR = Guard(at="place_path", level="township", perm=Perm.EVENT_SUPERVISE, who="乡镇领导或指挥中心")
ASSIGNEE = AssigneeGuard(at="assignee_path", perm=Perm.EVENT_HANDLE, who="承办单位")
RATER = RaterGuard(at="place_path", level="township", perm=Perm.EVENT_DISPATCH, who="报告人（或指挥中心回访）")
TRANSFERRER = AnyOf((ASSIGNEE, DISPATCHER))
NOTE_TAKERS = AnyOf((ASSIGNEE, DISPATCHER, SUPERVISOR))
WARN_BEFORE_DAYS = 1

_S = "shanzhi.events.services."

EVENT = register(Workflow(
    name="event",
    label="事件",
    model="events.Event",
    states=(
        State(REPORTED, "待分派", deadline_days=TRIAGE_DAYS),
        State(ASSIGNED, "待受理", deadline_days=ACCEPT_DAYS),
        State(HANDLING, "办理中", deadline_days=HANDLING_DEFAULT_DAYS, warn_before_days=WARN_BEFORE_DAYS,
              escalation=Escalation(to=SUPERVISOR, after_days=1, effect=_S + "auto_escalate")),
        State(CLOSED, "待评价"),
        State(DONE, "已办结", final=True),
        State(MERGED, "已合并", final=True),
    ),
    transitions=(
        Transition("report", "上报", sources=(NEW,), target=REPORTED, guard=REPORTER, effect=_S + "apply_report"),
        Transition("triage", "分派", sources=(REPORTED,), target=ASSIGNED, guard=DISPATCHER),
        Transition("accept", "受理", sources=(ASSIGNED,), target=HANDLING, guard=ASSIGNEE, effect=_S + "apply_accept",
                   style="success"),
        Transition("return", "退回指挥中心", sources=(ASSIGNED,), target=REPORTED, guard=ASSIGNEE, note_required=True,
                   effect=_S + "apply_return", style="outline-secondary", assigned=False),
        Transition("close", "办结", sources=(HANDLING,), target=CLOSED, guard=ASSIGNEE, note_required=True,
                   effect=_S + "apply_close", style="success"),
        # 提级 and 转办 name the new unit, which the service writes in the same transaction (like 分派).
        Transition("escalate", "提级", sources=(HANDLING,), target=ASSIGNED, guard=ASSIGNEE, note_required=True,
                   style="outline-warning", assigned=False),
        Transition("transfer", "转办", sources=(ASSIGNED, HANDLING), target=ASSIGNED, guard=TRANSFERRER,
                   note_required=True, style="outline-primary", assigned=False),
        Transition("rate_satisfied", "满意", sources=(CLOSED,), target=DONE, guard=RATER,
                   effect=_S + "apply_satisfied", style="success"),
        Transition("rate_unsatisfied", "不满意（返工）", sources=(CLOSED,), target=HANDLING, guard=RATER,
                   note_required=True, effect=_S + "apply_unsatisfied", style="danger"),
        # 合并: the dispatcher, at triage, folds a duplicate into another open event of the same matter; the
        # service (merging.event_merge) checks the main event and points ``merged_into`` at it.
        Transition("merge", "合并", sources=(REPORTED,), target=MERGED, guard=DISPATCHER, style="outline-secondary",
                   assigned=False),
    ),
    urge=SUPERVISOR,
    notes=Notes(states=(ASSIGNED, HANDLING), by=NOTE_TAKERS),
))
