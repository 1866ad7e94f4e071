"""Pages of 村务决策 and 议事协商: rendering, forms through the views, flat query counts on lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.timezone import now

from shanzhi.affairs import api, selectors, topics
from shanzhi.affairs.testing import walk_decision
from shanzhi.workflow.calendar import local_date

pytestmark = pytest.mark.django_db


def _decision(w, title="村道硬化工程"):
    return api.decision_request(acting_user=w.cadre, place=w.v, title=title, summary="预算 30 万元。", source="",
                                source_ref="")


def test_decision_pages_walk_through_forms(client, village):
    w = village
    client.force_login(w.cadre)
    r = client.post("/affairs/decisions/new/", {"village": w.v.code, "title": "修建文化广场", "summary": "预算 10 万元。"})
    assert r.status_code == 302
    url = r["Location"]
    page = client.get(url).content.decode()
    assert "村党组织提议" in page and 'data-status="current"' in page
    client.post(url + "propose", {"note": "党支部提议修建文化广场。"})
    page = client.get(url).content.decode()
    assert "记录会议" in page and "党员0" in page  # the 两委 members to tick
    today = local_date(now())
    body = list(selectors.two_committee_members(w.v, today).values_list("pk", flat=True))
    r = client.post(url + "meeting", {"kind": "two_committees", "held_on": f"{today:%Y-%m-%d}", "attendees": body[:2],
                                      "votes_for": 2, "votes_against": 0, "votes_abstain": 0, "minutes": "到会不足"},
                    follow=True)
    page = r.content.decode()
    assert "未通过" in page and "应到 5 人，实到 2 人" in page and "至少 3 人" in page
    r = client.post(url + "meeting", {"kind": "two_committees", "held_on": f"{today:%Y-%m-%d}", "attendees": body,
                                      "votes_for": 5, "votes_against": 0, "votes_abstain": 0, "minutes": "一致同意"},
                    follow=True)
    assert "党员大会审议" in r.content.decode()
    client.force_login(w.supervisor)
    r = client.post(url + "comment", {"text": "两委会议程序合规。"}, follow=True)
    assert "两委会议程序合规。" in r.content.decode()
    client.force_login(w.cadre_v2)
    assert client.get(url).status_code == 404


def test_decision_list_and_representatives(client, village, django_assert_max_num_queries):
    w = village
    for i in range(3):
        _decision(w, f"事项{i}")
    walk_decision(_decision(w, "已通过事项"), publish=True)
    client.force_login(w.cadre)
    with django_assert_max_num_queries(12):
        body = client.get("/affairs/").content.decode()
    assert "事项0" in body and "已通过事项" in body and "已通过" in body
    for i in range(10):
        _decision(w, f"更多{i}")
    with django_assert_max_num_queries(12):
        client.get("/affairs/")
    assert "更多1" in client.get("/affairs/?q=更多1").content.decode()
    body = client.get(f"/affairs/representatives/?village={w.v.code}").content.decode()
    assert "党员3" in body and "在任" in body
    client.force_login(w.cadre_v2)
    assert "事项0" not in client.get("/affairs/").content.decode()


def test_topic_staff_and_phone_pages(client, villagers, django_assert_max_num_queries):
    w = villagers
    client.force_login(w.va)
    assert client.get("/affairs/", follow=True).request["PATH_INFO"] == "/affairs/my/topics/"
    r = client.post("/affairs/my/topics/new/", {"title": "修建村口路灯", "category": "public_works",
                                                "description": "晚上不安全。"})
    assert r.status_code == 302
    t = selectors.topics_for_villager(user=w.va).get()
    client.force_login(w.cadre)
    with django_assert_max_num_queries(40):
        assert "修建村口路灯" in client.get(f"/affairs/topics/{t.pk}/").content.decode()
    client.post(f"/affairs/topics/{t.pk}/act", {"what": "accept"})
    at = now()
    client.post(f"/affairs/topics/{t.pk}/act", {"what": "review", "eligibility": "adults", "secret": "1",
                                               "opens": (at - dt.timedelta(minutes=5)).astimezone().strftime("%Y-%m-%dT%H:%M"),
                                               "closes": (at + dt.timedelta(days=2)).astimezone().strftime("%Y-%m-%dT%H:%M")})
    r = client.post(f"/affairs/topics/{t.pk}/act", {"what": "meeting_call", "held_on": f"{local_date(at):%Y-%m-%d}"},
                    follow=True)
    assert "最早可定于" in r.content.decode()
    client.post(f"/affairs/topics/{t.pk}/act", {"what": "deliberate"})
    t.refresh_from_db()
    assert t.state == "deliberating"
    client.force_login(w.vb)
    page = client.get(f"/affairs/my/topics/{t.pk}/").content.decode()
    assert "网上投票" in page and "赞成" in page
    r = client.post(f"/affairs/my/topics/{t.pk}/", {"what": "vote", "choice": "for"}, follow=True)
    assert "投票成功" in r.content.decode()
    r = client.post(f"/affairs/my/topics/{t.pk}/", {"what": "vote", "choice": "for"}, follow=True)
    assert "已经投过票" in r.content.decode()
    client.post(f"/affairs/my/topics/{t.pk}/", {"what": "comment", "text": "支持，越快越好。"})
    assert "支持，越快越好。" in client.get(f"/affairs/my/topics/{t.pk}/").content.decode()
    for i in range(5):
        topics.topic_propose(acting_user=w.va, title=f"议题{i}", description="内容")
    with django_assert_max_num_queries(12):
        body = client.get("/affairs/my/topics/").content.decode()
    assert "议题4" in body and "投票中" in body
    client.force_login(w.vother)
    assert client.get(f"/affairs/my/topics/{t.pk}/").status_code == 404
    client.force_login(w.cadre)
    with django_assert_max_num_queries(12):
        assert "议题4" in client.get("/affairs/topics/").content.decode()
