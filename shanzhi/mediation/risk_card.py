"""The disputes' part of the grid risk card (domain.md G5 基层网格风险卡片, M6): the open disputes of the grid —
those that arose in it, or whose parties' households live in it — counted by petition-risk grade, the most
serious listed with a link to the case's risk page. Reads through mediation's scoped selector with the user;
two queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.grid import riskcard
from shanzhi.people.models import Household
from shanzhi.regions.models import Place

from . import selectors
from .choices import RiskLevel
from .risk import open_counts

CARD_ROWS = 8


def open_disputes_section(grid: Place, user: Any) -> riskcard.CardSection | None:
    if not getattr(user, "is_authenticated", False) or not user.has_perm_at(Perm.MEDIATION_VIEW, grid.path):
        return None
    households = Household.objects.filter(place_path__prefix=grid.path).values("id")
    qs = selectors.cases_visible(user=user).filter(
        Q(place_path__prefix=grid.path) | Q(parties__household_id__in=households), closed_at__isnull=True).distinct()
    counts = open_counts(qs)
    rows = []
    if counts["total"]:
        for case in (qs.select_related("place").order_by("risk_level", "-received_at", "-id")[:CARD_ROWS]):
            rows.append(riskcard.CardRow(
                cells=(case.number or "", case.get_dispute_type_display(), case.title, case.place.name,
                       case.get_risk_level_display() or "未评估"),
                url=reverse("mediation_risk_case", args=[case.pk]),
                level="danger" if case.risk_level == RiskLevel.HIGH else ""))
    return riskcard.CardSection(
        key="disputes", title="未结矛盾纠纷",
        figures=(("未结", counts["total"], ""), ("高风险", counts["high"], "danger" if counts["high"] else ""),
                 ("中风险", counts["medium"], "warning" if counts["medium"] else "")),
        columns=("案件编号", "类型", "案由", "发生地", "信访风险"), rows=tuple(rows),
        more=max(0, counts["total"] - len(rows)),
        link_url=f"{reverse('mediation_risk')}?place={grid.path[:12]}", link_label="风险研判",
        empty="网格内没有未结的矛盾纠纷。", order=30)


riskcard.register(open_disputes_section)
