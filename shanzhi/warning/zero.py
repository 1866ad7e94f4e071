"""The zero-report's day rules (domain.md G5 零报告), shared by selectors, services and the reminder task.

- A day needs a report when a period covers it and it is a working day of the official calendar
  (``workflow.calendar``: Saturdays, Sundays and public holidays rest; a 调休 make-up workday works).
- The cut-off is ``settings.ZERO_REPORT_CUTOFF`` ("HH:MM", Beijing time; default 17:00).
- A grid's status for a day: 已报无情况 when its "无情况" was filed by the cut-off, else 已报事件 when an event
  was reported in the grid by the cut-off, else 迟报 when either came after it, else 待报 before the cut-off
  and 未报 after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from shanzhi.workflow import calendar
from shanzhi.workflow.calendar import CHINA

from .choices import STATUS_BADGE, DayStatus
from .event_reads import GridEvents

DEFAULT_CUTOFF = dt.time(17, 0)


def cutoff_time() -> dt.time:
    value = getattr(settings, "ZERO_REPORT_CUTOFF", "") or ""
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value)) if value else DEFAULT_CUTOFF
    except ValueError:
        return DEFAULT_CUTOFF


def deadline(day: dt.date) -> dt.datetime:
    """The cut-off of ``day``: the time by which each grid's report is due (aware, Beijing)."""
    return dt.datetime.combine(day, cutoff_time(), tzinfo=CHINA)


def working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """The working days from ``start`` to ``end`` inclusive (the calendar kernel's rule, one query)."""
    return calendar.working_days(start, end)


@dataclass(frozen=True)
class GridDay:
    """One grid's row of the daily sheet."""

    grid: Any  # regions.Place
    status: str
    report: Any = None  # ZeroReport or None
    events: GridEvents | None = None

    @property
    def status_label(self) -> str:
        return str(DayStatus(self.status).label)

    @property
    def badge(self) -> str:
        return STATUS_BADGE[DayStatus(self.status)]

    @property
    def filed_at(self) -> dt.datetime | None:
        times = [
            t
            for t in (
                self.report.filed_at if self.report else None,
                self.events.first_at if self.events else None,
            )
            if t is not None
        ]
        return min(times) if times else None


def grid_status(*, report: Any, events: GridEvents | None, due: dt.datetime, now: dt.datetime) -> str:
    if report is not None and report.filed_at <= due:
        return DayStatus.FILED
    if events is not None and events.first_at <= due:
        return DayStatus.BY_EVENT
    if report is not None or events is not None:
        return DayStatus.LATE
    return DayStatus.PENDING if now <= due else DayStatus.MISSING
