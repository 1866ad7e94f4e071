"""Issue 6's "done means" for deliberation: an online vote on phones — eligible villagers vote, an ineligible one
and a second vote are refused — then the result is published and the resulting task is tracked publicly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shanzhi.affairs.models import Topic

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def phone(browser, live_server):
    """Another villager's phone: a browser context of its own (closed by the ``phones`` fixture)."""
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                              base_url=live_server.url)
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    OPEN.append(ctx)
    return pg


OPEN: list = []


@pytest.fixture(autouse=True)
def _close_phones():
    yield
    while OPEN:
        OPEN.pop().close()


def test_online_vote_result_and_task(browser, live_server, page, login, villagers, monkeypatch):
    # A villager (fixture ``villagers``: accounts linked to the registry) proposes the topic on the phone.
    pa = phone(browser, live_server)
    login(pa, "villager_a")
    pa.goto("/affairs/my/topics/")
    pa.get_by_role("link", name="我要提议题").click()
    pa.get_by_label("议题", exact=True).fill("在村口至小学路段安装路灯")
    pa.get_by_label("具体内容和建议").fill("晚上学生放学路上太黑，建议安装太阳能路灯。")
    pa.get_by_role("button", name="提交").click()
    assert "提出议题" in pa.get_by_test_id("topic-state").inner_text()
    topic = Topic.objects.get()

    # The cadre takes it up: 确定议题, 内容审定 (adults, secret, a window closing in an hour), 协商议事.
    login(page, "v1_cadre")
    page.goto(f"/affairs/topics/{topic.pk}/")
    page.get_by_role("button", name="确定议题").click()
    now = timezone.localtime()
    page.get_by_label("表决范围").select_option(label="本村18周岁以上村民")
    page.get_by_label("投票开始").fill((now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("投票截止").fill((now + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="内容审定").click()
    page.get_by_role("button", name="进入协商议事").click()
    assert "协商议事" in page.get_by_test_id("topic-state").inner_text()

    # Eligible villagers vote on their phones; a second vote is refused.
    pa.goto(f"/affairs/my/topics/{topic.pk}/")
    pa.get_by_role("button", name="赞成").click()
    assert "投票成功" in pa.locator(".alert").first.inner_text()
    assert "已经投过票" in pa.get_by_test_id("vote-refusal").inner_text()
    # a replayed form (the same phone posting again) is refused by the service too
    # (wait for the navigation the submit starts: the page already shown has loaded, so waiting for "load" alone
    # could read the old page's alert)
    with pa.expect_navigation():
        pa.evaluate("""() => { const f = document.createElement('form'); f.method = 'post';
            f.innerHTML = '<input name="csrfmiddlewaretoken" value="' + document.cookie.match(/csrftoken=([^;]+)/)[1] + '">'
            + '<input name="what" value="vote"><input name="choice" value="against">'; document.body.appendChild(f); f.submit(); }""")
    assert "已经投过票" in pa.locator(".alert").first.inner_text()
    pb = phone(browser, live_server)
    login(pb, "villager_b")
    pb.goto(f"/affairs/my/topics/{topic.pk}/")
    pb.get_by_role("button", name="赞成").click()
    assert "投票成功" in pb.locator(".alert").first.inner_text()
    pa2 = phone(browser, live_server)
    login(pa2, "villager_a2")
    pa2.goto(f"/affairs/my/topics/{topic.pk}/")
    pa2.get_by_role("button", name="反对").click()
    # the ten-year-old is not in the electorate: no buttons, the reason shown
    pc = phone(browser, live_server)
    login(pc, "villager_child")
    pc.goto(f"/affairs/my/topics/{topic.pk}/")
    assert "不在本议题的表决范围" in pc.get_by_test_id("vote-refusal").inner_text()
    assert pc.get_by_role("button", name="赞成").count() == 0
    # results stay hidden while the vote is open
    assert page.get_by_test_id("topic-results").count() == 0

    # The window closes (the clock moves on two hours); the cadre publishes the result.
    later = timezone.now() + dt.timedelta(hours=2)
    monkeypatch.setattr("shanzhi.workflow.clock.now", lambda: later)
    page.goto(f"/affairs/topics/{topic.pk}/")
    assert "赞成 2" in " ".join(page.get_by_test_id("topic-results").inner_text().split())
    page.get_by_label("议事结论").fill("同意安装太阳能路灯 25 盏，由村委会组织实施。")
    page.get_by_role("button", name="公示结果").click()
    assert "公开公示" in page.get_by_test_id("topic-state").inner_text()
    page.get_by_label("任务").fill("采购安装太阳能路灯 25 盏")
    page.get_by_label("责任人").fill("村委会 王主任")
    page.get_by_label("完成时限").fill((timezone.localdate() + dt.timedelta(days=30)).strftime("%Y-%m-%d"))
    page.get_by_role("button", name="登记", exact=True).click()
    assert "研究落实" in page.get_by_test_id("topic-state").inner_text()
    page.get_by_label("落实进展").fill("已完成比选，供货商下周进场")
    page.get_by_role("button", name="填报进展").click()

    topic.refresh_from_db()
    # The published result and the task are public (no login).
    anon = phone(browser, live_server)
    anon.goto(f"/p/{topic.publication.public_id}/")
    text = " ".join(anon.locator("main").inner_text().split())
    assert "议事结果公示：在村口至小学路段安装路灯" in text and "实投 3" in text and "赞成 2" in text
    anon.goto(f"/affairs/t/{topic.public_id}/")
    tasks = anon.get_by_test_id("public-tasks").inner_text()
    assert "采购安装太阳能路灯 25 盏" in tasks and "已完成比选" in tasks and "落实中" in tasks
    # the villager follows it on the phone
    pa.goto(f"/affairs/my/topics/{topic.pk}/")
    assert "已完成比选" in pa.get_by_test_id("topic-tasks").inner_text()
