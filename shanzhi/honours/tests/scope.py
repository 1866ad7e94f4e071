"""Objects of 东坡村 for the generic scope suite (web/tests/test_scope.py PAGE_CASES): the points results pages
(``points/results/…``) and the honours pages, made through services."""

from __future__ import annotations

import datetime as dt
from typing import Any


def scheme(ctx: Any) -> Any:
    """An adopted scheme of 东坡村 with star thresholds and a black-list line, one household account with an
    entry (memoised on ctx)."""
    if getattr(ctx, "results_scheme", None) is None:
        from shanzhi.points.ledger import account_for, today
        from shanzhi.points.services import (
            ItemSpec,
            SchemeSpec,
            category_create,
            entry_record,
            item_save,
            scheme_adopt,
            scheme_create,
        )

        s = scheme_create(acting_user=ctx.in_scope, place=ctx.tree.v1, spec=SchemeSpec(
            name="东坡村道德积分", kind="moral", star_thresholds=[{"stars": 1, "min": 1}], blacklist_below="7"))
        cat = category_create(acting_user=ctx.in_scope, scheme=s, name="积孝")
        it = item_save(acting_user=ctx.in_scope, scheme=s, spec=ItemSpec(
            category_id=cat.pk, code="X01", name="孝敬老人", points_min="1", points_max="2"))
        scheme_adopt(acting_user=ctx.in_scope, scheme=s, adopted_on=today() - dt.timedelta(days=200),
                     decision_note="村民代表大会表决通过")
        ctx.results_scheme = s
        ctx.results_account = account_for(scheme=s, household=ctx.household)
        ctx.results_entry = entry_record(acting_user=ctx.in_scope, item_id=it.pk, subject_id=ctx.household.pk,
                                         points="1", deed_date=today())
    return ctx.results_scheme


def account(ctx: Any) -> Any:
    scheme(ctx)
    return ctx.results_account


def entry(ctx: Any) -> Any:
    scheme(ctx)
    return ctx.results_entry


def _last_quarter() -> dt.date:
    from shanzhi.points.ledger import quarter_start, today

    return quarter_start(quarter_start(today()) - dt.timedelta(days=1))


def star_round(ctx: Any) -> Any:
    from shanzhi.honours.services import stars_assess

    return stars_assess(acting_user=ctx.in_scope, scheme_id=scheme(ctx).pk, quarter=_last_quarter())


def listing(ctx: Any) -> Any:
    from shanzhi.honours.services import blacklist_propose
    from shanzhi.points.ranking import Period

    return blacklist_propose(acting_user=ctx.in_scope, scheme_id=scheme(ctx).pk,
                             period=Period.quarter(_last_quarter()))[0]
