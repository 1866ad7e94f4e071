"""The rest of the G3 closed loop: progress notes with photos (办理记录), transfer (转办), county departments as
named units, photos seen by the handling department, pre-deadline warning (临期预警), overdue flag and
automatic escalation (超期自动提级) on a controlled clock across 国庆 2026 and a weekend, supervision (督办)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.core.home import action_items
from shanzhi.events import services
from shanzhi.events.models import Event
from shanzhi.events.selectors import EventFilters, event_list
from shanzhi.files.models import Attachment
from shanzhi.notify.models import Message
from shanzhi.workflow import engine
from shanzhi.workflow.calendar import CHINA
from shanzhi.workflow.models import CaseHistory

from .conftest import FRI, jpeg

pytestmark = pytest.mark.django_db


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHINA)


def written():
    return (
        Event.objects.count(),
        CaseHistory.objects.count(),
        AuditEntry.objects.count(),
        Attachment.objects.count(),
        Message.objects.count(),
    )


def history(event):
    return [(h.label, h.actor_name) for h in engine.history(event)]


def admit(w, **kw):
    from shanzhi.grid.services import MatterSpec, matter_admit

    spec = MatterSpec(**{"category": "other", "grid_can_settle": kw.get("level") == "grid", **kw})
    return matter_admit(acting_user=w.admin, place=w.tree.county, spec=spec, reason="县委政法委文件")


def snapshot(event):
    e = Event.objects.get(pk=event.pk)
    return (e.state, e.assignee_level, e.assignee_path, e.assignee_org_id, e.due_at)


@pytest.fixture
def handling(world, report):
    """An event accepted by the grid worker on Friday 2026-11-20 (the grid matter's limit: 1 working day)."""
    event = report()
    services.event_triage(acting_user=world.dispatcher, event=event, level="grid", now=FRI)
    services.event_accept(acting_user=world.worker, event=event, now=FRI)
    return event


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- 办理记录 -----------------------------------------------------------------------------------------------


def test_notes_with_photos_in_order(client, world, handling, media):
    w, event = world, handling
    mon = at(2026, 11, 23, 9, 0)
    row = services.event_note(
        acting_user=w.worker,
        event=event,
        note="已到现场，正在协调两户",
        photos=[jpeg("a.jpg"), jpeg("b.jpg")],
        now=mon,
    )
    services.event_note(
        acting_user=w.dispatcher, event=event, note="请网格员今日反馈", now=mon + dt.timedelta(hours=1)
    )
    photos = list(Attachment.objects.filter(object_id=event.pk, uploaded_by=w.worker).order_by("id"))
    assert len(photos) == 2 and row.extra == {"photos": [p.pk for p in photos]}
    assert history(event)[-2:] == [("办理记录", "东坡网格员"), ("办理记录", "克井调度")]
    assert [h.at for h in engine.history(event)][-2:] == [mon, mon + dt.timedelta(hours=1)]
    assert event.state == Event.objects.get(pk=event.pk).state == "handling"  # a note does not move the case
    entry = AuditEntry.objects.filter(event="event.note").order_by("id").first()
    assert entry.actor == w.worker and entry.after["photos"] == [p.pk for p in photos]

    client.force_login(w.cadre)
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "已到现场，正在协调两户" in page and "办理记录照片 2" in page and "请网格员今日反馈" in page
    assert page.index("已到现场") < page.index("请网格员今日反馈")
    assert 'data-testid="note-form"' in page  # the village cadre is an assignee at the grid level


def test_note_through_the_page(client, world, handling, media):
    w, event = world, handling
    client.force_login(w.worker)
    response = client.post(
        f"/events/{event.pk}/note", {"note": "已清理排水沟", "photos": [jpeg()]}, follow=True
    )
    assert "已添加办理记录" in response.content.decode()
    assert CaseHistory.objects.filter(kind="note", object_id=event.pk).count() == 1
    response = client.post(f"/events/{event.pk}/note", {"note": "", "photos": [jpeg()]}, follow=True)
    assert "请填写办理情况" in response.content.decode()
    client.force_login(w.cadre_v2)
    assert client.post(f"/events/{event.pk}/note", {"note": "越权"}).status_code == 404


@pytest.mark.parametrize(
    "case, message",
    [
        ("empty", "请填写办理情况"),
        ("too_long", "办理情况不能超过 500 字"),
        ("too_many", "照片最多 9 张"),
        ("pdf", "文件不是图片"),
        ("reporter", "您无权添加办理记录"),
        ("closed", "不能添加办理记录"),
    ],
)
def test_bad_notes_change_nothing(world, handling, media, case, message):
    w, event = world, handling
    if case == "closed":
        services.event_close(acting_user=w.worker, event=event, result="已调解", now=FRI)
    kw = {"acting_user": w.worker, "event": event, "note": "进展", "photos": [jpeg()], "now": FRI}
    kw.update(
        {
            "empty": {"note": "  "},
            "too_long": {"note": "字" * 501},
            "too_many": {"photos": [jpeg() for _ in range(10)]},
            "pdf": {"photos": [jpeg(), SimpleUploadedFile("a.jpg", b"%PDF-1.4 fake")]},
            "reporter": {"acting_user": w.villager},
            "closed": {},
        }[case]
    )
    before, files = written(), sorted(media.rglob("*"))
    with pytest.raises((ValidationFailed, PermissionDenied, Conflict)) as exc:
        services.event_note(**kw)
    assert message in exc.value.message
    assert written() == before and sorted(media.rglob("*")) == files


# --- 转办 and departments as named units -----------------------------------------------------------------------


def test_transfer_to_a_named_department_which_must_accept(world, report):
    w = world
    event = report()
    services.event_triage(acting_user=w.dispatcher, event=event, level="grid", now=FRI)
    services.event_transfer(
        acting_user=w.worker,
        event=event,
        level="department",
        department=w.land.pk,
        reason="涉及宅基地界址，应由自然资源部门处理",
        now=FRI,
    )
    event.refresh_from_db()
    assert (event.state, event.assignee_level, event.assignee_org, event.assignee_department) == (
        "assigned",
        "department",
        w.land,
        "县自然资源局",
    )
    last = engine.history(event).last()
    assert (last.label, last.actor_name) == ("转办", "东坡网格员")
    assert last.note.startswith("东坡村第一网格（网格） → 县自然资源局：涉及宅基地界址")
    assert last.extra["from"] == "东坡村第一网格（网格）" and last.extra["to"] == "县自然资源局"
    # Only the named department's staff act on it; another department's account is refused.
    assert engine.assignees(event) == [w.land_department]
    with pytest.raises(PermissionDenied):
        services.event_accept(acting_user=w.department, event=event, now=FRI)
    assert [i.title for i in action_items(w.land_department) if "事件" in i.title] == ["待我受理的事件"]
    assert not [i for i in action_items(w.department) if "事件" in i.title]
    assert list(event_list(user=w.department, filters=EventFilters(mine=True))) == []
    services.event_accept(acting_user=w.land_department, event=event, now=FRI)
    assert event.state == "handling" and event.due_at == at(2026, 11, 23, 17, 30)
    # The dispatcher may transfer a case being handled, e.g. back to the township; it is accepted anew.
    services.event_transfer(
        acting_user=w.dispatcher,
        event=event,
        level="township",
        reason="由镇统筹",
        now=FRI + dt.timedelta(hours=1),
    )
    assert (event.state, event.assignee_level, event.assignee_org) == ("assigned", "township", None)
    assert w.township in engine.assignees(event)


@pytest.mark.parametrize(
    "kw, error, message",
    [
        ({"level": "department", "department": 999999}, ValidationFailed, "找不到该县级部门"),
        ({"level": "department", "department": "县不存在局"}, ValidationFailed, "找不到该县级部门"),
        ({"level": "department", "department": None}, ValidationFailed, "请从列表中选择承办部门"),
        ({"level": "county"}, ValidationFailed, "请选择承办层级"),
        ({"level": "grid"}, ValidationFailed, "已由该单位承办"),
        ({"level": "village", "reason": ""}, ValidationFailed, "转办须填写理由"),
        ({"level": "village", "reason": "理" * 401}, ValidationFailed, "理由不能超过 400 字"),
        ({"level": "village", "acting_user": "villager"}, PermissionDenied, "您无权“转办”"),
        ({"level": "village", "acting_user": "department"}, PermissionDenied, "您无权“转办”"),
        ({"level": "village", "acting_user": "cadre_v2"}, NotFound, ""),
    ],
)
def test_bad_transfers_change_nothing(world, handling, kw, error, message):
    w, event = world, handling
    args = {"acting_user": w.worker, "event": event, "reason": "不属本网格", "now": FRI, **kw}
    if isinstance(args["acting_user"], str):
        args["acting_user"] = getattr(w, args["acting_user"])
    before, state = written(), snapshot(event)
    with pytest.raises(error) as exc:
        services.event_transfer(**args)
    assert message in exc.value.message
    assert written() == before and snapshot(event) == state


def test_a_department_in_another_county_is_not_in_the_list(world, report):
    from shanzhi.orgs.services import organisation_create
    from shanzhi.regions.models import Place
    from shanzhi.regions.services import regions_load

    w = world
    regions_load(under="410102")  # 郑州市中原区
    other_county = Place.objects.get(code="410102000000")
    foreign = organisation_create(
        acting_user=None, place=other_county, kind="gov_department", name="邻县自然资源局"
    )
    event = report()
    before = written()
    with pytest.raises(ValidationFailed, match="找不到该县级部门"):
        services.event_triage(
            acting_user=w.dispatcher, event=event, level="department", department=foreign.pk
        )
    assert written() == before
    with pytest.raises(ValidationFailed, match="县级政府部门须设在县"):
        organisation_create(acting_user=None, place=w.tree.kejing, kind="gov_department", name="镇自然资源所")


def test_hand_escalation_goes_to_the_matter_department_or_the_one_chosen(world, report):
    w = world
    event = report(matter_id=w.county_matter.pk)
    services.event_triage(acting_user=w.dispatcher, event=event, level="township", now=FRI)
    services.event_accept(acting_user=w.township, event=event, now=FRI)
    before, state = written(), snapshot(event)
    with pytest.raises(ValidationFailed, match="找不到该县级部门"):
        services.event_escalate(
            acting_user=w.township, event=event, reason="需部门处理", department=424242, now=FRI
        )
    assert written() == before and snapshot(event) == state
    services.event_escalate(
        acting_user=w.township, event=event, reason="涉及土地", department=str(w.land.pk), now=FRI
    )
    assert (event.assignee_org, event.state) == (w.land, "assigned")
    assert engine.history(event).last().note == "克井镇（乡镇（街道）） → 县自然资源局：涉及土地"


def test_department_sees_the_event_photos(client, world, report, media):
    w = world
    event = report(photos=[jpeg()], matter_id=w.county_matter.pk)
    photo = Attachment.objects.get(object_id=event.pk)
    client.force_login(w.department)  # no people.view: before, the files kernel answered 404
    assert client.get(f"/files/{photo.pk}/").status_code == 200
    assert "现场照片 1" in client.get(f"/events/{event.pk}/").content.decode()
    client.force_login(w.villager)  # the reporter
    assert client.get(f"/files/{photo.pk}/").status_code == 200
    for outsider in (w.cadre_v2, w.villager2, w.no_role):
        client.force_login(outsider)
        assert client.get(f"/files/{photo.pk}/").status_code == 404


# --- 临期预警, 超期, 超期自动提级 on a controlled clock --------------------------------------------------------


def test_warning_overdue_and_automatic_escalation_across_national_day(world, report, monkeypatch):
    """国庆 2026: 10-01..10-07 off (a weekend inside), Saturday 10-10 worked (调休), Sunday 10-11 off."""
    w = world
    matter = admit(w, code="GM-09", name="乱堆乱放", level="grid", department="村委会", time_limit_days=2)
    event = report(now=at(2026, 9, 30, 9, 0), matter_id=matter.pk)
    services.event_triage(acting_user=w.dispatcher, event=event, level="grid", now=at(2026, 9, 30, 9, 30))
    services.event_accept(acting_user=w.worker, event=event, now=at(2026, 9, 30, 10, 0))
    # 2 working days from Wednesday 09-30: Thursday 10-08 and Friday 10-09.
    assert event.due_at == at(2026, 10, 9, 17, 30) and event.warn_at == at(2026, 10, 8, 17, 30)

    def sweep(*when: int) -> dict[str, int]:
        monkeypatch.setattr("shanzhi.workflow.clock.now", lambda: at(*when))
        from shanzhi.workflow.tasks import sweep_overdue_cases

        return sweep_overdue_cases.call()

    assert sweep(2026, 10, 4, 12, 0) == {"warned": 0, "overdue": 0, "escalated": 0}  # holiday, a Sunday
    assert sweep(2026, 10, 8, 17, 0) == {"warned": 0, "overdue": 0, "escalated": 0}
    assert sweep(2026, 10, 8, 17, 31) == {"warned": 1, "overdue": 0, "escalated": 0}  # 临期预警
    assert sweep(2026, 10, 9, 9, 0) == {"warned": 0, "overdue": 0, "escalated": 0}  # once only
    warning = Message.objects.get(recipient=w.worker, title__startswith="临期预警")
    assert "2026-10-09 17:30 到期" in warning.title and warning.link == f"/events/{event.pk}/"
    event.refresh_from_db()
    assert event.warned_at == at(2026, 10, 8, 17, 31) and not event.is_overdue

    assert sweep(2026, 10, 9, 17, 31) == {"warned": 0, "overdue": 1, "escalated": 0}  # at the deadline
    event.refresh_from_db()
    assert event.is_overdue and event.escalate_at == at(2026, 10, 10, 17, 30)  # the make-up Saturday
    assert Message.objects.filter(recipient=w.worker, title__startswith="已超期").exists()

    assert sweep(2026, 10, 10, 17, 0) == {"warned": 0, "overdue": 0, "escalated": 0}
    assert sweep(2026, 10, 10, 17, 31) == {"warned": 0, "overdue": 0, "escalated": 1}
    event.refresh_from_db()
    # Moved up one level by the system; the village must accept it by Monday (Sunday 10-11 is off).
    assert (event.state, event.assignee_level, event.assignee_path) == ("assigned", "village", w.tree.v1.path)
    assert event.due_at == at(2026, 10, 12, 17, 30) and not event.is_overdue and event.warned_at is None
    assert history(event)[-5:] == [
        ("受理", "东坡网格员"),
        ("临期预警", "系统"),
        ("超期", "系统"),
        ("提级督办", "系统"),
        ("提级", "系统"),
    ]
    moved = engine.history(event).last()
    assert moved.note == "东坡村第一网格（网格） → 东坡村（村（社区））：超期未办结，系统自动提级"
    assert moved.extra["system"] is True
    assert (
        AuditEntry.objects.filter(
            event="event.escalate", object_id=str(event.pk), actor=None, actor_name="系统"
        ).count()
        == 2
    )  # the escalation notice and the move
    assert Message.objects.filter(recipient=w.leader, title__startswith="超期提级督办").exists()
    assert Message.objects.filter(recipient=w.cadre, title__startswith="超期提级事件").exists()
    assert w.cadre in engine.assignees(event)


def test_automatic_escalation_from_township_to_the_matter_department_and_at_the_top(world, report):
    w = world
    event = report(matter_id=w.county_matter.pk)  # 河道堵塞: 县水利局, 3 working days
    services.event_triage(acting_user=w.dispatcher, event=event, level="township", now=FRI)
    services.event_accept(acting_user=w.township, event=event, now=FRI)
    assert event.due_at == at(2026, 11, 25, 17, 30)
    engine.sweep_overdue(now=at(2026, 11, 25, 18, 0))
    assert engine.sweep_overdue(now=at(2026, 11, 26, 17, 31))["escalated"] == 1
    event.refresh_from_db()
    assert (event.state, event.assignee_org, event.assignee_department) == ("assigned", w.water, "县水利局")
    assert engine.assignees(event) == [w.department]
    # At a county department there is no level above: the supervisors are told, the event stays.
    services.event_accept(acting_user=w.department, event=event, now=at(2026, 11, 27, 9, 0))
    engine.sweep_overdue(now=at(2026, 12, 2, 18, 0))
    engine.sweep_overdue(now=at(2026, 12, 3, 18, 0))
    event.refresh_from_db()
    assert (event.state, event.assignee_org, event.escalated_at) == (
        "handling",
        w.water,
        at(2026, 12, 3, 18, 0),
    )
    assert history(event)[-1] == ("提级督办", "系统")


def test_automatic_escalation_refused_when_the_matter_names_no_county_department(world, report):
    w = world
    matter = admit(w, code="GM-08", name="雷击隐患", level="county", department="县气象局", time_limit_days=3)
    event = report(matter_id=matter.pk)
    services.event_triage(acting_user=w.dispatcher, event=event, level="township", now=FRI)
    services.event_accept(acting_user=w.township, event=event, now=FRI)
    engine.sweep_overdue(now=at(2026, 11, 25, 18, 0))
    assert engine.sweep_overdue(now=at(2026, 11, 26, 17, 31))["escalated"] == 1
    event.refresh_from_db()
    assert (event.state, event.assignee_level) == ("handling", "township")
    last = engine.history(event).last()
    assert last.label == "自动提级未完成" and "县气象局" in last.note and "请指挥中心转办" in last.note


def test_rework_restarts_the_warning(world, handling):
    w, event = world, handling
    engine.sweep_overdue(now=at(2026, 11, 20, 17, 31))
    event.refresh_from_db()
    assert event.warned_at is not None
    services.event_close(acting_user=w.worker, event=event, result="已调解", now=at(2026, 11, 23, 9, 0))
    services.event_rate(
        acting_user=w.villager, event=event, satisfied=False, reason="仍在争吵", now=at(2026, 11, 23, 10, 0)
    )
    event.refresh_from_db()
    assert event.due_at == at(2026, 11, 24, 17, 30) and event.warn_at == at(2026, 11, 23, 17, 30)
    assert event.warned_at is None


# --- 督办 and 催办 with a record --------------------------------------------------------------------------------


def test_supervision_and_urging_are_recorded_and_shown(client, world, handling):
    w, event = world, handling
    before = written()
    with pytest.raises(ValidationFailed, match="督办须填写理由/意见"):
        services.event_supervise(acting_user=w.leader, event=event, note=" ")
    with pytest.raises(PermissionDenied, match="督办须由乡镇领导或指挥中心发起"):
        services.event_supervise(acting_user=w.worker, event=event, note="自己督办自己")
    with pytest.raises(NotFound):
        services.event_supervise(acting_user=w.other_dispatcher, event=event, note="越界督办")
    assert written() == before
    services.event_supervise(
        acting_user=w.leader, event=event, note="周一前办结并反馈", now=at(2026, 11, 20, 11, 0)
    )
    services.event_urge(acting_user=w.dispatcher, event=event, note="请加快", now=at(2026, 11, 20, 12, 0))
    assert history(event)[-2:] == [("督办", w.leader.display_name), ("催办", "克井调度")]
    assert (
        Message.objects.filter(recipient=w.worker, title__startswith="督办").get().body == "周一前办结并反馈"
    )
    assert AuditEntry.objects.filter(event="event.supervise", actor=w.leader).count() == 1

    client.force_login(w.cadre)
    page = client.get(f"/events/{event.pk}/").content.decode()
    record = page[page.index('data-testid="supervision"') :]
    assert "2026-11-20 11:00" in record and "督办" in record and w.leader.full_name in record
    assert "周一前办结并反馈" in record and "请加快" in record and "克井调度" in record
    client.force_login(w.leader)
    assert 'data-testid="supervise-form"' in client.get(f"/events/{event.pk}/").content.decode()
    response = client.post(f"/events/{event.pk}/supervise", {"note": "今日必须反馈"}, follow=True)
    assert "已督办" in response.content.decode()


def test_event_page_queries_do_not_grow_with_history(
    client, world, handling, media, django_assert_max_num_queries
):
    w, event = world, handling
    client.force_login(w.worker)
    services.event_note(acting_user=w.worker, event=event, note="第一次", photos=[jpeg()], now=FRI)
    client.get(f"/events/{event.pk}/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/events/{event.pk}/").status_code == 200
    for i in range(5):
        services.event_note(
            acting_user=w.worker, event=event, note=f"第{i}次进展", photos=[jpeg(), jpeg()], now=FRI
        )
    services.event_urge(acting_user=w.leader, event=event, now=FRI)
    with django_assert_max_num_queries(len(one)):
        page = client.get(f"/events/{event.pk}/").content.decode()
    assert page.count("办理记录照片") == 11
