"""Writes of 议事协商 (domain.md A5): topics proposed by villagers or bodies, the six steps, meetings on the
fixed deliberation day or with 3 days' notice, participation in three venues, comments, online votes (one
each, secret or open, in a window, eligibility from the registry), the published result, and the tasks the
outcome became, tracked publicly until done. An unresolved matter may go on as a 四议两公开 decision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.notify.services import notify_users
from shanzhi.people.models import Person
from shanzhi.publication.choices import PublicationKind
from shanzhi.publication.services import new_token, publication_create
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place
from shanzhi.workflow import clock, engine
from shanzhi.workflow.calendar import CHINA, local_date

from . import selectors, services
from .choices import Choice, Eligibility, Participation, ProposerKind, TaskStatus, TopicCategory
from .models import (
    Ballot,
    DeliberationDay,
    TaskProgress,
    Topic,
    TopicComment,
    TopicMeeting,
    TopicParticipant,
    TopicTask,
    VoteRoll,
)
from .workflow import ACCEPTED, DELIBERATING, IMPLEMENTING, PROPOSED, PUBLISHED, REVIEWED

NOTICE_DAYS = 3  # 议事会议至少提前3天通知 (A5)
COMMENT_STATES = (PROPOSED, ACCEPTED, REVIEWED, DELIBERATING)
MEETING_STATES = (ACCEPTED, REVIEWED, DELIBERATING)
_text = services._text


def _today(at: dt.datetime | None = None) -> dt.date:
    return local_date(at or clock.now())


def _visible(topic: Topic, user: Any) -> Topic:
    found = Topic.objects.visible_to(user, Perm.AFFAIRS_VIEW).select_for_update().filter(pk=topic.pk).first()
    if found is None:
        raise NotFound()
    return found


def _manage(user: Any, topic: Topic) -> None:
    if not user.has_perm_at(Perm.DECISION_MANAGE, topic.place_path):
        raise PermissionDenied("此操作须由本村村干部办理。", code="topic_forbidden")


def _copy(source: Topic, target: Topic) -> None:
    if source is not target:
        for f in source._meta.concrete_fields:
            setattr(target, f.attname, getattr(source, f.attname))


def villager_person(user: Any, topic: Topic | None = None) -> Person:
    """The registered person of a villager's account, in the topic's village when one is given."""
    person_id = getattr(user, "person_id", None)
    person = Person.objects.select_related("household").filter(pk=person_id).first() if person_id else None
    if person is None:
        raise PermissionDenied("您的账号未关联人口台账中的本人信息，请联系村干部。", code="no_person")
    if not user.has_perm_at(Perm.TOPIC_PROPOSE, person.place_path):
        raise PermissionDenied("只有本村村民可以参与网上议事。", code="not_villager")
    if topic is not None and not selectors.villagers(topic.village).filter(pk=person.pk).exists():
        raise NotFound()
    return person


# --- proposing and the steps -----------------------------------------------------------------------------------


@transaction.atomic
def topic_propose(*, acting_user: Any, title: str, description: str, category: str = TopicCategory.OTHER,
                  village: Place | None = None, body_name: str = "", now: dt.datetime | None = None) -> Topic:
    """提出议题: a villager for their own village (on the phone), or a cadre for a body of the village (村民议事会,
    村"两委", 党小组…, named in ``body_name``)."""
    title = _text(title, "议题", 200)
    description = _text(description, "议题内容", 4000)
    if category not in TopicCategory.values:
        raise ValidationFailed("请选择议题类别。", code="category")
    at = now or clock.now()
    if village is None:  # a villager
        person = villager_person(acting_user)
        village = selectors.user_village(acting_user)
        if village is None or not acting_user.has_perm_at(Perm.TOPIC_PROPOSE, person.place_path):
            raise PermissionDenied("只有本村村民可以提出议题。", code="topic_forbidden")
        kind, body_name = ProposerKind.VILLAGER, ""
    else:
        if village.level != Level.VILLAGE:
            raise ValidationFailed("议题须属于一个村/社区。", code="village")
        if not acting_user.has_perm_at(Perm.DECISION_MANAGE, village.path):
            raise NotFound()
        body_name = _text(body_name, "提出组织", 100)
        kind = ProposerKind.BODY
    topic = Topic(village=village, place_path=village.path, public_id=new_token(), title=title,
                  description=description, category=category, proposer_kind=kind, proposer=acting_user,
                  body_name=body_name, proposed_at=at)
    if kind == ProposerKind.VILLAGER:
        topic._proposer_path = person.place_path
    engine.start(topic, "propose", acting_user=acting_user, now=at)
    return topic


@transaction.atomic
def topic_step(*, acting_user: Any, topic: Topic, transition: str, note: str = "") -> Topic:
    """确定议题 / 不予立项 / 办结: the plain steps (the others have their own services)."""
    if transition not in ("accept", "decline", "close"):
        raise ValidationFailed("没有这项操作。", code="transition_unknown")
    locked = _visible(topic, acting_user)
    engine.transition(locked, transition, acting_user=acting_user, note=note)
    if transition in ("accept", "decline"):
        verb = "已确定为议题" if transition == "accept" else f"不予立项：{note}"
        transaction.on_commit(lambda: notify_users(users=[locked.proposer], title=f"您提出的议题“{locked.title}”{verb}",
                                                   link=reverse("affairs_my_topic", args=[locked.pk])))
    _copy(locked, topic)
    return topic


@transaction.atomic
def topic_review(*, acting_user: Any, topic: Topic, eligibility: str, secret: bool, vote_opens_at: dt.datetime,
                 vote_closes_at: dt.datetime, note: str = "", now: dt.datetime | None = None) -> Topic:
    """内容审定: settle the wording and how it will be voted: who may vote (registry), secret or open, the window."""
    locked = _visible(topic, acting_user)
    _manage(acting_user, locked)
    if eligibility not in Eligibility.values:
        raise ValidationFailed("请选择表决范围。", code="eligibility")
    at = now or clock.now()
    if not isinstance(vote_opens_at, dt.datetime) or not isinstance(vote_closes_at, dt.datetime):
        raise ValidationFailed("请填写投票开始和截止时间。", code="window")
    if vote_closes_at <= vote_opens_at:
        raise ValidationFailed("投票截止时间须晚于开始时间。", code="window_order")
    if vote_closes_at <= at:
        raise ValidationFailed("投票截止时间须晚于现在。", code="window_past")
    locked.eligibility, locked.secret = eligibility, bool(secret)
    locked.vote_opens_at, locked.vote_closes_at = vote_opens_at, vote_closes_at
    locked.save(update_fields=["eligibility", "secret", "vote_opens_at", "vote_closes_at"])
    engine.transition(locked, "review", acting_user=acting_user, now=at,
                      note=(note or f"表决范围：{locked.get_eligibility_display()}；{'无记名' if secret else '记名'}投票")[:500])
    _copy(locked, topic)
    return topic


def _tell_village(topic: Topic, title: str) -> None:
    """After the commit, an inbox message to every villager of the topic's village who has an account linked
    to the registry (the meeting notice and the vote's opening reach them on their phones)."""
    from django.contrib.auth import get_user_model

    village_path, link = topic.village.path, reverse("affairs_my_topic", args=[topic.pk])

    def send() -> None:
        users = get_user_model().objects.filter(is_active=True, person__place_path__prefix=village_path).exclude(
            person__residence_status__in=("moved_out", "deceased"))
        notify_users(users=users.iterator(), title=title, link=link)

    transaction.on_commit(send)


@transaction.atomic
def topic_deliberate(*, acting_user: Any, topic: Topic, now: dt.datetime | None = None) -> Topic:
    """协商议事: open the deliberation (meetings, comments, the vote in its window); the village is told. A vote
    window that has already closed is refused here: the vote could then never be held."""
    locked = _visible(topic, acting_user)
    at = now or clock.now()
    if locked.vote_closes_at and locked.vote_closes_at <= at:
        raise ValidationFailed(f"投票截止时间（{local_date(locked.vote_closes_at):%Y-%m-%d}）已过，"
                               "请退回内容审定重新设定投票时间。", code="vote_window_past")
    engine.transition(locked, "deliberate", acting_user=acting_user, now=now)
    _copy(locked, topic)
    if locked.vote_closes_at:
        _tell_village(locked, f"议题“{locked.title}”开始协商议事，请在截止前投票")
    else:
        _tell_village(locked, f"议题“{locked.title}”开始协商议事，欢迎发表意见")
    return topic


# --- meetings ------------------------------------------------------------------------------------------------


@transaction.atomic
def deliberation_day_set(*, acting_user: Any, village: Place, day_of_month: int) -> DeliberationDay:
    """固定议事日: the village's monthly deliberation day (1–28, so every month has it)."""
    if village.level != Level.VILLAGE or not acting_user.has_perm_at(Perm.DECISION_MANAGE, village.path):
        raise NotFound()
    try:
        day = int(day_of_month)
    except (TypeError, ValueError):
        raise ValidationFailed("议事日须为 1–28 之间的整数。", code="day")
    if not 1 <= day <= 28:
        raise ValidationFailed("议事日须为 1–28 之间的整数。", code="day")
    row, _ = DeliberationDay.objects.update_or_create(village=village, defaults={"place_path": village.path,
                                                                                 "day_of_month": day})
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="deliberation_day_set", obj=row,
                 after={"day_of_month": day})
    return row


