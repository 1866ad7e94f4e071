"""A villager asks the village's legal adviser from a phone-sized window and reads the answer there; the adviser
answers from the queue; the villager applies for legal aid and sees it accepted."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shanzhi.legal.models import Consultation, LegalApplication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_villager_asks_adviser_answers(phone_page, page, login, legal, tmp_path):
    photo = tmp_path / "wall.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (150, 120, 90)).save(buf, "JPEG")
    photo.write_bytes(buf.getvalue())

    pg = phone_page
    login(pg, "villager_a")
    pg.goto("/legal/")
    pg.get_by_role("link", name="我要咨询法律顾问").click()
    assert "东坡顾问" in pg.content()
    pg.get_by_label("您的问题").fill("邻居翻建院墙占了我家宅基地三十公分，怎么办？")
    pg.get_by_label("照片（可选，最多三张）").set_input_files(str(photo))
    pg.get_by_role("button", name="提交咨询").click()
    pg.get_by_text("等待法律顾问东坡顾问解答").wait_for()
    assert pg.get_by_role("img", name="照片 1").is_visible()
    consultation = Consultation.objects.get()

    login(page, "adviser_v1")
    page.goto("/legal/consultations/")
    page.get_by_role("link", name="邻居翻建院墙").click()
    page.get_by_label("解答").fill("可以先向村人民调解委员会申请调解，由调委会会同国土所实地测量确认边界。")
    page.get_by_role("button", name="提交解答").click()
    page.get_by_text("法律顾问的解答").wait_for()

    pg.goto(f"/legal/consultations/{consultation.pk}/")
    assert "实地测量确认边界" in pg.locator(".answer").inner_text()
    pg.goto("/legal/")
    pg.get_by_role("link", name="申请法律援助").click()
    pg.get_by_label("申请事项").select_option("请求确认劳动关系或者支付劳动报酬")
    pg.get_by_label("事实与理由").fill("在工地务工三个月，工资一直未付。")
    pg.get_by_role("button", name="提交申请").click()
    pg.wait_for_selector("#lg_status")
    application = LegalApplication.objects.get()
    assert pg.locator("#lg_status").inner_text() == "已提交"

    page.goto(f"/legal/applications/{application.pk}/")
    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_text("已受理。").wait_for()
    pg.reload()
    assert pg.locator("#lg_status").inner_text() == "已受理"
