"""Open events on the grid map (domain.md G1 网格电子地图 with G3 events): where the open events of a village or
township are, masked for the map — the event's number, matter, state and a link to it; never the reporter, the
text or the photos (those are on the event page, behind its own scope check)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from .selectors import events_visible
from .workflow import EVENT, OPEN_STATES

MAP_EVENTS_MAX = 1000


def open_events_on_map(
    *, user: Any, path: str, limit: int = MAP_EVENTS_MAX
) -> tuple[list[dict[str, Any]], bool]:
    """The open events with coordinates under ``path`` that the user may see (``events_visible``), newest first,
    at most ``limit`` of them, in one query. Returns the points and whether more were left out."""
    rows = list(
        events_visible(user=user)
        .filter(
            place_path__prefix=path,
            state__in=OPEN_STATES,
            merged_into__isnull=True,
            latitude__isnull=False,
            longitude__isnull=False,
        )
        .order_by("-reported_at", "-id")
        .values_list("pk", "number", "matter__name", "state", "is_overdue", "latitude", "longitude")[
            : limit + 1
        ]
    )
    points = [
        {
            "number": number or "",
            "matter": matter,
            "state": EVENT.state_label(state),
            "overdue": overdue,
            "lat": float(lat),
            "lng": float(lng),
            "url": reverse("event_detail", args=[pk]),
        }
        for pk, number, matter, state, overdue, lat, lng in rows[:limit]
    ]
    return points, len(rows) > limit
