"""议事协商 (A5): proposing, steps, notice, participation, comments, one vote each in the window, secret
ballots, the published result, tasks tracked publicly, an unresolved matter going on as a decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.timezone import now

from shanzhi.affairs import selectors, topics
from shanzhi.affairs.models import Ballot, VoteRoll
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.workflow.calendar import local_date

pytestmark = pytest.mark.django_db


def _open_vote(w, *, eligibility="adults", secret=True):
    t = topics.topic_propose(acting_user=w.va, title="修建村口路灯", description="村口到学校一段没有路灯，晚上不安全。",
                             category="public_works")
    topics.topic_step(acting_user=w.cadre, topic=t, transition="accept")
    at = now()
    topics.topic_review(acting_user=w.cadre, topic=t, eligibility=eligibility, secret=secret,
                        vote_opens_at=at - dt.timedelta(minutes=1), vote_closes_at=at + dt.timedelta(days=3))
    topics.topic_deliberate(acting_user=w.cadre, topic=t)
    return t


def test_villager_proposes_and_steps_run_in_order(villagers):
    w = villagers
    t = topics.topic_propose(acting_user=w.va, title="整治村内垃圾点", description="东头垃圾点常年堆放。")
    assert t.state == "proposed" and t.village == w.v and t.proposer_kind == "villager"
    with pytest.raises(Conflict):  # steps out of order
        topics.topic_deliberate(acting_user=w.cadre, topic=t)
    with pytest.raises(NotFound):  # a villager does not run the steps (staff pages are not theirs)
        topics.topic_step(acting_user=w.va, topic=t, transition="accept")
    with pytest.raises(PermissionDenied):  # the township sees, the village runs
        topics.topic_step(acting_user=w.township, topic=t, transition="accept")
    with pytest.raises(NotFound):
        topics.topic_step(acting_user=w.cadre_v2, topic=t, transition="accept")
    topics.topic_step(acting_user=w.cadre, topic=t, transition="accept")
    assert t.state == "accepted"
    # a villager of another village neither sees nor comments on it
    assert selectors.topics_for_villager(user=w.vother).count() == 0
    with pytest.raises(NotFound):
        topics.topic_comment(acting_user=w.vother, topic=t, text="x")
    topics.topic_comment(acting_user=w.vb, topic=t, text="同意，建议设分类垃圾桶。")
    assert [c.author_name for c in selectors.topic_comments(t)] == [w.p_b.name]


def test_meeting_needs_fixed_day_or_three_days_notice(villagers):
    w = villagers
    t = topics.topic_propose(acting_user=w.cadre, village=w.v, title="议题", description="内容", body_name="村民议事会")
    topics.topic_step(acting_user=w.cadre, topic=t, transition="accept")
    today = local_date(now())
    with pytest.raises(ValidationFailed, match=f"最早可定于 {today + dt.timedelta(days=3):%Y-%m-%d}"):
        topics.topic_meeting_call(acting_user=w.cadre, topic=t, held_on=today + dt.timedelta(days=2))
    m = topics.topic_meeting_call(acting_user=w.cadre, topic=t, held_on=today + dt.timedelta(days=3))
    assert not m.on_fixed_day
    fixed = (today + dt.timedelta(days=1))
    if fixed.day > 28:
        fixed = today  # the fixed day must exist every month; today then
    if fixed.day <= 28:
        topics.deliberation_day_set(acting_user=w.cadre, village=w.v, day_of_month=fixed.day)
        m2 = topics.topic_meeting_call(acting_user=w.cadre, topic=t, held_on=fixed)
        assert m2.on_fixed_day
    # participation in three venues, recorded after the meeting (a meeting held today)
    if fixed.day <= 28 and fixed == today:
        meeting = m2
    else:
        topics.deliberation_day_set(acting_user=w.cadre, village=w.v, day_of_month=min(today.day, 28))
        meeting = topics.topic_meeting_call(acting_user=w.cadre, topic=t, held_on=today) if today.day <= 28 else None
    if meeting is not None:
        topics.topic_meeting_record(acting_user=w.cadre, meeting=meeting, summary="议定方案。", participants=[
            (w.p_a.pk, "in_person"), (w.p_b.pk, "remote"), (w.p_a2.pk, "online")])
        assert sorted(meeting.participants.values_list("mode", flat=True)) == ["in_person", "online", "remote"]
        with pytest.raises(ValidationFailed, match="本村在册村民"):
            topics.topic_meeting_record(acting_user=w.cadre, meeting=meeting, summary="x",
                                        participants=[(w.p_other.pk, "online")])


def test_one_vote_each_in_window_secret(villagers):
    w = villagers
    t = _open_vote(w)
    topics.topic_vote(acting_user=w.va, topic=t, choice="for")
    topics.topic_vote(acting_user=w.vb, topic=t, choice="against")
    with pytest.raises(Conflict, match="已经投过票"):
        topics.topic_vote(acting_user=w.va, topic=t, choice="against")
    with pytest.raises(Conflict, match="不在本议题的表决范围"):
        topics.topic_vote(acting_user=w.vchild, topic=t, choice="for")
    with pytest.raises(NotFound):
        topics.topic_vote(acting_user=w.vother, topic=t, choice="for")
    with pytest.raises(Conflict, match="截止"):
        topics.topic_vote(acting_user=w.va2, topic=t, choice="for", now=t.vote_closes_at + dt.timedelta(seconds=1))
    assert VoteRoll.objects.filter(topic=t).count() == 2
    assert not Ballot.objects.filter(topic=t, voter__isnull=False).exists()  # secret: no voter on a ballot
    assert selectors.topic_results(t) == {"for": 1, "against": 1, "abstain": 0, "total": 2}
    with pytest.raises(Conflict, match="投票尚未截止"):
        topics.topic_publish_result(acting_user=w.cadre, topic=t, conclusion="x")


def test_one_vote_per_household_and_open_ballot(villagers):
    w = villagers
    t = _open_vote(w, eligibility="households", secret=False)
    topics.topic_vote(acting_user=w.va, topic=t, choice="for")
    with pytest.raises(Conflict, match="每户一票"):
        topics.topic_vote(acting_user=w.va2, topic=t, choice="for")
    assert Ballot.objects.get(topic=t).voter == w.p_a


def test_result_published_tasks_tracked_and_decision(villagers, client):
    w = villagers
    t = _open_vote(w)
    topics.topic_vote(acting_user=w.va, topic=t, choice="for")
    topics.topic_vote(acting_user=w.vb, topic=t, choice="for")
    topics.topic_publish_result(acting_user=w.cadre, topic=t, conclusion="同意安装路灯 12 盏。",
                                now=t.vote_closes_at + dt.timedelta(seconds=1))
    assert t.state == "published" and t.publication.kind == "topic_result"
    assert "赞成 2" in t.publication.canonical_text
    with pytest.raises(Conflict, match="不能“办结”"):  # no task yet: the topic is not at 研究落实
        topics.topic_step(acting_user=w.cadre, topic=t, transition="close")
    task = topics.task_add(acting_user=w.cadre, topic=t, title="采购安装路灯", owner="村委会 王主任",
                           deadline=local_date(now()) + dt.timedelta(days=30))
    assert t.state == "implementing"
    topics.task_progress(acting_user=w.cadre, task=task, text="已完成采购")
    page = client.get(f"/affairs/t/{t.public_id}/")
    assert page.status_code == 200 and "已完成采购" in page.content.decode() and "落实中" in page.content.decode()
    with pytest.raises(Conflict, match="未完成"):
        topics.topic_step(acting_user=w.cadre, topic=t, transition="close")
    topics.task_progress(acting_user=w.cadre, task=task, text="12 盏路灯已安装", done=True)
    topics.topic_step(acting_user=w.cadre, topic=t, transition="close")
    assert t.state == "closed"
    assert "已完成" in client.get(f"/affairs/t/{t.public_id}/").content.decode()


def test_unresolved_topic_goes_to_decision(villagers):
    w = villagers
    t = _open_vote(w)
    d = topics.topic_to_decision(acting_user=w.cadre, topic=t)
    assert d.state == "proposal" and d.source == "affairs.topic" and t.decision == d
    with pytest.raises(Conflict):
        topics.topic_to_decision(acting_user=w.cadre, topic=t)


def test_vote_before_window_and_home_items(villagers):
    from shanzhi.affairs.home import home_items

    w = villagers
    t = _open_vote(w)
    with pytest.raises(Conflict, match="尚未开始"):
        topics.topic_vote(acting_user=w.vb, topic=t, choice="for", now=t.vote_opens_at - dt.timedelta(minutes=1))
    titles = {i.title: i.count for i in home_items(w.va)}
    assert titles == {"正在投票、等您表决的议题": 1}
    topics.topic_vote(acting_user=w.va, topic=t, choice="for")
    assert home_items(w.va) == []
    assert home_items(w.vchild) == []  # not in the electorate: nothing to do
    topics.topic_propose(acting_user=w.vb, title="新议题", description="内容")
    cadre_items = {i.title: i.count for i in home_items(w.cadre)}
    assert cadre_items.get("村民提出的议题待确定") == 1
    assert home_items(w.cadre_v2) == []


def test_village_told_of_vote_and_meeting_window_checked_record_frozen(villagers, django_capture_on_commit_callbacks):
    """Opening deliberation and calling a meeting reach the village's villagers' inboxes (not another village's);
    a vote window already past cannot open; a meeting's participation cannot be rewritten once the result is out."""
    from shanzhi.notify.models import Message

    w = villagers
    with django_capture_on_commit_callbacks(execute=True):
        t = _open_vote(w)
    told = set(Message.objects.filter(title__contains="修建村口路灯").values_list("recipient_id", flat=True))
    assert {w.va.pk, w.vb.pk} <= told and w.vother.pk not in told
    today = local_date(now())
    with django_capture_on_commit_callbacks(execute=True):
        meeting = topics.topic_meeting_call(acting_user=w.cadre, topic=t, held_on=today + dt.timedelta(days=3),
                                            venue="村委会议室")
    assert Message.objects.filter(recipient=w.va, title__startswith="议事会议通知").exists()

    late = topics.topic_propose(acting_user=w.va, title="整修村东水渠", description="水渠淤堵。")
    topics.topic_step(acting_user=w.cadre, topic=late, transition="accept")
    at = now()
    topics.topic_review(acting_user=w.cadre, topic=late, eligibility="adults", secret=True,
                        vote_opens_at=at - dt.timedelta(minutes=1), vote_closes_at=at + dt.timedelta(hours=1))
    with pytest.raises(ValidationFailed, match="投票截止时间"):
        topics.topic_deliberate(acting_user=w.cadre, topic=late, now=at + dt.timedelta(hours=2))
    late.refresh_from_db()
    assert late.state == "reviewed"

    topics.topic_vote(acting_user=w.va, topic=t, choice="for")
    topics.topic_publish_result(acting_user=w.cadre, topic=t, conclusion="同意。",
                                now=t.vote_closes_at + dt.timedelta(seconds=1))
    with pytest.raises(Conflict, match="参会情况已不能更改"):
        topics.topic_meeting_record(acting_user=w.cadre, meeting=meeting, summary="改写", participants=[],
                                    now=t.vote_closes_at + dt.timedelta(days=5))
