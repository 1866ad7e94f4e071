"""Reading events (domain.md G3). Staff see the events of the places where they hold event.view; a reporter
always sees their own (the villager follows their event on the phone) and nobody else's. Everything else —
another village's event, a missing one — is NotFound."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound
from shanzhi.core.home import ActionItem
from shanzhi.core.scoping import path_q
from shanzhi.orgs.models import Organisation
from shanzhi.orgs.selectors import department_named, departments, unit_ids
from shanzhi.regions.choices import SIGNIFICANT

from .choices import SUGGESTED_LEVEL, AssigneeLevel
from .models import Event
from .workflow import ASSIGNED, CLOSED, EVENT, HANDLING, LEVEL_ROLES, OPEN_STATES, REPORTED

LIST_RELATED = ("matter", "place", "reporter", "assignee_place")


def events_visible(*, user: Any) -> QuerySet[Event]:
    """Events in the user's event.view scope, plus the ones they reported themselves."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Event.objects.none()
    paths = user.scope_paths(Perm.EVENT_VIEW)
    if "" in paths:
        return Event.objects.all()
    q = Q(reporter_id=user.pk)
    if paths:
        q |= path_q("place_path", paths)
    return Event.objects.filter(q)


def waiting_q(user: Any) -> Q:
    """Events waiting for this user's step: triage in their township, acceptance or handling at their unit
    (by the role the level needs, as the workflow's guards), and rating of their own closed events."""
    q = Q(state=CLOSED, reporter_id=user.pk)
    if user.is_superuser:
        return Q(state__in=OPEN_STATES) | q
    dispatch = [p[: SIGNIFICANT["township"]] for p in user.scope_paths(Perm.EVENT_DISPATCH)]
    if dispatch:
        q |= Q(state=REPORTED) & path_q("place_path", dispatch)
    for role, perms, path in user.grants():
        if Perm.EVENT_HANDLE not in perms:
            continue
        levels = [level for level, roles in LEVEL_ROLES.items() if role in roles]
        # A county department's staff wait only for their own department's events (workflow.AssigneeGuard).
        places = [level for level in levels if level != AssigneeLevel.DEPARTMENT]
        if places:
            q |= Q(state__in=(ASSIGNED, HANDLING), assignee_level__in=places, assignee_path__prefix=path)
        if AssigneeLevel.DEPARTMENT in levels and (units := unit_ids(user)):
            q |= Q(state__in=(ASSIGNED, HANDLING), assignee_level=AssigneeLevel.DEPARTMENT,
                   assignee_path__prefix=path, assignee_org_id__in=sorted(units))
    return q


@dataclasses.dataclass(frozen=True)
class EventFilters:
    state: str = ""
    matter: int | None = None
    overdue: bool = False
    mine: bool = False  # waiting for my step

    @classmethod
    def from_query(cls, data: Any) -> EventFilters:
        state = (data.get("state") or "").strip()
        try:
            matter = int(data.get("matter") or 0) or None
        except (TypeError, ValueError):
            matter = None
        return cls(state=state if EVENT.state(state) else "", matter=matter,
                   overdue=data.get("overdue") in ("1", "on", "true"), mine=data.get("mine") in ("1", "on", "true"))


def event_list(*, user: Any, filters: EventFilters | None = None) -> QuerySet[Event]:
    filters = filters or EventFilters()
    qs = events_visible(user=user)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.matter:
        qs = qs.filter(matter_id=filters.matter)
    if filters.overdue:
        qs = qs.filter(is_overdue=True, state__in=OPEN_STATES)
    if filters.mine:
        qs = qs.filter(waiting_q(user))
    return qs.select_related(*LIST_RELATED).order_by("-reported_at", "-id")


def my_events(*, user: Any) -> QuerySet[Event]:
    """The events this user reported (the reporter's "我的上报")."""
    if not getattr(user, "is_authenticated", False):
        return Event.objects.none()
    # merged_into: a merged report shows the main event's number and state (merging.py)
    return Event.objects.filter(reporter_id=user.pk).select_related("matter", "place", "merged_into").order_by(
        "-reported_at", "-id")


def event_detail(*, user: Any, pk: int) -> Event:
    try:
        return events_visible(user=user).select_related(*LIST_RELATED, "handled_by", "rated_by").get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def suggested_level(event: Event) -> str:
    """The triage suggestion from the matter list's responsible level (G2 → G3); a grid matter outside any
    grid goes to the village."""
    level = SUGGESTED_LEVEL.get(event.matter.level, AssigneeLevel.VILLAGE)
    if level == AssigneeLevel.GRID and not (len(event.place_path) >= 16 and event.place_path[12] == "W"):
        level = AssigneeLevel.VILLAGE
    return level


def suggested_department(event: Event) -> Organisation | None:
    """The county department the event's matter names (G2 责任部门 → G3 承办部门), if the county has it."""
    return department_named(county_path=event.place_path[: SIGNIFICANT["county"]], name=event.matter.department)


def county_departments(event: Event) -> list[Organisation]:
    """The departments of the event's county, for triage, transfer and escalation."""
    return list(departments(county_path=event.place_path[: SIGNIFICANT["county"]]))


def home_items(user: Any) -> list[ActionItem]:
    """Home-page provider: events waiting for my triage / acceptance / handling, and the overdue ones."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm_anywhere(Perm.EVENT_REPORT):
        return []
    counts = events_visible(user=user).filter(waiting_q(user)).aggregate(
        triage=Count("id", filter=Q(state=REPORTED)), accept=Count("id", filter=Q(state=ASSIGNED)),
        handle=Count("id", filter=Q(state=HANDLING)), rate=Count("id", filter=Q(state=CLOSED)),
        overdue=Count("id", filter=Q(is_overdue=True, state__in=OPEN_STATES)))
    url = f"{reverse('event_list')}?mine=1"
    items = []
    for key, title in (("triage", "待我分派的事件"), ("accept", "待我受理的事件"), ("handle", "我在办理的事件")):
        if counts[key]:
            items.append(ActionItem(title=title, count=counts[key], url=f"{url}&state={key_state(key)}"))
    if counts["overdue"]:
        items.append(ActionItem(title="已超期的事件", count=counts["overdue"], url=f"{url}&overdue=1", level="danger"))
    if counts["rate"]:
        items.append(ActionItem(title="待我评价的事件", count=counts["rate"], url=reverse("event_mine"), level="warning"))
    return items


def key_state(key: str) -> str:
    return {"triage": REPORTED, "accept": ASSIGNED, "handle": HANDLING}[key]
