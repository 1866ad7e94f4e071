"""Workflows of 村务决策与议事 (domain.md A2, A5), run by the F6 kernel.

四议两公开一监督 (``decision``), six steps in order; the three meetings' steps move on only when a meeting of
that step passes its quorum and vote (``services.meeting_record`` records it and takes the step's transition;
the transition's effect checks the meeting again, so no other path skips it):

    (new) ─发起─▶ proposal ─党组织提议─▶ consultation ─两委会议通过─▶ party_review ─党员大会通过─▶ resolution
      ─村民(代表)会议通过─▶ resolution_public ─决议公开─▶ result_public ─实施结果公开─▶ done
    consultation / party_review / resolution ─表决未通过，终止─▶ rejected

The supervisory committee (decision.supervise) comments at every step (the workflow's progress notes).

议事协商 (``topic``): 提出议题 → 确定议题 → 内容审定 → 协商议事 → 公开公示 → 研究落实 (→ 已办结), or 不予立项.
"""

from __future__ import annotations

from typing import Any

from shanzhi.access.roles import Perm
from shanzhi.core.errors import Conflict
from shanzhi.workflow.definition import NEW, AnyOf, Guard, Notes, State, Transition, Workflow, register

# --- 四议两公开 --------------------------------------------------------------------------------------------
PROPOSAL, CONSULTATION, PARTY_REVIEW, RESOLUTION = "proposal", "consultation", "party_review", "resolution"
RESOLUTION_PUBLIC, RESULT_PUBLIC, DONE, REJECTED = "resolution_public", "result_public", "done", "rejected"
STEPS = (PROPOSAL, CONSULTATION, PARTY_REVIEW, RESOLUTION, RESOLUTION_PUBLIC, RESULT_PUBLIC)
MEETING_STEPS = (CONSULTATION, PARTY_REVIEW, RESOLUTION)
# The transition a passing meeting of each step takes.
MEETING_TRANSITION = {CONSULTATION: "consult", PARTY_REVIEW: "review", RESOLUTION: "resolve"}

MANAGE = Guard(at="place_path", perm=Perm.DECISION_MANAGE, who="村干部")
# Other capabilities ask for a decision on behalf of whoever runs them there (finance, village rules, points).
REQUEST = AnyOf((MANAGE, Guard(at="place_path", perm=Perm.FINANCE_ENTER, who="记账人员"),
                 Guard(at="place_path", perm=Perm.CHARTER_MANAGE, who="村规民约管理人员"),
                 Guard(at="place_path", perm=Perm.POINTS_MANAGE, who="积分制管理人员")), who="村干部")
SUPERVISE = Guard(at="place_path", perm=Perm.DECISION_SUPERVISE, who="村务监督委员会")


_PREVIOUS = {PARTY_REVIEW: CONSULTATION, RESOLUTION: PARTY_REVIEW, RESOLUTION_PUBLIC: RESOLUTION}


def _require_passed_meeting(case: Any, *, acting_user: Any, note: str, now: Any) -> None:
    """Effects run with the new state written: the step just left is the one before it."""
    from .models import Meeting

    step = _PREVIOUS.get(case.state)
    if step is None or not Meeting.objects.filter(decision=case, step=step, passed=True).exists():
        raise Conflict("本步骤须有一次到会人数和表决均符合规定的会议，才能进入下一步。", code="meeting_required")


def _require_failed_vote(case: Any, *, acting_user: Any, note: str, now: Any) -> None:
    """Ending a matter as not passed needs a meeting of the step it stood at that met its quorum and voted it
    down: a matter is not dropped without a vote. A passing meeting moves the step on, so the latest meeting
    is of the step the matter stands at unless that step has none yet."""
    from .models import Meeting

    last = Meeting.objects.filter(decision=case).order_by("-recorded_at", "-id").first()
    if last is None or last.passed or not last.quorum_met:
        raise Conflict("只有本步骤会议到会人数符合规定而表决未通过时，才能终止该事项。", code="vote_required")


def _require_resolution_publication(case: Any, *, acting_user: Any, note: str, now: Any) -> None:
    if not case.resolution_publication_id:
        raise Conflict("须先发布决议公开。", code="publication_required")


def _require_result_publication(case: Any, *, acting_user: Any, note: str, now: Any) -> None:
    if not case.result_publication_id:
        raise Conflict("须先发布实施结果公开。", code="publication_required")


