"""Grids on the map, grid staff, red area leaders and the grid risk card (domain.md G1, G5): outline validation with
nothing written on error, point-in-polygon assignment, the map JSON masked and scoped, scope (404 outside), the
public red-leader page without login, query counts that do not grow with the rows."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.grid import grids, staff
from shanzhi.grid.models import GridProfile, GridStaffPost, RedAreaLeader
from shanzhi.people.models import Household, RegistryChange

pytestmark = pytest.mark.django_db

# 东坡村 lies around 112.50–112.52 E, 35.10–35.12 N in these tests.
SQUARE = {"type": "Polygon", "coordinates": [[[112.50, 35.10], [112.52, 35.10], [112.52, 35.12], [112.50, 35.12],
                                              [112.50, 35.10]]]}
EAST = {"type": "Polygon", "coordinates": [[[112.52, 35.10], [112.54, 35.10], [112.54, 35.12], [112.52, 35.12],
                                            [112.52, 35.10]]]}


@pytest.fixture
def cadre(tree, make_user):
    return make_user("village_cadre", tree.v1, username="dongpo_cadre")


@pytest.fixture
def outsider(tree, make_user):
    return make_user("village_cadre", tree.v3, username="nanhe_cadre")


def writes() -> tuple[int, int, int]:
    return GridProfile.objects.count(), AuditEntry.objects.count(), RegistryChange.objects.count()


# --- outlines ----------------------------------------------------------------------------------------------------

def test_point_in_polygon_with_hole_and_multipolygon():
    holed = {"type": "Polygon", "coordinates": [SQUARE["coordinates"][0],
                                                [[112.505, 35.105], [112.515, 35.105], [112.515, 35.115],
                                                 [112.505, 35.115], [112.505, 35.105]]]}
    assert grids.point_in_geometry(112.501, 35.101, holed)
    assert not grids.point_in_geometry(112.51, 35.11, holed)  # in the hole
    assert not grids.point_in_geometry(112.60, 35.11, holed)
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], EAST["coordinates"]]}
    assert grids.point_in_geometry(112.53, 35.11, multi) and grids.point_in_geometry(112.51, 35.11, multi)
    assert not grids.point_in_geometry(112.51, 35.13, multi)


def test_feature_collection_is_unwrapped_and_saved_with_audit(tree, cadre):
    text = json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                                                                  "geometry": SQUARE}]})
    profile = grids.grid_profile_save(acting_user=cadre, place=tree.g1, polygon=text,
                                      spec=grids.GridSpec(grid_type="special", special_note="地质灾害监测点"))
    assert profile.polygon["type"] == "Polygon" and profile.special_note == "地质灾害监测点"
    assert AuditEntry.objects.filter(event="grid_profile_save", place_path=tree.g1.path).count() == 1
    profile = grids.grid_profile_save(acting_user=cadre, place=tree.g1, keep_polygon=True,
                                      spec=grids.GridSpec(grid_type="online", online_group="东坡一格微信群"))
    assert profile.polygon == SQUARE and profile.special_note == "" and profile.online_group == "东坡一格微信群"


BAD_POLYGONS = {
    "not json": ("{oops", "JSON 格式错误"),
    "a point": (json.dumps({"type": "Point", "coordinates": [112.5, 35.1]}), "不能是“Point”"),
    "open ring": (json.dumps({"type": "Polygon", "coordinates": [[[112.5, 35.1], [112.52, 35.1], [112.52, 35.12],
                                                                   [112.5, 35.12]]]}), "没有闭合"),
    "too few points": (json.dumps({"type": "Polygon", "coordinates": [[[112.5, 35.1], [112.52, 35.1],
                                                                        [112.5, 35.1]]]}), "至少需要 4 个"),
    "lat/lng swapped": (json.dumps({"type": "Polygon", "coordinates": [[[35.1, 112.5], [35.1, 112.52],
                                                                         [35.12, 112.52], [35.1, 112.5]]]}),
                        "经纬度是否写反了"),
    "outside China": (json.dumps({"type": "Polygon", "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86],
                                                                       [2.35, 48.85]]]}), "不在我国境内"),
    "text coordinates": (json.dumps({"type": "Polygon", "coordinates": [[["112.5", "35.1"]] * 4]}), "数字坐标"),
    "two features": (json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": SQUARE}, {"type": "Feature", "geometry": EAST}]}), "只有一个要素"),
}


@pytest.mark.parametrize("case", sorted(BAD_POLYGONS))
def test_bad_outline_is_refused_in_chinese_and_nothing_written(tree, cadre, case):
    text, message = BAD_POLYGONS[case]
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        grids.grid_profile_save(acting_user=cadre, place=tree.g1, spec=grids.GridSpec(), polygon=text)
    assert message in exc.value.message and exc.value.errors["polygon"]
    assert writes() == before


@pytest.mark.parametrize("spec,field", [({"grid_type": "special"}, "special_note"),
                                        ({"grid_type": "online"}, "online_group"),
                                        ({"grid_type": "weather"}, "grid_type")])
def test_bad_profile_is_refused_and_nothing_written(tree, cadre, spec, field):
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        grids.grid_profile_save(acting_user=cadre, place=tree.g1, spec=grids.GridSpec(**spec), polygon=SQUARE)
    assert field in exc.value.errors
    assert writes() == before


def test_profile_scope_and_level(tree, cadre, outsider, make_user):
    with pytest.raises(NotFound):
        grids.grid_profile_save(acting_user=outsider, place=tree.g1, spec=grids.GridSpec())
    worker = make_user("grid_worker", tree.g1)
    with pytest.raises(PermissionDenied):  # sees the grid, may not change its profile
        grids.grid_profile_save(acting_user=worker, place=tree.g1, spec=grids.GridSpec())
    with pytest.raises(ValidationFailed):
        grids.grid_profile_save(acting_user=cadre, place=tree.v1, spec=grids.GridSpec())
    assert not GridProfile.objects.exists()


def test_edit_page_upload_and_paste(client, tree, cadre, outsider):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cadre)
    upload = SimpleUploadedFile("g1.geojson", json.dumps(SQUARE).encode(), content_type="application/geo+json")
    response = client.post(f"/grid/grids/{tree.g1.code}/edit", {"grid_type": "base", "polygon_file": upload})
    assert response.status_code == 302
    assert GridProfile.objects.get(place=tree.g1).polygon == SQUARE
    response = client.post(f"/grid/grids/{tree.g1.code}/edit", {"grid_type": "base", "polygon": "[1, 2]"})
    assert response.status_code == 400 and "GeoJSON" in response.content.decode()
    assert GridProfile.objects.get(place=tree.g1).polygon == SQUARE
    client.force_login(outsider)
    assert client.get(f"/grid/grids/{tree.g1.code}/edit").status_code == 404
    assert client.get(f"/grid/grids/{tree.g1.code}/").status_code == 404


# --- assigning households ----------------------------------------------------------------------------------------

def test_assign_by_polygon_moves_counts_and_audits(tree, cadre, make_place, make_household):
    g1b = make_place(tree.v1, "grid", "东坡村第二网格")
    micro = make_place(tree.g1, "microgrid", "东坡村第一网格一微格")
    grids.grid_profile_save(acting_user=cadre, place=tree.g1, spec=grids.GridSpec(), polygon=SQUARE)
    grids.grid_profile_save(acting_user=cadre, place=g1b, spec=grids.GridSpec(), polygon=EAST)
    grids.grid_profile_save(acting_user=cadre, place=micro, spec=grids.GridSpec(), polygon={
        "type": "Polygon", "coordinates": [[[112.50, 35.10], [112.505, 35.10], [112.505, 35.105], [112.50, 35.10]]]})
    in_east = make_household(cadre, tree.v1, latitude="35.110000", longitude="112.530000")
    in_first = make_household(cadre, tree.g1, latitude="35.115000", longitude="112.505000")
    in_micro = make_household(cadre, tree.g1, latitude="35.101000", longitude="112.503000")
    outside = make_household(cadre, tree.v1, latitude="35.200000", longitude="112.600000")
    no_coords = make_household(cadre, g1b)
    result = grids.households_assign_by_polygon(acting_user=cadre, village=tree.v1)
    assert (result.moved, result.unchanged, result.outside, result.no_coordinates) == (2, 1, 1, 1)
    places = dict(Household.objects.values_list("pk", "place_id"))
    assert places[in_east.pk] == g1b.pk and places[in_first.pk] == tree.g1.pk and places[in_micro.pk] == micro.pk
    assert places[outside.pk] == tree.v1.pk and places[no_coords.pk] == g1b.pk
    assert AuditEntry.objects.filter(event="households_assign_by_polygon").get().after["moved"] == 2
    # Run again: nothing left to move.
    again = grids.households_assign_by_polygon(acting_user=cadre, village=tree.v1)
    assert again.moved == 0 and again.unchanged == 3


def test_assign_by_polygon_refuses_out_of_scope_and_no_outlines(tree, cadre, outsider, make_household):
    make_household(cadre, tree.v1, latitude="35.11", longitude="112.51")
    with pytest.raises(ValidationFailed):  # no outlines yet
        grids.households_assign_by_polygon(acting_user=cadre, village=tree.v1)
    grids.grid_profile_save(acting_user=cadre, place=tree.g1, spec=grids.GridSpec(), polygon=SQUARE)
    before = writes()
    with pytest.raises(NotFound):
        grids.households_assign_by_polygon(acting_user=outsider, village=tree.v1)
    assert writes() == before


def test_assign_by_hand_through_the_card(client, tree, cadre, make_household, make_place):
    household = make_household(cadre, tree.v1)
    client.force_login(cadre)
    response = client.post(f"/grid/grids/{tree.g1.code}/assign", {"number": household.number}, follow=True)
    assert f"已将 {household.number} 户划入" in response.content.decode()
    household.refresh_from_db()
    assert household.place_id == tree.g1.pk
    response = client.post(f"/grid/grids/{tree.g1.code}/assign", {"number": "NOPE"}, follow=True)
    assert "没有找到户编号为 NOPE" in response.content.decode()


def test_village_assign_page(client, tree, cadre, make_household):
    grids.grid_profile_save(acting_user=cadre, place=tree.g1, spec=grids.GridSpec(), polygon=SQUARE)
    make_household(cadre, tree.v1, latitude="35.11", longitude="112.51")
    client.force_login(cadre)
    response = client.post(f"/grid/map/{tree.v1.code}/assign", follow=True)
    assert "调整 1 户" in response.content.decode()


# --- the map -----------------------------------------------------------------------------------------------------

def test_map_json_is_masked_and_scoped(client, tree, cadre, outsider, make_household, make_user, settings):
    settings.MAP_TILE_URL = ""
    grids.grid_profile_save(acting_user=cadre, place=tree.g1, spec=grids.GridSpec(grid_type="special",
                                                                                 special_note="滑坡监测"),
                            polygon=SQUARE)
    make_household(cadre, tree.g1, head_name="王大明", latitude="35.11", longitude="112.51")
    v2_cadre = make_user("village_cadre", tree.v2)
    make_household(v2_cadre, tree.v2, head_name="赵小红", latitude="35.20", longitude="112.60")
    client.force_login(cadre)
    data = client.get(f"/grid/map/{tree.v1.code}/data.json").json()
    assert data["tile_url"] == "" and [g["code"] for g in data["grids"]] == [tree.g1.code]
    assert data["grids"][0]["type"] == "special" and data["grids"][0]["geometry"] == SQUARE
    assert [h["head"] for h in data["households"]] == ["王**"]
    assert "王大明" not in json.dumps(data, ensure_ascii=False)
    assert client.get(f"/grid/map/{tree.kejing.code}/data.json").status_code == 404  # the township: not hers
    leader = make_user("leader", tree.kejing)
    client.force_login(leader)
    township = client.get(f"/grid/map/{tree.kejing.code}/data.json").json()
    assert sorted(h["head"] for h in township["households"]) == ["王**", "赵**"]
    client.force_login(outsider)
    assert client.get(f"/grid/map/{tree.v1.code}/data.json").status_code == 404
    assert client.get(f"/grid/map/{tree.v1.code}/").status_code == 404
    client.logout()
    assert client.get(f"/grid/map/{tree.v1.code}/data.json").status_code == 302


def test_map_page_uses_vendored_leaflet_and_tile_setting(client, tree, cadre, settings):
    settings.MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    client.force_login(cadre)
    page = client.get(f"/grid/map/{tree.v1.code}/").content.decode()
    assert "vendor/leaflet/leaflet.js" in page and "按边界落户" in page
    data = client.get(f"/grid/map/{tree.v1.code}/data.json").json()
    assert data["tile_url"] == settings.MAP_TILE_URL


# --- lists and query counts ------------------------------------------------------------------------------------

def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_list_query_counts_do_not_grow(client, tree, cadre, make_place, make_household):
    client.force_login(cadre)
    person = make_household(cadre, tree.g1).head
    grids.grid_profile_save(acting_user=cadre, place=tree.g1, spec=grids.GridSpec(), polygon=SQUARE)
    staff.grid_staff_appoint(acting_user=cadre, place=tree.g1, post="worker_1", person=person)
    make_household(cadre, tree.g1, latitude="35.11", longitude="112.51")
    urls = ["/grid/grids/", "/grid/staff/", f"/grid/map/{tree.v1.code}/data.json", f"/grid/grids/{tree.g1.code}/"]
    [_queries(client, u) for u in urls]  # warm up: the first request of a session writes its last-seen time
    first = [_queries(client, u) for u in urls]
    for n in range(4):
        g = make_place(tree.v1, "grid", f"东坡村加网格{n}")
        grids.grid_profile_save(acting_user=cadre, place=g, spec=grids.GridSpec(), polygon=EAST)
        h = make_household(cadre, g, latitude="35.11", longitude="112.53")
        staff.grid_staff_appoint(acting_user=cadre, place=g, post="worker_2", person=h.head)
        make_household(cadre, tree.g1, latitude="35.11", longitude="112.51")
    assert [_queries(client, u) for u in urls] == first


# --- the risk card -----------------------------------------------------------------------------------------------

def test_risk_card_counts_tags(client, tree, cadre, make_household, outsider):
    from shanzhi.people.services import person_update

    household = make_household(cadre, tree.g1, members=["李梅"])
    head = household.members.get(relation="head")
    person_update(acting_user=cadre, person=head, data={"tags": ["party_member", "dibao"]})
    make_household(cadre, tree.g1)
    client.force_login(cadre)
    page = client.get(f"/grid/grids/{tree.g1.code}/").content.decode()
    assert 'id="card-households">2<' in page and 'id="card-persons">3<' in page
    assert "<td>党员</td><td>1</td>" in page and "<td>低保</td><td>1</td>" in page and "<td>残疾</td><td>0</td>" in page
    client.force_login(outsider)
    assert client.get(f"/grid/grids/{tree.g1.code}/").status_code == 404


# --- staff and red area leaders ----------------------------------------------------------------------------------

def test_staff_posts_are_checked_against_levels(tree, cadre, make_household, outsider):
    person = make_household(cadre, tree.g1).head
    before = GridStaffPost.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as exc:  # a 一级网格员 serves a grid, not a village
        staff.grid_staff_appoint(acting_user=cadre, place=tree.v1, post="worker_1", person=person)
    assert "一级网格员应设在网格" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        staff.grid_staff_appoint(acting_user=cadre, place=tree.g1, post="specialist", person=person)
    assert "所属部门" in exc.value.message
    with pytest.raises(ValidationFailed):
        staff.grid_staff_appoint(acting_user=cadre, place=tree.g1, post="worker_1")
    with pytest.raises(NotFound):
        staff.grid_staff_appoint(acting_user=outsider, place=tree.g1, post="worker_1", person=person)
    assert (GridStaffPost.objects.count(), AuditEntry.objects.count()) == before
    post = staff.grid_staff_appoint(acting_user=cadre, place=tree.v1, post="chief", person=person)
    assert post.name == person.name and post.place_path == tree.v1.path
    staff.grid_staff_end(acting_user=cadre, staff=post)
    post.refresh_from_db()
    assert post.term_end is not None


def test_red_leaders_public_page_without_login(client, tree, make_user, make_place):
    dispatcher = make_user("dispatcher", tree.kejing)
    before = RedAreaLeader.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        staff.red_leader_create(acting_user=dispatcher, township=tree.kejing, name="刘红", area_name="东片",
                                grid_codes=[tree.g1.code, tree.g3.code], duties="宣传政策", phone="12")
    assert tree.g3.code in exc.value.errors["grids"] and "phone" in exc.value.errors
    assert RedAreaLeader.objects.count() == before
    staff.red_leader_create(acting_user=dispatcher, township=tree.kejing, name="刘红", area_name="东片",
                            grid_codes=[tree.g1.code, tree.g2.code], duties="宣传政策、调处矛盾、收集诉求",
                            phone="0391-6612345")
    with pytest.raises(NotFound):
        staff.red_leader_create(acting_user=dispatcher, township=tree.wulong, name="陈", area_name="北片",
                                grid_codes=[tree.g3.code], duties="宣传", phone="13800000000")
    client.logout()
    response = client.get(f"/grid/public/township/{tree.kejing.code}/red-leaders/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "刘红" in page and "东片" in page and "0391-6612345" in page and tree.g2.name in page
    assert client.get(f"/grid/public/township/{tree.v1.code}/red-leaders/").status_code == 404
    assert "刘红" not in client.get(f"/grid/public/township/{tree.wulong.code}/red-leaders/").content.decode()
    with CaptureQueriesContext(connection) as few:
        client.get(f"/grid/public/township/{tree.kejing.code}/red-leaders/")
    for n in range(3):
        staff.red_leader_create(acting_user=dispatcher, township=tree.kejing, name=f"片长{n}", area_name=f"片{n}",
                                grid_codes=[tree.g1.code], duties="宣传", phone="13800000000")
    with CaptureQueriesContext(connection) as many:
        client.get(f"/grid/public/township/{tree.kejing.code}/red-leaders/")
    assert len(many) == len(few)
    # Out of scope on the staff page: the other township's cadre sees none of them.
    other = make_user("village_cadre", tree.v3)
    client.force_login(other)
    assert "刘红" not in client.get("/grid/red-leaders/").content.decode()


def test_staff_and_red_leader_pages(client, tree, cadre, make_household, make_user):
    person = make_household(cadre, tree.g1, head_name="孙网格").head
    client.force_login(cadre)
    assert "网格类型" in client.get(f"/grid/grids/{tree.g1.code}/edit").content.decode()
    response = client.post("/grid/staff/", {"post": "worker_1", "place": tree.v1.code, "id_number": person.id_number})
    assert response.status_code == 400 and "一级网格员应设在网格" in response.content.decode()
    assert not GridStaffPost.objects.exists()
    response = client.post("/grid/staff/", {"post": "worker_1", "place": tree.g1.code, "id_number": person.id_number})
    assert response.status_code == 302
    page = client.get("/grid/staff/").content.decode()
    assert "孙网格" in page and "一级网格员" in page
    assert "孙网格" in client.get(f"/grid/grids/{tree.g1.code}/").content.decode()  # on the grid's card
    # A place outside the cadre's scope is refused like a missing one.
    response = client.post("/grid/staff/", {"post": "worker_1", "place": tree.g3.code, "id_number": person.id_number})
    assert response.status_code == 404

    dispatcher = make_user("dispatcher", tree.kejing)
    client.force_login(dispatcher)
    form = {"township": tree.kejing.code, "area_name": "东片", "name": "刘红", "grids": f"{tree.g1.code}，{tree.g2.code}",
            "duties": "宣传政策", "phone": "13912345678"}
    response = client.post("/grid/red-leaders/", {**form, "phone": "abc"})
    assert response.status_code == 400 and "联系电话" in response.content.decode()
    assert client.post("/grid/red-leaders/", form).status_code == 302
    page = client.get("/grid/red-leaders/").content.decode()
    assert "刘红" in page and tree.g2.name in page
