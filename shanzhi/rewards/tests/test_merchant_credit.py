"""Partner merchants by one-time QR (P5), recyclables at a published rate (P5), credit tiers with consent (P6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import signing

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.points.ledger import ledger_mismatches
from shanzhi.points.models import Account, Entry
from shanzhi.rewards import selectors, services
from shanzhi.rewards.models import CreditLookup, MerchantRedemption, PayToken, RecyclingWeighing

pytestmark = pytest.mark.django_db


# --- merchants ------------------------------------------------------------------------------------------------


def test_merchant_confirms_by_qr_once(merchant_world, clock):
    w = merchant_world
    pay, signed = services.pay_token_issue(acting_user=w.villager, account_id=w.account.pk)
    seen = services.pay_token_resolve(acting_user=w.merchant_user, merchant=w.merchant, token=signed)
    assert seen.account == w.account and seen.account.name_masked == "王**"
    done = services.merchant_confirm(acting_user=w.merchant_user, merchant=w.merchant, offer_id=w.offer.pk,
                                     token=signed)
    assert done.points == Decimal("10.0") and done.spend_entry.points == Decimal("-10.0")
    acc = Account.objects.get(pk=w.account.pk)
    assert (acc.earned, acc.spent) == (Decimal("50.0"), Decimal("10.0"))
    assert w.villager.inbox_messages.filter(title__contains="已核销").exists()
    spends = Entry.objects.filter(kind="spend").count()
    with pytest.raises(Conflict, match="已使用过"):  # the same QR shown again
        services.merchant_confirm(acting_user=w.merchant_user, merchant=w.merchant, offer_id=w.offer.pk, token=signed)
    with pytest.raises(Conflict, match="已使用过"):  # or its digits typed
        services.merchant_confirm(acting_user=w.merchant_user, merchant=w.merchant, offer_id=w.offer.pk, code=pay.code)
    assert Entry.objects.filter(kind="spend").count() == spends
    assert MerchantRedemption.objects.count() == 1
    assert ledger_mismatches() == []


def test_pay_code_typed_expired_forged_and_foreign(merchant_world, clock):
    w = merchant_world
    pay, signed = services.pay_token_issue(acting_user=w.villager, account_id=w.account.pk)
    with pytest.raises(ValidationFailed, match="二维码无效"):
        services.pay_token_resolve(acting_user=w.merchant_user, merchant=w.merchant, token=signed[:-2] + "xx")
    with pytest.raises(ValidationFailed, match="付款码不正确"):
        services.pay_token_resolve(acting_user=w.merchant_user, merchant=w.merchant, code="00000000"
                                   if pay.code != "00000000" else "11111111")
    clock.now = clock.now + dt.timedelta(minutes=6)
    with pytest.raises(ValidationFailed, match="已过期"):
        services.merchant_confirm(acting_user=w.merchant_user, merchant=w.merchant, offer_id=w.offer.pk, code=pay.code)
    assert PayToken.objects.get(pk=pay.pk).used_at is None
    with pytest.raises(NotFound):  # the bank's staff are not the shop's
        services.pay_token_resolve(acting_user=w.bank_user, merchant=w.merchant, code=pay.code)
    with pytest.raises(NotFound):  # a villager cannot issue a code for another household's account
        services.pay_token_issue(acting_user=w.villager2, account_id=w.account.pk)


def test_signed_token_expires_even_if_row_were_valid(merchant_world, monkeypatch):
    w = merchant_world
    pay, _ = services.pay_token_issue(acting_user=w.villager, account_id=w.account.pk)
    old = signing.TimestampSigner(salt=services.PAY_TOKEN_SALT)
    monkeypatch.setattr("django.core.signing.time.time", lambda: 0)
    stale = old.sign(pay.code)
    monkeypatch.undo()
    with pytest.raises(ValidationFailed, match="已过期"):
        services.pay_token_resolve(acting_user=w.merchant_user, merchant=w.merchant, token=stale)


def test_merchant_confirm_short_balance_writes_nothing(merchant_world):
    w = merchant_world
    big = services.offer_create(acting_user=w.cadre, merchant=w.merchant, kind="goods", title="电饭煲", points="100")
    pay, signed = services.pay_token_issue(acting_user=w.villager, account_id=w.account.pk)
    with pytest.raises(ValidationFailed, match="积分余额不足"):
        services.merchant_confirm(acting_user=w.merchant_user, merchant=w.merchant, offer_id=big.pk, token=signed)
    assert PayToken.objects.get(pk=pay.pk).used_at is None  # the code is still good for a smaller offer
    assert MerchantRedemption.objects.count() == 0 and Entry.objects.filter(kind="spend").count() == 0


def test_merchant_user_must_hold_role(merchant_world, make_user):
    w = merchant_world
    plain = make_user("villager", w.tree.g1)
    with pytest.raises(ValidationFailed, match="合作商户"):
        services.merchant_user_add(acting_user=w.cadre, merchant=w.merchant, user=plain)
    with pytest.raises(NotFound):
        services.merchant_create(acting_user=w.cadre_v2, place=w.tree.v1, name="外村商户")


# --- recyclables ----------------------------------------------------------------------------------------------


def test_weighing_uses_rate_in_force_that_day(world, clock):
    w = world
    today = clock.now.date()
    services.rate_publish(acting_user=w.cadre, place=w.tree.v1, scheme_id=w.scheme.pk, material="paper",
                          points_per_kg="0.5", effective_from=today)
    services.rate_publish(acting_user=w.cadre, place=w.tree.v1, scheme_id=w.scheme.pk, material="paper",
                          points_per_kg="0.8", effective_from=today + dt.timedelta(days=1))
    row = services.weighing_record(acting_user=w.keeper, shop=w.shop, account_id=w.account2.pk, material="paper",
                                   kg="12.3")
    assert row.points == Decimal("6.2") and row.rate.points_per_kg == Decimal("0.50")  # 12.3 × 0.5 = 6.15 → 6.2
    assert row.entry.kind == "recycling" and row.entry.status == "approved"
    assert Account.objects.get(pk=w.account2.pk).earned == Decimal("26.2")
    clock.now = clock.now + dt.timedelta(days=1)
    row2 = services.weighing_record(acting_user=w.keeper, shop=w.shop, account_id=w.account2.pk, material="paper",
                                    kg="10")
    assert row2.points == Decimal("8.0")
    in_force, history = selectors.rates_of_village(village=w.tree.v1, day=clock.now.date())
    assert [r.points_per_kg for r in in_force] == [Decimal("0.80")] and len(history) == 2
    assert ledger_mismatches() == []


def test_weighing_refusals_write_nothing(world, clock):
    w = world
    before = (RecyclingWeighing.objects.count(), Entry.objects.count())
    with pytest.raises(ValidationFailed, match="没有施行中"):
        services.weighing_record(acting_user=w.keeper, shop=w.shop, account_id=w.account.pk, material="metal", kg=3)
    services.rate_publish(acting_user=w.cadre, place=w.tree.v1, scheme_id=w.scheme.pk, material="metal",
                          points_per_kg="2", effective_from=clock.now.date())
    with pytest.raises(ValidationFailed, match="重量"):
        services.weighing_record(acting_user=w.keeper, shop=w.shop, account_id=w.account.pk, material="metal", kg="-1")
    with pytest.raises(ValidationFailed, match="不能亲自称重"):  # the cadre who set the rate (a shop manager too)
        services.weighing_record(acting_user=w.cadre, shop=w.shop, account_id=w.account.pk, material="metal", kg=3)
    with pytest.raises(ValidationFailed, match="服务范围"):
        services.weighing_record(acting_user=w.keeper, shop=w.shop, account_id=w.account_v2.pk, material="metal", kg=1)
    with pytest.raises(ValidationFailed, match="不是回收点"):
        services.weighing_record(acting_user=w.cadre_v2, shop=w.shop_v2, account_id=w.account_v2.pk,
                                 material="metal", kg=1)
    with pytest.raises(ValidationFailed, match="早于今天"):
        services.rate_publish(acting_user=w.cadre, place=w.tree.v1, scheme_id=w.scheme.pk, material="glass",
                              points_per_kg="1", effective_from=clock.now.date() - dt.timedelta(days=1))
    with pytest.raises(ValidationFailed, match="方案"):  # another village's scheme
        services.rate_publish(acting_user=w.cadre, place=w.tree.v1, scheme_id=w.scheme_v2.pk, material="glass",
                              points_per_kg="1", effective_from=clock.now.date())
    assert (RecyclingWeighing.objects.count(), Entry.objects.count()) == before


# --- credit ---------------------------------------------------------------------------------------------------


def _tiers(w):
    services.tier_set(acting_user=w.cadre, scheme_id=w.scheme.pk, name="A级信用户", min_points="40",
                      benefits="贷款利率下浮10%")
    services.tier_set(acting_user=w.cadre, scheme_id=w.scheme.pk, name="B级信用户", min_points="10")


def test_lookup_needs_current_consent_and_is_listed_to_villager(merchant_world, clock):
    w = merchant_world
    _tiers(w)
    person = w.household.head
    lookup, tiers = services.credit_lookup(acting_user=w.bank_user, merchant=w.bank, id_number=person.id_number,
                                           purpose="小额信用贷款")
    assert lookup.outcome == "refused" and tiers == []
    services.consent_give(acting_user=w.villager, months=12)
    with pytest.raises(Conflict):
        services.consent_give(acting_user=w.villager, months=12)
    # Spending does not lower the tier: the tier rests on the honour score.
    services.redemption_create(acting_user=w.keeper, goods_id=w.oil.pk, account_id=w.account.pk, qty=1, channel="shop")
    lookup, tiers = services.credit_lookup(acting_user=w.bank_user, merchant=w.bank, id_number=person.id_number,
                                           purpose="小额信用贷款")
    assert lookup.outcome == "shown"
    assert tiers == [{"scheme": "东坡村道德积分", "score": Decimal("50.0"), "tier": "A级信用户",
                      "benefits": "贷款利率下浮10%"}]
    services.consent_revoke(acting_user=w.villager)
    lookup, tiers = services.credit_lookup(acting_user=w.bank_user, merchant=w.bank, id_number=person.id_number,
                                           purpose="复查")
    assert lookup.outcome == "refused" and tiers == []
    mine = list(selectors.lookups_of(person=person))
    assert [m.outcome for m in mine] == ["refused", "shown", "refused"]
    assert all(m.merchant == w.bank and m.looked_by == w.bank_user for m in mine)
    assert AuditEntry.objects.filter(event="rewards.credit_lookup").count() == 3


def test_consent_expires(merchant_world, clock):
    w = merchant_world
    _tiers(w)
    services.consent_give(acting_user=w.villager, months=1)
    clock.now = clock.now + dt.timedelta(days=31)
    lookup, tiers = services.credit_lookup(acting_user=w.bank_user, merchant=w.bank,
                                           id_number=w.household.head.id_number, purpose="贷款")
    assert lookup.outcome == "refused"


def test_only_partner_banks_and_employers_look_up(merchant_world):
    w = merchant_world
    with pytest.raises(PermissionDenied):
        services.credit_lookup(acting_user=w.merchant_user, merchant=w.merchant,
                               id_number=w.household.head.id_number, purpose="看看")
    with pytest.raises(NotFound):  # not the bank's staff
        services.credit_lookup(acting_user=w.merchant_user, merchant=w.bank, id_number=w.household.head.id_number,
                               purpose="看看")
    with pytest.raises(ValidationFailed, match="没有找到"):  # a villager outside the bank's area
        services.credit_lookup(acting_user=w.bank_user, merchant=w.bank, id_number=w.household_v2.head.id_number,
                               purpose="贷款")
    assert CreditLookup.objects.count() == 0


def test_villager_without_person_cannot_consent(world, make_user):
    lone = make_user("villager", world.tree.g1)
    with pytest.raises(ValidationFailed, match="未关联"):
        services.consent_give(acting_user=lone)
