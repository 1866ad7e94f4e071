"""What the event page shows beside the steps (domain.md G3): at triage, the possible duplicates with the merge
form (``duplicates``, ``merging``) and the text classifier's suggestion (``classifier``); on a merged event, where
it went. The dispatcher decides; nothing here writes."""

from __future__ import annotations

from typing import Any

from shanzhi.workflow import engine

from . import classifier, duplicates, merging
from .models import Event
from .workflow import REPORTED


def triage_aids(*, user: Any, event: Event) -> dict[str, Any]:
    """Template context for ``events/_triage_aids.html`` and ``events/_merged_banner.html``."""
    names = {t.name for t in engine.available_transitions(event, user)} if event.state == REPORTED else set()
    context: dict[str, Any] = {
        "duplicates": [],
        "can_merge": "merge" in names,
        "smart": None,
        "main_link": merging.main_event_link(user=user, event=event),
    }
    if "merge" in names:
        context["duplicates"] = duplicates.possible_duplicates(user=user, event=event)
    if "triage" in names:
        context["smart"] = classifier.suggest_for(event)
    return context
