"""The county-scale bulk year (``points/bulk.py``) on the test tree: a scheme per village, an account per
household, entries that keep ``Account.earned`` equal to the ledger, approved entries reviewed by someone other
than their recorder, finished quarters approved; idempotent; registered for the county scale only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F

from shanzhi.demo.registry import loaders
from shanzhi.points import bulk, ledger, ranking
from shanzhi.points.models import Account, Entry, Quarter, Scheme

pytestmark = pytest.mark.django_db


def test_bulk_year_keeps_the_ledger_and_is_idempotent(tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1, username="bulk_cadre")
    cadre3 = make_user("village_cadre", tree.v3, username="bulk_cadre3")
    households = [make_household(cadre, tree.g1, head_name=f"户主{i}") for i in range(4)]
    households.append(make_household(cadre3, tree.g3, head_name="南河户"))
    lines: list[str] = []
    end = dt.date(2026, 11, 20)
    assert bulk.points_year_load(seed=3, end=end, say=lines.append) is True
    assert Scheme.objects.filter(place__in=[tree.v1, tree.v2, tree.v3]).count() == 3
    assert Account.objects.count() == 5
    n = Entry.objects.count()
    assert n >= 5 and any("条记录" in line for line in lines)
    assert ledger.ledger_mismatches() == []
    assert not Entry.objects.filter(status="approved", reviewer_id=F("recorder_id")).exists()
    assert not Entry.objects.filter(deed_date__gt=end).exists()
    assert not Entry.objects.filter(status="pending", deed_date__lt=end - dt.timedelta(days=bulk.PENDING_DAYS)).exists()
    for e in Entry.objects.all()[:50]:
        assert e.quarter == ranking.quarter_start(e.deed_date) and e.place_path == e.account.place_path
    assert Quarter.objects.filter(status="approved").exists()
    # The ranking agrees with the accounts' honour scores over the whole year.
    scheme = Scheme.objects.get(place=tree.v1)
    rows = ranking.ranking(user=cadre, scheme=scheme, scope=tree.v1, period=ranking.Period(
        "custom", end - dt.timedelta(days=364), end))
    assert {a.pk: a.score for a in rows} == {a.pk: a.earned for a in Account.objects.filter(scheme=scheme)}
    # Idempotent.
    assert bulk.points_year_load(seed=3, end=end, say=lines.append) is False
    assert Entry.objects.count() == n


def test_registered_for_county_scale_only(tree):
    loader = next(x for x in loaders() if x.name == "points_year")
    assert loader.order == 20
    loader.load(scale="small", seed=1, say=print)
    assert not Entry.objects.exists()


def test_bulk_year_leaves_a_scheme_run_through_the_services_alone(pw):
    """The demo village's own scheme (records, reviews, a published quarter) gets no bulk entries dated inside its
    approved and published quarters; the other villages get their year."""
    from shanzhi.points import services

    from .test_services import record

    entry = record(pw)
    services.entry_review(acting_user=pw.reviewer, entry_id=entry.pk, decision="approve")
    before = list(Entry.objects.filter(scheme=pw.scheme).values_list("pk", flat=True))
    assert bulk.points_year_load(seed=3, end=dt.date(2026, 11, 20), say=lambda line: None) is True
    assert list(Entry.objects.filter(scheme=pw.scheme).values_list("pk", flat=True)) == before
    assert Entry.objects.exclude(scheme=pw.scheme).exists()
    assert ledger.ledger_mismatches() == []
