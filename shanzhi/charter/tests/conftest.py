from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest


@pytest.fixture
def world(tree, make_user):
    """克井镇 (two villages) and 五龙口镇: a dispatcher per township, cadres of 东坡村 and 西岭村, township staff,
    a villager, someone with no role."""
    w = SimpleNamespace(tree=tree)
    w.dispatcher = make_user("dispatcher", tree.kejing, username="kejing_dispatcher", full_name="克井调度")
    w.other_dispatcher = make_user("dispatcher", tree.wulong, username="wulong_dispatcher")
    w.township = make_user("township_staff", tree.kejing, username="kejing_staff")
    w.cadre = make_user("village_cadre", tree.v1, username="v1_cadre", full_name="东坡村干部")
    w.cadre_v2 = make_user("village_cadre", tree.v2, username="v2_cadre")
    w.cadre_v3 = make_user("village_cadre", tree.v3, username="v3_cadre")
    w.villager = make_user("villager", tree.v1, username="villager_a")
    w.no_role = make_user(username="nobody")
    return w


CLAUSES = [("社会治安", "禁止赌博。"), ("移风易俗", "婚宴不超过15桌。"), ("村容村貌", "垃圾分类投放。")]


def draft_rules(w, village=None, cadre=None, clauses=CLAUSES, title="东坡村村规民约"):
    from shanzhi.charter import services

    village, cadre = village or w.tree.v1, cadre or w.cadre
    version = services.rules_version_create(acting_user=cadre, village=village, title=title)
    services.rules_clauses_set(acting_user=cadre, version=version,
                               clauses=[services.ClauseInput(heading=h, text=t) for h, t in clauses])
    return version


def hear_all(version, cadre):
    from shanzhi.charter import services
    from shanzhi.charter.choices import HearingParty

    services.rules_hearing_open(acting_user=cadre, version=version)
    for party in HearingParty.values:
        services.rules_hearing_record(acting_user=cadre, version=version, party=party,
                                      held_on=dt.date.today() - dt.timedelta(days=1), participants="代表若干",
                                      participant_count=5, opinions="同意。")


def adopt(version, cadre, *, passed=True):
    """Through the hearings and a real 四议两公开 decision (affairs' walk_decision)."""
    from shanzhi.affairs.models import Decision
    from shanzhi.affairs.testing import walk_decision
    from shanzhi.charter import services

    hear_all(version, cadre)
    version = services.rules_submit(acting_user=cadre, version=version)
    walk_decision(Decision.objects.get(pk=version.decision_id), passed=passed, acting_user=cadre)
    version.refresh_from_db()
    return version


def item(name="低保申请初审", steps=("村民申请", "入户调查", "民主评议", "公示")):
    from shanzhi.charter.services import ItemInput

    return ItemInput(name=name, legal_basis="《社会救助暂行办法》第十一条", responsible_body="村民委员会",
                     steps=list(steps), disclosure="result", disclosure_note="评议结果", risks="优亲厚友\n人情保")