DECISION = register(Workflow(
    name="decision", label="四议两公开", model="affairs.Decision",
    states=(
        State(PROPOSAL, "村党组织提议"),
        State(CONSULTATION, '村"两委"会议商议'),
        State(PARTY_REVIEW, "党员大会审议"),
        State(RESOLUTION, "村民会议或村民代表会议决议"),
        State(RESOLUTION_PUBLIC, "决议公开"),
        State(RESULT_PUBLIC, "实施结果公开"),
        State(DONE, "已完成", final=True),
        State(REJECTED, "未通过", final=True),
    ),
    transitions=(
        Transition("request", "发起决策事项", (NEW,), PROPOSAL, REQUEST),
        Transition("propose", "村党组织提议", (PROPOSAL,), CONSULTATION, MANAGE, note_required=True),
        Transition("consult", '村"两委"会议商议通过', (CONSULTATION,), PARTY_REVIEW, MANAGE,
                   effect=_require_passed_meeting),
        Transition("review", "党员大会审议通过", (PARTY_REVIEW,), RESOLUTION, MANAGE, effect=_require_passed_meeting),
        Transition("resolve", "村民(代表)会议决议通过", (RESOLUTION,), RESOLUTION_PUBLIC, MANAGE,
                   effect=_require_passed_meeting),
        Transition("reject", "表决未通过，终止", (CONSULTATION, PARTY_REVIEW, RESOLUTION), REJECTED, MANAGE,
                   note_required=True, effect=_require_failed_vote, style="outline-danger"),
        Transition("publish_resolution", "决议公开", (RESOLUTION_PUBLIC,), RESULT_PUBLIC, MANAGE,
                   effect=_require_resolution_publication),
        Transition("publish_result", "实施结果公开", (RESULT_PUBLIC,), DONE, MANAGE, effect=_require_result_publication),
    ),
    notes=Notes(states=(*STEPS, DONE, REJECTED), by=SUPERVISE, label="监督意见"),
))

# --- 议事协商 -------------------------------------------------------------------------------------------------
PROPOSED, ACCEPTED, REVIEWED, DELIBERATING = "proposed", "accepted", "reviewed", "deliberating"
PUBLISHED, IMPLEMENTING, CLOSED, DECLINED = "published", "implementing", "closed", "declined"
TOPIC_STEPS = (PROPOSED, ACCEPTED, REVIEWED, DELIBERATING, PUBLISHED, IMPLEMENTING)

PROPOSE = AnyOf((MANAGE, Guard(at="proposer_path", perm=Perm.TOPIC_PROPOSE, who="本村村民")), who="村民或村干部")


def _require_vote_closed(case: Any, *, acting_user: Any, note: str, now: Any) -> None:
    if case.vote_closes_at is None or case.vote_closes_at > now:
        raise Conflict("投票尚未开始或尚未截止，不能公示结果。", code="vote_open")
    if not case.publication_id:
        raise Conflict("须先发布议事结果公示。", code="publication_required")


def _require_tasks_done(case: Any, *, acting_user: Any, note: str, now: Any) -> None:
    from .choices import TaskStatus

    if not case.tasks.exists():
        raise Conflict("请先登记落实任务。", code="tasks_required")
    if case.tasks.exclude(status=TaskStatus.DONE).exists():
        raise Conflict("还有落实任务未完成，不能办结。", code="tasks_open")


TOPIC = register(Workflow(
    name="topic", label="议事协商", model="affairs.Topic",
    states=(
        State(PROPOSED, "提出议题"),
        State(ACCEPTED, "确定议题"),
        State(REVIEWED, "内容审定"),
        State(DELIBERATING, "协商议事"),
        State(PUBLISHED, "公开公示"),
        State(IMPLEMENTING, "研究落实"),
        State(CLOSED, "已办结", final=True),
        State(DECLINED, "不予立项", final=True),
    ),
    transitions=(
        Transition("propose", "提出议题", (NEW,), PROPOSED, PROPOSE),
        Transition("accept", "确定议题", (PROPOSED,), ACCEPTED, MANAGE),
        Transition("decline", "不予立项", (PROPOSED,), DECLINED, MANAGE, note_required=True, style="outline-danger"),
        Transition("review", "内容审定", (ACCEPTED,), REVIEWED, MANAGE),
        Transition("deliberate", "进入协商议事", (REVIEWED,), DELIBERATING, MANAGE),
        Transition("publish", "公开公示", (DELIBERATING,), PUBLISHED, MANAGE, effect=_require_vote_closed),
        Transition("implement", "研究落实", (PUBLISHED,), IMPLEMENTING, MANAGE),
        Transition("close", "办结", (IMPLEMENTING,), CLOSED, MANAGE, effect=_require_tasks_done),
    ),
))
