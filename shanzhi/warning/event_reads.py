"""The zero-report's one read of the events app (domain.md G5: "every grid reports 'nothing' or what it found").

An event reported in a grid on a day counts as that grid's report for the day. The events app offers selectors
scoped to a user; the zero-report needs the same fact for a township's grids with no user at hand (the reminder
task), so this module reads ``events.Event`` directly — read-only, two columns, one grouped query — and is the
only place in this app that does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min

from shanzhi.core.scoping import path_q
from shanzhi.events.models import Event
from shanzhi.workflow.calendar import CHINA

GRID_PATH_LEN = 16  # 12-digit village code + "W" + 3 digits (regions.choices.CHILD_SEGMENT)


@dataclass(frozen=True)
class GridEvents:
    first_at: dt.datetime
    count: int


def grid_path_of(place_path: str) -> str | None:
    """The path of the grid a place lies in (the grid itself or one of its micro-grids), None outside grids."""
    if len(place_path) >= GRID_PATH_LEN and place_path[12] == "W":
        return place_path[:GRID_PATH_LEN]
    return None


def events_by_grid(*, under: list[str], day: dt.date) -> dict[str, GridEvents]:
    """{grid path: first report time and number of events} for events reported on ``day`` (Beijing date) in
    grids below any of the paths ``under``. One query, grouped by place, so it costs the same for 3 grids or 300."""
    if not under:
        return {}
    start = dt.datetime.combine(day, dt.time.min, tzinfo=CHINA)
    rows = (
        Event.objects.filter(
            path_q("place_path", under), reported_at__gte=start, reported_at__lt=start + dt.timedelta(days=1)
        )
        .values("place_path")
        .annotate(first_at=Min("reported_at"), n=Count("id"))
        .order_by()
    )
    out: dict[str, GridEvents] = {}
    for row in rows:
        grid = grid_path_of(row["place_path"])
        if grid is None:
            continue
        seen = out.get(grid)
        if seen is None:
            out[grid] = GridEvents(first_at=row["first_at"], count=row["n"])
        else:
            out[grid] = GridEvents(first_at=min(seen.first_at, row["first_at"]), count=seen.count + row["n"])
    return out
