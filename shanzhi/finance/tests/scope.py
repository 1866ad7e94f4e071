"""Objects of 东坡村 for the generic scope suite (web/tests/test_scope.py PAGE_CASES), made through services."""

from __future__ import annotations

from typing import Any


def ledger(ctx: Any) -> Any:
    """东坡村's books, kept by the village itself (opened by the in-scope cadre)."""
    from django.utils.timezone import localdate

    from shanzhi.finance.models import Ledger
    from shanzhi.finance.services import add_months, ledger_open

    found = Ledger.objects.filter(village=ctx.tree.v1).first()
    return found or ledger_open(acting_user=ctx.in_scope, village=ctx.tree.v1, agency_bookkeeping=False,
                                start_month=add_months(localdate().replace(day=1), -1))


def entry(ctx: Any) -> Any:
    from shanzhi.finance.services import entry_create
    from shanzhi.finance.tests.conftest import jpeg

    lg = ledger(ctx)
    return lg.entries.first() or entry_create(
        acting_user=ctx.in_scope, ledger=lg, date=lg.start_month, kind="expense",
        category=lg.categories.get(name="公益支出"), amount="2000", counterparty="某建材店", summary="范围测试",
        vouchers=[jpeg()])
