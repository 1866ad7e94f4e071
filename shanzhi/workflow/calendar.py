"""Working-day arithmetic on China's official calendar (domain.md F6: deadlines in working days).

Rules, in the order they apply to a date:
1. a ``CalendarDay`` row of kind ``workday`` (调休上班) makes it a working day, even a Saturday or Sunday;
2. a row of kind ``holiday`` (法定节假日 and the days joined to it) makes it a rest day;
3. otherwise Monday–Friday work and Saturday–Sunday rest.

Counting a deadline (``add_working_days``) follows the rule for periods in 民法典 art. 201: the day the period
starts does not count; day 1 is the first working day after it, and "n working days" ends at ``DAY_END``
(17:30 Beijing time) on the n-th working day. ``n = 0`` means "by the end of today", moved to the next
working day when today is a rest day. Dates are taken in Asia/Shanghai whatever ``settings.TIME_ZONE`` is,
because the official calendar is. One query loads the special days of the window counted over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from .models import CalendarDay, DayKind

CHINA = ZoneInfo("Asia/Shanghai")
DAY_END = dt.time(17, 30)
_ONE = dt.timedelta(days=1)


def local_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar date in Beijing of a datetime (aware; naive ones are taken as Beijing time) or a date."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.date()
        return value.astimezone(CHINA).date()
    return value


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, DAY_END, tzinfo=CHINA)


def special_days(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """{date: kind} for the special days between ``start`` and ``end`` inclusive."""
    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind"))


def _working(day: dt.date, specials: dict[dt.date, str]) -> bool:
    kind = specials.get(day)
    if kind == DayKind.WORKDAY:
        return True
    if kind == DayKind.HOLIDAY:
        return False
    return day.weekday() < 5


def is_working_day(day: dt.date | dt.datetime) -> bool:
    day = local_date(day)
    return _working(day, special_days(day, day))


def working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """The working days from ``start`` to ``end`` inclusive, with one calendar query."""
    specials = special_days(start, end) if end >= start else {}
    return [d for i in range((end - start).days + 1) if _working(d := start + dt.timedelta(days=i), specials)]


def _days(start: dt.date, window: int) -> Iterator[tuple[dt.date, bool]]:
    """Dates from ``start`` onward with their working flag, loading the calendar ``window`` days at a time."""
    day = start
    while True:
        specials = special_days(day, day + dt.timedelta(days=window - 1))
        for _i in range(window):
            yield day, _working(day, specials)
            day += _ONE


def next_working_day(day: dt.date | dt.datetime, *, include_today: bool = False) -> dt.date:
    day = local_date(day)
    first = day if include_today else day + _ONE
    for d, working in _days(first, 31):
        if working:
            return d
    raise AssertionError("unreachable")  # pragma: no cover


def add_working_days(start: dt.datetime | dt.date, n: int) -> dt.datetime:
    """The deadline of a period of ``n`` working days started at ``start``: 17:30 Beijing on the n-th working
    day after the start date (see the module docstring). Aware datetime."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = local_date(start)
    if n == 0:
        return end_of_day(next_working_day(day, include_today=True))
    count = 0
    # A window of twice the period plus the longest official break (9 days) usually needs one query.
    for d, working in _days(day + _ONE, 2 * n + 14):
        if working:
            count += 1
            if count == n:
                return end_of_day(d)
    raise AssertionError("unreachable")  # pragma: no cover


def working_day_before(day: dt.date | dt.datetime, n: int) -> dt.date:
    """The n-th working day before ``day`` (``day`` itself not counted; ``n = 0``: ``day``), so that
    ``working_days_between(working_day_before(d, n), d) == n`` for a working day ``d``. One query."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = local_date(day)
    if n == 0:
        return day
    count, end = 0, day - _ONE
    while True:
        # A window of twice the period plus the longest official break (9 days) usually needs one query.
        start = end - dt.timedelta(days=2 * n + 13)
        specials = special_days(start, end)
        d = end
        while d >= start:
            if _working(d, specials):
                count += 1
                if count == n:
                    return d
            d -= _ONE
        end = start - _ONE


def working_days_between(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is before ``start``), so
    that ``working_days_between(d, add_working_days(d, n)) == n``."""
    a, b = local_date(start), local_date(end)
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    if a == b:
        return 0
    specials = special_days(a + _ONE, b)
    count = 0
    d = a + _ONE
    while d <= b:
        count += _working(d, specials)
        d += _ONE
    return sign * count


def years_with_schedule() -> list[int]:
    """Years for which at least one special day is recorded (a year missing here is counted Monday–Friday)."""
    return sorted({d.year for d in CalendarDay.objects.dates("date", "year")})
