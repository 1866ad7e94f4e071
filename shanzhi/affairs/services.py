"""Writes of 村务决策 (domain.md A2): a decision's steps, its meetings with quorum and votes, supervisory
comments, publications, and the representatives' roster. Each service validates before it writes, writes in
one transaction with its audit entry, and sends notices on commit. Deliberation (A5) is in ``topics.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import transaction

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.people.models import Person
from shanzhi.people.services import village_of
from shanzhi.publication.choices import PublicationKind
from shanzhi.publication.services import publication_create
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place
from shanzhi.workflow import clock, engine
from shanzhi.workflow.calendar import CHINA, local_date

from . import quorum, selectors
from .choices import MeetingKind, Outcome
from .models import Decision, Meeting, MeetingAttendance, Representative
from .workflow import (
    CONSULTATION,
    MEETING_STEPS,
    MEETING_TRANSITION,
    PARTY_REVIEW,
    RESOLUTION,
    RESOLUTION_PUBLIC,
    RESULT_PUBLIC,
)

TITLE_MAX, SUMMARY_MAX, MINUTES_MAX, TEXT_MAX = 200, 4000, 8000, 4000
# Which bodies may meet at each deliberative step (A2).
STEP_KINDS: dict[str, tuple[str, ...]] = {
    CONSULTATION: (MeetingKind.TWO_COMMITTEES,),
    PARTY_REVIEW: (MeetingKind.PARTY_CONGRESS,),
    RESOLUTION: (MeetingKind.REPRESENTATIVES, MeetingKind.VILLAGERS, MeetingKind.HOUSEHOLDS),
}

# --- outcome hooks (api.on_decided) ----------------------------------------------------------------------------

_handlers: dict[str, list[Callable[[Decision], None]]] = {}


def on_decided(source: str, handler: Callable[[Decision], None]) -> None:
    handlers = _handlers.setdefault(source, [])
    if handler not in handlers:
        handlers.append(handler)


def _settle(decision: Decision, outcome: str, at: dt.datetime) -> None:
    """Write the outcome and tell the capability that asked, inside the transaction that settles it: a handler
    that raises undoes the resolution too."""
    decision.outcome = outcome
    decision.decided_at = at
    decision.save(update_fields=["outcome", "decided_at"])
    for handler in _handlers.get(decision.source, []):
        handler(decision)


# --- helpers ---------------------------------------------------------------------------------------------------


def _text(value: Any, label: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        raise ValidationFailed(f"请填写{label}。", code="required")
    if len(value) > limit:
        raise ValidationFailed(f"{label}不能超过 {limit} 字。", code="too_long")
    return value


def _require(user: Any, perm: str, path: str) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_perm_at(perm, path):
        raise NotFound()


def _visible(decision: Decision, user: Any) -> Decision:
    """Re-read the decision in the user's scope (out of scope is 404) and lock it."""
    found = Decision.objects.visible_to(user, Perm.AFFAIRS_VIEW).select_for_update().filter(pk=decision.pk).first()
    if found is None:
        raise NotFound()
    return found


def _today(at: dt.datetime | None = None) -> dt.date:
    return local_date(at or clock.now())


# --- decisions -------------------------------------------------------------------------------------------------


@transaction.atomic
def decision_request(*, acting_user: Any, place: Place, title: str, summary: str, source: str = "",
                     source_ref: str = "", source_url: str = "", now: dt.datetime | None = None) -> Decision:
    """Open a 四议两公开 matter for a village at its first step (村党组织提议). ``source``/``source_ref`` name the
    capability and record that asked for it (its handler registered with ``on_decided`` hears the outcome)."""
    village = village_of(place)
    if village.level != Level.VILLAGE:
        raise ValidationFailed("决策事项须属于一个村/社区。", code="decision_place")
    title = _text(title, "事项名称", TITLE_MAX)
    summary = _text(summary, "事项内容", SUMMARY_MAX)
    source, source_ref = (source or "").strip()[:40], (source_ref or "").strip()[:64]
    at = now or clock.now()
    decision = Decision(village=village, place_path=village.path, title=title, summary=summary, source=source,
                        source_ref=source_ref, source_url=(source_url or "").strip()[:300],
                        requested_by=acting_user, requested_at=at)
    engine.start(decision, "request", acting_user=acting_user, note=summary[:500], now=at)
    return decision


