"""Objects of 东坡村 for the generic scope suite (web/tests/test_scope.py PAGE_CASES), made through services."""

from __future__ import annotations

from typing import Any


def shop(ctx: Any) -> Any:
    """东坡村's points supermarket with one good (memoised on ctx)."""
    if getattr(ctx, "rewards_shop", None) is None:
        from shanzhi.rewards.services import goods_create, shop_create

        ctx.rewards_shop = shop_create(acting_user=ctx.in_scope, place=ctx.tree.v1, name="东坡村爱心超市")
        ctx.rewards_goods = goods_create(acting_user=ctx.in_scope, shop=ctx.rewards_shop, name="洗衣粉",
                                         price_points="10", stock=3)
    return ctx.rewards_shop


def goods(ctx: Any) -> Any:
    shop(ctx)
    return ctx.rewards_goods


def merchant(ctx: Any) -> Any:
    if getattr(ctx, "rewards_merchant", None) is None:
        from shanzhi.rewards.services import merchant_create

        ctx.rewards_merchant = merchant_create(acting_user=ctx.in_scope, place=ctx.tree.v1, name="东坡便民店")
    return ctx.rewards_merchant
