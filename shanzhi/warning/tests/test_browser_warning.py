"""A grid worker files today's zero-report from the phone; the township dispatcher reads the daily sheet and puts
a warning on a grid."""

from __future__ import annotations

import pytest

from shanzhi.warning.models import EarlyWarning, ZeroReport

from .conftest import at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_worker_files_zero_report_on_phone(phone_page, page, login, world, period, clock):
    clock(at("09-22", "10:00"))  # a Tuesday of the period
    pg = phone_page
    login(pg, "g1_worker")
    pg.get_by_role("link", name="今日零报告未报").click()
    pg.get_by_label("备注").fill("巡查正常")
    pg.get_by_role("button", name="今日无情况，报送零报告").click()
    pg.get_by_text("已报送东坡村第一网格今日零报告（10:00）。").wait_for()
    assert pg.get_by_test_id("zero-status").inner_text() == "已报无情况"
    assert not pg.get_by_role("button", name="今日无情况，报送零报告").count()
    assert ZeroReport.objects.get().note == "巡查正常"

    login(page, "kj_dispatcher")
    page.goto(f"/warning/zero/periods/{period.pk}/")
    summary = page.get_by_test_id("zero-summary")
    assert "已报无情况 1" in summary.inner_text() and "待报 1" in summary.inner_text()
    summary.get_by_text("待报 1").click()
    rows = page.get_by_test_id("zero-row")
    assert rows.count() == 1 and "西岭村第一网格" in rows.first.inner_text()

    page.goto(f"/warning/place/{world.tree.g2.code}/")
    page.get_by_label("预警等级").select_option(label="橙色预警")
    page.get_by_label("预警原因").fill("未按时报告，网格内有纠纷苗头")
    page.get_by_role("button", name="发布预警").click()
    page.get_by_text("已发布橙色预警。").wait_for()
    assert EarlyWarning.objects.get().level == "orange"
    page.goto("/warning/")
    assert "西岭村第一网格" in page.get_by_role("table").inner_text()
