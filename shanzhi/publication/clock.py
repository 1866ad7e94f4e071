"""Today's date in the site's time zone: the one place the kernel asks, so tests can move it."""

from __future__ import annotations

import datetime as dt

from django.utils.timezone import localdate


def today() -> dt.date:
    return localdate()
