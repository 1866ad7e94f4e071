"""A grid worker handles an event from a phone: accepts it, records progress with a photo, and sees the note
with its photo in the history; the township leader supervises it and the record shows on the page."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shanzhi.events import services

from .conftest import FRI

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_grid_worker_records_progress_with_a_photo(phone_page, page, login, world, report, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    event = report()
    services.event_triage(acting_user=world.dispatcher, event=event, level="grid", now=FRI)
    photo = tmp_path / "progress.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 160, 60)).save(buf, "JPEG")
    photo.write_bytes(buf.getvalue())

    pg = phone_page
    login(pg, "g1_worker")
    pg.goto(f"/events/{event.pk}/")
    pg.get_by_role("button", name="受理").click()
    pg.get_by_text("已受理").wait_for()
    pg.get_by_label("办理情况").fill("已到现场，排水沟已清理一半")
    pg.get_by_label("照片（最多 9 张）").set_input_files(str(photo))
    pg.get_by_role("button", name="添加办理记录").click()
    pg.get_by_text("已添加办理记录").wait_for()
    history = pg.get_by_test_id("case-history")
    assert "已到现场，排水沟已清理一半" in history.inner_text()
    assert history.get_by_role("img", name="办理记录照片 1").is_visible()

    login(page, "kejing_leader")
    page.goto(f"/events/{event.pk}/")
    page.get_by_placeholder("督办意见（必填）").fill("明天上午前办结")
    page.get_by_role("button", name="督办", exact=True).click()
    page.get_by_text("已督办").wait_for()
    record = page.get_by_test_id("supervision").inner_text()
    assert "明天上午前办结" in record and world.leader.display_name in record