def earliest_meeting(village: Place, today: dt.date) -> tuple[dt.date, int | None]:
    """The earliest date a meeting may be called for: the fixed day if it comes first, else today + 3."""
    fixed = DeliberationDay.objects.filter(village=village).values_list("day_of_month", flat=True).first()
    earliest = today + dt.timedelta(days=NOTICE_DAYS)
    if fixed:
        d = today
        while d < earliest:
            if d.day == fixed:
                return d, fixed
            d += dt.timedelta(days=1)
    return earliest, fixed


@transaction.atomic
def topic_meeting_call(*, acting_user: Any, topic: Topic, held_on: dt.date, venue: str = "",
                       now: dt.datetime | None = None) -> TopicMeeting:
    """召集议事会议: on the village's fixed deliberation day, or with at least 3 days' notice (refused otherwise,
    with the earliest allowed date). The village's villagers are told (inbox)."""
    locked = _visible(topic, acting_user)
    _manage(acting_user, locked)
    if locked.state not in MEETING_STATES:
        raise Conflict(f"当前步骤为“{engine.for_case(locked).state_label(locked.state)}”，不能召集议事会议。",
                       code="meeting_state")
    if not isinstance(held_on, dt.date):
        raise ValidationFailed("请填写会议日期。", code="held_on")
    today = _today(now)
    earliest, fixed = earliest_meeting(locked.village, today)
    on_fixed = bool(fixed and held_on.day == fixed and held_on >= today)
    if not on_fixed and (held_on - today).days < NOTICE_DAYS:
        fixed_text = f"本村固定议事日为每月{fixed}日；" if fixed else "本村未设固定议事日；"
        raise ValidationFailed(f"议事会议须在固定议事日召开或至少提前{NOTICE_DAYS}天通知。{fixed_text}"
                               f"最早可定于 {earliest:%Y-%m-%d}。", code="notice")
    meeting = TopicMeeting.objects.create(topic=locked, place_path=locked.place_path, held_on=held_on, called_on=today,
                                          on_fixed_day=on_fixed, venue=_text(venue, "地点", 100, required=False),
                                          called_by=acting_user)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="topic_meeting_call", obj=meeting,
                 place_path=locked.place_path, after={"topic": locked.pk, "held_on": held_on, "fixed": on_fixed})
    _tell_village(locked, f"议事会议通知：{held_on:%Y年%m月%d日}"
                          f"{'在' + meeting.venue if meeting.venue else ''}议“{locked.title}”")
    return meeting


