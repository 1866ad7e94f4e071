"""``{% mediation_event_link event %}``: on an event's page, the mediation case made from it, or (for whoever
may register cases there) the link that turns the event into one (转为调解案件, domain.md M2)."""

from __future__ import annotations

from typing import Any

from django import template

from shanzhi.access.roles import Perm

from ..models import Case
from ..workflow import FINAL_STATES

register = template.Library()


@register.inclusion_tag("mediation/_event_link.html", takes_context=True)
def mediation_event_link(context: Any, event: Any) -> dict[str, Any]:
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return {"show": False}
    case = Case.objects.filter(event_id=event.pk).exclude(state__in=FINAL_STATES).first()
    visible = case is not None and user.has_perm_at(Perm.MEDIATION_VIEW, case.place_path)
    can_make = case is None and user.has_perm_at(Perm.MEDIATION_HANDLE, event.place_path)
    return {"show": visible or can_make, "case": case if visible else None, "event": event}


@register.simple_tag(takes_context=True)
def holds_anywhere(context: Any, perm: str) -> bool:
    """Whether the user holds ``perm`` somewhere (for tabs such as the statistics)."""
    user = context.get("user")
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.has_perm_anywhere(perm))