@transaction.atomic
def decision_propose(*, acting_user: Any, decision: Decision, note: str) -> Decision:
    """第一步 村党组织提议: the party organisation puts the matter forward (its proposal in ``note``)."""
    locked = _visible(decision, acting_user)
    engine.transition(locked, "propose", acting_user=acting_user, note=note)
    _copy(locked, decision)
    return decision


def _attendees(kind: str, village: Place, day: dt.date, ids: Iterable[int]) -> tuple[list[Any], int]:
    body = selectors.meeting_body(kind, village, day)
    try:
        wanted = sorted({int(i) for i in ids})
    except (TypeError, ValueError):
        raise ValidationFailed("到会名单有误。", code="attendees")
    found = list(body.filter(pk__in=wanted)) if wanted else []
    if len(found) != len(wanted):
        raise ValidationFailed(f"到会名单中有不属于本次{MeetingKind(kind).label}应到范围的人员或户，请核对。",
                               code="attendee_not_eligible")
    return found, body.count()


@transaction.atomic
def meeting_record(*, acting_user: Any, decision: Decision, kind: str, held_on: dt.date, attendee_ids: Sequence[int],
                   votes_for: int, votes_against: int, votes_abstain: int, minutes: str, venue: str = "",
                   files: Sequence[Any] = (), now: dt.datetime | None = None) -> Meeting:
    """Record a meeting of the step the matter stands at (两委会议, 党员大会, 村民会议或村民代表会议): attendance
    against the registry on the meeting day, the votes, and the quorum and majority of ``quorum.py``. A meeting
    that passes moves the matter to the next step in the same transaction (the resolution also settles the
    outcome and tells the capability that asked); one that fails is kept with why, and the step waits."""
    locked = _visible(decision, acting_user)
    if not acting_user.has_perm_at(Perm.DECISION_MANAGE, locked.place_path):
        from shanzhi.core.errors import PermissionDenied

        raise PermissionDenied("记录决策会议须由本村村干部办理。", code="meeting_forbidden")
    if locked.state not in MEETING_STEPS:
        raise Conflict(f"当前步骤为“{engine.for_case(locked).state_label(locked.state)}”，不需要召开会议。",
                       code="meeting_step")
    if kind not in STEP_KINDS[locked.state]:
        allowed = "、".join(str(MeetingKind(k).label) for k in STEP_KINDS[locked.state])
        raise ValidationFailed(f"本步骤应召开{allowed}。", code="meeting_kind")
    at = now or clock.now()
    if not isinstance(held_on, dt.date):
        raise ValidationFailed("请填写会议日期。", code="held_on")
    if held_on > _today(at):
        raise ValidationFailed("会议日期不能晚于今天（请在会后记录）。", code="held_on_future")
    if held_on < local_date(locked.state_since or locked.requested_at):
        raise ValidationFailed(f"会议日期不能早于进入本步骤的日期（{local_date(locked.state_since):%Y-%m-%d}）：各步骤须依次进行。",
                               code="held_on_order")
    minutes = _text(minutes, "会议记录", MINUTES_MAX)
    venue = _text(venue, "地点", 100, required=False)
    votes = []
    for value, label in ((votes_for, "赞成"), (votes_against, "反对"), (votes_abstain, "弃权")):
        try:
            n = int(value)
        except (TypeError, ValueError):
            raise ValidationFailed(f"{label}票数须为整数。", code="votes")
        if n < 0:
            raise ValidationFailed(f"{label}票数不能为负。", code="votes")
        votes.append(n)
    present, eligible = _attendees(kind, locked.village, held_on, attendee_ids)
    if eligible == 0:
        raise ValidationFailed(f"本村没有登记{MeetingKind(kind).label}的应到人员（请先在人口台账、组织或村民代表名册中登记）。",
                               code="no_body")
    if sum(votes) > len(present):
        raise ValidationFailed(f"表决票数合计 {sum(votes)} 超过实到 {len(present)}。", code="votes_exceed")
    t = quorum.tally(kind, eligible=eligible, present=len(present), votes_for=votes[0], votes_against=votes[1],
                     votes_abstain=votes[2])
    step = locked.state
    meeting = Meeting.objects.create(
        decision=locked, place_path=locked.place_path, step=step, kind=kind, held_on=held_on, venue=venue,
        eligible=t.eligible, present=t.present, votes_for=t.votes_for, votes_against=t.votes_against,
        votes_abstain=t.votes_abstain, quorum_needed=t.quorum_needed, majority_needed=t.majority_needed,
        quorum_met=t.quorum_met, majority_met=t.majority_met, passed=t.passed, explanation=t.explanation,
        minutes=minutes, recorded_by=acting_user, recorded_at=at)
    if kind == MeetingKind.HOUSEHOLDS:
        MeetingAttendance.objects.bulk_create([MeetingAttendance(meeting=meeting, household=h) for h in present])
    else:
        MeetingAttendance.objects.bulk_create([MeetingAttendance(meeting=meeting, person=p) for p in present])
    for f in files:
        from shanzhi.files.services import attachment_create

        attachment_create(acting_user=acting_user, file=f, place_path=locked.place_path, obj=meeting)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="decision_meeting_record", obj=meeting,
                 place_path=locked.place_path,
                 after={"decision": locked.pk, "step": step, "kind": kind, "held_on": held_on, "eligible": t.eligible,
                        "present": t.present, "for": t.votes_for, "against": t.votes_against,
                        "abstain": t.votes_abstain, "passed": t.passed})
    if t.passed:
        engine.transition(locked, MEETING_TRANSITION[step], acting_user=acting_user,
                          note=f"{MeetingKind(kind).label}（{held_on:%Y-%m-%d}）：{t.explanation}"[:500],
                          extra={"meeting": meeting.pk}, now=at)
        if step == RESOLUTION:
            _settle(locked, Outcome.PASSED, at)
    _copy(locked, decision)
    return meeting


