"""The home page asks each app "what needs this user's action now?" (issue #2: a home page per role).

An app registers a provider in its ``AppConfig.ready``; a provider takes the user and returns
``ActionItem``s. Providers must be cheap: one or two indexed, scoped counts each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ActionItem:
    title: str
    count: int
    url: str
    hint: str = ""
    level: str = "primary"  # bootstrap colour: primary, warning, danger


Provider = Callable[[Any], list[ActionItem]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def action_items(user: Any) -> list[ActionItem]:
    items: list[ActionItem] = []
    for provider in _providers:
        items.extend(provider(user))
    return items
