from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shanzhi.workflow.calendar import CHINA

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=CHINA)


def jpeg(name="goods.jpg"):
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (60, 160, 60)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def make_scheme(place, user, name="东坡村道德积分", kind="moral", subject_type="household"):
    """A village scheme in force, made through the points services (one item, adopted at a meeting)."""
    from shanzhi.points.services import (
        ItemSpec,
        SchemeSpec,
        category_create,
        item_save,
        scheme_adopt,
        scheme_create,
    )

    scheme = scheme_create(acting_user=user, place=place, spec=SchemeSpec(name=name, kind=kind,
                                                                          subject_type=subject_type))
    category = category_create(acting_user=user, scheme=scheme, name="积善")
    item_save(acting_user=user, scheme=scheme, spec=ItemSpec(category_id=category.pk, code="S01", name="帮扶邻里",
                                                             points_min="1", points_max="3"))
    return scheme_adopt(acting_user=user, scheme=scheme, adopted_on=dt.date(2026, 1, 5),
                        decision_note="村民代表大会表决通过")


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The platform clock, fixed on a Friday morning; a test may move it (``clock.now = ...``)."""
    state = SimpleNamespace(now=NOW)
    monkeypatch.setattr("shanzhi.workflow.clock.now", lambda: state.now)
    return state


@pytest.fixture
def world(tree, make_user, make_household):
    from shanzhi.points import ledger
    from shanzhi.rewards import services

    w = SimpleNamespace(tree=tree)
    w.cadre = make_user("village_cadre", tree.v1, username="v1_cadre", full_name="东坡村干部")
    w.cadre_v2 = make_user("village_cadre", tree.v2, username="v2_cadre")
    w.keeper = make_user("volunteer", tree.v1, username="v1_keeper", full_name="超市管理员")
    w.no_role = make_user(username="nobody")
    w.scheme = make_scheme(tree.v1, w.cadre)
    w.scheme_v2 = make_scheme(tree.v2, w.cadre_v2, name="西岭村道德积分")
    w.household = make_household(w.cadre, tree.g1, head_name="王秀英", members=("李建国",))
    w.household2 = make_household(w.cadre, tree.g1, head_name="赵大山")
    w.household_v2 = make_household(w.cadre_v2, tree.g2, head_name="钱西岭")
    w.villager = make_user("villager", tree.g1, username="wang_xy", full_name="王秀英")
    w.villager.person = w.household.head
    w.villager.save(update_fields=["person"])
    w.villager2 = make_user("villager", tree.g1, username="zhao_ds", full_name="赵大山")
    w.villager2.person = w.household2.head
    w.villager2.save(update_fields=["person"])
    w.account = ledger.account_for(scheme=w.scheme, household=w.household)
    w.account2 = ledger.account_for(scheme=w.scheme, household=w.household2)
    w.account_v2 = ledger.account_for(scheme=w.scheme_v2, household=w.household_v2)

    def credit(account, points):
        ledger.entry_credit_system(acting_user=w.cadre, account_id=account.pk, item_id=None, points=points,
                                   kind="deed", deed_date=NOW.date(), source_ref="test")

    w.credit = credit
    credit(w.account, 50)
    credit(w.account2, 20)
    credit(w.account_v2, 30)
    w.shop = services.shop_create(acting_user=w.cadre, place=tree.v1, name="东坡村爱心超市", reservation_days=3,
                                  is_recycling_station=True)
    services.shop_keeper_add(acting_user=w.cadre, shop=w.shop, user=w.keeper)
    w.shop_v2 = services.shop_create(acting_user=w.cadre_v2, place=tree.v2, name="西岭村积分超市")
    w.soap = services.goods_create(acting_user=w.keeper, shop=w.shop, name="洗衣粉", price_points="10",
                                   market_price="12.50", stock=5, unit="袋")
    w.oil = services.goods_create(acting_user=w.keeper, shop=w.shop, name="食用油", price_points="30", stock=1,
                                  unit="桶")
    w.goods_v2 = services.goods_create(acting_user=w.cadre_v2, shop=w.shop_v2, name="毛巾", price_points="5", stock=9)
    w.Decimal = Decimal
    return w


@pytest.fixture
def merchant_world(world, make_user):
    from shanzhi.rewards import services

    w = world
    w.merchant_user = make_user("merchant", w.tree.v1, username="v1_merchant", full_name="便民店老板")
    w.merchant = services.merchant_create(acting_user=w.cadre, place=w.tree.v1, name="东坡便民店", kind="shop")
    services.merchant_user_add(acting_user=w.cadre, merchant=w.merchant, user=w.merchant_user)
    w.offer = services.offer_create(acting_user=w.cadre, merchant=w.merchant, kind="discount",
                                    title="10积分抵5元", points="10")
    w.bank_user = make_user("merchant", w.tree.kejing, username="bank_staff", full_name="农商银行客户经理")
    w.bank = services.merchant_create(acting_user=w.cadre, place=w.tree.v1, name="克井农商银行东坡网点", kind="bank")
    services.merchant_user_add(acting_user=w.cadre, merchant=w.bank, user=w.bank_user)
    return w
