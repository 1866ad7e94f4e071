"""The small demo loader runs through the services, leaves the cases in the steps it says, and is idempotent."""

from __future__ import annotations

import pytest

from shanzhi.mediation import demo
from shanzhi.mediation.models import Case, LegalAdviser, Organisation
from shanzhi.mediation.selectors import committee_warnings

pytestmark = pytest.mark.django_db


def test_demo_loads_once(tree, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_user("admin", tree.county, username="admin")
    make_user("mediator", tree.kejing, username="mediator")
    make_user("villager", tree.v1, username="villager", full_name="张村民")
    lines: list[str] = []
    demo.load(scale="small", seed=1, say=lines.append)
    assert Organisation.objects.count() == 5
    states = dict(Case.objects.values_list("title", "state"))
    assert states == {"房后排水沟改道邻里纠纷": "archived", "宅基地边界纠纷": "mediating", "赡养费纠纷": "failed",
                      "酒后损坏财物纠纷": "refused", "邻居夜间施工噪音": "applied"}
    assert LegalAdviser.objects.filter(is_active=True).count() == 2
    assert all(committee_warnings(o) == [] for o in Organisation.objects.filter(kind="village"))
    demo.load(scale="small", seed=1, say=lines.append)
    assert Case.objects.count() == 5 and Organisation.objects.count() == 5 and "5 件演示案件" in lines[0]


def test_county_bulk_year_after_the_demo_cases(tree, make_user, make_household, settings, tmp_path):
    """``shanzhi demo --scale county`` loads the service-made cases first and the bulk year after: the bulk's
    archive numbers go on from the archived demo case's instead of colliding with it."""
    import datetime as dt

    from shanzhi.mediation import bulk
    from shanzhi.workflow.calendar import CHINA

    settings.MEDIA_ROOT = tmp_path
    admin = make_user("admin", tree.county, username="admin")
    make_user("mediator", tree.kejing, username="mediator")
    make_user("villager", tree.v1, username="villager", full_name="张村民")
    for village in (tree.v1, tree.v2, tree.v3):
        for i in range(4):
            make_household(admin, village, head_name=f"户主{i}", members=[f"家人{i}"])
    demo.load(scale="small", seed=1, say=lambda line: None)
    archived = Case.objects.get(state="archived")
    end = dt.datetime.combine(archived.archived_at.astimezone(CHINA).date(), dt.time(12), tzinfo=CHINA)
    assert bulk.mediation_bulk_load(seed=7, end=end, per_year=300, under=tree.county.code) == 300
    numbers = list(Case.objects.filter(organisation=archived.organisation, archive_year=archived.archive_year)
                   .values_list("archive_seq", flat=True))
    assert len(numbers) > 1 and len(set(numbers)) == len(numbers) and archived.archive_seq in numbers
