"""Possible duplicates and merging (domain.md G3): same matter, nearby (haversine within 300 m, or same village with
a similar address/text when coordinates are missing), open or recently closed, within the user's scope; the merge
step with its refusals, the history on both events, the reporter told and following the main event."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.events import services
from shanzhi.events.duplicates import haversine_m, possible_duplicates, similarity
from shanzhi.events.merging import event_merge, merge_target
from shanzhi.events.models import Event
from shanzhi.notify.models import Message
from shanzhi.workflow import engine
from shanzhi.workflow.models import CaseHistory

from .conftest import FRI

pytestmark = pytest.mark.django_db

LAT, LNG = "35.100000", "112.500000"
NORTH_100M = "35.100900"  # 0.0009° of latitude ≈ 100 m
NORTH_500M = "35.104500"


def written():
    return (
        sorted(Event.objects.values_list("pk", "state", "merged_into_id")),
        CaseHistory.objects.count(),
        AuditEntry.objects.count(),
        Message.objects.count(),
    )


def labels(event):
    return [h.label for h in engine.history(event)]


def closed_event(world, report, *, closed_at, **kw):
    event = report(now=closed_at - dt.timedelta(days=1), **kw)
    services.event_triage(acting_user=world.dispatcher, event=event, level="grid", now=closed_at)
    services.event_accept(acting_user=world.worker, event=event, now=closed_at)
    services.event_close(acting_user=world.worker, event=event, result="已调解", now=closed_at)
    return event


def test_haversine_and_similarity():
    assert haversine_m(35.1, 112.5, 35.1009, 112.5) == pytest.approx(100, abs=1)
    assert haversine_m(35.1, 112.5, 35.1, 112.5011) == pytest.approx(
        100, abs=2
    )  # a degree of longitude is shorter
    assert similarity("东坡村三组桥头", "东坡村三组桥头") == 1.0
    assert similarity("东坡村三组桥头", "三组桥头旁边") > 0.5
    assert similarity("东坡村三组桥头", "西岭村卫生室") == 0.0


def test_nearby_same_matter_recent_in_scope(world, report):
    w = world
    main = report(latitude=LAT, longitude=LNG, text="两户因排水沟发生争执")
    near = report(
        user=w.worker, latitude=NORTH_100M, longitude=LNG, text="排水沟堵了，两家吵起来", address=""
    )
    far = report(user=w.worker, latitude=NORTH_500M, longitude=LNG)  # too far
    report(user=w.worker, latitude=LAT, longitude=LNG, matter_id=w.county_matter.pk)  # another matter
    by_text = report(
        user=w.villager2, place=w.tree.v1, address="东坡村三组桥头旁"
    )  # no coordinates, same village
    report(
        user=w.villager2, place=w.tree.v1, address="村委会门口", text="广场有人跳舞声音太大"
    )  # not similar
    report(user=w.cadre_v2, place=w.tree.v2, address="东坡村三组桥头")  # similar, but another village
    recent = closed_event(w, report, closed_at=FRI - dt.timedelta(days=3), latitude=LAT, longitude=LNG)
    closed_event(w, report, closed_at=FRI - dt.timedelta(days=10), latitude=LAT, longitude=LNG)  # long closed

    found = possible_duplicates(user=w.dispatcher, event=main)
    assert [d.event for d in found] == [recent, near, by_text]  # 0 m, ~100 m, then the located-less one
    assert [d.distance_m for d in found][:2] == [0, 100] and found[2].distance_m is None
    assert found[2].similarity >= 0.5
    assert [d.can_merge_into for d in found] == [
        False,
        True,
        True,
    ]  # a closed event is shown, not merged into
    # Scope: a village cadre of v1 sees the events of v1 only; another township sees nothing of it.
    assert {d.event for d in possible_duplicates(user=w.cadre, event=main)} == {recent, near, by_text}
    assert possible_duplicates(user=w.other_dispatcher, event=main) == []
    # Without coordinates, an event finds the same-village ones by address or text, located or not ("near" has
    # neither a similar address nor a similar enough text; the long-closed one is not recent).
    assert {d.event for d in possible_duplicates(user=w.dispatcher, event=by_text)} == {main, far, recent}


def test_detail_page_shows_duplicates_to_the_dispatcher_only_with_constant_queries(client, world, report):
    w = world
    main = report(latitude=LAT, longitude=LNG)
    report(user=w.worker, latitude=NORTH_100M, longitude=LNG, client_key="d-0")
    client.force_login(w.dispatcher)
    client.get(f"/events/{main.pk}/")  # warm caches
    with CaptureQueriesContext(connection) as one:
        body = client.get(f"/events/{main.pk}/").content.decode()
    assert "可能重复的事件" in body and "相距约 100 米" in body and "合并至此事件" in body
    for i in range(1, 6):
        report(user=w.worker, latitude=NORTH_100M, longitude=LNG, client_key=f"d-{i}")
    with CaptureQueriesContext(connection) as six:
        body = client.get(f"/events/{main.pk}/").content.decode()
    assert body.count('data-testid="duplicate"') == 6
    assert len(six) == len(one)
    client.force_login(w.cadre)  # sees the event, does not triage: no duplicates, no merge form
    body = client.get(f"/events/{main.pk}/").content.decode()
    assert "可能重复的事件" not in body and "合并至此事件" not in body


def test_merge_through_the_page_and_reporter_follows(client, world, report):
    w = world
    main = report(latitude=LAT, longitude=LNG, text="两户因排水沟发生争执，情绪激动")
    dup = report(user=w.villager2, place=w.tree.v1, latitude=NORTH_100M, longitude=LNG, address="三组桥头")
    client.force_login(w.dispatcher)
    response = client.post(f"/events/{dup.pk}/merge", {"into": main.pk, "note": "同一条排水沟"}, follow=True)
    assert f"已合并至事件 {main.number}" in response.content.decode()
    dup.refresh_from_db()
    assert (dup.state, dup.merged_into_id) == ("merged", main.pk)
    assert labels(dup) == ["上报", "合并"] and labels(main) == ["上报", "并入重复上报"]
    assert f"合并至事件 {main.number}。同一条排水沟" in engine.history(dup).last().note
    assert AuditEntry.objects.filter(event="event.merge", object_id=str(dup.pk)).exists()
    assert AuditEntry.objects.filter(event="event.merge_in", object_id=str(main.pk)).exists()
    message = Message.objects.get(recipient=w.villager2)
    assert message.link == f"/events/{main.pk}/follow" and main.number in message.body
    assert engine.available_transitions(dup, w.dispatcher) == []  # a final state

    client.force_login(w.villager2)
    body = client.get(f"/events/{dup.pk}/").content.decode()
    assert "已合并至" in body and f'href="/events/{main.pk}/follow"' in body
    assert f"已合并至事件 {main.number}" in client.get("/events/mine").content.decode()
    assert client.get(f"/events/{main.pk}/").status_code == 404  # not the whole event of another reporter
    follow = client.get(f"/events/{main.pk}/follow").content.decode()
    assert main.number in follow and "待分派" in follow and dup.number in follow
    assert "情绪激动" not in follow and w.villager.display_name not in follow  # not their text nor their name

    services.event_triage(acting_user=w.dispatcher, event=main, level="grid", now=FRI)
    services.event_accept(acting_user=w.worker, event=main, now=FRI)
    services.event_close(acting_user=w.worker, event=main, result="已疏通排水沟，双方和解", now=FRI)
    follow = client.get(f"/events/{main.pk}/follow").content.decode()
    assert "待评价" in follow and "已疏通排水沟，双方和解" in follow

    for outsider in (
        w.villager,
        w.cadre_v2,
        w.no_role,
    ):  # nothing merged of theirs: 404 (the main reporter's own
        client.force_login(outsider)  # page is redirected to)
        response = client.get(f"/events/{main.pk}/follow")
        assert response.status_code == (302 if outsider == w.villager else 404)
    client.force_login(w.dispatcher)  # staff who see it are sent to the full page
    assert client.get(f"/events/{main.pk}/follow")["Location"] == f"/events/{main.pk}/"


@pytest.mark.parametrize(
    "case, error, message",
    [
        ("self", ValidationFailed, "不能把事件合并到它自己"),
        ("matter", ValidationFailed, "只能合并同一事项的事件"),
        ("closed", Conflict, "不能合并到它"),
        ("merged", Conflict, "不能合并到它"),
        ("triaged", Conflict, "不能“合并”"),
        ("cadre", PermissionDenied, "乡镇指挥中心调度员"),
        ("long_note", ValidationFailed, "合并说明不能超过"),
    ],
)
def test_refused_merges_change_nothing(world, report, case, error, message):
    w = world
    event = report(client_key="dup")
    into = report(user=w.worker, client_key="main")
    user, note = w.dispatcher, ""
    if case == "self":
        into = event
    elif case == "matter":
        into = report(user=w.worker, matter_id=w.county_matter.pk, client_key="other-matter")
    elif case == "closed":
        into = closed_event(w, report, closed_at=FRI, client_key="closed")
    elif case == "merged":
        third = report(user=w.worker, client_key="third")
        event_merge(acting_user=w.dispatcher, event=into, into=third, now=FRI)
        into.refresh_from_db()
    elif case == "triaged":
        services.event_triage(acting_user=w.dispatcher, event=event, level="grid", now=FRI)
    elif case == "cadre":
        user = w.cadre
    elif case == "long_note":
        note = "说" * 401
    before = written()
    with pytest.raises(error) as exc:
        event_merge(acting_user=user, event=event, into=into, note=note, now=FRI)
    assert message in exc.value.message
    assert written() == before


def test_merge_target_and_scope(world, report):
    w = world
    event = report(client_key="a")
    into = report(user=w.worker, client_key="c")
    assert merge_target(user=w.dispatcher, ref=into.number.lower()) == into
    assert merge_target(user=w.dispatcher, ref=str(into.pk)) == into
    for ref, message in (
        ("", "请选择或填写要合并到的事件编号"),
        ("SJ19990101-000001", "找不到事件"),
        ("abc", "找不到事件"),
        ("9" * 30, "找不到事件"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            merge_target(user=w.dispatcher, ref=ref)
        assert message in exc.value.message
    with pytest.raises(ValidationFailed):  # out of scope reads exactly like missing
        merge_target(user=w.other_dispatcher, ref=into.number)
    with pytest.raises(NotFound):  # the service checks scope itself, too
        event_merge(acting_user=w.other_dispatcher, event=event, into=into, now=FRI)
    assert Event.objects.get(pk=event.pk).state == "reported"


def test_events_merged_earlier_follow_to_the_new_main_event(world, report):
    w = world
    first = report(client_key="first")
    second = report(user=w.villager2, place=w.tree.v1, client_key="second")
    third = report(user=w.worker, client_key="third")
    event_merge(acting_user=w.dispatcher, event=first, into=second, now=FRI)
    event_merge(acting_user=w.dispatcher, event=second, into=third, now=FRI)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.merged_into_id == third.pk and second.merged_into_id == third.pk
    assert labels(first)[-1] == "随合并转至" and labels(third)[-1] == "并入重复上报"
    assert set(
        Message.objects.filter(link=f"/events/{third.pk}/follow").values_list("recipient_id", flat=True)
    ) == {w.villager.pk, w.villager2.pk}
