"""The demo's year of events in bulk (``demo/events.py``): every grid's events go round the loop, the history is
what the services would write, and the assessment figures agree with their recomputation from that history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from shanzhi.demo.events import demo_events_load
from shanzhi.demo.services import demo_load
from shanzhi.events.assessment import assessment_check, month_of
from shanzhi.events.assessment_models import EventDuty
from shanzhi.events.models import Event
from shanzhi.regions.models import Place
from shanzhi.workflow.calendar import CHINA
from shanzhi.workflow.models import CaseHistory

END = dt.datetime(2026, 11, 20, 16, 0, tzinfo=CHINA)


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_a_year_of_events_agrees_with_its_history():
    demo_load(scale="small", seed=1, regions_under="419001")
    from shanzhi.grid.services import load_demo_matters

    load_demo_matters(Place.objects.get(code="419001000000"))
    made = demo_events_load(seed=1, end=END, per_grid=20)
    assert made == 24 * 20 == Event.objects.count()
    states = dict(Event.objects.values_list("state").annotate(n=Count("id")))
    assert states["done"] > made * 0.8 and set(states) <= {
        "reported",
        "assigned",
        "handling",
        "closed",
        "done",
    }
    assert (
        Event.objects.filter(reopen_count__gt=0).exists()
        and Event.objects.filter(is_overdue=True).count() < 20
    )
    assert not Event.objects.filter(reported_at__gt=END).exists()
    assert set(Event.objects.exclude(assignee_level="").values_list("assignee_level", flat=True)) == {
        "grid",
        "village",
        "township",
        "department",
    }
    assert EventDuty.objects.count() >= 2 * Event.objects.exclude(assignee_level="").count() - 10
    assert CaseHistory.objects.filter(workflow="event").count() > 4 * made
    township = Place.objects.get(code="419001100000")
    for month in ("2026-06", "2026-10", "2026-11"):
        period = month_of(dt.date.fromisoformat(f"{month}-01"))
        assert assessment_check(place=township, period=period, now=END) == [], month
    assert demo_events_load(seed=1, end=END, per_grid=20) == 0  # idempotent
