"""The grid risk card's contributions from other apps (domain.md G5) and the map's event layer: the events app's
provider counts the grid's open events by state and overdue (its micro-grids included, other grids not), lists them
linked and without the reporter; the map JSON carries open events masked and scoped; both keep a flat query count.
Also the grid list's 户数, counted over each grid's subtree in one grouped query."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shanzhi.grid import riskcard
from shanzhi.workflow.calendar import CHINA

pytestmark = pytest.mark.django_db

FRI = dt.datetime(2026, 11, 20, 10, 0, tzinfo=CHINA)  # a Friday; triage is due on Monday at 17:30


@pytest.fixture
def ev(g6, make_user):
    from shanzhi.events.services import event_report
    from shanzhi.grid.services import MatterSpec, matter_admit

    admin = make_user("admin", g6.tree.county, username="county_admin")
    g6.dispatcher = make_user("dispatcher", g6.tree.kejing, username="kejing_dispatcher")
    g6.reporter = make_user("villager", g6.tree.v1, username="villager_a", full_name="报告人甲")
    g6.cadre_v2 = make_user("village_cadre", g6.tree.v2, username="xiling_cadre")
    g6.matter = matter_admit(
        acting_user=admin,
        place=g6.tree.county,
        reason="县委政法委文件",
        spec=MatterSpec(
            code="GM-01",
            name="邻里纠纷",
            category="dispute",
            level="grid",
            department="村人民调解委员会",
            time_limit_days=1,
            grid_can_settle=True,
        ),
    )

    def report(place, user=None, lat="35.111", lng="112.512", now=FRI, text="两户因排水沟发生争执"):
        return event_report(
            acting_user=user or g6.reporter,
            place=place,
            matter_id=g6.matter.pk,
            text=text,
            latitude=lat,
            longitude=lng,
            address="三组桥头",
            now=now,
        )

    g6.report = report
    return g6


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx), response


def test_events_provider_is_registered_by_the_events_app():
    from shanzhi.events import riskcard as events_riskcard

    assert events_riskcard.open_events_section in riskcard._card_providers
    assert events_riskcard.open_events_layer in riskcard._layer_providers


def test_card_counts_open_events_by_state_and_overdue(client, ev):
    from shanzhi.events.services import event_triage
    from shanzhi.workflow import engine

    late = ev.report(ev.tree.g1)
    ev.report(ev.micro, now=FRI + dt.timedelta(days=4))  # a micro-grid of the grid counts
    triaged = ev.report(ev.tree.g1, now=FRI + dt.timedelta(days=4))
    event_triage(
        acting_user=ev.dispatcher, event=triaged, level="grid", now=FRI + dt.timedelta(days=4, hours=1)
    )
    ev.report(ev.tree.g2, user=ev.cadre_v2)  # another village's grid: not on this card
    engine.sweep_overdue(now=dt.datetime(2026, 11, 24, 10, 0, tzinfo=CHINA))
    late.refresh_from_db()
    assert late.is_overdue
    client.force_login(ev.cadre)
    page = client.get(f"/grid/grids/{ev.tree.g1.code}/").content.decode()
    section = page[
        page.index('id="card-section-events"') : page.index(
            "</section>", page.index('id="card-section-events"')
        )
    ]
    assert "未办结事件" in section and "合计 <b>3</b>" in section and "待分派 <b>2</b>" in section
    assert "待受理 <b>1</b>" in section and "已超期 <b>1</b>" in section
    assert f'href="/events/{late.pk}/"' in section and late.number in section and "table-danger" in section
    assert "报告人甲" not in section and "两户因排水沟" not in section  # no reporter, no text on the card
    assert 'href="/events/list"' in section
    page_v2 = client.get(f"/grid/grids/{ev.tree.g2.code}/")
    assert page_v2.status_code == 404  # the card of another village's grid


def test_card_without_events_and_for_a_user_without_event_view(client, ev, make_user):
    client.force_login(ev.cadre)
    page = client.get(f"/grid/grids/{ev.tree.g1.code}/").content.decode()
    assert "本网格没有未办结的事件。" in page
    from shanzhi.events import riskcard as events_riskcard

    nobody = make_user(username="nobody")
    assert events_riskcard.open_events_section(ev.tree.g1, nobody) is None
    assert events_riskcard.open_events_layer(ev.tree.v1, nobody) is None


def test_card_query_count_does_not_grow_with_events(client, ev):
    ev.report(ev.tree.g1)
    client.force_login(ev.cadre)
    url = f"/grid/grids/{ev.tree.g1.code}/"
    _queries(client, url)
    few, _ = _queries(client, url)
    for n in range(12):
        ev.report(ev.micro if n % 2 else ev.tree.g1, text=f"第{n}件")
    many, response = _queries(client, url)
    assert many == few
    assert "另有 3 条未列出" in response.content.decode()


def test_map_json_shows_open_events_masked_and_scoped(client, ev, settings):
    settings.MAP_TILE_URL = ""
    on_map = ev.report(ev.micro)
    ev.report(ev.tree.g1, lat="", lng="")  # no coordinates: not on the map
    ev.report(ev.tree.g2, user=ev.cadre_v2, lat="35.2", lng="112.6")  # another village
    client.force_login(ev.cadre)
    data = client.get(f"/grid/map/{ev.tree.v1.code}/data.json").json()
    layer = next(la for la in data["layers"] if la["key"] == "events")
    assert layer["points"] == [
        {
            "lat": 35.111,
            "lng": 112.512,
            "title": f"{on_map.number} 邻里纠纷",
            "lines": ["待分派", ""],
            "url": f"/events/{on_map.pk}/",
            "level": "",
        }
    ]
    text = json.dumps(data, ensure_ascii=False)
    assert "报告人甲" not in text and "两户因排水沟" not in text and "villager_a" not in text
    client.force_login(ev.dispatcher)  # the township's map: both villages
    leader_data = client.get(f"/grid/map/{ev.tree.kejing.code}/data.json").json()
    layer = next(la for la in leader_data["layers"] if la["key"] == "events")
    assert len(layer["points"]) == 2
    client.force_login(ev.outsider)
    assert client.get(f"/grid/map/{ev.tree.v1.code}/data.json").status_code == 404


def test_map_json_query_count_does_not_grow(client, ev, make_household, settings):
    from shanzhi.grid import hazards

    settings.MAP_TILE_URL = ""
    spec = hazards.HazardSpec(
        name="点",
        kind="landslide",
        location="后山",
        latitude="35.11",
        longitude="112.51",
        monitor_name="刘监测",
    )
    ev.report(ev.tree.g1)
    hazards.hazard_point_create(acting_user=ev.cadre, grid=ev.tree.g1, spec=spec)
    client.force_login(ev.cadre)
    url = f"/grid/map/{ev.tree.v1.code}/data.json"
    _queries(client, url)
    few, _ = _queries(client, url)
    for n in range(5):
        ev.report(ev.micro, text=f"第{n}件")
        hazards.hazard_point_create(acting_user=ev.cadre, grid=ev.micro, spec=spec)
        make_household(ev.cadre, ev.micro, latitude="35.11", longitude="112.51")
    many, response = _queries(client, url)
    assert many == few
    counts = {la["key"]: len(la["points"]) for la in response.json()["layers"]}
    assert counts == {"hazards": 6, "events": 6}


# --- the grid list's 户数 (bug: only households directly in the grid were counted) ---------------------------------


def test_grid_list_counts_households_of_micro_grids(client, g6, make_household, make_place):
    make_household(g6.cadre, g6.tree.g1)  # directly in the grid
    make_household(g6.cadre, g6.micro2)  # g6.micro already has one
    client.force_login(g6.cadre)
    page = client.get("/grid/grids/").content.decode()

    def count_of(place):
        row = page[page.index(f'<td class="text-nowrap">{place.code}</td>') :]
        return row[: row.index("</tr>")].rsplit("<td>", 1)[1].split("</td>")[0]

    assert count_of(g6.tree.g1) == "3" and count_of(g6.micro) == "1" and count_of(g6.micro2) == "1"
    few, _ = _queries(client, "/grid/grids/")
    for n in range(4):
        g = make_place(g6.tree.v1, "grid", f"加网格{n}")
        m = make_place(g, "microgrid", f"加微网格{n}")
        make_household(g6.cadre, m)
    many, response = _queries(client, "/grid/grids/")
    assert many == few
    page = response.content.decode()
    assert count_of(g6.tree.g1) == "3"


# --- warnings (the warning app's provider) ------------------------------------------------------------------------


def test_card_shows_the_grids_warning_and_those_inside_it(client, ev, make_user):
    from shanzhi.warning import riskcard as warning_riskcard
    from shanzhi.warning.services import warning_raise

    assert warning_riskcard.warnings_section in riskcard._card_providers
    client.force_login(ev.cadre)
    url = f"/grid/grids/{ev.tree.g1.code}/"
    assert "本网格没有生效中的预警。" in client.get(url).content.decode()
    _queries(client, url)
    few, _ = _queries(client, url)
    warning_raise(acting_user=ev.dispatcher, target=ev.tree.g1, level="orange", reason="土地流转纠纷可能激化")
    warning_raise(acting_user=ev.dispatcher, target=ev.micro, level="red", reason="有人扬言集体上访")
    warning_raise(acting_user=ev.dispatcher, target=ev.tree.g2, level="yellow", reason="另一村的事")
    some, _ = _queries(client, url)
    assert some == few + 1  # the rows are read once there are any
    warning_raise(acting_user=ev.dispatcher, target=ev.micro2, level="yellow", reason="邻里口角")
    many, response = _queries(client, url)
    assert many == some
    page = response.content.decode()
    section = page[
        page.index('id="card-section-warnings"') : page.index(
            "</section>", page.index('id="card-section-warnings"')
        )
    ]
    assert (
        "本网格 <b>橙色预警</b>" in section
        and "红色预警 <b>1</b>" in section
        and "黄色预警 <b>1</b>" in section
    )
    assert "有人扬言集体上访" in section and "另一村的事" not in section
    assert section.index("有人扬言集体上访") < section.index("土地流转纠纷")  # most serious first
    assert f'href="/warning/place/{ev.tree.g1.code}/"' in section
    nobody = make_user(username="nobody")
    assert warning_riskcard.warnings_section(ev.tree.g1, nobody) is None
