"""Objects of 东坡村 for the generic scope suite (web/tests/test_scope.py PAGE_CASES), made through services."""

from __future__ import annotations

from typing import Any


def scheme(ctx: Any) -> Any:
    """An adopted household scheme of 东坡村 with one item (memoised on ctx)."""
    if getattr(ctx, "points_scheme", None) is None:
        from shanzhi.points.services import (
            ItemSpec,
            SchemeSpec,
            category_create,
            item_save,
            scheme_adopt,
            scheme_create,
        )

        s = scheme_create(acting_user=ctx.in_scope, place=ctx.tree.v1,
                          spec=SchemeSpec(name="东坡村村民积分", kind="villager"))
        cat = category_create(acting_user=ctx.in_scope, scheme=s, name="积善")
        ctx.points_item = item_save(acting_user=ctx.in_scope, scheme=s, spec=ItemSpec(
            category_id=cat.pk, code="S01", name="帮扶邻里", points_min="1", points_max="3"))
        ctx.points_scheme = scheme_adopt(acting_user=ctx.in_scope, scheme=s, decision_note="村民代表大会表决通过")
    return ctx.points_scheme


def item(ctx: Any) -> Any:
    scheme(ctx)
    return ctx.points_item


def quarter(ctx: Any) -> Any:
    from shanzhi.points.ledger import quarter_start, today
    from shanzhi.points.services import quarter_get

    return quarter_get(scheme(ctx), quarter_start(today()))


def reconsideration(ctx: Any) -> Any:
    from shanzhi.points.ledger import account_for
    from shanzhi.points.services import reconsideration_file

    account = account_for(scheme=scheme(ctx), household=ctx.household)
    return reconsideration_file(acting_user=ctx.in_scope, account_id=account.pk, reason="村民请求复核本季积分")
