"""The pages: who sees what (out of scope is 404), forms call the services, list pages paginate with flat
query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from shanzhi.points.models import Account
from shanzhi.rewards import services
from shanzhi.rewards.models import Goods, MerchantRedemption, Redemption

from .conftest import jpeg

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def test_keeper_counter_redeem_and_collect(client, world):
    w = world
    c = _client(client, w.keeper)
    page = c.get(reverse("rewards_shop", args=[w.shop.pk]), {"who": "王"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "王**" in html and "王秀英" not in html  # the counter shows names masked
    resp = c.post(reverse("rewards_shop_redeem", args=[w.shop.pk]),
                  {"account": w.account.pk, "goods": w.soap.pk, "qty": "2", "who": "王"}, follow=True)
    assert "兑换成功" in resp.content.decode()
    assert Account.objects.get(pk=w.account.pk).spendable == Decimal("30.0")
    # A refusal is a message on the same page and changes nothing.
    resp = c.post(reverse("rewards_shop_redeem", args=[w.shop.pk]),
                  {"account": w.account2.pk, "goods": w.oil.pk, "qty": "1", "who": "赵"}, follow=True)
    assert "积分余额不足" in resp.content.decode()
    assert Goods.objects.get(pk=w.oil.pk).stock == 1
    r = services.redemption_create(acting_user=w.villager, goods_id=w.oil.pk, account_id=w.account.pk, qty=1,
                                   channel="phone")
    resp = c.post(reverse("rewards_shop_collect", args=[w.shop.pk]), {"code": r.code}, follow=True)
    assert "已领取" in resp.content.decode()
    assert Redemption.objects.get(pk=r.pk).state == "collected"


def test_villager_reserves_on_phone_and_sees_qr(client, world):
    w = world
    c = _client(client, w.villager)
    assert c.get(reverse("rewards_index")).url == reverse("rewards_my")
    page = c.get(reverse("rewards_my")).content.decode()
    assert "洗衣粉" in page and "毛巾" not in page  # another village's shop is not hers
    resp = c.post(reverse("rewards_reserve"), {"goods": w.soap.pk, "account": w.account.pk, "qty": "1"}, follow=True)
    html = resp.content.decode()
    r = Redemption.objects.get()
    assert "预约成功" in html and r.code in html and "data:image/svg+xml;base64," in html
    # The QR leads the keeper to the collect page; a villager opening it gets 404.
    token = services.pickup_token(r)
    assert c.get(reverse("rewards_collect_scan"), {"t": token}).status_code == 404
    keeper = _client(client, w.keeper)
    assert r.code in keeper.get(reverse("rewards_collect_scan"), {"t": token}).content.decode()
    c = _client(client, w.villager)
    resp = c.post(reverse("rewards_redemption_cancel", args=[r.pk]), follow=True)
    assert "积分已退回" in resp.content.decode()
    assert Account.objects.get(pk=w.account.pk).spent == Decimal("0.0")


def test_reservation_of_someone_else_is_404(client, world):
    w = world
    r = services.redemption_create(acting_user=w.villager, goods_id=w.soap.pk, account_id=w.account.pk, qty=1,
                                   channel="phone")
    c = _client(client, w.villager2)
    assert c.get(reverse("rewards_reservation", args=[r.pk])).status_code == 404
    assert c.post(reverse("rewards_redemption_cancel", args=[r.pk])).status_code == 404
    assert Redemption.objects.get(pk=r.pk).state == "reserved"


def test_pay_code_page_and_merchant_confirm(client, merchant_world):
    w = merchant_world
    c = _client(client, w.villager)
    html = c.get(reverse("rewards_pay")).content.decode()
    assert 'data-testid="pay-qr"' in html
    from shanzhi.rewards.models import PayToken

    pay = PayToken.objects.get()
    assert pay.code[:4] in html
    m = _client(client, w.merchant_user)
    seen = m.get(reverse("rewards_merchant_scan"), {"code": pay.code, "merchant": w.merchant.pk}).content.decode()
    assert "王**" in seen and "50.0" in seen and "王秀英" not in seen
    resp = m.post(reverse("rewards_merchant_confirm", args=[w.merchant.pk]), {"offer": w.offer.pk, "code": pay.code},
                  follow=True)
    assert "核销成功" in resp.content.decode()
    resp = m.post(reverse("rewards_merchant_confirm", args=[w.merchant.pk]), {"offer": w.offer.pk, "code": pay.code},
                  follow=True)
    assert "已使用过" in resp.content.decode()
    assert MerchantRedemption.objects.count() == 1
    # The QR carries the signed token: the merchant's phone camera opens the scan page with it.
    _pay, signed = services.pay_token_issue(acting_user=w.villager, account_id=w.account.pk)
    m = _client(client, w.merchant_user)
    seen = m.get(reverse("rewards_merchant_scan"), {"t": signed}).content.decode()
    assert "王**" in seen and "40.0" in seen


def test_merchant_pages_are_theirs_only(client, merchant_world, make_user):
    w = merchant_world
    other = make_user("merchant", w.tree.v1, username="other_merchant")
    c = _client(client, other)
    assert c.get(reverse("rewards_merchant", args=[w.merchant.pk])).status_code == 404
    assert c.get(reverse("rewards_merchant_scan")).status_code == 404
    c = _client(client, w.merchant_user)
    assert c.get(reverse("rewards_merchant_credit", args=[w.merchant.pk])).status_code == 404  # not a bank
    assert c.get(reverse("rewards_index")).url == reverse("rewards_merchant", args=[w.merchant.pk])


def test_bank_lookup_page_and_villager_credit_page(client, merchant_world):
    w = merchant_world
    services.tier_set(acting_user=w.cadre, scheme_id=w.scheme.pk, name="A级信用户", min_points="40")
    v = _client(client, w.villager)
    resp = v.post(reverse("rewards_credit"), {"action": "give", "months": "12"}, follow=True)
    assert "已授权" in resp.content.decode()
    b = _client(client, w.bank_user)
    html = b.post(reverse("rewards_merchant_credit", args=[w.bank.pk]),
                  {"id_number": w.household.head.id_number, "purpose": "小额信用贷款"}).content.decode()
    assert "A级信用户" in html and "王**" in html
    v = _client(client, w.villager)
    html = v.get(reverse("rewards_credit")).content.decode()
    assert "克井农商银行东坡网点" in html and "小额信用贷款" in html and "A级信用户" in html
    v.post(reverse("rewards_credit"), {"action": "revoke"})
    b = _client(client, w.bank_user)
    html = b.post(reverse("rewards_merchant_credit", args=[w.bank.pk]),
                  {"id_number": w.household.head.id_number, "purpose": "复查"}).content.decode()
    assert "A级信用户" not in html and "未授权" in html


def test_staff_pages_and_forms(client, world):
    w = world
    c = _client(client, w.cadre)
    for name in ("rewards_index", "rewards_shops", "rewards_merchants", "rewards_rates", "rewards_tiers"):
        assert c.get(reverse(name)).status_code == 200, name
    resp = c.post(reverse("rewards_goods_add", args=[w.shop.pk]),
                  {"name": "酱油", "price_points": "3", "stock": "10", "unit": "瓶", "photo": jpeg()}, follow=True)
    assert "商品已上架" in resp.content.decode()
    g = Goods.objects.get(name="酱油")
    assert g.photo is not None
    # The photo is seen by the villagers the shop serves, not by another village's.
    assert _client(client, w.villager).get(reverse("attachment_view", args=[g.photo_id])).status_code == 200
    assert _client(client, w.cadre_v2).get(reverse("attachment_view", args=[g.photo_id])).status_code == 404
    c = _client(client, w.cadre)
    resp = c.post(reverse("rewards_goods", args=[g.pk]), {"action": "restock", "change": "-11", "reason": "损坏"},
                  follow=True)
    assert "库存不足" in resp.content.decode()
    resp = c.post(reverse("rewards_rates"), {"scheme": w.scheme.pk, "material": "paper", "points_per_kg": "0.5",
                                             "effective_from": "2026-11-20"}, follow=True)
    assert "回收价目已发布" in resp.content.decode()
    public = client.get(reverse("rewards_rates_public", args=[w.tree.v1.code]))
    assert public.status_code == 200 and "废纸" in public.content.decode()
    c = _client(client, w.keeper)
    resp = c.post(reverse("rewards_shop_weigh", args=[w.shop.pk]), {"account": w.account.pk, "material": "paper",
                                                                    "kg": "4"}, follow=True)
    assert "计 2.0 分" in resp.content.decode()


@pytest.mark.parametrize("name, args", [
    ("rewards_shop", "shop"), ("rewards_goods", "soap"), ("rewards_merchant_admin", "merchant"),
])
def test_out_of_scope_is_404(client, merchant_world, name, args):
    w = merchant_world
    obj = getattr(w, args)
    c = _client(client, w.cadre_v2)
    assert c.get(reverse(name, args=[obj.pk])).status_code == 404
    c = _client(client, w.no_role)
    assert c.get(reverse(name, args=[obj.pk])).status_code == 404
    assert c.get(reverse("rewards_index")).status_code == 404
    c.logout()
    assert c.get(reverse(name, args=[obj.pk])).status_code == 302  # to the login page


def test_list_pages_query_counts_flat(client, world, django_assert_max_num_queries):
    w = world
    services.goods_restock(acting_user=w.keeper, goods_id=w.soap.pk, change=100, reason="入库")
    w.credit(w.account, 500)
    for _ in range(30):
        services.redemption_create(acting_user=w.villager, goods_id=w.soap.pk, account_id=w.account.pk, qty=1,
                                   channel="phone")
    c = _client(client, w.keeper)
    url = reverse("rewards_shop", args=[w.shop.pk])
    with django_assert_max_num_queries(16):
        assert c.get(url).status_code == 200
    c = _client(client, w.villager)
    with django_assert_max_num_queries(16):
        assert c.get(reverse("rewards_my")).status_code == 200
    c = _client(client, w.cadre)
    with django_assert_max_num_queries(12):
        assert c.get(reverse("rewards_shops")).status_code == 200
