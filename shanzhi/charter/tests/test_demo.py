"""The demo loader (registry order 55): templates adopted by the township's villages, the rules of the two demo
villages adopted through a 四议两公开 decision and published, a revision in hearing; a second run adds nothing."""

from __future__ import annotations

import pytest

from shanzhi.charter import api, selectors
from shanzhi.charter.demo import CLAUSES, load_demo
from shanzhi.charter.models import PowerItem, PowerList, RulesVersion
from shanzhi.demo.registry import loaders

pytestmark = pytest.mark.django_db


def test_demo_loader(tree, make_user):
    make_user("dispatcher", tree.kejing, username="dispatcher")
    make_user("village_cadre", tree.v1, username="cadre")
    make_user("village_cadre", tree.v2, username="cadre2")
    assert any(x.name == "charter" and x.order == 55 for x in loaders())
    said: list[str] = []
    load_demo(scale="small", seed=1, say=said.append)
    counts = (RulesVersion.objects.count(), PowerList.objects.count(), PowerItem.objects.count())
    assert counts[0] == 3 and PowerList.objects.filter(is_template=True).count() == 4
    assert PowerList.objects.filter(place=tree.v1).count() == 4 and PowerList.objects.filter(place=tree.v2).count() == 4
    v1_rules = RulesVersion.objects.get(village=tree.v1, number=1)
    assert v1_rules.status == "in_force" and v1_rules.publication_id and v1_rules.clauses.count() == len(CLAUSES) == 15
    assert len(api.clause_choices(tree.v2)) == 15
    draft = RulesVersion.objects.get(village=tree.v1, number=2)
    counts_by = selectors.diff_counts(selectors.rules_diff(v1_rules, draft))
    assert draft.status == "hearing" and counts_by["added"] == 1 and counts_by["changed"] == 1 and counts_by["removed"] == 1
    micro = PowerList.objects.get(place=tree.v1, kind="micro_power")
    assert micro.publication_id and any(selectors.item_is_adapted(i) for i in selectors.power_items(micro))
    load_demo(scale="small", seed=1, say=said.append)
    assert (RulesVersion.objects.count(), PowerList.objects.count(), PowerItem.objects.count()) == counts
