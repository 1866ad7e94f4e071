"""Reading the results of the points schemes (domain.md P4): rounds of stars and titles, the black list.
Everything starts from ``visible_to(user, points.view)``; out of scope is NotFound."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound
from shanzhi.people.choices import PoliticalStatus, ResidenceStatus
from shanzhi.people.models import Person
from shanzhi.points.models import Scheme

from .models import Listing, ListingStatus, Round


def _get(qs: QuerySet, pk: Any) -> Any:
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, TypeError, ValueError):
        raise NotFound()


def round_list(*, user: Any, scheme: Scheme) -> QuerySet[Round]:
    return (Round.objects.visible_to(user, Perm.POINTS_VIEW).filter(scheme=scheme)
            .select_related("assessed_by", "publication").order_by("-starts_on", "kind"))


def round_detail(*, user: Any, pk: Any) -> Round:
    return _get(Round.objects.visible_to(user, Perm.POINTS_VIEW).select_related(
        "scheme", "scheme__place", "assessed_by", "publication"), pk)


def listing_list(*, user: Any, scheme: Scheme, status: str = "") -> QuerySet[Listing]:
    qs = Listing.objects.visible_to(user, Perm.POINTS_VIEW).filter(scheme=scheme)
    if status in ListingStatus.values:
        qs = qs.filter(status=status)
    return qs.select_related("helper", "publication").order_by("-proposed_at", "-pk")


def listing_detail(*, user: Any, pk: Any) -> Listing:
    return _get(Listing.objects.visible_to(user, Perm.POINTS_VIEW).select_related(
        "scheme", "scheme__place", "helper", "proposed_by", "decided_by", "removed_by", "publication",
        "removal_publication"), pk)


def helper_choices(*, scheme: Scheme) -> QuerySet[Person]:
    """Who may be a one-to-one helper (seed 003: 由村干部、党员"1对1"联系帮扶): the village's party members."""
    return (Person.objects.filter(place_path__prefix=scheme.place_path,
                                  political_status__in=(PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY))
            .exclude(residence_status__in=(ResidenceStatus.DECEASED, ResidenceStatus.MOVED_OUT))
            .order_by("name", "pk").only("pk", "name", "place_path")[:500])
