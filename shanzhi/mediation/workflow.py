"""纠纷案件 workflow: the eight steps (八步工作法, domain.md M3), run by the F6 kernel.

    (new) ─申请─▶ applied ─受理─▶ accepted ─确定调解人员─▶ assigned ─调查核实─▶ investigated ─告知权利义务─▶ informed
      └──────登记受理──────────▲                                                                   │
                                                                                          开展调解 ▼
    archived ◀─整理卷宗─ visited ◀─回访─ agreed ◀─制作调解协议─ mediating ─调解不成─▶ failed ─整理卷宗─▶ archived

- 申请: a villager on the phone (legal.ask at the dispute's place); the case waits for 受理 by the organisation;
  登记受理: staff intake (mediation.handle at the organisation) registers and accepts at once;
- every step: mediation.handle at the handling organisation's place (``org_path``), in order only — the
  kernel refuses a step out of order with the current state in the message;
- the time limit is one month from acceptance (``limit_at``, 30 calendar days, moved by extensions with both
  parties' consent); every open state declares a working-day deadline only so the sweeper watches it, and each
  step's effect sets ``due_at`` to the case's own limit (``services.keep_limit``);
- 拒绝调解 (art. 17) and 撤回 end the case from any open state before an agreement; 不予受理 ends an application;
- 调解不成 closes with the advice given on other routes (art. 26, note required) and is then filed;
- 催办/督办: township dispatchers and leaders (mediation.manage at the organisation's township, or above).
"""

from __future__ import annotations

from shanzhi.access.roles import Perm
from shanzhi.workflow.definition import NEW, AnyOf, Guard, Notes, State, Transition, Workflow, register

APPLIED, ACCEPTED, ASSIGNED, INVESTIGATED, INFORMED = "applied", "accepted", "assigned", "investigated", "informed"
MEDIATING, AGREED, VISITED, ARCHIVED = "mediating", "agreed", "visited", "archived"
FAILED, REFUSED, WITHDRAWN, REJECTED = "failed", "refused", "withdrawn", "rejected"

# The eight steps in order: (transition, its label, the state it leads to).
STEPS: tuple[tuple[str, str, str], ...] = (
    ("accept", "受理", ACCEPTED),
    ("assign", "确定调解人员", ASSIGNED),
    ("investigate", "调查核实", INVESTIGATED),
    ("inform", "告知权利义务", INFORMED),
    ("mediate", "开展调解", MEDIATING),
    ("agree", "制作调解协议", AGREED),
    ("visit", "回访", VISITED),
    ("archive", "整理卷宗", ARCHIVED),
)
# States in which the one-month limit runs (before the agreement or the failure).
RUNNING_STATES = (APPLIED, ACCEPTED, ASSIGNED, INVESTIGATED, INFORMED, MEDIATING)
# States a party may still refuse or withdraw from (before an agreement is made).
REFUSABLE_STATES = RUNNING_STATES
OPEN_STATES = (*RUNNING_STATES, AGREED, VISITED, FAILED)
FINAL_STATES = (ARCHIVED, REFUSED, WITHDRAWN, REJECTED)
# Working days the kernel watches (≈ 30 calendar days); the real limit is ``Case.limit_at``.
SWEEP_DAYS = 22
WARN_DAYS = 3

HANDLER = Guard(at="org_path", perm=Perm.MEDIATION_HANDLE, who="调解组织的调解员")
APPLICANT = Guard(at="place_path", perm=Perm.LEGAL_ASK, who="当事人")
SUPERVISOR = Guard(at="org_path", perm=Perm.MEDIATION_MANAGE, who="乡镇(街道)、县司法行政部门")

KEEP = "shanzhi.mediation.services.keep_limit"  # every step keeps due_at at the case's own limit
ACCEPT = "shanzhi.mediation.services.apply_accept"  # 受理 starts the one-month limit
ACCEPT_DAYS = 3  # working days to accept or decline an application

WORKFLOW = register(Workflow(
    name="mediation_case",
    label="纠纷案件",
    model="mediation.Case",
    states=(
        State(APPLIED, "待受理", deadline_days=ACCEPT_DAYS, warn_before_days=1),
        State(ACCEPTED, "已受理，待确定调解人员", deadline_days=SWEEP_DAYS, warn_before_days=WARN_DAYS),
        State(ASSIGNED, "已确定调解人员，待调查核实", deadline_days=SWEEP_DAYS, warn_before_days=WARN_DAYS),
        State(INVESTIGATED, "已调查核实，待告知权利义务", deadline_days=SWEEP_DAYS, warn_before_days=WARN_DAYS),
        State(INFORMED, "已告知权利义务，待开展调解", deadline_days=SWEEP_DAYS, warn_before_days=WARN_DAYS),
        State(MEDIATING, "调解中", deadline_days=SWEEP_DAYS, warn_before_days=WARN_DAYS),
        State(AGREED, "已达成协议，待回访"),
        State(VISITED, "已回访，待整理卷宗"),
        State(FAILED, "调解不成，待整理卷宗"),
        State(ARCHIVED, "已归档", final=True),
        State(REFUSED, "当事人拒绝调解", final=True),
        State(WITHDRAWN, "已撤回", final=True),
        State(REJECTED, "不予受理", final=True),
    ),
    transitions=(
        Transition("apply", "申请调解", (NEW,), APPLIED, APPLICANT, effect=KEEP),
        Transition("register", "登记受理", (NEW,), ACCEPTED, HANDLER, effect=ACCEPT),
        Transition("accept", "受理", (APPLIED,), ACCEPTED, HANDLER, effect=ACCEPT),
        Transition("reject", "不予受理", (APPLIED,), REJECTED, HANDLER, note_required=True, style="outline-danger",
                   effect=KEEP),
        Transition("assign", "确定调解人员", (ACCEPTED,), ASSIGNED, HANDLER, effect=KEEP),
        Transition("investigate", "调查核实", (ASSIGNED,), INVESTIGATED, HANDLER,
                   effect=KEEP),
        Transition("inform", "告知权利义务", (INVESTIGATED,), INFORMED, HANDLER, effect=KEEP),
        Transition("mediate", "开展调解", (INFORMED,), MEDIATING, HANDLER, effect=KEEP),
        Transition("agree", "制作调解协议", (MEDIATING,), AGREED, HANDLER, effect=KEEP),
        Transition("fail", "调解不成", (MEDIATING,), FAILED, HANDLER, note_required=True, style="outline-danger",
                   effect=KEEP),
        Transition("visit", "回访", (AGREED,), VISITED, HANDLER, effect=KEEP),
        Transition("archive", "整理卷宗", (VISITED, FAILED), ARCHIVED, HANDLER, effect=KEEP),
        Transition("refuse", "当事人拒绝调解", REFUSABLE_STATES, REFUSED, HANDLER, note_required=True,
                   style="outline-danger", assigned=False, effect=KEEP),
        Transition("withdraw", "撤回申请", REFUSABLE_STATES, WITHDRAWN, HANDLER, note_required=True,
                   style="outline-secondary", assigned=False, effect=KEEP),
    ),
    urge=SUPERVISOR,
    notes=Notes(states=OPEN_STATES, by=AnyOf((HANDLER, SUPERVISOR)), label="工作记录"),
))
