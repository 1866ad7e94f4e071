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
