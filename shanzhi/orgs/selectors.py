from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.timezone import localdate

from shanzhi.access.roles import Perm

from .models import Membership, Organisation, OrgKind, UnitAccount

# Names a county may put before a department's name ("县自然资源局" for a matter naming "自然资源局").
_COUNTY_PREFIXES = ("县", "市", "区", "示范区")


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


def departments(*, county_path: str) -> QuerySet[Organisation]:
    """县级政府部门: the active government departments of the county at ``county_path``, by name — the units an
    event can be assigned, transferred or escalated to (G3). Public knowledge, so not narrowed by the user."""
    return Organisation.objects.filter(kind=OrgKind.GOV_DEPARTMENT, place_path=county_path, is_active=True).order_by(
        "name", "id")


def department_named(*, county_path: str, name: str) -> Organisation | None:
    """The county's department a free-text name (a matter's responsible department) names: the same name, or
    the name with the county's prefix ("自然资源局" → "县自然资源局"); None when there is none."""
    name = " ".join((name or "").split())
    if not name:
        return None
    wanted = [name, *(p + name for p in _COUNTY_PREFIXES)]
    found = {o.name: o for o in departments(county_path=county_path).filter(name__in=wanted)}
    return next((found[n] for n in wanted if n in found), None)


def unit_ids(user: Any) -> frozenset[int]:
    """Ids of the organisations the account works for (``UnitAccount``), cached on the user like its grants."""
    cached = user.__dict__.get("_unit_ids_cache") if user is not None else None
    if cached is None:
        if user is None or not getattr(user, "is_authenticated", False):
            return frozenset()
        cached = frozenset(UnitAccount.objects.filter(user=user, is_active=True, organisation__is_active=True)
                           .values_list("organisation_id", flat=True))
        user.__dict__["_unit_ids_cache"] = cached
    return cached


def unit_account_users(*, organisation_id: int | None) -> QuerySet:
    """Ids of the active accounts working for a unit (a subquery for guards' holders)."""
    return UnitAccount.objects.filter(organisation_id=organisation_id, is_active=True,
                                      user__is_active=True).values("user_id")
