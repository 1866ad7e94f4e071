"""Objects of 东坡村 for the generic scope suite (web/tests/test_scope.py PAGE_CASES), made through services."""

from __future__ import annotations

import datetime as dt
from typing import Any


def _dispatcher(tree: Any) -> Any:
    from shanzhi.access.models import User
    from shanzhi.access.services import role_assign, user_create

    user = User.objects.filter(username="scope_kj_dispatcher").first()
    if user is None:
        user = user_create(
            acting_user=None,
            username="scope_kj_dispatcher",
            password="Passw0rd!x",
            must_change_password=False,
        )
        role_assign(acting_user=None, user=user, role="dispatcher", place=tree.kejing)
    return user


def scope_warning(ctx: Any) -> Any:
    """A warning in force on grid 1 of 东坡村."""
    from shanzhi.warning.services import warning_raise

    return warning_raise(
        acting_user=_dispatcher(ctx.tree), target=ctx.tree.g1, level="orange", reason="范围测试"
    )


def scope_period(ctx: Any) -> Any:
    """A zero-report period of 克井镇 (东坡村's township) from today."""
    from shanzhi.warning.services import zero_period_declare
    from shanzhi.workflow.calendar import local_date
    from shanzhi.workflow.clock import current

    today = local_date(current())
    return zero_period_declare(
        acting_user=_dispatcher(ctx.tree),
        place=ctx.tree.kejing,
        starts_on=today,
        ends_on=today + dt.timedelta(days=6),
        reason="范围测试",
    )
