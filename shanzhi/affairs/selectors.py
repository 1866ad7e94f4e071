"""Reads of 村务决策与议事. Lists start from ``visible_to(user, perm)``; the registry sets (who counts at a
meeting, who may vote) are read from people / orgs as of a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from shanzhi.access.roles import Perm
from shanzhi.orgs.models import Membership, OrgKind
from shanzhi.people.choices import PoliticalStatus, ResidenceStatus
from shanzhi.people.models import Household, Person
from shanzhi.regions.models import Place
from shanzhi.workflow import engine

from .choices import Eligibility, MeetingKind
from .models import Decision, Meeting, Representative, Topic, TopicComment, TopicTask
from .workflow import STEPS

LIVING = (ResidenceStatus.RESIDENT, ResidenceStatus.AWAY)
TWO_COMMITTEE_KINDS = (OrgKind.PARTY_COMMITTEE, OrgKind.PARTY_GENERAL_BRANCH, OrgKind.PARTY_BRANCH,
                       OrgKind.VILLAGE_COMMITTEE)
ADULT_AGE = 18


def adult_born_by(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - ADULT_AGE)
    except ValueError:  # 29 February
        return day.replace(year=day.year - ADULT_AGE, day=28)


# --- the registry sets -----------------------------------------------------------------------------------------


def villagers(village: Place) -> QuerySet[Person]:
    """Registered persons of the village still living (常住 or 外出), in active households."""
    return Person.objects.filter(place_path__prefix=village.path, household__is_active=True,
                                 residence_status__in=LIVING)


def party_members(village: Place) -> QuerySet[Person]:
    """党员: persons of the village whose political status is 中共党员 (预备党员 have no vote)."""
    return villagers(village).filter(political_status=PoliticalStatus.PARTY_MEMBER)


def adults(village: Place, day: dt.date) -> QuerySet[Person]:
    return villagers(village).filter(birth_date__lte=adult_born_by(day))


def households(village: Place) -> QuerySet[Household]:
    return Household.objects.filter(village=village, is_active=True)


def representatives(village: Place, day: dt.date) -> QuerySet[Person]:
    ids = Representative.objects.filter(village=village, term_start__lte=day, term_end__gte=day).values("person_id")
    return villagers(village).filter(pk__in=ids)


def two_committee_members(village: Place, day: dt.date) -> QuerySet[Person]:
    """村"两委"成员: persons holding a post for the day in the village's party organisation or villagers'
    committee (orgs memberships)."""
    ids = Membership.objects.filter(
        organisation__place=village, organisation__kind__in=TWO_COMMITTEE_KINDS, organisation__is_active=True,
        term_start__lte=day).filter(Q(term_end__isnull=True) | Q(term_end__gte=day)).values("person_id")
    return Person.objects.filter(pk__in=ids, residence_status__in=LIVING)


def meeting_body(kind: str, village: Place, day: dt.date) -> QuerySet:
    """Who counts (应到) at a meeting of ``kind`` on ``day``: persons, or households for a households' meeting."""
    if kind == MeetingKind.TWO_COMMITTEES:
        return two_committee_members(village, day)
    if kind == MeetingKind.PARTY_CONGRESS:
        return party_members(village)
    if kind == MeetingKind.REPRESENTATIVES:
        return representatives(village, day)
    if kind == MeetingKind.VILLAGERS:
        return adults(village, day)
    if kind == MeetingKind.HOUSEHOLDS:
        return households(village)
    raise ValueError(kind)


def topic_electorate(topic: Topic, day: dt.date) -> QuerySet[Person]:
    """Persons who may vote on a topic, by the topic's eligibility (for one vote per household: the adults of
    the village, the household's first vote counting)."""
    if topic.eligibility == Eligibility.REPRESENTATIVES:
        return representatives(topic.village, day)
    return adults(topic.village, day)


# --- decisions -------------------------------------------------------------------------------------------------


