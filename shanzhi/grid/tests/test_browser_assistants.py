"""In a browser: a village cadre appoints a village affairs assistant, prints the service card and registers a hazard
point that then shows on the village map; a villager opens the card's public page on a phone and taps 我要反映,
which asks them to log in first."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cadre_appoints_an_assistant_and_a_villager_opens_the_public_page(
    page, phone_page, login, tree, make_user, make_place, make_household, settings
):
    settings.MAP_TILE_URL = ""
    cadre = make_user("village_cadre", tree.v1, username="dongpo_cadre")
    micro = make_place(tree.g1, "microgrid", "东坡村一号微网格")
    person = make_household(cadre, micro, head_name="王秀兰", latitude="35.11", longitude="112.51").head
    login(page, "dongpo_cadre")
    page.goto("/grid/grids/")
    page.get_by_role("link", name="村务助理").click()
    page.get_by_label("微网格代码").fill(micro.code)
    page.get_by_label("人员身份证号").fill(person.id_number)
    page.get_by_label("公开联系电话（印在服务卡上）").fill("0391-6612345")
    page.get_by_role("button", name="聘任").click()
    assert "须经村务助理本人同意" in page.locator(".alert-danger").inner_text()
    page.get_by_label("本人同意公开此电话").check()
    page.get_by_role("button", name="聘任").click()
    page.wait_for_url("**/card")
    card = page.locator("#service-card")
    assert (
        "王秀兰" in card.inner_text() and "0391-6612345" in card.inner_text() and "1 户" in card.inner_text()
    )
    assert card.locator("img").evaluate("img => img.naturalWidth") > 0  # the QR code drew
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    assert download.value.suggested_filename == f"service-card-{micro.code}.pdf"

    page.goto(f"/grid/hazards/?place={tree.g1.code}")
    page.get_by_label("名称").fill("后山滑坡点")
    page.get_by_label("类型").select_option(label="滑坡")
    page.get_by_label("位置").fill("三组后山")
    page.get_by_label("纬度").fill("35.112")
    page.get_by_label("经度").fill("112.513")
    page.get_by_label("监测人", exact=True).fill("刘监测")
    page.get_by_role("button", name="登记").click()
    assert "已登记隐患点" in page.locator(".alert-success").inner_text()
    page.goto(f"/grid/map/{tree.v1.code}/")
    page.locator("#map-status").filter(has_text="隐患点 1").wait_for()

    phone_page.goto(f"/grid/public/microgrid/{micro.code}/")
    assert "王秀兰" in phone_page.locator("#public-assistant").inner_text()
    phone_page.get_by_role("link", name="我要反映").click()
    phone_page.wait_for_url("**/accounts/login/**")
