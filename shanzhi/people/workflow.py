"""户迁移 workflow (domain.md F2 "moves between villages", run by the F6 kernel).

    (new) ──申请迁移──▶ requested ──同意迁入──▶ approved
                          │  ├────不同意────▶ rejected
                          │  └────撤回申请──▶ withdrawn
                          └ 5 working days; overdue → 提级 to the receiving village's township 2 working days later

- 申请 / 撤回: move.request at the household's place (the sending village);
- 同意 / 不同意: move.approve at the target place (the receiving village), not by the requester (four eyes);
  不同意 needs a reason;
- 催办: the sending village, at most once an hour;
- on 同意 the household and its members are relocated in the same transaction (``moves.apply_approval``).
"""

from __future__ import annotations

from shanzhi.access.roles import Perm, Role
from shanzhi.workflow.definition import NEW, Escalation, Guard, State, Transition, Workflow, register

REQUESTED, APPROVED, REJECTED, WITHDRAWN = "requested", "approved", "rejected", "withdrawn"
DECIDE_DAYS = 5

SENDING = Guard(at="from_path", perm=Perm.MOVE_REQUEST, who="迁出村村干部")
RECEIVING = Guard(at="to_path", perm=Perm.MOVE_APPROVE, who="迁入村村干部")
TOWNSHIP = Guard(at="to_path", level="township", roles=(Role.TOWNSHIP_STAFF, Role.LEADER), who="迁入村所在乡镇")

HOUSEHOLD_MOVE = register(Workflow(
    name="household_move",
    label="户迁移",
    model="people.HouseholdMove",
    states=(
        State(REQUESTED, "待迁入村审批", deadline_days=DECIDE_DAYS, escalation=Escalation(to=TOWNSHIP, after_days=2)),
        State(APPROVED, "已迁入", final=True),
        State(REJECTED, "未同意", final=True),
        State(WITHDRAWN, "已撤回", final=True),
    ),
    transitions=(
        Transition("request", "申请迁移", sources=(NEW,), target=REQUESTED, guard=SENDING),
        Transition("approve", "同意迁入", sources=(REQUESTED,), target=APPROVED, guard=RECEIVING,
                   not_by="requested_by_id", effect="shanzhi.people.moves.apply_approval", style="success"),
        Transition("reject", "不同意", sources=(REQUESTED,), target=REJECTED, guard=RECEIVING, note_required=True,
                   not_by="requested_by_id", effect="shanzhi.people.moves.apply_decision", style="danger"),
        Transition("withdraw", "撤回申请", sources=(REQUESTED,), target=WITHDRAWN, guard=SENDING,
                   effect="shanzhi.people.moves.apply_decision", style="outline-secondary", assigned=False),
    ),
    urge=SENDING,
))