def _copy(source: Decision, target: Decision) -> None:
    if source is not target:
        for f in source._meta.concrete_fields:
            setattr(target, f.attname, getattr(source, f.attname))


@transaction.atomic
def decision_reject(*, acting_user: Any, decision: Decision, note: str, now: dt.datetime | None = None) -> Decision:
    """End a matter as not passed after a meeting of its step met the quorum and voted it down; the
    capability that asked is told ``rejected`` in this transaction."""
    locked = _visible(decision, acting_user)
    at = now or clock.now()
    engine.transition(locked, "reject", acting_user=acting_user, note=note, now=at)
    _settle(locked, Outcome.REJECTED, at)
    _copy(locked, decision)
    return decision


def _meeting_lines(decision: Decision) -> list[list[str]]:
    rows = []
    for m in decision.meetings.filter(passed=True).order_by("recorded_at", "id"):
        unit = "户" if m.kind == MeetingKind.HOUSEHOLDS else "人"
        rows.append([f"{m.get_kind_display()}（{m.held_on:%Y-%m-%d}）",
                     f"应到 {m.eligible} {unit}，实到 {m.present} {unit}；赞成 {m.votes_for}，反对 {m.votes_against}，"
                     f"弃权 {m.votes_abstain}；通过。"])
    return rows


def _period(starts_on: dt.date | None, ends_on: dt.date | None, at: dt.datetime) -> tuple[dt.date, dt.date]:
    start = starts_on or _today(at)
    return start, ends_on or (start + dt.timedelta(days=6))


@transaction.atomic
def decision_publish_resolution(*, acting_user: Any, decision: Decision, resolution_text: str,
                                starts_on: dt.date | None = None, ends_on: dt.date | None = None,
                                now: dt.datetime | None = None) -> Decision:
    """第五步 决议公开: publish the resolution with how each step decided it on the village board (publication
    kernel, kind decision_resolution), then move on to 实施结果公开."""
    locked = _visible(decision, acting_user)
    if locked.state != RESOLUTION_PUBLIC:
        raise Conflict(f"当前步骤为“{engine.for_case(locked).state_label(locked.state)}”，不能公开决议。",
                       code="transition_state")
    at = now or clock.now()
    text = _text(resolution_text, "决议内容", TEXT_MAX)
    starts, ends = _period(starts_on, ends_on, at)
    proposal = engine.history(locked).filter(transition="propose").first()
    rows = [["事项", locked.title], ["事项内容", locked.summary[:500]]]
    if proposal:
        rows.append([f"村党组织提议（{proposal.at.astimezone(CHINA):%Y-%m-%d}）", proposal.note])
    rows += _meeting_lines(locked) + [["决议内容", text[:500]]]
    pub = publication_create(acting_user=acting_user, place=locked.village, kind=PublicationKind.DECISION_RESOLUTION,
                             title=f"决议公开：{locked.title}"[:200], columns=["项目", "内容"], rows=rows,
                             starts_on=starts, ends_on=ends)
    locked.resolution_text, locked.resolution_publication = text, pub
    locked.save(update_fields=["resolution_text", "resolution_publication"])
    engine.transition(locked, "publish_resolution", acting_user=acting_user, note=f"公示编号 {pub.public_id}", now=at)
    _copy(locked, decision)
    return decision


