from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import id_for
from shanzhi.workflow.calendar import CHINA

MON = dt.datetime(2026, 11, 16, 9, 0, tzinfo=CHINA)  # a Monday


def pdf_file(name="scan.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")


@pytest.fixture
def med(tree, make_user):
    """A county with a township centre (克井镇) and a village committee (东坡村) with mediators, accounts for each."""
    from shanzhi.mediation import services as s

    w = SimpleNamespace(tree=tree)
    w.admin = make_user("admin", tree.county, username="county_admin")
    w.dispatcher = make_user("dispatcher", tree.kejing, username="kejing_dispatcher", full_name="克井调度")
    w.med_user = make_user("mediator", tree.v1, username="v1_mediator", full_name="李调解")
    w.town_med_user = make_user("mediator", tree.kejing, username="kj_mediator", full_name="王调解")
    w.other_med = make_user("mediator", tree.v3, username="v3_mediator")
    w.cadre_v2 = make_user("village_cadre", tree.v2, username="v2_cadre")
    w.villager = make_user("villager", tree.v1, username="villager_a", full_name="张村民")
    w.no_role = make_user(username="nobody")
    w.committee = s.organisation_create(acting_user=w.admin, place=tree.v1, name="东坡村人民调解委员会",
                                        kind="village", abbreviation="济克东")
    w.centre = s.organisation_create(acting_user=w.admin, place=tree.kejing, name="克井镇矛盾纠纷调解中心",
                                     kind="township", abbreviation="济克井")
    w.li = s.mediator_create(acting_user=w.admin, place=tree.v1, name="李调解", sex="M", user=w.med_user,
                             specialties=["neighbour", "land"], honours="金牌调解员")
    w.zhao = s.mediator_create(acting_user=w.admin, place=tree.v1, name="赵大姐", sex="F", specialties=["marriage"])
    w.qian = s.mediator_create(acting_user=w.admin, place=tree.v1, name="钱委员", sex="M")
    w.expert = s.mediator_create(acting_user=w.admin, place=tree.county, name="孙律师", sex="F", in_expert_pool=True,
                                 specialties=["contract"], profession="律师")
    for m, post in ((w.li, "director"), (w.zhao, "member"), (w.qian, "member")):
        s.membership_add(acting_user=w.admin, organisation=w.committee, mediator=m, post=post, started_on="2026-01-01")
    return w


def outsider(name, n, role, male=True, **kw):
    return {"role": role, "name": name, "id_number": id_for(n, male=male), **kw}


@pytest.fixture
def register(med):
    from shanzhi.mediation import services as s

    def make(user=None, **kw):
        kw.setdefault("organisation", med.committee)
        kw.setdefault("place", med.tree.v1)
        kw.setdefault("source", "court")
        kw.setdefault("referring_body", "济源市人民法院")
        kw.setdefault("referral_reference", "（2026）豫9001民诉前调1234号")
        kw.setdefault("dispute_type", "neighbour")
        kw.setdefault("title", "排水沟邻里纠纷")
        kw.setdefault("facts", "两户因房后排水沟排水走向发生争执，致一方墙基受损。")
        kw.setdefault("amount", "3000")
        kw.setdefault("parties", [outsider("刘一", 501, "applicant", phone="13800000001", address="东坡村3号"),
                                  outsider("陈二", 502, "respondent", male=False)])
        kw.setdefault("now", MON)
        return s.case_register(acting_user=user or med.med_user, **kw)

    return make
