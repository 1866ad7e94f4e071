"""四议两公开 (A2): the steps in order, meetings with quorum and majority, supervision, publication, the api."""

from __future__ import annotations

import pytest

from shanzhi.affairs import api, selectors, services
from shanzhi.affairs.choices import MeetingKind
from shanzhi.affairs.models import Decision, Meeting
from shanzhi.affairs.quorum import tally
from shanzhi.affairs.testing import walk_decision
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.publication.models import Publication
from shanzhi.workflow.calendar import local_date

pytestmark = pytest.mark.django_db


def _ids(qs):
    return list(qs.order_by("pk").values_list("pk", flat=True))


def test_quorum_arithmetic():
    t = tally(MeetingKind.PARTY_CONGRESS, eligible=9, present=6, votes_for=5, votes_against=1, votes_abstain=0)
    assert (t.quorum_needed, t.majority_needed, t.passed) == (6, 5, True)
    t = tally(MeetingKind.PARTY_CONGRESS, eligible=9, present=5, votes_for=5, votes_against=0, votes_abstain=0)
    assert not t.quorum_met and not t.passed and "不足法定人数" in t.explanation
    t = tally(MeetingKind.PARTY_CONGRESS, eligible=9, present=9, votes_for=4, votes_against=5, votes_abstain=0)
    assert t.quorum_met and not t.majority_met  # more than half of the 9 members must approve
    t = tally(MeetingKind.REPRESENTATIVES, eligible=6, present=4, votes_for=3, votes_against=1, votes_abstain=0)
    assert (t.quorum_needed, t.majority_needed, t.passed) == (4, 3, True)  # half of those present
    t = tally(MeetingKind.VILLAGERS, eligible=100, present=50, votes_for=50, votes_against=0, votes_abstain=0)
    assert not t.quorum_met  # more than half of adults
    t = tally(MeetingKind.HOUSEHOLDS, eligible=30, present=20, votes_for=11, votes_against=9, votes_abstain=0)
    assert t.passed and "户" in t.explanation


def _request(w, **kw):
    return api.decision_request(acting_user=w.cadre, place=w.v, title="村道硬化工程", summary="硬化村东道路 1.2 公里，预算 30 万元。",
                                source=kw.get("source", ""), source_ref=kw.get("ref", ""))


def test_full_procedure_with_failed_quorum_and_publications(village):
    w = village
    d = _request(w)
    assert d.state == "proposal" and api.decision_outcome(d.pk) == "pending"
    # steps out of order are refused: no meeting before the proposal, no jumping to the resolution
    with pytest.raises(Conflict, match="不需要召开会议"):
        services.meeting_record(acting_user=w.cadre, decision=d, kind=MeetingKind.TWO_COMMITTEES, held_on=local_date(d.requested_at),
                                attendee_ids=[], votes_for=0, votes_against=0, votes_abstain=0, minutes="x")
    with pytest.raises(Conflict):
        services.decision_publish_resolution(acting_user=w.cadre, decision=d, resolution_text="x")
    with pytest.raises(ValidationFailed, match="须填写"):
        services.decision_propose(acting_user=w.cadre, decision=d, note="")
    services.decision_propose(acting_user=w.cadre, decision=d, note="党支部提议硬化村东道路。")
    today = local_date(d.state_since)
    body = _ids(selectors.two_committee_members(w.v, today))
    assert len(body) == 5
    with pytest.raises(ValidationFailed, match="本步骤应召开"):
        services.meeting_record(acting_user=w.cadre, decision=d, kind=MeetingKind.PARTY_CONGRESS, held_on=today,
                                attendee_ids=body, votes_for=5, votes_against=0, votes_abstain=0, minutes="x")
    services.meeting_record(acting_user=w.cadre, decision=d, kind=MeetingKind.TWO_COMMITTEES, held_on=today,
                            attendee_ids=body, votes_for=5, votes_against=0, votes_abstain=0, minutes="两委一致同意。")
    assert d.state == "party_review"
    # 党员大会 with 5 of 9 present: recorded, fails its quorum, the step waits
    members = _ids(selectors.party_members(w.v))
    m = services.meeting_record(acting_user=w.cadre, decision=d, kind=MeetingKind.PARTY_CONGRESS, held_on=today,
                                attendee_ids=members[:5], votes_for=5, votes_against=0, votes_abstain=0, minutes="到会不足")
    assert not m.passed and not m.quorum_met and (m.eligible, m.present, m.quorum_needed) == (9, 5, 6)
    d.refresh_from_db()
    assert d.state == "party_review"
    with pytest.raises(Conflict):  # a failed quorum is no vote: the matter cannot be ended on it
        services.decision_reject(acting_user=w.cadre, decision=d, note="x")
    # held again: 7 present, 6 approve
    m2 = services.meeting_record(acting_user=w.cadre, decision=d, kind=MeetingKind.PARTY_CONGRESS, held_on=today,
                                 attendee_ids=members[:7], votes_for=6, votes_against=1, votes_abstain=0, minutes="再次召开")
    assert m2.passed and d.state == "resolution"
    assert m2.attendance.count() == 7
    # supervisory comment at this step; a cadre cannot write one
    services.decision_comment(acting_user=w.supervisor, decision=d, text="已列席党员大会，程序合规。")
    with pytest.raises(PermissionDenied):
        services.decision_comment(acting_user=w.cadre, decision=d, text="x")
    reps = _ids(selectors.representatives(w.v, today))
    services.meeting_record(acting_user=w.cadre, decision=d, kind=MeetingKind.REPRESENTATIVES, held_on=today,
                            attendee_ids=reps, votes_for=5, votes_against=1, votes_abstain=0, minutes="代表会议通过")
    assert d.state == "resolution_public" and api.decision_outcome(d.pk) == "passed"
    services.decision_publish_resolution(acting_user=w.cadre, decision=d, resolution_text="同意硬化村东道路。")
    services.decision_publish_result(acting_user=w.cadre, decision=d, result_text="道路已完工并验收。")
    d.refresh_from_db()
    assert d.state == "done"
    pubs = Publication.objects.filter(pk__in=[d.resolution_publication_id, d.result_publication_id])
    assert sorted(pubs.values_list("kind", flat=True)) == ["decision_resolution", "decision_result"]
    text = d.resolution_publication.canonical_text
    assert "党员大会" in text and "应到 9 人，实到 7 人" in text
    assert [h.note for h in selectors.decision_comments(d)] == ["已列席党员大会，程序合规。"]


