"""事件 closed loop (G3) on the workflow kernel: the whole loop, idempotent reports, refusals that change
nothing, roles and order, scope, the overdue sweeper across a weekend, and the pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.core.home import action_items
from shanzhi.events import services
from shanzhi.events.models import Event
from shanzhi.events.selectors import EventFilters, event_list, my_events
from shanzhi.files.models import Attachment
from shanzhi.workflow import engine
from shanzhi.workflow.calendar import CHINA
from shanzhi.workflow.models import CaseHistory

from .conftest import FRI, jpeg

pytestmark = pytest.mark.django_db


def written():
    return (Event.objects.count(), CaseHistory.objects.count(), AuditEntry.objects.count(), Attachment.objects.count())


def labels(event):
    return [h.label for h in engine.history(event)]


def test_whole_loop_with_rework(world, report):
    w = world
    event = report(photos=[jpeg()], latitude="35.123456", longitude="112.5")
    assert event.state == "reported" and event.number == f"SJ20261120-{event.pk:06d}"
    assert event.reporter_kind == "villager" and Attachment.objects.filter(object_id=event.pk).count() == 1
    assert [t.name for t in engine.available_transitions(event, w.dispatcher)] == ["triage", "merge"]

    services.event_triage(acting_user=w.dispatcher, event=event, level="grid", now=FRI)
    event.refresh_from_db()
    assert (event.state, event.assignee_level, event.assignee_path) == ("assigned", "grid", w.tree.g1.path)
    assert w.worker in engine.assignees(event) and w.department not in engine.assignees(event)

    services.event_accept(acting_user=w.worker, event=event, now=FRI)
    # The matter's 1-working-day limit from Friday ends on Monday 17:30 (the weekend does not count).
    assert event.state == "handling" and event.due_at == dt.datetime(2026, 11, 23, 17, 30, tzinfo=CHINA)
    services.event_close(acting_user=w.worker, event=event, result="已调解，双方签订协议", now=FRI)
    assert event.state == "closed" and event.result == "已调解，双方签订协议" and event.handled_by == w.worker

    mon = FRI + dt.timedelta(days=3)
    with pytest.raises(ValidationFailed):
        services.event_rate(acting_user=w.villager, event=event, satisfied=False, reason="", now=mon)
    services.event_rate(acting_user=w.villager, event=event, satisfied=False, reason="水沟仍未疏通", now=mon)
    event.refresh_from_db()
    assert (event.state, event.reopen_count, event.satisfaction) == ("handling", 1, "unsatisfied")
    assert event.assignee_path == w.tree.g1.path and event.due_at == dt.datetime(2026, 11, 24, 17, 30, tzinfo=CHINA)

    services.event_close(acting_user=w.worker, event=event, result="已疏通水沟", now=mon)
    services.event_rate(acting_user=w.villager, event=event, satisfied=True, now=mon)
    event.refresh_from_db()
    assert (event.state, event.satisfaction, event.result) == ("done", "satisfied", "已疏通水沟")
    assert labels(event) == ["上报", "分派", "受理", "办结", "不满意（返工）", "办结", "满意"]
    audited = list(AuditEntry.objects.filter(object_id=str(event.pk), event__startswith="event.")
                   .order_by("id").values_list("event", flat=True))
    assert audited == ["event.report", "event.triage", "event.accept", "event.close", "event.rate_unsatisfied",
                       "event.close", "event.rate_satisfied"]


def test_dispatcher_rates_on_behalf_and_escalation_and_return(world, report):
    w = world
    event = report(user=w.worker, matter_id=w.county_matter.pk)
    assert event.reporter_kind == "grid_worker"
    services.event_triage(acting_user=w.dispatcher, event=event, level="village", now=FRI)
    with pytest.raises(ValidationFailed):
        services.event_return(acting_user=w.cadre, event=event, reason="", now=FRI)
    services.event_return(acting_user=w.cadre, event=event, reason="应由水利部门办理", now=FRI)
    assert event.state == "reported" and event.assignee_level == ""
    services.event_triage(acting_user=w.dispatcher, event=event, level="township", now=FRI)
    with pytest.raises(PermissionDenied):  # a county department is above, but not the assigned level
        services.event_accept(acting_user=w.department, event=event, now=FRI)
    services.event_accept(acting_user=w.township, event=event, now=FRI)
    services.event_escalate(acting_user=w.township, event=event, reason="需县水利局清淤", now=FRI)
    assert (event.state, event.assignee_level, event.assignee_department) == ("assigned", "department", "县水利局")
    services.event_accept(acting_user=w.department, event=event, now=FRI)
    with pytest.raises(Conflict):
        services.event_escalate(acting_user=w.department, event=event, reason="再提级", now=FRI)
    services.event_close(acting_user=w.department, event=event, result="已清淤", now=FRI)
    services.event_rate(acting_user=w.dispatcher, event=event, satisfied=True, reason="电话回访满意", now=FRI)
    assert event.state == "done" and event.rated_by == w.dispatcher


def test_replayed_client_key_creates_nothing(world, report):
    first = report(client_key="k-123", photos=[jpeg()])
    before = written()
    again = report(client_key="k-123", photos=[jpeg()], text="另一段文字")
    assert again.pk == first.pk and written() == before
    with pytest.raises(Conflict):  # another person's key is not theirs to replay
        report(user=world.villager2, client_key="k-123")
    assert written() == before


@pytest.mark.parametrize("kw, message", [
    ({"address": ""}, "请提供位置：定位或填写地址"),
    ({"matter_id": 999999}, "请从事发地适用的网格事项清单中选择事项"),
    ({"matter_id": "wulong"}, "请从事发地适用的网格事项清单中选择事项"),
    ({"text": "  "}, "请描述事件情况"),
    ({"latitude": "35.1"}, "定位不完整"),
    ({"photos": ["pdf"]}, "文件不是图片"),
    ({"photos": ["fake"]}, "文件不是有效的图片"),
    ({"photos": ["huge"]}, "文件过大"),
])
def test_bad_reports_refused_and_nothing_written(world, report, settings, kw, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_BYTES = 2000
    if kw.get("matter_id") == "wulong":
        kw["matter_id"] = world.wulong_matter.pk  # another township's list does not apply in 克井镇
    files = {"pdf": SimpleUploadedFile("a.jpg", b"%PDF-1.4 fake"),
             "fake": SimpleUploadedFile("b.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100),
             "huge": SimpleUploadedFile("c.jpg", b"\xff\xd8\xff" + b"0" * 3000)}
    if "photos" in kw:
        kw["photos"] = [jpeg(), files[kw["photos"][0]]]
    before = written()
    with pytest.raises(ValidationFailed) as exc:
        report(**kw)
    assert message in exc.value.message
    assert written() == before


def test_wrong_role_and_out_of_order_change_nothing(world, report):
    w = world
    event = report()
    before = written()
    with pytest.raises(PermissionDenied):  # a village cadre does not triage
        services.event_triage(acting_user=w.cadre, event=event, level="grid")
    with pytest.raises(PermissionDenied):  # nobody is assigned yet, so nobody may accept
        services.event_accept(acting_user=w.worker, event=event)
    with pytest.raises(PermissionDenied):  # the reporter does not close
        services.event_close(acting_user=w.villager, event=event, result="自己解决了")
    with pytest.raises(NotFound):  # another township's dispatcher does not even see it
        services.event_triage(acting_user=w.other_dispatcher, event=event, level="grid")
    with pytest.raises(ValidationFailed):
        services.event_triage(acting_user=w.dispatcher, event=event, level="department")  # no department named
    assert written() == before and Event.objects.get(pk=event.pk).state == "reported"
    services.event_triage(acting_user=w.dispatcher, event=event, level="grid", now=FRI)
    before = written()
    with pytest.raises(Conflict):
        services.event_close(acting_user=w.worker, event=event, result="未受理先办结")
    with pytest.raises(Conflict):  # already triaged
        services.event_triage(acting_user=w.dispatcher, event=event, level="village")
    with pytest.raises(PermissionDenied):  # a county department is not the grid it was given to
        services.event_accept(acting_user=w.department, event=event)
    assert written() == before and Event.objects.get(pk=event.pk).state == "assigned"


def test_scope_and_reporter_sees_only_own(client, world, report):
    w = world
    mine = report()
    other = report(user=w.villager2, client_key="other")
    assert list(my_events(user=w.villager)) == [mine]
    assert set(event_list(user=w.cadre)) == {mine, other}
    assert list(event_list(user=w.cadre_v2)) == [] and list(event_list(user=w.no_role)) == []
    client.force_login(w.villager)
    assert client.get(f"/events/{mine.pk}/").status_code == 200
    assert client.get(f"/events/{other.pk}/").status_code == 404
    assert client.get("/events/list").status_code == 404
    body = client.get("/events/mine").content.decode()
    assert mine.number in body and other.number not in body
    for outsider in (w.cadre_v2, w.other_dispatcher, w.no_role):
        client.force_login(outsider)
        assert client.get(f"/events/{mine.pk}/").status_code == 404
        assert client.post(f"/events/{mine.pk}/act", {"transition": "triage", "level": "grid"}).status_code == 404
    client.logout()
    assert client.get(f"/events/{mine.pk}/").status_code == 302


def test_overdue_flagged_by_sweeper_across_weekend(world, report):
    w = world
    event = report()
    services.event_triage(acting_user=w.dispatcher, event=event, level="grid", now=FRI)
    services.event_accept(acting_user=w.worker, event=event, now=FRI)
    due = dt.datetime(2026, 11, 23, 17, 30, tzinfo=CHINA)  # Monday
    assert event.due_at == due
    engine.sweep_overdue(now=dt.datetime(2026, 11, 22, 12, 0, tzinfo=CHINA))  # Sunday: not yet
    event.refresh_from_db()
    assert not event.is_overdue
    engine.sweep_overdue(now=due + dt.timedelta(minutes=30))
    event.refresh_from_db()
    assert event.is_overdue and labels(event)[-1] == "超期"
    assert list(event_list(user=w.dispatcher, filters=EventFilters(overdue=True))) == [event]
    assert any(i.title == "已超期的事件" for i in action_items(w.worker))
    # One working day later it is put before the township's supervisors (提级督办) and moved up to the village
    # by the system (超期自动提级), which must accept it anew.
    engine.sweep_overdue(now=dt.datetime(2026, 11, 24, 18, 0, tzinfo=CHINA))
    event.refresh_from_db()
    assert labels(event)[-2:] == ["提级督办", "提级"]
    assert (event.state, event.assignee_level, event.is_overdue) == ("assigned", "village", False)
    services.event_urge(acting_user=w.leader, event=event, note="请今日办结",
                        now=dt.datetime(2026, 11, 25, 9, 0, tzinfo=CHINA))
    assert labels(event)[-1] == "催办"


def test_home_items(world, report):
    w = world
    event = report()
    assert [i.title for i in action_items(w.dispatcher) if "事件" in i.title] == ["待我分派的事件"]
    services.event_triage(acting_user=w.dispatcher, event=event, level="grid", now=FRI)
    assert [i.title for i in action_items(w.worker) if "事件" in i.title] == ["待我受理的事件"]
    assert not [i for i in action_items(w.cadre_v2) if "事件" in i.title]


def test_report_page_and_detail_and_export(client, world):
    from openpyxl import load_workbook

    w = world
    client.force_login(w.villager)
    page = client.get("/events/report").content.decode()
    assert 'accept="image/*" capture="environment"' in page and "邻里纠纷" in page and "五龙口镇专项" not in page
    data = {"place": w.tree.g1.code, "matter": w.grid_matter.pk, "text": "路灯不亮", "address": "村委会门口",
            "client_key": "page-key-1"}
    response = client.post("/events/report", {**data, "photos": jpeg()})
    event = Event.objects.get(client_key="page-key-1")
    assert response.status_code == 302 and response["Location"] == f"/events/{event.pk}/"
    client.post("/events/report", {**data, "photos": jpeg()})  # a double tap
    assert Event.objects.count() == 1
    response = client.post("/events/report", {**data, "client_key": "page-key-2", "address": ""})
    assert "请提供位置：定位或填写地址" in response.content.decode() and Event.objects.count() == 1

    client.force_login(w.dispatcher)
    detail = client.get(f"/events/{event.pk}/").content.decode()
    assert "分派" in detail and "（建议）" in detail and "路灯不亮" in detail
    client.post(f"/events/{event.pk}/act", {"transition": "triage", "level": "grid"})
    client.force_login(w.worker)
    client.post(f"/events/{event.pk}/act", {"transition": "accept"})
    response = client.post(f"/events/{event.pk}/act", {"transition": "close", "note": ""}, follow=True)
    assert "须填写理由/意见" in response.content.decode()
    client.post(f"/events/{event.pk}/act", {"transition": "close", "note": "已修复路灯"})
    event.refresh_from_db()
    assert event.state == "closed"
    client.force_login(w.villager)
    client.post(f"/events/{event.pk}/act", {"transition": "rate_satisfied"})
    event.refresh_from_db()
    assert event.state == "done"

    client.force_login(w.cadre)
    ws = load_workbook(io.BytesIO(client.get("/events/list", {"export": "xlsx"}).content)).active
    assert [row[0].value for row in ws.iter_rows(min_row=2)] == [event.number]
    assert client.get("/events/").status_code == 302


def test_list_query_count_constant(client, world, report):
    w = world
    client.force_login(w.dispatcher)
    report(client_key="q1")
    client.get("/events/list")  # warm caches (content types, the matter list)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/events/list").status_code == 200
    for i in range(6):
        event = report(user=w.worker if i % 2 else w.villager2, client_key=f"q-{i}",
                       place=w.tree.g1 if i % 2 else w.tree.v1)
        if i % 2:
            services.event_triage(acting_user=w.dispatcher, event=event, level="village", now=FRI)
    with CaptureQueriesContext(connection) as seven:
        assert client.get("/events/list").status_code == 200
    assert len(seven) == len(one)
