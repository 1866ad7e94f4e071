"""A village cadre drafts the village rules, records the four hearings and puts them to the vote in the browser;
once the 四议两公开 decision passes they are in force and published; a villager then reads the notice board on a
phone: the sections, search, the published rules with their clause anchors, and the power list drawn as a flow."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.charter import services
from shanzhi.charter.choices import RulesStatus
from shanzhi.charter.models import RulesVersion
from shanzhi.publication.services import publication_create

from .conftest import item

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PARTIES = ["听取乡贤意见", "听取人大代表、政协委员意见", "听取驻村干部、党员干部意见", "听取村民代表意见"]


def no_sideways_scroll(pg) -> bool:
    return pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_rules_adopted_then_read_on_the_phone_board(page, phone_page, login, world):
    v1 = world.tree.v1
    # The township's template, adopted and published by the village (through the services).
    template = services.power_list_create(acting_user=world.dispatcher, place=world.tree.kejing, kind="micro_power")
    services.power_item_create(acting_user=world.dispatcher, power_list=template, data=item())
    own = services.power_list_adopt(acting_user=world.cadre, template=template, village=v1)
    services.power_list_publish(acting_user=world.cadre, power_list=own)
    today = dt.date.today()
    publication_create(acting_user=world.cadre, place=v1, kind="finance_statement", title="2026年10月财务收支公开",
                       columns=["项目", "金额"], rows=[["办公费", "120.00"]], starts_on=today,
                       ends_on=today + dt.timedelta(days=9))

    login(page, "v1_cadre")
    page.get_by_role("link", name="权力清单与村规").click()
    page.get_by_role("link", name="起草村规民约").click()
    page.get_by_label("标题").fill("东坡村村规民约")
    page.get_by_role("button", name="创建草案").click()
    page.get_by_text("已创建第1版草案").wait_for()
    page.get_by_role("link", name="编辑条文").click()
    texts = page.get_by_label("新增条款", exact=True)
    texts.nth(0).fill("严禁赌博，发现赌博行为及时报告网格员。")
    texts.nth(1).fill("婚事新办、丧事简办，婚宴不超过15桌。")
    page.get_by_label("新增条款的章节").nth(0).fill("社会治安")
    page.get_by_role("button", name="保存条文").click()
    page.get_by_text("条文已保存").wait_for()
    page.get_by_role("button", name="征求意见（四听）").click()
    # Submitting before all four hearings is refused with what is missing.
    page.get_by_role("button", name="提交表决（四议两公开）").click()
    page.get_by_text("“四听”尚未完成").wait_for()
    for n, party in enumerate(PARTIES):
        page.get_by_label("听取对象").select_option(label=party)
        page.get_by_label("听取日期").fill((today - dt.timedelta(days=4 - n)).isoformat())
        page.get_by_label("参加人员").fill("代表若干")
        page.get_by_label("人数").fill("5")
        page.get_by_label("意见建议").fill("同意，建议张贴到各组。")
        page.get_by_role("button", name="记录听取意见").click()
        page.get_by_text("已记录听取意见").wait_for()
    page.get_by_role("button", name="提交表决（四议两公开）").click()
    page.get_by_text("已提交村级决策程序").wait_for()
    assert page.get_by_text("条文冻结").is_visible()
    assert page.get_by_role("link", name="编辑条文").count() == 0

    version = RulesVersion.objects.get(village=v1)
    from shanzhi.affairs.models import Decision
    from shanzhi.affairs.testing import walk_decision

    walk_decision(Decision.objects.get(pk=version.decision_id), acting_user=world.cadre)
    version.refresh_from_db()
    assert version.status == RulesStatus.IN_FORCE and version.publication_id

    pg = phone_page
    pg.goto(f"/charter/board/{v1.code}/")  # no login
    pg.get_by_role("heading", name="东坡村 · 村务公开栏").wait_for()
    assert no_sideways_scroll(pg)
    for title in ("东坡村村规民约（第1版）", "2026年10月财务收支公开", own.title):
        assert pg.get_by_role("link", name=title).is_visible()
    pg.get_by_role("link", name="财务公开").click()
    pg.wait_for_url("**section=finance**")
    assert pg.get_by_role("link", name="2026年10月财务收支公开").is_visible()
    assert pg.get_by_role("link", name="东坡村村规民约（第1版）").count() == 0
    pg.get_by_role("link", name="全部").click()
    pg.get_by_label("按标题搜索").fill("村规")
    pg.get_by_role("button", name="搜索").click()
    pg.wait_for_url("**q=**")
    assert pg.get_by_role("link", name="2026年10月财务收支公开").count() == 0
    pg.get_by_role("link", name="东坡村村规民约（第1版）").click()
    pg.wait_for_url("**/p/**")
    pg.get_by_text("婚事新办、丧事简办，婚宴不超过15桌。").first.wait_for()
    assert pg.get_by_role("link", name="下载打印版公示单（PDF）").is_visible()

    pg.goto(f"/charter/public/{v1.code}/rules/1/#clause-2")
    clause = pg.locator("#clause-2")
    clause.wait_for()
    assert "婚宴不超过15桌" in clause.inner_text() and "现行有效" in pg.content()
    assert no_sideways_scroll(pg)
    pg.get_by_role("link", name="权力清单").click()
    pg.get_by_role("link", name="小微权力清单").click()
    steps = pg.locator(".flow-step")
    steps.first.wait_for()
    assert steps.count() == 4
    first, second = steps.nth(0).bounding_box(), steps.nth(1).bounding_box()
    assert second["y"] > first["y"] + first["height"]  # on a phone the flow runs downwards
    assert no_sideways_scroll(pg)
