"""A quarter of 积分制 as the people involved walk it (issue 4, P1–P3): a grid worker records a deed on a phone, a
villager declares one with a photo, the review group approves one and rejects another, the party branch approves
the quarter and publishes it, the villager objects on the public page, the objection is investigated and upheld,
and the correcting entry appears on the villager's own page beside the old one, which is unchanged; the ranking
and the quarter's stars follow the correction; the villager spends points at a partner merchant, who scans the
QR code on her phone and confirms — the spendable balance drops, the honour score does not."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from shanzhi.points.models import Account, Entry, Scheme

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def scan_qr(png: bytes) -> str:
    """What a merchant's scanner reads from the QR code on the villager's screen."""
    import cv2
    import numpy as np

    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    text, _points, _raw = cv2.QRCodeDetector().detectAndDecode(image)
    assert text, "no QR code read from the screenshot"
    return text


def test_points_quarter_walk(phone_page, page, login, pw, clock, settings, tmp_path, browser, live_server, make_user):
    from shanzhi.rewards import services as rewards

    settings.MEDIA_ROOT = tmp_path / "media"
    # A first star at 3 points, so this quarter's deeds can earn one; a partner shop taking points.
    Scheme.objects.filter(pk=pw.scheme.pk).update(star_thresholds=[{"stars": 1, "min": 3}, {"stars": 2, "min": 10}])
    keeper = make_user("merchant", pw.tree.v1, username="v1_merchant", full_name="便民店老板")
    shop = rewards.merchant_create(acting_user=pw.cadre, place=pw.tree.v1, name="东坡便民店", kind="shop")
    rewards.merchant_user_add(acting_user=pw.cadre, merchant=shop, user=keeper)
    rewards.offer_create(acting_user=pw.cadre, merchant=shop, kind="goods", title="2积分换香皂一块", points="2")
    photo = tmp_path / "deed.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), (40, 160, 90)).save(buf, "JPEG")
    photo.write_bytes(buf.getvalue())

    # 1. The grid worker records on the phone: finds the household by initials, picks the item, adjusts the points.
    phone = phone_page
    login(phone, "g1_worker")
    phone.goto("/points/record/")
    phone.get_by_label("找户/人：姓名或拼音首字母").fill("zsx")
    phone.get_by_role("button", name="查找").click()
    phone.get_by_role("link", name="赵守信户").click()
    phone.get_by_label("积分细则").select_option(label="S01 帮扶邻里（+1～+3）")
    assert phone.get_by_label("分值").input_value() == "3"
    phone.get_by_label("分值").fill("2")
    phone.get_by_label("事迹日期").fill("2026-11-18")
    phone.get_by_role("button", name="记录", exact=True).click()
    assert "已记录：赵守信 帮扶邻里 +2 分" in phone.locator(".alert").first.inner_text()
    # the same deed twice is caught at entry
    phone.goto(f"/points/record/?scheme={pw.scheme.pk}&subject={pw.h2.pk}")
    phone.get_by_label("积分细则").select_option(label="S01 帮扶邻里（+1～+3）")
    phone.get_by_label("事迹日期").fill("2026-11-18")
    phone.get_by_role("button", name="记录", exact=True).click()
    assert "不能重复记录" in phone.get_by_role("alert").inner_text()

    # 2. A villager declares their own deed with a photo.
    phone.context.clear_cookies()
    login(phone, "villager_a")
    phone.goto("/points/mine/")
    phone.get_by_role("link", name="我要申报").click()
    phone.get_by_label("事项").select_option(label="积善 · 帮扶邻里（+1～+3）")
    phone.get_by_label("做了什么").fill("帮邻居赵家抢收玉米")
    phone.get_by_label("日期").fill("2026-11-17")
    phone.get_by_label("照片（必填）").set_input_files(str(photo))
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_url("**/points/mine/")
    assert "待评议" in phone.content()

    # 3. The review group: approves the grid worker's record, rejects the declaration with a reason.
    login(page, "v1_reviewer")
    page.goto("/points/review/")
    declared = Entry.objects.get(kind="declared")
    recorded = Entry.objects.get(kind="deed")
    page.goto(f"/points/review/{recorded.pk}/")
    page.get_by_role("button", name="通过", exact=True).click()
    page.goto(f"/points/review/{declared.pk}/")
    assert page.get_by_role("img", name="佐证照片").is_visible()
    page.get_by_label("评议意见（调整分值或不予通过须写明理由）").fill("照片不能说明事迹，请补充")
    page.get_by_role("button", name="不予通过").click()
    assert "没有待评议的记录" in page.content()

    # 4. The party branch approves the quarter (locked) and publishes it.
    login(page, "v1_cadre")
    page.goto(f"/points/schemes/{pw.scheme.pk}/")
    page.get_by_role("button", name="党支部审核").click()
    assert "该季度已锁定" in page.content()
    page.get_by_role("link", name="详情").click()
    page.get_by_label("公示开始").fill("2026-11-20")
    page.get_by_label("公示截止（异议期）").fill("2026-11-27")
    page.get_by_role("button", name="发布公示").click()
    assert "已公示" in page.content()
    public = page.get_by_role("link", name="公示页").get_attribute("href")
    assert "赵守信" not in page.content()  # no consent: masked

    # 5. The villager objects on the public page during the window.
    phone.goto(public)
    assert "赵**" in phone.content() or "赵*" in phone.content()
    phone.get_by_label("您的姓名").fill("赵守信")
    phone.get_by_label("手机号").fill("13800001111")
    phone.get_by_label("异议内容").fill("我家帮扶邻里是抢收三天，应记3分")
    phone.get_by_role("button", name="提交异议").click()
    phone.locator("#receipt").wait_for()

    # 6. The branch investigates; upheld, a correcting entry of +1 is written — the old one stays as it was.
    clock.now = clock.now + dt.timedelta(days=3)
    page.reload()
    page.get_by_label("所涉积分账户").select_option(label="赵守信")
    page.get_by_role("button", name="立案调查").click()
    page.get_by_label("调查情况（将答复提出人）").fill("经走访邻居核实，抢收三天，应记3分")
    page.get_by_label("所涉记录").select_option(label="2026-11-18 帮扶邻里 2.0（已通过）")
    page.get_by_label("更正分值（成立时填，加为正、减为负）").fill("1")
    page.get_by_role("button", name="成立，记更正记录").click()
    assert "复议成立，已记更正记录" in page.content()
    recorded.refresh_from_db()
    assert recorded.points == 2 and recorded.status == "approved"
    account = Account.objects.get(household=pw.h2)
    assert account.earned == 3
    correction = Entry.objects.get(kind="correction")
    assert correction.corrects_id == recorded.pk

    # 7. The villager (赵守信) sees both lines and the new balance on their own page.
    phone.context.clear_cookies()
    login(phone, "villager_b")
    phone.goto("/points/mine/")
    assert phone.locator("#honour").inner_text() == "3.0"
    body = phone.content()
    assert "更正" in body and "东坡网格员" in body and "评议员甲" in body

    # 8. The ranking follows the correction, and the quarter's stars are assessed from it (3 points: one star).
    page.goto(f"/points/results/?scheme={pw.scheme.pk}")
    row = page.locator("tr").filter(has_text="赵守信")
    assert row.locator("td").first.inner_text().strip() == "1"
    assert row.locator("a.score").inner_text().strip() == "3.0"
    row.locator("a.score").click()  # the number opens the entries behind it
    assert "更正" in page.content() and "帮扶邻里" in page.content()
    page.goto(f"/points/results/?scheme={pw.scheme.pk}")
    page.locator("#assess-stars").click()
    assert "已评定本季星级" in page.content()
    assert "1★" in page.locator("tr").filter(has_text="赵守信").inner_text()

    # 9. At the partner shop: the villager shows her pay code, the merchant scans it and confirms.
    phone.goto("/rewards/my/pay/")
    assert phone.get_by_test_id("spendable").inner_text() == "3.0"
    scanned = scan_qr(phone.get_by_test_id("pay-qr").screenshot())
    assert "/rewards/m/scan/?t=" in scanned
    merchant = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                   base_url=live_server.url).new_page()
    login(merchant, "v1_merchant")
    merchant.goto(scanned)
    assert merchant.get_by_test_id("payer").inner_text() == "赵**"
    merchant.get_by_role("button", name="确认核销").click()
    merchant.get_by_text("核销成功").wait_for()
    merchant.goto(scanned)  # the same code again is refused
    assert "已使用" in merchant.content()
    merchant.context.close()
    account = Account.objects.get(household=pw.h2)
    assert (account.earned, account.spent) == (3, 2)
    phone.goto("/points/mine/")
    assert phone.locator("#honour").inner_text() == "3.0"  # spending never lowers the honour score