@transaction.atomic
def decision_publish_result(*, acting_user: Any, decision: Decision, result_text: str,
                            starts_on: dt.date | None = None, ends_on: dt.date | None = None,
                            now: dt.datetime | None = None) -> Decision:
    """第六步 实施结果公开: publish how the resolution was carried out (kind decision_result); the matter is done."""
    locked = _visible(decision, acting_user)
    if locked.state != RESULT_PUBLIC:
        raise Conflict(f"当前步骤为“{engine.for_case(locked).state_label(locked.state)}”，不能公开实施结果。",
                       code="transition_state")
    at = now or clock.now()
    text = _text(result_text, "实施结果", TEXT_MAX)
    starts, ends = _period(starts_on, ends_on, at)
    rows = [["事项", locked.title], ["决议内容", locked.resolution_text[:500]]]
    if locked.resolution_publication_id:
        rows.append(["决议公开编号", locked.resolution_publication.public_id])
    rows.append(["实施结果", text[:500]])
    pub = publication_create(acting_user=acting_user, place=locked.village, kind=PublicationKind.DECISION_RESULT,
                             title=f"实施结果公开：{locked.title}"[:200], columns=["项目", "内容"], rows=rows,
                             starts_on=starts, ends_on=ends)
    locked.result_text, locked.result_publication = text, pub
    locked.save(update_fields=["result_text", "result_publication"])
    engine.transition(locked, "publish_result", acting_user=acting_user, note=f"公示编号 {pub.public_id}", now=at)
    _copy(locked, decision)
    return decision


@transaction.atomic
def decision_comment(*, acting_user: Any, decision: Decision, text: str) -> Any:
    """监督: the supervisory committee's comment on the matter at whatever step it stands (engine progress note,
    kept in the case history with the step)."""
    locked = _visible(decision, acting_user)
    return engine.note(locked, acting_user=acting_user, note=_text(text, "监督意见", 500))


# --- representatives' roster ----------------------------------------------------------------------------------


@transaction.atomic
def representative_add(*, acting_user: Any, village: Place, person: Person, term_start: dt.date,
                       term_end: dt.date) -> Representative:
    """村民代表名册: add a villager of the village as a representative for a term."""
    if village.level != Level.VILLAGE:
        raise ValidationFailed("村民代表须属于一个村/社区。", code="village")
    _require(acting_user, Perm.DECISION_MANAGE, village.path)
    if not isinstance(term_start, dt.date) or not isinstance(term_end, dt.date):
        raise ValidationFailed("请填写任期开始和结束日期。", code="term")
    if term_end < term_start:
        raise ValidationFailed("任期结束日期不能早于开始日期。", code="term_order")
    if not selectors.villagers(village).filter(pk=person.pk).exists():
        raise ValidationFailed(f"{person.name}不是本村在册村民。", code="not_villager")
    if Representative.objects.filter(village=village, person=person, term_start__lte=term_end,
                                     term_end__gte=term_start).exists():
        raise ValidationFailed(f"{person.name}在该任期内已是村民代表。", code="term_overlap")
    rep = Representative.objects.create(village=village, place_path=village.path, person=person,
                                        term_start=term_start, term_end=term_end, created_by=acting_user)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="representative_add", obj=rep,
                 after={"person": person.pk, "term_start": term_start, "term_end": term_end})
    return rep


@transaction.atomic
def representative_end(*, acting_user: Any, representative: Representative, on: dt.date) -> Representative:
    """End a representative's term early (resigned, moved away): the roster counts them until ``on``."""
    rep = Representative.objects.visible_to(acting_user, Perm.DECISION_MANAGE).select_for_update().filter(
        pk=representative.pk).first()
    if rep is None:
        raise NotFound()
    if not isinstance(on, dt.date) or on < rep.term_start or on > rep.term_end:
        raise ValidationFailed("终止日期须在任期之内。", code="term_end")
    before = {"term_end": rep.term_end}
    rep.term_end = on
    rep.save(update_fields=["term_end"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="representative_end", obj=rep, before=before,
                 after={"term_end": on})
    return rep
