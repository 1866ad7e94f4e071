from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.timezone import localdate

from shanzhi.access.roles import Perm

from .models import Membership, Organisation


def organisation_list(*, user: Any, kind: str = "", place_path: str = "") -> QuerySet[Organisation]:
    today = localdate()
    qs = Organisation.objects.visible_to(user, Perm.ORG_VIEW).filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if place_path:
        qs = qs.filter(place_path__prefix=place_path)
    current = Q(memberships__term_end__isnull=True) | Q(memberships__term_end__gte=today)
    return qs.select_related("place", "parent").annotate(member_count=Count("memberships", filter=current)).order_by(
        "place_path", "kind", "name")


def organisation_detail(*, user: Any, pk: int) -> Organisation:
    return Organisation.objects.select_related("place", "parent").get_visible(user, Perm.ORG_VIEW, pk=pk)


def membership_list(*, organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("person").order_by("-term_end", "post", "term_start")
