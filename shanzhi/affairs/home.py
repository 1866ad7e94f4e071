"""Home-page items of 村务决策与议事 (core.home): for village cadres, decisions waiting for them (a proposal, a
meeting to record, a publication) and topics to take up or publish; for villagers, votes open to them."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.core.home import ActionItem
from shanzhi.workflow import clock

from . import selectors
from .models import Decision, Topic, VoteRoll
from .workflow import DELIBERATING, MEETING_STEPS, PROPOSAL, PROPOSED, RESOLUTION_PUBLIC, RESULT_PUBLIC


def home_items(user: Any) -> list[ActionItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[ActionItem] = []
    at = clock.now()
    if user.has_perm_anywhere(Perm.DECISION_MANAGE):
        d = Decision.objects.visible_to(user, Perm.DECISION_MANAGE).aggregate(
            propose=Count("id", filter=Q(state=PROPOSAL)), meet=Count("id", filter=Q(state__in=MEETING_STEPS)),
            publish=Count("id", filter=Q(state__in=(RESOLUTION_PUBLIC, RESULT_PUBLIC))))
        url = reverse("affairs_index")
        for key, title, state in (("propose", "待村党组织提议的决策事项", PROPOSAL),
                                  ("meet", "待召开、记录会议的决策事项", "open"),
                                  ("publish", "待公开决议或实施结果的决策事项", "")):
            if d[key]:
                items.append(ActionItem(title=title, count=d[key], url=f"{url}?state={state}" if state else url))
        t = Topic.objects.visible_to(user, Perm.DECISION_MANAGE).aggregate(
            new=Count("id", filter=Q(state=PROPOSED)),
            closed=Count("id", filter=Q(state=DELIBERATING, vote_closes_at__lte=at)))
        if t["new"]:
            items.append(ActionItem(title="村民提出的议题待确定", count=t["new"],
                                    url=f"{reverse('affairs_topics')}?state={PROPOSED}"))
        if t["closed"]:
            items.append(ActionItem(title="投票已截止、待公示结果的议题", count=t["closed"],
                                    url=f"{reverse('affairs_topics')}?state={DELIBERATING}", level="warning"))
    if user.has_perm_anywhere(Perm.TOPIC_PROPOSE) and getattr(user, "person_id", None):
        from .topics import vote_refusal

        open_votes = list(selectors.topics_for_villager(user=user).filter(
            state=DELIBERATING, vote_opens_at__lte=at, vote_closes_at__gt=at).exclude(
            pk__in=VoteRoll.objects.filter(person_id=user.person_id).values("topic_id"))[:20])
        person = user.person if open_votes else None
        n = sum(1 for t in open_votes if not vote_refusal(t, person, at))  # only where this villager may vote
        if n:
            items.append(ActionItem(title="正在投票、等您表决的议题", count=n, url=reverse("affairs_my_topics"),
                                    level="warning"))
    return items
