"""Scoped querysets (NetBox's RestrictedQuerySet): ``Model.objects.visible_to(user, perm)``.

Every scoped model carries the path of its place (``place_path``); a user sees a row where one of
their roles granting ``perm`` sits at a prefix of that path. Default deny: no role, no rows.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from shanzhi.core.errors import NotFound


def path_q(field: str, paths: list[str]) -> Q:
    if "" in paths:
        return Q()
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__prefix": p})
    return q


class ScopedQuerySet(models.QuerySet):
    scope_field = "place_path"

    def visible_to(self, user: Any, perm: str) -> ScopedQuerySet:
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        paths = user.scope_paths(perm)
        if not paths:
            return self.none()
        field = getattr(self.model, "SCOPE_FIELD", self.scope_field)
        return self.filter(path_q(field, paths))

    def get_visible(self, user: Any, perm: str, **lookup: Any) -> Any:
        """The object if it exists and is in scope; NotFound (404) alike for missing and out of scope."""
        try:
            return self.visible_to(user, perm).get(**lookup)
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise NotFound()


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
