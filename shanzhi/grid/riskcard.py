"""What other apps add to the grid risk card (基层网格风险卡片, domain.md G5) and to the grid map.

The grid app knows households, persons, staff, assistants and hazard points; open events, disputes and warnings
belong to other apps, and a domain app does not reach into another's models. So those apps register providers
here, from their ``AppConfig.ready``:

- ``register(provider)``: ``provider(grid_place, user)`` returns a ``CardSection`` for the grid's card, or None
  when it has nothing to show this user. The events app registers the open events of the grid
  (``shanzhi/events/riskcard.py``); the mediation app will register the grid's open disputes the same way, and
  the warning app the grid's current warning level.
- ``register_map_layer(provider)``: ``provider(place, user)`` returns a ``MapLayer`` of points for the map of a
  village or township (the events app: open events, masked).

Providers read through their own app's scoped selectors with the user passed in (out of scope shows nothing) and
must be cheap: a query or two each, never one per row, so the card and the map JSON keep a flat query count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shanzhi.regions.models import Place


@dataclass(frozen=True)
class CardRow:
    """One line of a section's table; ``level`` "danger" highlights it (an overdue event)."""

    cells: tuple[str, ...]
    url: str = ""
    level: str = ""


@dataclass(frozen=True)
class CardSection:
    """A block of the risk card: a title, headline figures ``(label, value, level)``, an optional table and a
    link to the full list in the providing app."""

    key: str
    title: str
    figures: tuple[tuple[str, Any, str], ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[CardRow, ...] = ()
    more: int = 0  # rows not shown
    link_url: str = ""
    link_label: str = ""
    empty: str = ""
    order: int = 100


@dataclass(frozen=True)
class MapPoint:
    lat: float
    lng: float
    title: str
    lines: tuple[str, ...] = ()
    url: str = ""
    level: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "lat": self.lat,
            "lng": self.lng,
            "title": self.title,
            "lines": list(self.lines),
            "url": self.url,
            "level": self.level,
        }


@dataclass(frozen=True)
class MapLayer:
    key: str
    label: str
    colour: str
    points: list[MapPoint] = field(default_factory=list)
    truncated: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "colour": self.colour,
            "truncated": self.truncated,
            "points": [p.as_json() for p in self.points],
        }


CardProvider = Callable[[Place, Any], CardSection | None]
LayerProvider = Callable[[Place, Any], MapLayer | None]
_card_providers: list[CardProvider] = []
_layer_providers: list[LayerProvider] = []


def register(provider: CardProvider) -> CardProvider:
    if provider not in _card_providers:
        _card_providers.append(provider)
    return provider


def register_map_layer(provider: LayerProvider) -> LayerProvider:
    if provider not in _layer_providers:
        _layer_providers.append(provider)
    return provider


def card_sections(grid: Place, user: Any) -> list[CardSection]:
    sections = [s for p in _card_providers if (s := p(grid, user)) is not None]
    return sorted(sections, key=lambda s: (s.order, s.key))


def map_layers(place: Place, user: Any) -> list[MapLayer]:
    return [layer for p in _layer_providers if (layer := p(place, user)) is not None]