@transaction.atomic
def topic_meeting_record(*, acting_user: Any, meeting: TopicMeeting, participants: Sequence[tuple[int, str]],
                         summary: str, now: dt.datetime | None = None) -> TopicMeeting:
    """Record who took part (本地村 in person, 外地村 remote, 网上村 online) and the summary, after the meeting."""
    locked = _visible(meeting.topic, acting_user)
    _manage(acting_user, locked)
    if locked.state not in MEETING_STATES:
        raise Conflict(f"当前步骤为“{engine.for_case(locked).state_label(locked.state)}”，议事会议的参会情况已不能更改。",
                       code="meeting_state")
    meeting = TopicMeeting.objects.select_for_update().get(pk=meeting.pk, topic=locked)
    if meeting.held_on > _today(now):
        raise ValidationFailed("会议尚未召开，会后再记录参会情况。", code="not_yet")
    summary = _text(summary, "会议纪要", 8000)
    wanted: dict[int, str] = {}
    for pid, mode in participants:
        if mode not in Participation.values:
            raise ValidationFailed("参会方式无效。", code="mode")
        try:
            wanted[int(pid)] = mode
        except (TypeError, ValueError):
            raise ValidationFailed("参会人员有误。", code="participants")
    found = set(selectors.villagers(locked.village).filter(pk__in=list(wanted)).values_list("pk", flat=True))
    if len(found) != len(wanted):
        raise ValidationFailed("参会人员须为本村在册村民。", code="participants")
    meeting.participants.all().delete()
    TopicParticipant.objects.bulk_create([TopicParticipant(meeting=meeting, person_id=p, mode=m)
                                          for p, m in wanted.items()])
    meeting.summary = summary
    meeting.save(update_fields=["summary"])
    counts = {m: list(wanted.values()).count(m) for m in Participation.values}
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="topic_meeting_record", obj=meeting,
                 place_path=locked.place_path, after={"participants": counts})
    return meeting


