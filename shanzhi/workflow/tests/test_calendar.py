"""Working-day arithmetic on the seeded official calendar (2025 and 2026 notices) and its editing."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.workflow.calendar import CHINA, add_working_days, is_working_day, working_days_between
from shanzhi.workflow.models import CalendarDay, DayKind
from shanzhi.workflow.services import calendar_day_remove, calendar_day_set

pytestmark = pytest.mark.django_db


def bj(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=CHINA)


def due(y, m, d):
    return dt.datetime(y, m, d, 17, 30, tzinfo=CHINA)


def test_seeded_official_days():
    assert CalendarDay.objects.get(date=dt.date(2026, 2, 14)).kind == DayKind.WORKDAY  # 春节 调休 Saturday
    assert CalendarDay.objects.get(date=dt.date(2025, 10, 8)).kind == DayKind.HOLIDAY  # 国庆中秋 8 days
    assert not is_working_day(dt.date(2026, 10, 5))  # a Monday inside National Day
    assert is_working_day(dt.date(2026, 10, 10))  # a Saturday worked (调休)
    assert is_working_day(dt.date(2026, 9, 20))  # a Sunday worked
    assert not is_working_day(dt.date(2026, 3, 14))  # an ordinary Saturday
    assert is_working_day(dt.date(2026, 3, 16))


def test_weekend_is_skipped_and_the_start_day_does_not_count():
    assert add_working_days(bj(2026, 3, 13), 1) == due(2026, 3, 16)  # Friday → Monday
    assert add_working_days(bj(2026, 3, 16, 8), 1) == due(2026, 3, 17)
    assert add_working_days(bj(2026, 3, 14), 5) == due(2026, 3, 20)  # from a Saturday: Mon..Fri


def test_national_day_2026_with_make_up_saturday():
    # Wed 30 Sep; 1–7 Oct off; Thu 8, Fri 9, Sat 10 (调休上班), Mon 12.
    assert add_working_days(bj(2026, 9, 30), 1) == due(2026, 10, 8)
    assert add_working_days(bj(2026, 9, 30), 3) == due(2026, 10, 10)
    assert add_working_days(bj(2026, 9, 29), 5) == due(2026, 10, 12)
    assert working_days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 10)) == 3
    assert working_days_between(dt.date(2026, 10, 10), dt.date(2026, 9, 30)) == -3


def test_spring_festival_2026():
    # Fri 13 Feb; Sat 14 worked; 15–23 off; Tue 24 …; Sat 28 worked.
    assert add_working_days(bj(2026, 2, 13), 1) == due(2026, 2, 14)
    assert add_working_days(bj(2026, 2, 13), 2) == due(2026, 2, 24)
    assert add_working_days(bj(2026, 2, 24), 4) == due(2026, 2, 28)


def test_zero_days_is_end_of_today_or_next_working_day():
    assert add_working_days(bj(2026, 3, 16), 0) == due(2026, 3, 16)
    assert add_working_days(bj(2026, 10, 3), 0) == due(2026, 10, 8)


def test_dates_are_taken_in_beijing():
    late_utc = dt.datetime(2026, 9, 30, 17, 0, tzinfo=dt.UTC)  # 1 Oct 01:00 in Beijing
    assert add_working_days(late_utc, 1) == due(2026, 10, 8)


def test_round_trip_over_a_year():
    start = dt.date(2025, 12, 20)
    for n in (1, 5, 10, 20, 60):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_unpublished_year_falls_back_to_weekdays():
    assert add_working_days(bj(2030, 1, 4), 1) == due(2030, 1, 7)  # Friday → Monday


def test_one_query_per_deadline(django_assert_num_queries):
    with django_assert_num_queries(1):
        add_working_days(bj(2026, 9, 29), 5)


def test_calendar_edit_is_checked_and_audited(tree, make_user):
    admin = make_user("admin", tree.county)
    cadre = make_user("village_cadre", tree.v1)
    with pytest.raises(PermissionDenied):
        calendar_day_set(acting_user=cadre, date=dt.date(2027, 2, 6), kind=DayKind.HOLIDAY, name="春节")
    with pytest.raises(ValidationFailed):
        calendar_day_set(acting_user=admin, date=dt.date(2030, 1, 7), kind=DayKind.WORKDAY, name="调休")  # a Monday
    calendar_day_set(acting_user=admin, date=dt.date(2030, 1, 7), kind=DayKind.HOLIDAY, name="测试假日")
    assert add_working_days(bj(2030, 1, 4), 1) == due(2030, 1, 8)
    calendar_day_set(acting_user=admin, date=dt.date(2030, 1, 5), kind=DayKind.WORKDAY, name="测试调休")
    assert add_working_days(bj(2030, 1, 4), 1) == due(2030, 1, 5)
    calendar_day_remove(acting_user=admin, date=dt.date(2030, 1, 5))
    calendar_day_remove(acting_user=admin, date=dt.date(2030, 1, 7))
    assert add_working_days(bj(2030, 1, 4), 1) == due(2030, 1, 7)
    events = list(AuditEntry.objects.filter(event__startswith="calendar_day").values_list("event", flat=True))
    assert sorted(events) == ["calendar_day_remove", "calendar_day_remove", "calendar_day_set", "calendar_day_set"]


def test_calendar_page(client, tree, make_user):
    admin = make_user("admin", tree.county)
    cadre = make_user("village_cadre", tree.v1)
    client.force_login(cadre)
    assert client.get("/workflow/calendar/").status_code == 403
    client.force_login(admin)
    page = client.get("/workflow/calendar/", {"year": 2026}).content.decode()
    assert "2026-02-14" in page and "调休上班" in page
    assert "尚未登记 2031 年" in client.get("/workflow/calendar/", {"year": 2031}).content.decode()
    response = client.post("/workflow/calendar/", {"date": "2031-01-01", "kind": "holiday", "name": "元旦"})
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=dt.date(2031, 1, 1), name="元旦").exists()
    bad = client.post("/workflow/calendar/", {"date": "2031-01-02", "kind": "workday", "name": "调休"})
    assert "无需登记为调休上班日" in bad.content.decode()
    client.post("/workflow/calendar/remove", {"date": "2031-01-01"})
    assert not CalendarDay.objects.filter(date=dt.date(2031, 1, 1)).exists()
    trial = client.get("/workflow/calendar/", {"year": 2026, "from": "2026-09-30", "n": 3}).content.decode()
    assert "期限至 2026-10-10 17:30" in trial


def test_working_day_before_across_national_day_and_a_weekend():
    from shanzhi.workflow.calendar import working_day_before

    assert working_day_before(dt.date(2026, 10, 8), 1) == dt.date(2026, 9, 30)  # 1–7 Oct off
    assert working_day_before(bj(2026, 10, 12), 1) == dt.date(2026, 10, 10)  # Sunday off, Saturday worked
    assert working_day_before(dt.date(2026, 10, 12), 3) == dt.date(2026, 10, 8)
    assert working_day_before(dt.date(2026, 3, 16), 1) == dt.date(2026, 3, 13)  # Monday → Friday
    assert working_day_before(dt.date(2026, 3, 16), 0) == dt.date(2026, 3, 16)
    for start in (dt.date(2026, 10, 9), dt.date(2026, 2, 24), dt.date(2026, 5, 6)):
        for n in (1, 2, 5, 12):
            assert working_days_between(working_day_before(start, n), start) == n