def decision_list(*, user: Any, state: str = "", q: str = "", place_path: str = "") -> QuerySet[Decision]:
    qs = Decision.objects.visible_to(user, Perm.AFFAIRS_VIEW).select_related("village")
    if state == "open":
        qs = qs.filter(state__in=STEPS)
    elif state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(title__icontains=q.strip()[:50])
    if place_path:
        qs = qs.filter(place_path__prefix=place_path)
    return qs.order_by("-requested_at", "-id")


def decision_detail(*, user: Any, pk: int) -> Decision:
    return Decision.objects.select_related("village", "requested_by", "resolution_publication",
                                           "result_publication").get_visible(user, Perm.AFFAIRS_VIEW, pk=pk)


def decision_meetings(decision: Decision) -> QuerySet[Meeting]:
    return decision.meetings.select_related("recorded_by").order_by("recorded_at", "id")


def decision_comments(decision: Decision) -> list:
    return [h for h in engine.history(decision) if h.kind == "note"]


def representative_list(*, user: Any, village: Place | None = None, current_on: dt.date | None = None
                        ) -> QuerySet[Representative]:
    qs = Representative.objects.visible_to(user, Perm.AFFAIRS_VIEW).select_related("person", "village")
    if village is not None:
        qs = qs.filter(village=village)
    if current_on is not None:
        qs = qs.filter(term_start__lte=current_on, term_end__gte=current_on)
    return qs.order_by("village__code", "-term_start", "person__name")


def villages_managed(user: Any, perm: str = Perm.AFFAIRS_VIEW) -> QuerySet[Place]:
    """Villages in the user's scope for ``perm`` (for pickers)."""
    from shanzhi.core.scoping import path_q
    from shanzhi.regions.choices import Level

    paths = user.scope_paths(perm) if getattr(user, "is_authenticated", False) else []
    if not paths:
        return Place.objects.none()
    return Place.objects.filter(level=Level.VILLAGE).filter(path_q("path", paths)).order_by("code")


# --- topics ----------------------------------------------------------------------------------------------------


def topic_list(*, user: Any, state: str = "", place_path: str = "") -> QuerySet[Topic]:
    qs = Topic.objects.visible_to(user, Perm.AFFAIRS_VIEW).select_related("village")
    if state:
        qs = qs.filter(state=state)
    if place_path:
        qs = qs.filter(place_path__prefix=place_path)
    return qs.order_by("-proposed_at", "-id")


def topic_detail(*, user: Any, pk: int) -> Topic:
    return Topic.objects.select_related("village", "proposer", "publication", "decision").get_visible(
        user, Perm.AFFAIRS_VIEW, pk=pk)


def user_village(user: Any) -> Place | None:
    """The village of a villager's registered person (for the phone pages)."""
    if not getattr(user, "is_authenticated", False) or not user.person_id:
        return None
    return Place.objects.filter(pk__in=Household.objects.filter(members__pk=user.person_id).values("village_id")).first()


def topics_for_villager(*, user: Any) -> QuerySet[Topic]:
    """The topics of a villager's own village (the deliberation is public within the village)."""
    village = user_village(user)
    if village is None:
        return Topic.objects.none()
    return Topic.objects.filter(village=village).exclude(state="declined").order_by("-proposed_at", "-id")


def topic_for_villager(*, user: Any, pk: int) -> Topic:
    from shanzhi.core.errors import NotFound

    topic = topics_for_villager(user=user).select_related("village", "publication").filter(pk=pk).first()
    if topic is None:
        raise NotFound()
    return topic


def topic_comments(topic: Topic) -> QuerySet[TopicComment]:
    return topic.comments.order_by("created_at", "id")


def topic_tasks(topic: Topic) -> QuerySet[TopicTask]:
    return topic.tasks.prefetch_related("progress").order_by("deadline", "id")


def topic_results(topic: Topic) -> dict[str, int]:
    from django.db.models import Count

    counts = {row["choice"]: row["n"] for row in topic.ballots.values("choice").annotate(n=Count("id"))}
    return {"for": counts.get("for", 0), "against": counts.get("against", 0), "abstain": counts.get("abstain", 0),
            "total": sum(counts.values())}