# --- comments and votes ----------------------------------------------------------------------------------------


@transaction.atomic
def topic_comment(*, acting_user: Any, topic: Topic, text: str, now: dt.datetime | None = None) -> TopicComment:
    """议事意见 online: a villager of the village or a cadre, while the topic is open for deliberation."""
    text = _text(text, "意见", 1000)
    if acting_user.has_perm_at(Perm.DECISION_MANAGE, topic.place_path):
        locked, name = _visible(topic, acting_user), acting_user.display_name
    else:
        person = villager_person(acting_user, topic)
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        name = person.name
    if locked.state not in COMMENT_STATES:
        raise Conflict("该议题已不再征集意见。", code="comment_state")
    c = TopicComment.objects.create(topic=locked, place_path=locked.place_path, author=acting_user,
                                    author_name=name[:50], text=text, created_at=now or clock.now())
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="topic_comment", obj=c, place_path=locked.place_path,
                 after={"topic": locked.pk})
    return c


def vote_refusal(topic: Topic, person: Person | None, at: dt.datetime) -> str:
    """Why this person may not vote now ("" when they may): the state, the window, eligibility, a vote already
    cast (by them, or by their household when it is one vote per household)."""
    if topic.state != DELIBERATING or topic.vote_opens_at is None:
        return "该议题当前不在投票阶段。"
    if at < topic.vote_opens_at:
        return f"投票尚未开始（{topic.vote_opens_at.astimezone(CHINA):%Y-%m-%d %H:%M} 开始）。"
    if at >= topic.vote_closes_at:
        return f"投票已于 {topic.vote_closes_at.astimezone(CHINA):%Y-%m-%d %H:%M} 截止。"
    if person is None or not selectors.topic_electorate(topic, _today(at)).filter(pk=person.pk).exists():
        return f"您不在本议题的表决范围内（{topic.get_eligibility_display()}）。"
    if VoteRoll.objects.filter(topic=topic, person=person).exists():
        return "您已经投过票，每人只能投一次。"
    if topic.eligibility == Eligibility.HOUSEHOLDS and VoteRoll.objects.filter(
            topic=topic, household_id=person.household_id).exists():
        return "您家已有家庭成员投票（每户一票）。"
    return ""


