"""The workflow kernel's clock. Every deadline computation and the sweeper read the time from here, so tests
(and a replay of a past day) can patch one function: ``monkeypatch.setattr("shanzhi.workflow.clock.now", ...)``.
Services also take an explicit ``now`` argument where the time matters."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def current(value: dt.datetime | None = None) -> dt.datetime:
    """``value`` if given, else the clock (looked up at call time so a patched ``now`` is honoured)."""
    return value if value is not None else now()
