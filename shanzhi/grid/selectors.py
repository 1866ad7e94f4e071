"""Reading the grid matter list (domain.md G2). Every read starts from ``Matter.objects.visible_to``: a user sees
the lists issued at their places' ancestors (the county's list binds its townships and villages) and within
their scope — never another county's."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shanzhi.access.roles import Perm
from shanzhi.regions.models import Place

from .choices import OWNER_LEVELS, MatterCategory, ResponsibleLevel
from .models import Matter, MatterChange

STATUSES = {"active": _("在清单内"), "inactive": _("已退出"), "all": _("全部")}


@dataclasses.dataclass(frozen=True)
class MatterFilters:
    q: str = ""
    category: str = ""
    level: str = ""
    status: str = "active"
    owner: str = ""  # place code of the list's issuer

    @classmethod
    def from_query(cls, data: Any) -> MatterFilters:
        status = (data.get("status") or "active").strip()
        category = (data.get("category") or "").strip()
        level = (data.get("level") or "").strip()
        return cls(q=(data.get("q") or "").strip()[:50],
                   category=category if category in MatterCategory.values else "",
                   level=level if level in ResponsibleLevel.values else "",
                   status=status if status in STATUSES else "active",
                   owner=(data.get("owner") or "").strip()[:24])


def matter_list(*, user: Any, filters: MatterFilters | None = None) -> QuerySet[Matter]:
    filters = filters or MatterFilters()
    qs = Matter.objects.visible_to(user, Perm.MATTER_VIEW)
    if filters.q:
        qs = qs.filter(Q(name__contains=filters.q) | Q(code__icontains=filters.q) | Q(department__contains=filters.q))
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.status == "active":
        qs = qs.filter(is_active=True)
    elif filters.status == "inactive":
        qs = qs.filter(is_active=False)
    if filters.owner:
        qs = qs.filter(place__code=filters.owner)
    return qs.select_related("place").order_by("place_path", "code")


def matter_detail(*, user: Any, pk: int) -> Matter:
    return Matter.objects.select_related("place").get_visible(user, Perm.MATTER_VIEW, pk=pk)


def matter_history(*, matter: Matter) -> QuerySet[MatterChange]:
    return matter.changes.select_related("actor").order_by("-date", "-id")


def matter_owner_places(*, user: Any) -> list[Place]:
    """Issuers of the lists the user sees (for the list filter): their county and townships, at most a few."""
    ids = Matter.objects.visible_to(user, Perm.MATTER_VIEW).values("place_id")
    return list(Place.objects.filter(pk__in=ids).order_by("path"))


def matter_manage_places(*, user: Any) -> list[Place]:
    """Counties and townships whose list the user may change (the admission form's choices)."""
    return list(Place.objects.visible_to(user, Perm.MATTER_MANAGE).filter(level__in=OWNER_LEVELS).order_by("path")[:200])


def matters_applicable(*, place: Place) -> QuerySet[Matter]:
    """The matters in force at ``place``: its own list (if it issues one) and its ancestors' lists. For event
    reporting and triage (G3) and the Open311 service list."""
    return Matter.objects.applicable_at(place.path).filter(is_active=True).select_related("place").order_by(
        "place_path", "code")