@transaction.atomic
def topic_vote(*, acting_user: Any, topic: Topic, choice: str, now: dt.datetime | None = None) -> None:
    """网上投票: one vote per eligible person (or household), within the window. The topic row is locked so votes
    are counted one at a time, and the roll's unique constraints refuse a second vote even so. A secret ballot
    keeps no link to the voter (random key, no time); the roll keeps who voted, never how."""
    if choice not in Choice.values:
        raise ValidationFailed("请选择赞成、反对或弃权。", code="choice")
    person = villager_person(acting_user)
    if not selectors.villagers(topic.village).filter(pk=person.pk).exists():
        raise NotFound()
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    at = now or clock.now()
    refusal = vote_refusal(locked, person, at)
    if refusal:
        raise Conflict(refusal, code="vote_refused")
    household = person.household_id if locked.eligibility == Eligibility.HOUSEHOLDS else None
    try:
        with transaction.atomic():
            VoteRoll.objects.create(topic=locked, person=person, household_id=household, voted_at=at)
    except IntegrityError:
        raise Conflict("您（或您家）已经投过票。", code="vote_twice")
    Ballot.objects.create(topic=locked, choice=choice, voter=None if locked.secret else person)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="topic_vote", obj=locked,
                 place_path=locked.place_path,
                 after={"voted": True, **({} if locked.secret else {"choice": choice})})


# --- result, tasks, decision ----------------------------------------------------------------------------------


def public_url(topic: Topic) -> str:
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}{reverse('affairs_topic_public', args=[topic.public_id])}"


@transaction.atomic
def topic_publish_result(*, acting_user: Any, topic: Topic, conclusion: str, starts_on: dt.date | None = None,
                         ends_on: dt.date | None = None, now: dt.datetime | None = None) -> Topic:
    """公开公示: after the vote closes, publish the vote, the meetings' participation and the conclusion on the
    village board (kind topic_result), with the address of the page where the tasks are followed."""
    locked = _visible(topic, acting_user)
    _manage(acting_user, locked)
    at = now or clock.now()
    if locked.state != DELIBERATING:
        raise Conflict(f"当前步骤为“{engine.for_case(locked).state_label(locked.state)}”，不能公示结果。",
                       code="transition_state")
    if locked.vote_closes_at is None or locked.vote_closes_at > at:
        raise Conflict("投票尚未截止，不能公示结果。", code="vote_open")
    conclusion = _text(conclusion, "议事结论", 4000)
    r = selectors.topic_results(locked)
    electorate = selectors.topic_electorate(locked, local_date(locked.vote_closes_at))
    eligible = (electorate.values("household_id").distinct().count() if locked.eligibility == Eligibility.HOUSEHOLDS
                else electorate.count())
    unit = "户" if locked.eligibility == Eligibility.HOUSEHOLDS else "人"
    rows = [["议题", locked.title], ["内容", locked.description[:500]],
            ["表决范围", str(locked.get_eligibility_display())], ["投票方式", "无记名投票" if locked.secret else "记名投票"],
            ["投票时间", f"{locked.vote_opens_at.astimezone(CHINA):%Y-%m-%d %H:%M} 至 "
                     f"{locked.vote_closes_at.astimezone(CHINA):%Y-%m-%d %H:%M}"],
            ["表决结果", f"应投 {eligible} {unit}，实投 {r['total']}；赞成 {r['for']}，反对 {r['against']}，弃权 {r['abstain']}"]]
    for m in locked.meetings.order_by("held_on", "id"):
        modes = dict.fromkeys(Participation.values, 0)
        for mode in m.participants.values_list("mode", flat=True):
            modes[mode] += 1
        rows.append([f"议事会议（{m.held_on:%Y-%m-%d}{'，固定议事日' if m.on_fixed_day else ''}）",
                     "；".join(f"{Participation(k).label} {v} 人" for k, v in modes.items())])
    rows += [["议事结论", conclusion[:500]], ["落实情况查询", public_url(locked)]]
    starts = starts_on or _today(at)
    pub = publication_create(acting_user=acting_user, place=locked.village, kind=PublicationKind.TOPIC_RESULT,
                             title=f"议事结果公示：{locked.title}"[:200], columns=["项目", "内容"], rows=rows,
                             starts_on=starts, ends_on=ends_on or starts + dt.timedelta(days=6))
    locked.conclusion, locked.publication = conclusion, pub
    locked.save(update_fields=["conclusion", "publication"])
    engine.transition(locked, "publish", acting_user=acting_user, note=f"公示编号 {pub.public_id}", now=at)
    _copy(locked, topic)
    return topic