def test_attendance_must_be_in_the_body_and_votes_within_present(village, make_household):
    w = village
    d = _request(w)
    services.decision_propose(acting_user=w.cadre, decision=d, note="提议")
    today = local_date(d.state_since)
    outsider = w.members[8].pk  # a party member, not on the two committees
    with pytest.raises(ValidationFailed, match="不属于"):
        services.meeting_record(acting_user=w.cadre, decision=d, kind=MeetingKind.TWO_COMMITTEES, held_on=today,
                                attendee_ids=[outsider], votes_for=1, votes_against=0, votes_abstain=0, minutes="x")
    with pytest.raises(ValidationFailed, match="超过实到"):
        services.meeting_record(acting_user=w.cadre, decision=d, kind=MeetingKind.TWO_COMMITTEES, held_on=today,
                                attendee_ids=_ids(selectors.two_committee_members(w.v, today))[:3], votes_for=4,
                                votes_against=0, votes_abstain=0, minutes="x")
    assert not Meeting.objects.exists()


def test_scope_and_rights(village):
    w = village
    d = _request(w)
    with pytest.raises(NotFound):
        services.decision_propose(acting_user=w.cadre_v2, decision=d, note="x")
    with pytest.raises(PermissionDenied):  # the township sees, but does not run the village's steps
        services.decision_propose(acting_user=w.township, decision=d, note="x")
    assert selectors.decision_list(user=w.cadre_v2).count() == 0
    assert selectors.decision_list(user=w.township).count() == 1
    with pytest.raises(PermissionDenied):
        api.decision_request(acting_user=w.cadre_v2, place=w.v, title="x", summary="y", source="", source_ref="")


def test_api_handlers_and_walk(village):
    w = village
    seen = []
    api.on_decided("test.thing", lambda dec: seen.append((dec.source_ref, dec.outcome)))
    d = _request(w, source="test.thing", ref="7")
    walk_decision(d)
    assert seen == [("7", "passed")] and api.decision_outcome(d.pk) == "passed"
    assert list(api.decisions_passed(user=w.cadre, place=w.v)) == [d]
    assert list(api.decisions_passed(user=w.cadre_v2, place=w.v)) == []
    assert api.decision_url(d.pk) == f"/affairs/decisions/{d.pk}/"
    d2 = _request(w, source="test.thing", ref="8")
    walk_decision(d2, passed=False)
    assert seen[-1] == ("8", "rejected") and d2.state == "rejected"


def test_handler_that_raises_undoes_the_resolution(village):
    w = village
    d = _request(w, source="test.refuse", ref="1")

    def refuse(dec):
        raise Conflict("余额不足")

    api.on_decided("test.refuse", refuse)
    with pytest.raises(Conflict):
        walk_decision(d)
    d.refresh_from_db()
    assert d.state == "resolution" and d.outcome == "pending"
    assert not Meeting.objects.filter(decision=d, step="resolution").exists()


def test_walk_on_a_bare_village(tree, make_user):
    cadre = make_user("village_cadre", tree.v2, username="bare_cadre")
    d = api.decision_request(acting_user=cadre, place=tree.v2, title="修建文化广场", summary="预算 10 万元",
                             source="", source_ref="")
    walk_decision(d, publish=True)
    assert d.state == "done" and Decision.objects.get(pk=d.pk).outcome == "passed"
