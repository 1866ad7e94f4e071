"""M1: organisations at their level, the committee rule shown as a warning, mediators and the expert pool, one legal
adviser per village."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shanzhi.core.errors import Conflict, ValidationFailed
from shanzhi.mediation import services as s
from shanzhi.mediation.models import LegalAdviser, Organisation
from shanzhi.mediation.selectors import expert_pool, mediator_list

pytestmark = pytest.mark.django_db


def test_organisation_level_and_trade(med):
    with pytest.raises(ValidationFailed, match="应设在村"):
        s.organisation_create(acting_user=med.admin, place=med.tree.kejing, name="错层委员会", kind="village",
                              abbreviation="x")
    with pytest.raises(ValidationFailed, match="行业"):
        s.organisation_create(acting_user=med.admin, place=med.tree.county, name="医调委", kind="trade",
                              abbreviation="医")
    org = s.organisation_create(acting_user=med.admin, place=med.tree.county, name="医调委", kind="trade",
                                abbreviation="医", trade="medical")
    assert org.trade == "medical" and Organisation.objects.filter(name="医调委").count() == 1


def test_committee_warning_on_page(client, med):
    client.force_login(med.admin)
    page = client.get(reverse("mediation_org_detail", args=[med.committee.pk])).content.decode()
    assert "committee-warning" not in page
    zhao = med.committee.memberships.get(mediator=med.zhao)
    client.post(reverse("mediation_org_member_end", args=[med.committee.pk, zhao.pk]), {"ended_on": "2026-06-30"})
    page = client.get(reverse("mediation_org_detail", args=[med.committee.pk])).content.decode()
    assert "少于法定的 3 人" in page and "没有妇女成员" in page
    listing = client.get(reverse("mediation_org_list")).content.decode()
    assert "没有妇女成员" in listing


def test_membership_rules(med):
    with pytest.raises(Conflict, match="已是"):
        s.membership_add(acting_user=med.admin, organisation=med.committee, mediator=med.li, post="member",
                         started_on="2026-02-01")
    with pytest.raises(Conflict, match="已有主任"):
        s.membership_add(acting_user=med.admin, organisation=med.committee, mediator=med.expert, post="director",
                         started_on="2026-02-01")


def test_specialty_and_expert_pool(med):
    assert [m.name for m in mediator_list(user=med.admin, specialty="land")] == ["李调解"]
    assert [m.name for m in expert_pool(user=med.med_user)] == ["孙律师"]  # a village mediator sees the county pool
    assert list(expert_pool(user=med.no_role)) == []


def test_one_adviser_per_village(med, make_user):
    lawyer = make_user("legal_adviser", med.tree.kejing, username="lawyer_a")
    other = make_user("legal_adviser", med.tree.v1, username="lawyer_b")
    with pytest.raises(ValidationFailed, match="法律顾问"):
        s.legal_adviser_appoint(acting_user=med.admin, village=med.tree.v1, user=med.villager, name="x",
                                started_on="2026-01-01")
    s.legal_adviser_appoint(acting_user=med.admin, village=med.tree.v1, user=lawyer, name="周律师", firm="正义律所",
                            started_on="2026-01-01")
    s.legal_adviser_appoint(acting_user=med.admin, village=med.tree.v1, user=other, name="吴律师",
                            started_on="2026-06-01")
    current = LegalAdviser.objects.get(village=med.tree.v1, is_active=True)
    assert current.name == "吴律师"
    assert LegalAdviser.objects.get(name="周律师").ended_on.isoformat() == "2026-06-01"


def test_m1_forms(client, med):
    client.force_login(med.admin)
    r = client.post(reverse("mediation_mediator_new"), {"name": "新调解员", "sex": "F", "place": med.tree.v1.pk,
                                                        "specialties": ["labour", "contract"], "honours": "金牌调解员",
                                                        "in_expert_pool": "1"})
    assert r.status_code == 302
    page = client.get(r.url).content.decode()
    assert "劳动争议、合同纠纷" in page and "金牌调解员" in page
    r = client.post(reverse("mediation_org_new"), {"kind": "township", "place": med.tree.wulong.pk,
                                                   "name": "五龙口镇调解中心", "abbreviation": "济五"})
    assert r.status_code == 302 and Organisation.objects.filter(name="五龙口镇调解中心").exists()
