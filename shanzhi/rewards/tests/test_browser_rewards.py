"""The points supermarket as the people involved use it (domain.md P5–P6): a villager reserves on the phone and
the keeper hands the goods over with the pickup code; the villager shows a pay code and a partner merchant
confirms a discount on its phone; the villager consents to a credit look-up and the bank sees the tier, and the
villager sees who looked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shanzhi.points.models import Account
from shanzhi.rewards import services
from shanzhi.rewards.models import Redemption

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _phone(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, base_url=live_server.url)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    return pg


def test_reserve_collect_pay_and_credit(browser, live_server, phone_page, page, login, merchant_world):
    w = merchant_world
    services.tier_set(acting_user=w.cadre, scheme_id=w.scheme.pk, name="A级信用户", min_points="40",
                      benefits="贷款利率下浮10%")

    # 1. The villager opens 积分超市 from the menu, sees her balance and reserves a bag of washing powder.
    phone = phone_page
    login(phone, "wang_xy")
    phone.goto("/")
    phone.get_by_role("button", name="菜单").click()
    phone.get_by_role("link", name="积分超市").click()
    assert phone.get_by_test_id("spendable").first.inner_text() == "50.0"
    card = phone.get_by_test_id("goods-card").filter(has_text="洗衣粉")
    card.get_by_label("数量").fill("2")
    card.get_by_role("button", name="预约兑换").click()
    phone.get_by_test_id("pickup-code").wait_for()
    code = phone.get_by_test_id("pickup-code").inner_text().strip()
    assert phone.get_by_role("img", name="取货二维码").is_visible()
    assert "已预约" in phone.get_by_test_id("reservation-state").inner_text()

    # 2. At the counter the keeper types the code and hands the goods over.
    login(page, "v1_keeper")
    page.goto(f"/rewards/shop/{w.shop.pk}/")
    page.get_by_label("取货码").fill(code.lower())
    page.get_by_role("button", name="领取", exact=True).click()
    page.get_by_text("已领取，请将商品交给村民").wait_for()
    assert Redemption.objects.get(code=code).state == "collected"

    # 3. At the partner shop she shows a pay code; the merchant types it on its phone and confirms.
    phone.goto("/rewards/my/pay/")
    pay_code = phone.get_by_test_id("pay-code").inner_text()
    assert phone.get_by_test_id("spendable").inner_text() == "30.0"
    merchant = _phone(browser, live_server)
    login(merchant, "v1_merchant")
    merchant.goto("/rewards/")
    merchant.get_by_label("付款码").fill(pay_code)
    merchant.get_by_role("button", name="查询").click()
    assert merchant.get_by_test_id("payer").inner_text() == "王**"
    assert merchant.get_by_test_id("payer-spendable").inner_text() == "30.0"
    merchant.get_by_role("button", name="确认核销").click()
    merchant.get_by_text("核销成功").wait_for()
    # The same code again is refused.
    merchant.get_by_label("付款码").fill(pay_code)
    merchant.get_by_role("button", name="查询").click()
    merchant.get_by_text("该付款码已使用过").wait_for()
    account = Account.objects.get(pk=w.account.pk)
    assert (account.earned, account.spent) == (Decimal("50.0"), Decimal("30.0"))
    merchant.context.close()

    # 4. She consents to credit look-ups; the bank looks her up and sees the tier; she sees who looked.
    phone.goto("/rewards/my/credit/")
    assert "A级信用户" in phone.get_by_test_id("tier").inner_text()  # spending did not lower the honour score
    phone.get_by_role("button", name="同意授权").click()
    phone.get_by_text("已授权").first.wait_for()
    bank = _phone(browser, live_server)
    login(bank, "bank_staff")
    bank.goto(f"/rewards/m/{w.bank.pk}/credit/")
    bank.get_by_label("公民身份号码").fill(w.household.head.id_number)
    bank.get_by_label("查询事由").fill("小额信用贷款审批")
    bank.get_by_role("button", name="查询").click()
    assert "A级信用户" in bank.get_by_test_id("credit-result").inner_text()
    bank.context.close()
    phone.reload()
    assert "小额信用贷款审批" in phone.get_by_test_id("lookup").first.inner_text()