@transaction.atomic
def task_add(*, acting_user: Any, topic: Topic, title: str, owner: str, deadline: dt.date,
             now: dt.datetime | None = None) -> TopicTask:
    """研究落实: an outcome becomes a task with an owner and a deadline; the first one moves the topic on."""
    locked = _visible(topic, acting_user)
    _manage(acting_user, locked)
    if locked.state not in (PUBLISHED, IMPLEMENTING):
        raise Conflict("议事结果公示后才能登记落实任务。", code="task_state")
    if not isinstance(deadline, dt.date):
        raise ValidationFailed("请填写完成时限。", code="deadline")
    if deadline < _today(now):
        raise ValidationFailed("完成时限不能早于今天。", code="deadline_past")
    task = TopicTask.objects.create(topic=locked, place_path=locked.place_path, title=_text(title, "任务", 200),
                                    owner=_text(owner, "责任人/责任单位", 60), deadline=deadline, created_by=acting_user)
    if locked.state == PUBLISHED:
        engine.transition(locked, "implement", acting_user=acting_user, note=f"落实任务：{task.title}"[:500], now=now)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="topic_task_add", obj=task,
                 after={"topic": locked.pk, "owner": task.owner, "deadline": deadline})
    _copy(locked, topic)
    return task


@transaction.atomic
def task_progress(*, acting_user: Any, task: TopicTask, text: str, done: bool = False,
                  now: dt.datetime | None = None) -> TaskProgress:
    """落实进展: a progress update, shown on the public page; ``done`` completes the task."""
    locked = _visible(task.topic, acting_user)
    _manage(acting_user, locked)
    task = TopicTask.objects.select_for_update().get(pk=task.pk, topic=locked)
    if task.status == TaskStatus.DONE:
        raise Conflict("该任务已完成。", code="task_done")
    at = now or clock.now()
    row = TaskProgress.objects.create(task=task, text=_text(text, "进展", 500), by=acting_user, at=at)
    if done:
        task.status, task.done_at = TaskStatus.DONE, at
        task.save(update_fields=["status", "done_at"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="topic_task_progress", obj=task,
                 after={"text": row.text, "done": bool(done)})
    return row


@transaction.atomic
def topic_to_decision(*, acting_user: Any, topic: Topic) -> Any:
    """未决事项: a matter the deliberation could not settle goes to 四议两公开 (and so to the villagers'
    (representatives') meeting) as a Decision linked to the topic."""
    locked = _visible(topic, acting_user)
    _manage(acting_user, locked)
    if locked.decision_id:
        raise Conflict("该议题已转入决策程序。", code="already")
    if locked.state not in (REVIEWED, DELIBERATING, PUBLISHED, IMPLEMENTING):
        raise Conflict("议题经内容审定后才能转入决策程序。", code="topic_state")
    decision = services.decision_request(
        acting_user=acting_user, place=locked.village, title=locked.title,
        summary=f"{locked.description}\n（由议事协商议题转入：{locked.conclusion or '协商未决'}）"[:4000],
        source="affairs.topic", source_ref=str(locked.pk), source_url=reverse("affairs_topic", args=[locked.pk]))
    locked.decision = decision
    locked.save(update_fields=["decision"])
    _copy(locked, topic)
    return decision
