"""Demo data of 积分兑换与信用 (registry order 30, after the points schemes and their records): an 爱心超市 per demo
village with everyday goods at point prices below market (济源's 道德积分储蓄站 "积分可在爱心超市兑换商品"), the
first village's shop doubling as a recycling station with published rates, a partner shop and a partner bank
("道德积分+商户", "道德积分+银行") staffed by the demo merchant account, credit tiers on the villager scheme,
and a few redemptions — all through the services. Idempotent: a village that has a shop is left alone."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from shanzhi.access.models import User
from shanzhi.core.errors import ApplicationError
from shanzhi.points.models import Account, Scheme
from shanzhi.regions.models import Place
from shanzhi.workflow.calendar import local_date
from shanzhi.workflow.clock import current

from . import services
from .models import Shop

V1, V2 = "419001100201", "419001100202"

# name, unit, points, market price (yuan), stock
GOODS = [
    ("洗衣粉", "袋", "10", "12.50", 40),
    ("食用油（5升）", "桶", "60", "69.90", 12),
    ("大米（10斤）", "袋", "30", "35.00", 20),
    ("毛巾", "条", "5", "8.00", 60),
    ("牙膏", "支", "4", "6.50", 50),
    ("酱油", "瓶", "3", "5.00", 50),
    ("香皂", "块", "2", "3.50", 80),
    ("电饭煲", "台", "150", "199.00", 2),
]
RATES = [("paper", "0.5"), ("plastic", "0.8"), ("metal", "1"), ("battery", "2"), ("pesticide", "1.5")]
TIERS = [("A级信用户", "12", "农商银行“道德积分贷”利率下浮 10%，免担保额度 5 万元；合作企业优先录用"),
         ("B级信用户", "6", "农商银行“道德积分贷”利率下浮 5%，免担保额度 3 万元"),
         ("C级信用户", "2", "可申请“道德积分贷”，按基准利率")]


def _goods(shop: Shop, user: Any) -> None:
    for name, unit, points, market, stock in GOODS:
        services.goods_create(acting_user=user, shop=shop, name=name, unit=unit, price_points=points,
                              market_price=market, stock=stock)


def load(*, scale: str, seed: int, say: Callable[[str], None]) -> None:
    places = {p.code: p for p in Place.objects.filter(code__in=[V1, V2])}
    users = {u.username: u for u in User.objects.filter(
        username__in=["cadre", "cadre2", "merchant", "volunteer", "villager"])}
    if V1 not in places or "cadre" not in users:
        say("积分超市：演示村或演示账号不存在，跳过")
        return
    v1, cadre = places[V1], users["cadre"]
    if Shop.objects.filter(place=v1).exists():
        say("积分超市：已存在，跳过")
        return
    rng = random.Random(f"{seed}:rewards")
    shop = services.shop_create(acting_user=cadre, place=v1, name=f"{v1.name}爱心超市", address=f"{v1.name}党群服务中心一楼",
                                opening_hours="每周二、五 9:00–17:00", reservation_days=7, is_recycling_station=True)
    if "volunteer" in users:
        services.shop_keeper_add(acting_user=cadre, shop=shop, user=users["volunteer"])
    _goods(shop, cadre)
    shops = 1
    if V2 in places and "cadre2" in users:
        shop2 = services.shop_create(acting_user=users["cadre2"], place=places[V2], name=f"{places[V2].name}积分超市",
                                     reservation_days=5)
        _goods(shop2, users["cadre2"])
        shops += 1

    # Partners: a shop and a bank in the first village, staffed by the demo merchant account.
    partner = services.merchant_create(acting_user=cadre, place=v1, name=f"{v1.name}便民超市", kind="shop",
                                       address=f"{v1.name}村口")
    services.offer_create(acting_user=cadre, merchant=partner, kind="discount", title="10积分抵5元", points="10")
    services.offer_create(acting_user=cadre, merchant=partner, kind="goods", title="积分兑换挂面一把", points="3")
    bank = services.merchant_create(acting_user=cadre, place=v1, name="农商银行克井支行", kind="bank",
                                    contact_phone="0391-6660000")
    if "merchant" in users:
        for m in (partner, bank):
            services.merchant_user_add(acting_user=cadre, merchant=m, user=users["merchant"])

    # Recycling rates and credit tiers on the village's 村民积分 (or whichever scheme is in force there).
    in_force = Scheme.objects.filter(place=v1, is_template=False, status="adopted").order_by("id")
    scheme = in_force.filter(kind="villager").first() or in_force.first()
    if scheme is not None:
        today = local_date(current())
        for material, rate in RATES:
            services.rate_publish(acting_user=cadre, place=v1, scheme_id=scheme.pk, material=material,
                                  points_per_kg=rate, effective_from=today)
        for name, threshold, benefits in TIERS:
            services.tier_set(acting_user=cadre, scheme_id=scheme.pk, name=name, min_points=threshold,
                              benefits=benefits)

    # A few redemptions and weighings by households that have points to spend.
    made = 0
    keeper = users.get("volunteer") or cadre
    accounts = list(Account.objects.filter(place_path__prefix=v1.path, scheme__is_template=False)
                    .order_by("-earned", "id")[:30])
    goods = list(shop.goods.filter(price_points__lte=10))
    for account in accounts:
        if rng.random() < 0.5 or not goods:
            continue
        g = rng.choice(goods)
        if account.spendable < g.price_points:
            continue
        try:
            services.redemption_create(acting_user=keeper, goods_id=g.pk, account_id=account.pk, qty=1, channel="shop")
            made += 1
        except ApplicationError:
            continue
    weighed = 0
    if scheme is not None:
        for account in [a for a in accounts if a.scheme_id == scheme.pk][:6]:
            try:
                services.weighing_record(acting_user=keeper, shop=shop, account_id=account.pk,
                                         material=rng.choice(["paper", "plastic", "metal"]),
                                         kg=Decimal(rng.randint(20, 150)) / 10)
                weighed += 1
            except ApplicationError:
                continue
    villager = users.get("villager")
    reserved = 0
    if villager is not None:
        from .selectors import my_accounts

        for account in my_accounts(user=villager):
            cheap = shop.goods.filter(price_points__lte=account.spendable, stock__gt=0).order_by("price_points").first()
            if cheap is not None and account.place_path.startswith(shop.place_path):
                try:
                    services.redemption_create(acting_user=villager, goods_id=cheap.pk, account_id=account.pk, qty=1,
                                               channel="phone")
                    reserved += 1
                except ApplicationError:
                    pass
                break
    say(f"积分超市：{shops} 个超市、{len(GOODS)} 种商品/超市、2 家合作方（商户、银行）、{made} 笔现场兑换、"
        f"{weighed} 笔回收称重、{reserved} 笔手机预约")
