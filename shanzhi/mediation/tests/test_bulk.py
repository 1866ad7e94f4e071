"""The county demo's bulk year of cases: consistent rows (states, results, agreements, history), idempotent, and
the statistics computed over it agree with the rows."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.mediation import bulk, stats
from shanzhi.mediation import workflow as wf
from shanzhi.mediation.models import Agreement, Case, Party, Session
from shanzhi.workflow.calendar import CHINA
from shanzhi.workflow.models import CaseHistory

pytestmark = pytest.mark.django_db
END = dt.datetime(2026, 11, 20, 12, tzinfo=CHINA)


def test_bulk_year_of_cases(tree, make_user, make_household):
    admin = make_user("admin", tree.county, username="county_admin")
    for village in (tree.v1, tree.v2, tree.v3):
        for i in range(4):
            make_household(admin, village, head_name=f"户主{i}", members=[f"家人{i}"])
    n = bulk.mediation_bulk_load(seed=7, end=END, per_year=120, under=tree.county.code)
    assert n == Case.objects.count() == 120
    assert bulk.mediation_bulk_load(seed=7, end=END, per_year=120, under=tree.county.code) == 0
    assert Party.objects.count() == 240 and not Party.objects.filter(household_id__isnull=True).exists()
    settled = Case.objects.filter(result="settled")
    assert settled.count() == Agreement.objects.count() > 0
    assert not settled.filter(closed_at__isnull=True).exists()
    assert not Case.objects.filter(state__in=wf.RUNNING_STATES, closed_at__isnull=False).exists()
    # nothing happens after ``end``, and every concluded mediation has its session record
    assert not CaseHistory.objects.filter(workflow=wf.WORKFLOW.name, at__gt=END).exists()
    assert not Agreement.objects.filter(made_at__gt=END).exists()
    concluded = Case.objects.filter(result__in=("settled", "failed"))
    assert concluded.exists() and not concluded.exclude(pk__in=Session.objects.values("case_id")).exists()
    archived = Case.objects.filter(state=wf.ARCHIVED)
    assert archived.exists() and not archived.filter(archive_number="").exists()
    case = archived.first()
    steps = list(CaseHistory.objects.filter(object_id=case.pk, workflow=wf.WORKFLOW.name).values_list(
        "to_state", flat=True))
    assert steps[0] == wf.ACCEPTED and steps[-1] == wf.ARCHIVED
    report = stats.monthly_report(user=admin, place=tree.county, period=stats.Period(2026))
    year = Case.objects.filter(received_at__year=2026)
    assert report.total.received == year.count()
    assert report.total.settled == year.filter(result="settled").count()


def test_bulk_without_registry_uses_outsiders_with_valid_identity(tree):
    from shanzhi.core.identity import parse_id_number

    assert bulk.mediation_bulk_load(seed=3, end=END, per_year=30, under=tree.county.code) == 30
    parties = list(Party.objects.all())
    assert len(parties) == 60 and all(p.household_id is None and p.name for p in parties)
    for p in parties[:10]:
        parse_id_number(p.id_number)  # GB 11643: raises if invalid
    assert bulk.bulk_state()["cases"] == 30
