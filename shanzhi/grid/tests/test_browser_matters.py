"""The matter list in a browser: a county administrator admits a matter, shortens its time limit and takes it
off the list; a village cadre reads the county's list without any button to change it."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_admits_adjusts_and_exits_a_matter_cadre_reads(page, login, tree, people, admit):
    admit(code="GM-01", name="邻里纠纷")
    login(page, "county_admin")
    page.locator("#mainnav").get_by_role("link", name="事项清单", exact=True).click()
    page.get_by_role("link", name="事项准入").click()
    page.get_by_label("事项代码").fill("GM-01")
    page.get_by_label("事项名称").fill("秸秆焚烧")
    page.get_by_label("事项类别").select_option(label="环境卫生")
    page.get_by_label("责任层级").select_option(label="乡镇（街道）")
    page.get_by_label("责任部门").fill("乡镇生态环境办")
    page.get_by_label("办理时限（工作日）").fill("2")
    page.get_by_label("准入依据或原因").fill("秋收禁烧工作方案")
    page.get_by_role("button", name="准入").click()
    assert "GM-01 已被" in page.locator(".alert-danger").inner_text()  # refused, the input kept
    assert page.get_by_label("事项名称").input_value() == "秸秆焚烧"
    page.get_by_label("事项代码").fill("GM-02")
    page.get_by_label("网格可自行解决").check()
    page.get_by_role("button", name="准入").click()
    page.wait_for_url("**/grid/matters/*/")
    assert "秋收禁烧工作方案" in page.locator("#matter-history").inner_text()

    page.get_by_role("link", name="调整").click()
    page.get_by_label("办理时限（工作日）").fill("1")
    page.get_by_label("调整原因").fill("禁烧期从严")
    page.get_by_role("button", name="保存调整").click()
    assert "办理时限（工作日）：2 → 1" in page.locator("#matter-history").inner_text()

    page.get_by_role("link", name="退出清单").click()
    page.get_by_label("退出原因").fill("禁烧期结束")
    page.get_by_role("button", name="确认退出").click()
    assert "已退出" in page.locator("h1").inner_text()
    assert page.get_by_role("link", name="重新准入").is_visible()

    page.context.clear_cookies()
    login(page, "dongpo_cadre")
    page.locator("#mainnav").get_by_role("link", name="事项清单", exact=True).click()
    table = page.locator("#matter-table")
    assert "邻里纠纷" in table.inner_text() and "秸秆焚烧" not in table.inner_text()
    assert page.get_by_role("link", name="事项准入").count() == 0
    page.get_by_label("状态").select_option(label="已退出")
    page.get_by_role("button", name="查询").click()
    table.get_by_role("link", name="秸秆焚烧").click()
    assert "禁烧期结束" in page.locator("#matter-history").inner_text()
    assert page.get_by_role("link", name="重新准入").count() == 0
