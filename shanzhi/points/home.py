"""Home-page action items of 积分制: records waiting for the review group, ended quarters waiting for the party
branch's approval, reconsiderations to investigate."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.core.home import ActionItem

from .choices import EntryStatus, QuarterStatus, ReconsiderationStatus
from .ledger import quarter_start, today
from .models import Entry, Quarter, Reconsideration, Scheme


def action_items(user: Any) -> list[ActionItem]:
    items: list[ActionItem] = []
    if user.has_perm_anywhere(Perm.POINTS_REVIEW):
        n = (Entry.objects.visible_to(user, Perm.POINTS_REVIEW).filter(status=EntryStatus.PENDING)
             .exclude(recorder=user).count())
        if n:
            items.append(ActionItem(title="积分记录待评议", count=n, url=reverse("points_review"),
                                    hint="评议小组月评议"))
    if user.has_perm_anywhere(Perm.POINTS_APPROVE):
        current = quarter_start(today())
        ended = set(Entry.objects.visible_to(user, Perm.POINTS_APPROVE).filter(quarter__lt=current)
                    .values_list("scheme_id", "quarter").distinct()[:200])
        done = set(Quarter.objects.visible_to(user, Perm.POINTS_APPROVE).exclude(status=QuarterStatus.OPEN)
                   .values_list("scheme_id", "starts_on"))
        waiting = ended - done
        if waiting:
            scheme_id = sorted(waiting)[0][0]
            scheme = Scheme.objects.filter(pk=scheme_id).only("pk").first()
            items.append(ActionItem(title="积分季度待支部审核", count=len(waiting),
                                    url=reverse("points_scheme", args=[scheme.pk]) + "#quarters" if scheme else
                                    reverse("points_index"), hint="审核后锁定并公示", level="warning"))
        n = Reconsideration.objects.visible_to(user, Perm.POINTS_APPROVE).filter(
            status__in=[ReconsiderationStatus.OPEN, ReconsiderationStatus.INVESTIGATING]).count()
        if n:
            items.append(ActionItem(title="积分复议/异议待处理", count=n, url=reverse("points_reconsiderations"),
                                    level="warning"))
    return items
