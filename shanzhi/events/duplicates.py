"""Possible duplicates of an event (domain.md G3: "Possible duplicates (same matter, nearby, recent) are shown for
merging"). Two villagers and a grid worker often report the same blocked ditch within an hour; the dispatcher sees
them side by side at triage and folds the copies into one event (``merging.py``).

A possible duplicate of an event is another event, visible to the user, that
- is of the same matter;
- is still open, or was closed within ``RECENT_DAYS`` days before the event was reported;
- lies within ``RADIUS_M`` metres when both have coordinates (haversine distance; the query is bounded by a
  latitude/longitude box first, so the database narrows the rows and Python only measures the few left), or,
  when either has no coordinates, is in the same village with a similar address or text (character bigrams).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q

from .models import Event
from .selectors import events_visible
from .workflow import CLOSED, DONE, OPEN_STATES

RADIUS_M = 300
RECENT_DAYS = 7
LIMIT = 10
CANDIDATES_MAX = 200  # rows fetched before measuring; a village rarely has more open events of one matter
ADDRESS_SIMILAR = 0.5
TEXT_SIMILAR = 0.3
EARTH_RADIUS_M = 6_371_000.0
METRES_PER_DEGREE = 111_320.0
VILLAGE_PATH = 12  # the significant length of a village's path (regions.choices.SIGNIFICANT)

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Duplicate:
    """One possible duplicate, with why it is one: the distance in metres (both located) or the similarity of
    the address/text (same village, at least one without coordinates)."""

    event: Event
    distance_m: int | None
    similarity: float

    @property
    def can_merge_into(self) -> bool:
        return self.event.state in OPEN_STATES and self.event.merged_into_id is None


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points (the earth taken as a sphere)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _bigrams(value: str) -> set[str]:
    s = _NOISE.sub("", value or "")
    if len(s) < 2:
        return {s} if s else set()
    return {s[i : i + 2] for i in range(len(s) - 1)}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams (punctuation and spaces ignored): 1.0 for the same words,
    0.0 for nothing in common. Chinese needs no word segmentation for this."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def _box(lat: Decimal, lng: Decimal, radius_m: float) -> Q:
    dlat = radius_m / METRES_PER_DEGREE
    dlng = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(float(lat))), 0.01))
    q6 = Decimal("0.000001")

    def d(x: float) -> Decimal:
        return Decimal(str(x)).quantize(q6)

    return Q(
        latitude__range=(d(float(lat) - dlat), d(float(lat) + dlat)),
        longitude__range=(d(float(lng) - dlng), d(float(lng) + dlng)),
    )


def _located(e: Event) -> bool:
    return e.latitude is not None and e.longitude is not None


def candidates_q(event: Event) -> Q:
    """The database half: same matter, open or recently closed, and near (the box) or in the same village."""
    recent = event.reported_at - dt.timedelta(days=RECENT_DAYS)
    q = Q(matter_id=event.matter_id) & (
        Q(state__in=OPEN_STATES) | Q(state__in=(CLOSED, DONE), closed_at__gte=recent)
    )
    village = Q(place_path__prefix=event.place_path[:VILLAGE_PATH])
    if _located(event):
        return q & (_box(event.latitude, event.longitude, RADIUS_M) | (village & Q(latitude__isnull=True)))
    return q & village


def possible_duplicates(*, user: Any, event: Event, limit: int = LIMIT) -> list[Duplicate]:
    """The possible duplicates of ``event`` that ``user`` may see, nearest first (then the most similar); one
    query whatever the number of events."""
    rows = (
        events_visible(user=user)
        .filter(candidates_q(event))
        .exclude(pk=event.pk)
        .select_related("place")
        .order_by("-reported_at", "-id")[:CANDIDATES_MAX]
    )
    village = event.place_path[:VILLAGE_PATH]
    found: list[Duplicate] = []
    for other in rows:
        text_sim = similarity(event.text, other.text)
        if _located(event) and _located(other):
            distance = haversine_m(
                float(event.latitude), float(event.longitude), float(other.latitude), float(other.longitude)
            )
            if distance <= RADIUS_M:
                found.append(Duplicate(other, round(distance), text_sim))
            continue
        if other.place_path[:VILLAGE_PATH] != village:
            continue
        address_sim = similarity(event.address, other.address) if event.address and other.address else 0.0
        if address_sim >= ADDRESS_SIMILAR or text_sim >= TEXT_SIMILAR:
            found.append(Duplicate(other, None, max(address_sim, text_sim)))
    found.sort(key=lambda d: (d.distance_m is None, d.distance_m or 0, -d.similarity))
    return found[:limit]
