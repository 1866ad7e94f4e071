"""The demo loader (registry order 30): shops with goods in both demo villages, partners staffed by the demo
merchant account, rates and tiers on the village scheme, redemptions through the services; a second run adds
nothing."""

from __future__ import annotations

import pytest

from shanzhi.demo.registry import loaders
from shanzhi.points import ledger
from shanzhi.points.ledger import ledger_mismatches
from shanzhi.rewards.demo import GOODS, load
from shanzhi.rewards.models import CreditTier, Goods, Merchant, RecyclingRate, Redemption, Shop

from .conftest import make_scheme

pytestmark = pytest.mark.django_db


def test_demo_loader(tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1, username="cadre")
    make_user("village_cadre", tree.v2, username="cadre2")
    merchant = make_user("merchant", tree.v1, username="merchant")
    make_user("volunteer", tree.v1, username="volunteer")
    villager = make_user("villager", tree.g1, username="villager")
    household = make_household(cadre, tree.g1, head_name="王秀英")
    villager.person = household.head
    villager.save(update_fields=["person"])
    scheme = make_scheme(tree.v1, cadre, name="村民积分", kind="villager")
    account = ledger.account_for(scheme=scheme, household=household)
    ledger.entry_credit_system(acting_user=cadre, account_id=account.pk, item_id=None, points="20", kind="deed",
                               deed_date=ledger.today(), source_ref="test")
    assert any(x.name == "rewards" and x.order == 30 for x in loaders())
    said: list[str] = []
    load(scale="small", seed=1, say=said.append)
    assert Shop.objects.filter(place=tree.v1, is_recycling_station=True).count() == 1
    assert Shop.objects.filter(place=tree.v2).count() == 1
    assert Goods.objects.count() == 2 * len(GOODS)
    assert set(Merchant.objects.filter(users=merchant).values_list("kind", flat=True)) == {"shop", "bank"}
    assert RecyclingRate.objects.filter(scheme=scheme).count() == 5 and CreditTier.objects.filter(scheme=scheme).count() == 3
    assert Redemption.objects.filter(account=account).exists()  # the demo villager has a reservation or two
    assert ledger_mismatches() == []
    counts = (Shop.objects.count(), Goods.objects.count(), Redemption.objects.count())
    load(scale="small", seed=1, say=said.append)
    assert (Shop.objects.count(), Goods.objects.count(), Redemption.objects.count()) == counts
    assert "已存在" in said[-1]
