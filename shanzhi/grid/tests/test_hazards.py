"""Hazard points (隐患点, domain.md G1 专属网格, G5 risk card): registration with a monitor, Chinese errors with nothing
written, scope (404 outside, view-only refused), withdrawal with a reason, the list page's flat query count, and the
points on the risk card and the map."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.grid import grids, hazards
from shanzhi.grid.models import HazardPoint

pytestmark = pytest.mark.django_db


def spec(**kwargs) -> hazards.HazardSpec:
    data = {
        "name": "后山滑坡点",
        "kind": "landslide",
        "location": "东坡村三组后山",
        "latitude": "35.111",
        "longitude": "112.512",
        "monitor_name": "刘监测",
        "monitor_phone": "13912345678",
        "notes": "雨季每日巡查两次",
    }
    data.update(kwargs)
    return hazards.HazardSpec(**data)


def writes() -> tuple[int, int]:
    return HazardPoint.objects.count(), AuditEntry.objects.count()


def test_create_update_withdraw_with_audit(g6):
    point = hazards.hazard_point_create(acting_user=g6.cadre, grid=g6.tree.g1, spec=spec())
    assert (point.place_path, str(point.latitude), point.monitor_phone) == (
        g6.tree.g1.path,
        "35.111000",
        "13912345678",
    )
    point = hazards.hazard_point_update(
        acting_user=g6.cadre, point=point, spec=spec(name="后山滑坡隐患点", latitude="", longitude="")
    )
    assert point.name == "后山滑坡隐患点" and point.latitude is None
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        hazards.hazard_point_set_active(acting_user=g6.cadre, point=point, active=False, reason=" ")
    assert "须写明原因" in exc.value.message and writes() == before
    hazards.hazard_point_set_active(acting_user=g6.cadre, point=point, active=False, reason="已治理销号")
    point.refresh_from_db()
    assert not point.is_active
    events = list(
        AuditEntry.objects.filter(place_path=g6.tree.g1.path, event__startswith="hazard_point")
        .order_by("id")
        .values_list("event", flat=True)
    )
    assert events == ["hazard_point_create", "hazard_point_update", "hazard_point_set_active"]


BAD = {
    "no name": ({"name": " "}, "请填写隐患点名称"),
    "unknown kind": ({"kind": "volcano"}, "未知隐患点类型：volcano"),
    "no location": ({"location": ""}, "请填写位置"),
    "no monitor": ({"monitor_name": ""}, "隐患点须有专人监测"),
    "bad phone": ({"monitor_phone": "123"}, "监测人电话应为11位手机号"),
    "latitude only": ({"longitude": ""}, "经度和纬度须同时填写"),
    "not a number": ({"latitude": "北纬35度"}, "纬度应为数字"),
    "outside China": ({"latitude": "48.85", "longitude": "2.35"}, "不在我国境内"),
    "notes too long": ({"notes": "很" * 501}, "备注不超过 500 个字"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_refused_in_chinese_and_nothing_written(g6, case):
    kwargs, message = BAD[case]
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        hazards.hazard_point_create(acting_user=g6.cadre, grid=g6.tree.g1, spec=spec(**kwargs))
    assert message in exc.value.message
    assert writes() == before


def test_scope_and_level(g6):
    before = writes()
    with pytest.raises(NotFound):
        hazards.hazard_point_create(acting_user=g6.outsider, grid=g6.tree.g1, spec=spec())
    with pytest.raises(PermissionDenied):
        hazards.hazard_point_create(acting_user=g6.worker, grid=g6.tree.g1, spec=spec())
    with pytest.raises(ValidationFailed) as exc:
        hazards.hazard_point_create(acting_user=g6.cadre, grid=g6.tree.v1, spec=spec())
    assert "应登记在网格或微网格" in exc.value.message
    assert writes() == before


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_pages_list_edit_and_withdraw(client, g6):
    client.force_login(g6.cadre)
    form = {
        "grid": g6.tree.g1.code,
        "name": "后山滑坡点",
        "kind": "landslide",
        "location": "三组后山",
        "latitude": "35.111",
        "longitude": "",
        "monitor_name": "刘监测",
    }
    response = client.post("/grid/hazards/", form)
    assert response.status_code == 400 and "经度和纬度须同时填写" in response.content.decode()
    assert not HazardPoint.objects.exists()
    assert client.post("/grid/hazards/", {**form, "longitude": "112.512"}).status_code == 302
    assert client.post("/grid/hazards/", {**form, "grid": g6.tree.g3.code}).status_code == 404
    point = HazardPoint.objects.get()
    assert "后山滑坡点" in client.get("/grid/hazards/").content.decode()
    response = client.post(
        f"/grid/hazards/{point.pk}/edit", {**form, "longitude": "112.512", "name": "后山隐患"}
    )
    assert response.status_code == 302 and response["Location"] == f"/grid/grids/{g6.tree.g1.code}/"
    client.post(f"/grid/hazards/{point.pk}/active", {"active": "0", "reason": "已治理销号"})
    point.refresh_from_db()
    assert point.name == "后山隐患" and not point.is_active
    assert "后山隐患" not in client.get("/grid/hazards/").content.decode().split('id="hazard-table"')[1]
    assert "后山隐患" in client.get("/grid/hazards/?all=1").content.decode()
    client.force_login(g6.worker)  # may view, not edit
    assert "后山隐患" in client.get("/grid/hazards/?all=1").content.decode()
    assert client.get(f"/grid/hazards/{point.pk}/edit").status_code == 403
    client.force_login(g6.outsider)
    assert "后山隐患" not in client.get("/grid/hazards/?all=1").content.decode()
    assert client.get(f"/grid/hazards/{point.pk}/edit").status_code == 404
    assert client.post(f"/grid/hazards/{point.pk}/active", {"active": "1"}).status_code == 404


def test_list_query_count_does_not_grow(client, g6, make_place):
    client.force_login(g6.cadre)
    hazards.hazard_point_create(acting_user=g6.cadre, grid=g6.tree.g1, spec=spec())
    _queries(client, "/grid/hazards/")
    few = _queries(client, "/grid/hazards/")
    for n in range(4):
        g = make_place(g6.tree.v1, "grid", f"专属网格{n}")
        hazards.hazard_point_create(acting_user=g6.cadre, grid=g, spec=spec(name=f"点{n}"))
    assert _queries(client, "/grid/hazards/") == few


def test_hazards_on_the_card_and_the_map(client, g6, settings):
    settings.MAP_TILE_URL = ""
    grids.grid_profile_save(
        acting_user=g6.cadre,
        place=g6.tree.g1,
        spec=grids.GridSpec(grid_type="special", special_note="地质灾害监测点"),
    )
    hazards.hazard_point_create(acting_user=g6.cadre, grid=g6.micro, spec=spec())
    hazards.hazard_point_create(
        acting_user=g6.cadre, grid=g6.tree.g1, spec=spec(name="无坐标点", latitude="", longitude="")
    )
    gone = hazards.hazard_point_create(acting_user=g6.cadre, grid=g6.tree.g1, spec=spec(name="已撤销点"))
    hazards.hazard_point_set_active(acting_user=g6.cadre, point=gone, active=False, reason="已治理")
    client.force_login(g6.cadre)
    card = client.get(f"/grid/grids/{g6.tree.g1.code}/").content.decode()
    table = card[card.index('id="card-hazards"') :]
    assert "后山滑坡点" in table and "无坐标点" in table and "刘监测" in table and "已撤销点" not in table
    data = client.get(f"/grid/map/{g6.tree.v1.code}/data.json").json()
    layer = next(la for la in data["layers"] if la["key"] == "hazards")
    assert [p["title"] for p in layer["points"]] == ["滑坡：后山滑坡点"]  # with coordinates, active
    assert layer["points"][0]["url"] == f"/grid/grids/{g6.micro.code}/"
    assert "13912345678" not in str(data)  # the monitor's phone stays on the staff card, off the map
    client.force_login(g6.outsider)
    assert client.get(f"/grid/grids/{g6.tree.g1.code}/").status_code == 404
