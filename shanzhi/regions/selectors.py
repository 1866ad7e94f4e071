"""Reading the tree: children, ancestors, search by name, pinyin and initials (张三 → "zs")."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shanzhi.access.roles import Perm
from shanzhi.core.text import search_key

from .models import Place, path_prefixes


def place_search(*, user: Any, query: str, limit: int = 20) -> QuerySet[Place]:
    """Places in the user's scope whose name contains ``query`` or whose pinyin / initials start with it."""
    qs = Place.objects.visible_to(user, Perm.PLACE_VIEW)
    q = (query or "").strip()
    if not q:
        return qs.none()
    key = search_key(q)
    cond = Q(name__contains=q)
    if key and key.isascii():
        cond |= Q(initials__prefix=key) | Q(pinyin__prefix=key)
    return qs.filter(cond).order_by("path")[:limit]


def place_children(*, user: Any, place: Place) -> QuerySet[Place]:
    return Place.objects.visible_to(user, Perm.PLACE_VIEW).filter(parent=place).order_by("path")


def place_ancestors(place: Place) -> list[Place]:
    prefixes = [p for p in path_prefixes(place.path) if p != place.path]
    return list(Place.objects.filter(path__in=prefixes).order_by("path"))


def user_root_places(*, user: Any, perm: str = Perm.PLACE_VIEW) -> list[Place]:
    paths = user.scope_paths(perm)
    if "" in paths:
        return list(Place.objects.filter(parent__isnull=True).order_by("path"))
    return list(Place.objects.filter(path__in=paths).order_by("path"))


def ancestors_for(places: list[Place]) -> list[Place]:
    """Ancestors of several places in one query (for search results' breadcrumbs)."""
    prefixes = {p for place in places for p in path_prefixes(place.path) if p != place.path}
    return list(Place.objects.filter(path__in=prefixes).order_by("path"))
