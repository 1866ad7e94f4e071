from __future__ import annotations

from typing import Any

from django import template

from shanzhi.access.roles import Perm

register = template.Library()


@register.filter
def at(items: Any, index: int) -> Any:
    """``columns|at:forloop.counter0``: the label of a cell's column (for the phone layout)."""
    try:
        return items[index]
    except (IndexError, KeyError, TypeError):
        return ""


@register.filter
def can_publish_at(user: Any, place: Any) -> bool:
    """Whether the user holds the publish permission at the place (for buttons on other apps' pages)."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm_at(Perm.PUBLISH, place.path))
