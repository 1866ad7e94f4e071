"""三级预警 (domain.md G5): raise, upgrade, downgrade and lift with their history and audit; red notifies the
township's leaders by inbox and SMS; who may act; refusals that write nothing; the list, place and event pages."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.core.home import action_items
from shanzhi.notify.models import Message
from shanzhi.notify.sms import ConsoleSmsBackend
from shanzhi.warning import selectors, services
from shanzhi.warning.models import EarlyWarning, WarningChange

from .conftest import at

pytestmark = pytest.mark.django_db


def written():
    return (
        EarlyWarning.objects.count(),
        WarningChange.objects.count(),
        AuditEntry.objects.count(),
        Message.objects.count(),
    )


def test_raise_upgrade_downgrade_lift_with_history(world, django_capture_on_commit_callbacks):
    w, g1 = world, world.tree.g1
    ConsoleSmsBackend.outbox.clear()
    warning = services.warning_raise(
        acting_user=w.dispatcher,
        target=g1,
        level="yellow",
        reason="土地纠纷有激化苗头",
        now=at("09-21", "09:00"),
    )
    assert (warning.kind, warning.place_path, warning.level, warning.target_label) == (
        "place",
        g1.path,
        "yellow",
        "东坡村第一网格",
    )
    assert not Message.objects.exists()  # yellow and orange warn nobody by message
    services.warning_change_level(
        acting_user=w.leader, warning=warning, level="orange", reason="双方聚集", now=at("09-21", "10:00")
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.warning_change_level(
            acting_user=w.dispatcher,
            warning=warning,
            level="red",
            reason="可能越级上访",
            now=at("09-21", "11:00"),
        )
    # Red: the township's leaders, inbox and SMS; not 五龙口镇's leader, not the dispatcher.
    assert list(Message.objects.values_list("recipient__username", "title")) == [
        ("kj_leader", "红色预警升级：东坡村第一网格")
    ]
    assert [s.phone for s in ConsoleSmsBackend.outbox] == ["13900000002"]
    services.warning_change_level(
        acting_user=w.dispatcher,
        warning=warning,
        level="yellow",
        reason="已化解大部分矛盾",
        now=at("09-22", "09:00"),
    )
    services.warning_lift(
        acting_user=w.dispatcher, warning=warning, reason="双方达成协议", now=at("09-23", "09:00")
    )
    warning.refresh_from_db()
    assert (warning.is_active, warning.lifted_by, warning.lift_reason) == (
        False,
        w.dispatcher,
        "双方达成协议",
    )
    history = [
        (c.action, c.from_level, c.to_level, c.by.username)
        for c in selectors.warning_history(warning=warning)
    ]
    assert history == [
        ("raise", "", "yellow", "kj_dispatcher"),
        ("upgrade", "yellow", "orange", "kj_leader"),
        ("upgrade", "orange", "red", "kj_dispatcher"),
        ("downgrade", "red", "yellow", "kj_dispatcher"),
        ("lift", "yellow", "", "kj_dispatcher"),
    ]
    audited = list(
        AuditEntry.objects.filter(object_type="warning.earlywarning")
        .order_by("id")
        .values_list("event", flat=True)
    )
    assert audited == [
        "warning.raise",
        "warning.upgrade",
        "warning.upgrade",
        "warning.downgrade",
        "warning.lift",
    ]
    with pytest.raises(Conflict, match="已解除"):
        services.warning_lift(acting_user=w.dispatcher, warning=warning, reason="再次解除")
    # After the lift a new warning on the same place is a new row; the old one stays.
    again = services.warning_raise(
        acting_user=w.dispatcher, target=g1, level="red", reason="再次聚集", now=at("09-24", "09:00")
    )
    assert again.pk != warning.pk and selectors.current_warning(g1) == again
    assert [x.pk for x in selectors.warnings_under(w.tree.v1.path)] == [again.pk]
    assert list(selectors.warnings_under(w.tree.v2.path)) == []


def test_refusals_write_nothing(world):
    w, g1 = world, world.tree.g1
    warning = services.warning_raise(acting_user=w.dispatcher, target=g1, level="orange", reason="纠纷")
    before = written()
    cases = [
        (
            lambda: services.warning_raise(acting_user=w.leader, target=g1, level="red", reason="又一次"),
            Conflict,
            "该对象已有生效中的橙色预警，请调整等级或先解除。",
        ),
        (
            lambda: services.warning_raise(
                acting_user=w.dispatcher, target=w.tree.g2, level="purple", reason="x"
            ),
            ValidationFailed,
            "请选择预警等级：黄色、橙色或红色。",
        ),
        (
            lambda: services.warning_raise(
                acting_user=w.dispatcher, target=w.tree.g2, level="red", reason=" "
            ),
            ValidationFailed,
            "请填写预警原因。",
        ),
        (
            lambda: services.warning_raise(
                acting_user=w.dispatcher, target=w.tree.g2, level="red", reason="长" * 501
            ),
            ValidationFailed,
            "预警原因不能超过 500 字。",
        ),
        (
            lambda: services.warning_raise(acting_user=w.worker, target=g1, level="red", reason="x"),
            PermissionDenied,
            "您无权发布预警：须由乡镇（街道）或县级领导、指挥中心调度员办理。",
        ),
        (
            lambda: services.warning_raise(
                acting_user=w.wulong_dispatcher, target=w.tree.g2, level="red", reason="x"
            ),
            NotFound,
            "未找到该记录，或您无权查看。",
        ),
        (
            lambda: services.warning_change_level(
                acting_user=w.dispatcher, warning=warning, level="orange", reason="x"
            ),
            ValidationFailed,
            "预警已是橙色预警，等级未变化。",
        ),
        (
            lambda: services.warning_change_level(
                acting_user=w.dispatcher, warning=warning, level="red", reason=""
            ),
            ValidationFailed,
            "请填写调整理由。",
        ),
        (
            lambda: services.warning_change_level(
                acting_user=w.cadre, warning=warning, level="red", reason="x"
            ),
            PermissionDenied,
            "您无权调整预警等级：须由乡镇（街道）或县级领导、指挥中心调度员办理。",
        ),
        (
            lambda: services.warning_lift(acting_user=w.wulong_dispatcher, warning=warning, reason="x"),
            NotFound,
            "未找到该记录，或您无权查看。",
        ),
        (
            lambda: services.warning_lift(acting_user=w.dispatcher, warning=warning, reason=""),
            ValidationFailed,
            "请填写解除原因。",
        ),
    ]
    for call, error, message in cases:
        with pytest.raises(error) as exc:
            call()
        assert exc.value.message == message
    assert written() == before
    warning.refresh_from_db()
    assert (warning.level, warning.is_active) == ("orange", True)


def test_event_warning_and_panel(client, world, make_user, report_event, django_assert_max_num_queries):
    w = world
    event = report_event(at("09-21", "09:00"))
    client.force_login(w.dispatcher)
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "无生效中的预警" in page and "发布预警" in page
    response = client.post(
        f"/warning/event/{event.pk}/raise", {"level": "orange", "reason": "涉及多户，情绪激动"}
    )
    assert response.status_code == 302 and response["Location"] == f"/events/{event.pk}/"
    warning = EarlyWarning.objects.get()
    assert (warning.kind, warning.object_id, warning.place_path) == ("event", event.pk, w.tree.g1.path)
    assert warning.target_label == f"事件 {event.number}（东坡村第一网格）"
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "橙色预警" in page and "涉及多户，情绪激动" in page and "调整等级" in page
    # Change the level from the panel: back to the event page.
    response = client.post(
        f"/warning/{warning.pk}/level",
        {"level": "yellow", "reason": "已稳控", "next": f"/events/{event.pk}/"},
    )
    assert response["Location"] == f"/events/{event.pk}/"
    # The grid worker sees the panel without the forms; a villager reporter sees the event, not the panel.
    client.force_login(w.worker)
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert (
        "黄色预警" in page
        and "涉及多户，情绪激动" in page
        and "调整等级" not in page
        and "发布预警" not in page
    )
    villager = make_user("villager", w.tree.g1, username="villager_a")
    own = report_event(at("09-21", "10:00"), user=villager)
    services.warning_raise(acting_user=w.dispatcher, target=own, level="red", reason="村民情绪激动")
    client.force_login(villager)
    page = client.get(f"/events/{own.pk}/").content.decode()
    assert own.number in page and "红色预警" not in page and "村民情绪激动" not in page
    client.force_login(w.dispatcher)
    response = client.post(f"/warning/{warning.pk}/lift", {"reason": "x", "next": "https://evil.example/"})
    assert response["Location"] == f"/warning/{warning.pk}/"  # never off-site
    assert not EarlyWarning.objects.get(pk=warning.pk).is_active
    # The panel costs one query of its own.
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get(f"/events/{event.pk}/")
    request.user = w.dispatcher
    w.dispatcher.grants()
    with django_assert_max_num_queries(1):
        Template("{% load warning_tags %}{% warning_panel event %}").render(
            Context({"request": request, "event": event})
        )
    # Out of scope: the event is not found.
    client.force_login(w.wulong_dispatcher)
    assert client.post(f"/warning/event/{event.pk}/raise", {"level": "red", "reason": "x"}).status_code == 404


def test_place_page_raises(client, world):
    w = world
    client.force_login(w.dispatcher)
    url = f"/warning/place/{w.tree.v1.code}/"
    assert "发布预警" in client.get(url).content.decode()
    response = client.post(url, {"level": "red", "reason": ""})
    assert response.status_code == 400 and "请填写预警原因。" in response.content.decode()
    assert not EarlyWarning.objects.exists()
    assert client.post(url, {"level": "red", "reason": "山体滑坡隐患"}).status_code == 302
    body = client.get(url).content.decode()
    assert "红色预警" in body and "山体滑坡隐患" in body and "查看、调整或解除" in body
    client.force_login(w.cadre)
    body = client.get(url).content.decode()
    assert "红色预警" in body
    assert client.post(url, {"level": "red", "reason": "x"}).status_code == 400  # sees, may not raise
    client.force_login(w.wulong_dispatcher)
    assert client.get(url).status_code == 404


def test_list_filters_export_scope_and_queries(client, world, make_place, django_assert_max_num_queries):
    w = world
    services.warning_raise(acting_user=w.dispatcher, target=w.tree.g1, level="red", reason="甲")
    services.warning_raise(acting_user=w.dispatcher, target=w.tree.g2, level="yellow", reason="乙")
    lifted = services.warning_raise(acting_user=w.dispatcher, target=w.tree.v1, level="orange", reason="丙")
    services.warning_lift(acting_user=w.dispatcher, warning=lifted, reason="已化解")
    services.warning_raise(acting_user=w.wulong_dispatcher, target=w.tree.g3, level="red", reason="丁")
    client.force_login(w.dispatcher)
    body = client.get("/warning/").content.decode()
    assert (
        "东坡村第一网格" in body
        and "西岭村第一网格" in body
        and "南河村" not in body
        and "已化解" not in body
    )
    body = client.get("/warning/", {"level": "red"}).content.decode()
    assert "东坡村第一网格" in body and "西岭村第一网格" not in body
    assert "东坡村</a>" in client.get("/warning/", {"state": "lifted"}).content.decode()
    ws = load_workbook(io.BytesIO(client.get("/warning/", {"export": "xlsx", "state": "all"}).content)).active
    assert sorted(row[2].value for row in ws.iter_rows(min_row=2)) == [
        "东坡村",
        "东坡村第一网格",
        "西岭村第一网格",
    ]
    client.force_login(w.cadre)
    body = client.get("/warning/").content.decode()
    assert "东坡村第一网格" in body and "西岭村第一网格" not in body
    client.force_login(w.no_role)
    assert client.get("/warning/").status_code == 404

    client.force_login(w.dispatcher)
    with django_assert_max_num_queries(12) as ctx:
        client.get("/warning/", {"state": "all"})
    few = len(ctx.captured_queries)
    for n in range(8):
        grid = make_place(w.tree.v2, "grid", f"西岭村网格{n}")
        services.warning_raise(acting_user=w.leader, target=grid, level="yellow", reason=f"原因{n}")
    with django_assert_max_num_queries(few):
        client.get("/warning/", {"state": "all"})
    # Home: red warnings in force for those who manage them.
    assert [(i.title, i.count) for i in action_items(w.leader) if "红色预警" in i.title] == [
        ("生效中的红色预警", 1)
    ]
