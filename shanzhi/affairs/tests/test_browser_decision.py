"""Issue 6's "done means" for 四议两公开: a project through all six steps on the pages, one meeting failing its
quorum and held again, the supervisory committee commenting, and the published resolution and result on the
public board (the publications' public pages and the village board)."""

from __future__ import annotations

import pytest

from shanzhi.affairs.models import Decision

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def tick(pg, names):
    for name in names:
        pg.get_by_label(name, exact=True).check()


def record(pg, attendees, votes_for, minutes):
    tick(pg, attendees)
    pg.get_by_label("赞成").fill(str(votes_for))
    pg.get_by_label("会议记录", exact=True).fill(minutes)
    pg.get_by_role("button", name="记录会议").click()


def test_decision_six_steps_with_a_failed_quorum(page, login, village):
    w = village
    login(page, "v1_cadre")
    page.goto("/affairs/")
    page.get_by_role("link", name="发起决策事项").click()
    page.get_by_label("事项名称").fill("村东道路硬化工程")
    page.get_by_label("事项内容").fill("硬化村东道路 1.2 公里，预算 30 万元。")
    page.get_by_role("button", name="发起").click()
    steps = page.get_by_test_id("decision-steps")
    assert "村党组织提议" in steps.locator('[data-status="current"]').inner_text()

    # 1. 村党组织提议 → 2. 两委会议 (5 members, all present)
    page.get_by_label("提议内容").fill("党支部提议硬化村东道路，解决雨天出行难。")
    page.get_by_role("button", name="提交党组织提议").click()
    assert "村\"两委\"会议商议" in steps.locator('[data-status="current"]').inner_text()
    record(page, [f"党员{i}" for i in range(5)], 5, "两委会议一致同意提交党员大会审议。")
    assert "党员大会审议" in steps.locator('[data-status="current"]').inner_text()

    # 3. 党员大会: 5 of 9 present — below 2/3; recorded, the step waits and the page says why
    record(page, [f"党员{i}" for i in range(5)], 5, "到会党员不足。")
    assert "会议已记录，但未通过" in page.locator(".alert").first.inner_text()
    failed = page.get_by_test_id("meeting").last
    assert "不足法定人数" in failed.inner_text()
    assert "应到 9 人，实到 5 人，须三分之二以上到会即至少 6 人" in failed.get_by_test_id("meeting-explanation").inner_text()
    assert "党员大会审议" in steps.locator('[data-status="current"]').inner_text()

    # the supervisory committee comments at this step
    login(page, "v1_supervisor")
    page.goto(Decision.objects.get().get_absolute_url())
    page.get_by_label("监督意见").fill("党员大会到会不足三分之二，须改期重开。")
    page.get_by_role("button", name="提交监督意见").click()
    assert "须改期重开" in page.get_by_test_id("supervision").inner_text()

    # held again: 7 present, 6 approve → 4. 村民代表会议 (6 representatives)
    login(page, "v1_cadre")
    page.goto(Decision.objects.get().get_absolute_url())
    record(page, [f"党员{i}" for i in range(7)], 6, "再次召开，审议通过。")
    assert "村民会议或村民代表会议决议" in steps.locator('[data-status="current"]').inner_text()
    record(page, [f"党员{i}" for i in range(3, 9)], 5, "村民代表会议表决通过。")
    assert "决议公开" in steps.locator('[data-status="current"]').inner_text()
    assert "已通过" in page.get_by_test_id("decision-state").inner_text()

    # 5. 决议公开 → 6. 实施结果公开
    page.get_by_label("决议内容").fill("同意硬化村东道路，预算 30 万元，公开比选施工单位。")
    page.get_by_role("button", name="发布公示").click()
    page.get_by_label("实施结果").fill("道路已完工，经乡镇验收合格，结算 28.6 万元。")
    page.get_by_role("button", name="发布公示").click()
    assert all(s.get_attribute("data-status") == "done" for s in steps.locator("li").all())

    d = Decision.objects.get()
    assert d.state == "done" and d.outcome == "passed"
    # the public board: each publication's public page (no login) and the village board lists them
    page.context.clear_cookies()
    page.goto(f"/p/{d.resolution_publication.public_id}/")
    body = page.locator("main").inner_text()
    assert "决议公开：村东道路硬化工程" in body and "应到 9 人，实到 7 人" in body and "同意硬化村东道路" in body
    page.goto(f"/p/{d.result_publication.public_id}/")
    assert "结算 28.6 万元" in page.locator("main").inner_text()
    page.goto(f"/p/village/{w.v.code}/")
    board = page.locator("main").inner_text()
    assert "决议公开：村东道路硬化工程" in board and "实施结果公开：村东道路硬化工程" in board
