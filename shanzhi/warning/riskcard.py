"""The warnings' part of the grid risk card (domain.md G5 三级预警 on the 基层网格风险卡片), registered with
``shanzhi.grid.riskcard`` when the app is ready: the warning in force on the grid itself, and the warnings in force
on the events and places inside it, most serious first, each linked. Reads through ``selectors.current_warning``
and ``selectors.warnings_under`` with the user, so only warnings in the user's warning.view scope are shown."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from shanzhi.access.roles import Perm
from shanzhi.grid import riskcard
from shanzhi.regions.models import Place

from .choices import WarningLevel
from .selectors import current_warning, warnings_under

CARD_ROWS = 10
ROW_LEVELS = {WarningLevel.RED: "danger", WarningLevel.ORANGE: "warning", WarningLevel.YELLOW: "warning"}


def warnings_section(grid: Place, user: Any) -> riskcard.CardSection | None:
    """预警 of the grid: three queries (the grid's own warning, the counts by level, the first rows)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm_at(Perm.WARNING_VIEW, grid.path):
        return None
    own = current_warning(grid, user=user)
    under = warnings_under(grid.path, user=user)
    counts = under.order_by().aggregate(
        **{lv.value: Count("id", filter=Q(level=lv.value)) for lv in WarningLevel}
    )
    total = sum(counts.values())
    rows = (
        tuple(
            riskcard.CardRow(
                cells=(
                    str(w.get_level_display()),
                    w.target_label,
                    w.reason[:60],
                    localtime(w.changed_at).strftime("%Y-%m-%d"),
                ),
                url=reverse("warning_detail", args=[w.pk]),
                level=ROW_LEVELS.get(w.level, ""),
            )
            for w in under[:CARD_ROWS]
        )
        if total
        else ()
    )
    figures = (
        (
            _("本网格"),
            str(own.get_level_display()) if own else _("无"),
            ROW_LEVELS.get(own.level, "") if own else "",
        ),
        *(
            (str(lv.label), counts[lv.value], ROW_LEVELS[lv] if counts[lv.value] else "")
            for lv in WarningLevel
        ),
    )
    return riskcard.CardSection(
        key="warnings",
        title=_("预警"),
        order=5,
        figures=figures,
        columns=(_("等级"), _("对象"), _("原因"), _("调整时间")),
        rows=rows,
        more=max(0, total - len(rows)),
        link_url=reverse("warning_place", args=[grid.code]),
        link_label=_("网格预警"),
        empty=_("本网格没有生效中的预警。"),
    )


riskcard.register(warnings_section)
