from __future__ import annotations

from typing import Any

from django import template

from shanzhi.access.roles import Perm

register = template.Library()


@register.filter
def can_import_people(user: Any) -> bool:
    """Whether to offer the Excel import of the registry (the import pages check it again)."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm_anywhere(Perm.PEOPLE_IMPORT))
