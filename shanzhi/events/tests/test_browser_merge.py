"""The dispatcher sees a duplicate report at triage and merges it; its reporter, on the phone, finds it merged in
"my events" and follows the main event (domain.md G3)."""

from __future__ import annotations

import pytest

from shanzhi.events.models import Event

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_dispatcher_merges_and_reporter_follows(page, phone_page, login, world, report):
    w = world
    main = report(latitude="35.100000", longitude="112.500000", text="排水沟堵塞，两户争执")
    dup = report(
        user=w.villager2,
        place=w.tree.v1,
        latitude="35.100500",
        longitude="112.500000",
        text="三组排水沟堵了，两家在吵架",
    )

    login(page, "kejing_dispatcher")
    page.goto(f"/events/{dup.pk}/")
    item = page.get_by_test_id("duplicate")
    assert main.number in item.inner_text() and "相距约 56 米" in item.inner_text()
    item.get_by_placeholder("说明（选填）").fill("同一条排水沟")
    item.get_by_role("button", name="合并至此事件").click()
    page.get_by_text(f"已合并至事件 {main.number}。").wait_for()
    assert "已合并" in page.get_by_test_id("event-state").inner_text()
    assert Event.objects.get(pk=dup.pk).merged_into_id == main.pk

    pg = phone_page
    login(pg, "villager_b")
    pg.goto("/events/mine")
    pg.get_by_text(f"已合并至事件 {main.number}").click()
    pg.get_by_test_id("merged-into").get_by_role("link", name=f"事件 {main.number}").click()
    pg.wait_for_url(f"**/events/{main.pk}/follow")
    assert "待分派" in pg.get_by_test_id("event-state").inner_text()
    assert dup.number in pg.content() and "两户争执" not in pg.content()
