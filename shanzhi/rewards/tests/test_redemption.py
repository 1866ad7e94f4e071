"""Redemption at the counter and by phone reservation (domain.md P5): spending lowers the spendable balance,
never the honour score; refusals write nothing; cancellation and expiry give points and stock back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.points.ledger import ledger_mismatches
from shanzhi.points.models import Account, Entry
from shanzhi.rewards import selectors, services
from shanzhi.rewards.models import Goods, Redemption

pytestmark = pytest.mark.django_db


def _state(w):
    return (
        Redemption.objects.count(), Entry.objects.filter(kind__in=["spend", "refund"]).count(),
        list(Goods.objects.order_by("pk").values_list("stock", flat=True)),
        list(Account.objects.order_by("pk").values_list("earned", "spent")),
    )


def test_counter_redemption_spends_balance_not_honour_score(world):
    w = world
    r = services.redemption_create(acting_user=w.keeper, goods_id=w.soap.pk, account_id=w.account.pk, qty=2,
                                   channel="shop")
    assert r.state == "redeemed" and r.points == Decimal("20.0") and r.closed_by == w.keeper
    acc = Account.objects.get(pk=w.account.pk)
    assert acc.earned == Decimal("50.0")  # the honour score stays
    assert acc.spent == Decimal("20.0") and acc.spendable == Decimal("30.0")
    assert Goods.objects.get(pk=w.soap.pk).stock == 3
    assert r.spend_entry.points == Decimal("-20.0") and r.spend_entry.source_ref == f"rewards.redemption:{r.code}"
    assert AuditEntry.objects.filter(event="rewards.redemption_create", object_id=str(r.pk)).exists()
    assert ledger_mismatches() == []


@pytest.mark.parametrize("kwargs, message", [
    ({"qty": 3, "goods": "oil"}, "库存不足"),
    ({"qty": 3, "goods": "soap", "account": "account2"}, "积分余额不足"),
    ({"qty": 0, "goods": "soap"}, "数量须在"),
    ({"qty": "x", "goods": "soap"}, "数量须是整数"),
])
def test_counter_refusals_write_nothing(world, kwargs, message):
    w = world
    goods = getattr(w, kwargs["goods"])
    before = _state(w)
    with pytest.raises(ValidationFailed, match=message):
        services.redemption_create(acting_user=w.keeper, goods_id=goods.pk,
                                   account_id=getattr(w, kwargs.get("account", "account")).pk, qty=kwargs["qty"],
                                   channel="shop")
    assert _state(w) == before


def test_balance_short_by_price_not_by_quick_check(world):
    """Spendable 20 cannot buy one 30-point tin of oil."""
    w = world
    before = _state(w)
    with pytest.raises(ValidationFailed, match="积分余额不足：可用 20"):
        services.redemption_create(acting_user=w.keeper, goods_id=w.oil.pk, account_id=w.account2.pk, qty=1,
                                   channel="shop")
    assert _state(w) == before


def test_other_village_account_and_strangers_refused(world):
    w = world
    before = _state(w)
    with pytest.raises(ValidationFailed, match="服务范围"):
        services.redemption_create(acting_user=w.keeper, goods_id=w.soap.pk, account_id=w.account_v2.pk, qty=1,
                                   channel="shop")
    with pytest.raises(NotFound):  # not a keeper of this shop
        services.redemption_create(acting_user=w.cadre_v2, goods_id=w.soap.pk, account_id=w.account.pk, qty=1,
                                   channel="shop")
    with pytest.raises(NotFound):  # a villager cannot reserve on someone else's account
        services.redemption_create(acting_user=w.villager2, goods_id=w.soap.pk, account_id=w.account.pk, qty=1,
                                   channel="phone")
    assert _state(w) == before


def test_inactive_goods_refused(world):
    w = world
    services.goods_update(acting_user=w.keeper, goods_id=w.soap.pk, name="洗衣粉", price_points="10", is_active=False)
    with pytest.raises(ValidationFailed, match="已下架"):
        services.redemption_create(acting_user=w.keeper, goods_id=w.soap.pk, account_id=w.account.pk, qty=1,
                                   channel="shop")


def test_phone_reservation_collected_with_code_once(world, clock):
    w = world
    r = services.redemption_create(acting_user=w.villager, goods_id=w.oil.pk, account_id=w.account.pk, qty=1,
                                   channel="phone")
    assert r.state == "reserved" and r.expires_at == clock.now + dt.timedelta(days=3)
    assert Goods.objects.get(pk=w.oil.pk).stock == 0  # held for her
    assert Account.objects.get(pk=w.account.pk).spendable == Decimal("20.0")
    assert w.keeper.inbox_messages.filter(title__contains=r.code).exists()  # the keepers are told
    with pytest.raises(ValidationFailed, match="没有取货码"):
        services.redemption_collect(acting_user=w.keeper, shop=w.shop, code="ZZZZZZ")
    done = services.redemption_collect(acting_user=w.keeper, shop=w.shop, code=r.code.lower())
    assert done.state == "collected" and done.closed_by == w.keeper
    with pytest.raises(Conflict, match="不能再次领取"):
        services.redemption_collect(acting_user=w.keeper, shop=w.shop, code=r.code)


def test_collect_by_signed_qr_and_forged_token_refused(world):
    w = world
    r = services.redemption_create(acting_user=w.villager, goods_id=w.soap.pk, account_id=w.account.pk, qty=1,
                                   channel="phone")
    with pytest.raises(ValidationFailed, match="二维码无效"):
        services.redemption_collect(acting_user=w.keeper, shop=w.shop, token=r.code + ":forged")
    done = services.redemption_collect(acting_user=w.keeper, shop=w.shop, token=services.pickup_token(r))
    assert done.state == "collected"


def test_cancel_refunds_and_restores_stock(world):
    w = world
    r = services.redemption_create(acting_user=w.villager, goods_id=w.soap.pk, account_id=w.account.pk, qty=2,
                                   channel="phone")
    with pytest.raises(NotFound):
        services.redemption_cancel(acting_user=w.villager2, redemption_id=r.pk)
    done = services.redemption_cancel(acting_user=w.villager, redemption_id=r.pk)
    assert done.state == "cancelled" and done.refund_entry.points == Decimal("20.0")
    acc = Account.objects.get(pk=w.account.pk)
    assert (acc.earned, acc.spent) == (Decimal("50.0"), Decimal("0.0"))
    assert Goods.objects.get(pk=w.soap.pk).stock == 5
    with pytest.raises(Conflict):
        services.redemption_cancel(acting_user=w.villager, redemption_id=r.pk)
    assert Account.objects.get(pk=w.account.pk).spent == Decimal("0.0")
    assert ledger_mismatches() == []


def test_cancelled_reservation_cannot_be_collected(world):
    w = world
    r = services.redemption_create(acting_user=w.villager, goods_id=w.soap.pk, account_id=w.account.pk, qty=1,
                                   channel="phone")
    services.redemption_cancel(acting_user=w.keeper, redemption_id=r.pk)
    with pytest.raises(Conflict, match="已取消"):
        services.redemption_collect(acting_user=w.keeper, shop=w.shop, code=r.code)


def test_counter_redemption_cannot_be_cancelled(world):
    w = world
    r = services.redemption_create(acting_user=w.keeper, goods_id=w.soap.pk, account_id=w.account.pk, qty=1,
                                   channel="shop")
    with pytest.raises(Conflict):
        services.redemption_cancel(acting_user=w.keeper, redemption_id=r.pk)


def test_expiry_sweep_refunds_once(world, clock):
    w = world
    r = services.redemption_create(acting_user=w.villager, goods_id=w.soap.pk, account_id=w.account.pk, qty=1,
                                   channel="phone")
    assert services.redemptions_expire() == 0  # not yet due
    clock.now = clock.now + dt.timedelta(days=3, minutes=1)
    with pytest.raises(Conflict, match="已过期"):
        services.redemption_collect(acting_user=w.keeper, shop=w.shop, code=r.code)
    assert services.redemptions_expire() == 1
    assert services.redemptions_expire() == 0  # idempotent
    r.refresh_from_db()
    assert r.state == "expired" and r.refund_entry is not None
    assert Goods.objects.get(pk=w.soap.pk).stock == 5
    assert Account.objects.get(pk=w.account.pk).spendable == Decimal("50.0")
    assert w.villager.inbox_messages.filter(title__contains="逾期未领取").exists()
    assert ledger_mismatches() == []


def test_goods_management_validation(world):
    w = world
    with pytest.raises(ValidationFailed, match="已有商品"):
        services.goods_create(acting_user=w.keeper, shop=w.shop, name="洗衣粉", price_points="5", stock=1)
    with pytest.raises(ValidationFailed, match="所需积分"):
        services.goods_create(acting_user=w.keeper, shop=w.shop, name="牙膏", price_points="0", stock=1)
    with pytest.raises(ValidationFailed, match="一位|1 位"):
        services.goods_create(acting_user=w.keeper, shop=w.shop, name="牙膏", price_points="1.25", stock=1)
    with pytest.raises(NotFound):
        services.goods_create(acting_user=w.cadre_v2, shop=w.shop, name="牙膏", price_points="1", stock=1)
    with pytest.raises(ValidationFailed, match="库存不足"):
        services.goods_restock(acting_user=w.keeper, goods_id=w.oil.pk, change=-2, reason="损坏")
    g = services.goods_restock(acting_user=w.keeper, goods_id=w.oil.pk, change=4, reason="镇里调拨")
    assert g.stock == 5
    assert AuditEntry.objects.filter(event="rewards.goods_restock", detail="镇里调拨").exists()


def test_price_change_mid_flight_keeps_old_redemptions(world):
    w = world
    r = services.redemption_create(acting_user=w.keeper, goods_id=w.soap.pk, account_id=w.account.pk, qty=1,
                                   channel="shop")
    services.goods_update(acting_user=w.keeper, goods_id=w.soap.pk, name="洗衣粉", price_points="12")
    r.refresh_from_db()
    assert r.unit_points == Decimal("10.0")


def test_villager_sees_goods_of_her_shops_only(world):
    w = world
    names = set(selectors.goods_for_villager(user=w.villager).values_list("name", flat=True))
    assert names == {"洗衣粉", "食用油"}
    assert selectors.goods_for_villager(user=w.no_role).count() == 0


def test_shop_scope(world):
    w = world
    assert set(selectors.shop_list(user=w.cadre)) == {w.shop}
    assert set(selectors.shop_list(user=w.keeper)) == {w.shop}
    assert set(selectors.shop_list(user=w.villager)) == set()
    with pytest.raises(NotFound):
        selectors.shop_detail(user=w.cadre_v2, pk=w.shop.pk)
