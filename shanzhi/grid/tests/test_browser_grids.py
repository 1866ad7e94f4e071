"""The grid map in a browser: a village cadre pastes a grid outline, opens the village map and sees the grid and
the household drawn (on a plain background: no tile server configured)."""

from __future__ import annotations

import json

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SQUARE = {"type": "Polygon", "coordinates": [[[112.50, 35.10], [112.52, 35.10], [112.52, 35.12], [112.50, 35.12],
                                              [112.50, 35.10]]]}


def test_cadre_draws_a_grid_and_sees_it_on_the_map(page, login, tree, make_user, make_household, settings):
    settings.MAP_TILE_URL = ""
    cadre = make_user("village_cadre", tree.v1, username="dongpo_cadre")
    make_household(cadre, tree.v1, latitude="35.11", longitude="112.51")
    login(page, "dongpo_cadre")
    page.locator("#mainnav").get_by_role("link", name="网格", exact=True).click()
    page.get_by_role("link", name=tree.g1.name).click()
    page.get_by_role("link", name="编辑网格档案").click()
    page.get_by_label("网格类型").select_option(label="专属网格")
    page.get_by_role("button", name="保存").click()
    assert "专属网格须写明专属事项" in page.locator(".alert-danger").inner_text()
    page.get_by_label("专属事项（专属网格填写，如：地质灾害监测点）").fill("地质灾害监测点")
    page.get_by_label("或粘贴 GeoJSON").fill(json.dumps(SQUARE))
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/grid/grids/{tree.g1.code}/")
    assert "地质灾害监测点" in page.locator("#grid-type").inner_text()

    page.goto(f"/grid/map/{tree.v1.code}/")
    status = page.locator("#map-status")
    status.filter(has_text="有坐标的户").wait_for()
    assert "网格 1 / 1" in status.inner_text() and "有坐标的户 1" in status.inner_text()
    assert page.locator(".leaflet-tile").count() == 0  # plain background
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="按边界落户").click()
    assert "调整 1 户" in page.locator(".alert-success").inner_text()
