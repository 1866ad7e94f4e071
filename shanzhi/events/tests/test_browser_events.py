"""A villager reports an event from a phone-sized window: locates, picks the matter, attaches a photo."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shanzhi.events.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


def test_villager_reports_on_phone(phone_page, login, world, tmp_path):
    pg = phone_page
    pg.context.grant_permissions(["geolocation"])
    pg.context.set_geolocation({"latitude": 35.1234, "longitude": 112.5678})
    photo = tmp_path / "scene.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buf, "JPEG")
    photo.write_bytes(buf.getvalue())

    login(pg, "villager_a")
    pg.goto("/events/report")
    pg.get_by_role("button", name="使用我的位置").click()
    pg.get_by_text("已定位").wait_for()
    pg.get_by_label("事项").select_option(label="邻里纠纷（矛盾纠纷）")
    pg.get_by_label("情况描述").fill("两户因排水沟发生争执")
    pg.get_by_label("现场照片（可多张）").set_input_files(str(photo))
    pg.get_by_role("button", name="上报", exact=True).click()
    pg.get_by_test_id("event-state").wait_for()
    assert "待分派" in pg.get_by_test_id("event-state").inner_text()
    event = Event.objects.get()
    assert float(event.latitude) == pytest.approx(35.1234) and len(event.client_key) == 36
    assert pg.get_by_role("img", name="现场照片 1").is_visible()
    pg.goto("/events/mine")
    assert event.number in pg.content()
