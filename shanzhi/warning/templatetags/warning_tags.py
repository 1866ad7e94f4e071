"""``{% warning_panel obj %}``: the warning in force on an event or a place, with the raise / change / lift forms
for those who manage warnings there. Self-contained (one query), so the event page needs one line to show it."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.regions.models import Place

from ..choices import WarningLevel
from ..selectors import current_warning

register = template.Library()


@register.inclusion_tag("warning/_panel.html", takes_context=True)
def warning_panel(context: template.Context, obj: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    path = obj.path if isinstance(obj, Place) else getattr(obj, "place_path", "")
    if (
        user is None
        or not getattr(user, "is_authenticated", False)
        or not user.has_perm_at(Perm.WARNING_VIEW, path)
    ):
        return {"show": False}
    raise_url = (
        reverse("warning_place", args=[obj.code])
        if isinstance(obj, Place)
        else reverse("warning_event_raise", args=[obj.pk])
    )
    return {
        "show": True,
        "warning": current_warning(obj, user=user),
        "levels": WarningLevel.choices,
        "can_manage": user.has_perm_at(Perm.WARNING_MANAGE, path),
        "raise_url": raise_url,
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }
