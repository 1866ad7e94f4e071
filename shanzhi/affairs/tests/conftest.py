from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from shanzhi.people.choices import PoliticalStatus


@pytest.fixture
def village(tree, make_user, make_household):
    """东坡村 (tree.v1) with a cadre, a supervisor, a cadre of another village, and a registry: 9 party members,
    5 两委 members, 6 representatives, 3 households; villager accounts linked to persons."""
    from shanzhi.affairs import services
    from shanzhi.orgs.services import membership_add, organisation_create
    from shanzhi.people.services import person_create

    w = SimpleNamespace(tree=tree, v=tree.v1)
    w.admin = make_user("admin", tree.county, username="county_admin")
    w.cadre = make_user("village_cadre", tree.v1, username="v1_cadre", full_name="东坡村干部")
    w.supervisor = make_user("supervisor", tree.v1, username="v1_supervisor", full_name="监委会主任")
    w.cadre_v2 = make_user("village_cadre", tree.v2, username="v2_cadre")
    w.township = make_user("township_staff", tree.kejing, username="kejing_staff")
    w.households = [make_household(w.cadre, tree.g1, head_name=f"户主{i}") for i in range(3)]
    w.members = []
    for i in range(9):
        w.members.append(person_create(acting_user=w.cadre, household=w.households[i % 3], data={
            "name": f"党员{i}", "birth_date": dt.date(1970, 1, 1 + i), "political_status": PoliticalStatus.PARTY_MEMBER}))
    org = organisation_create(acting_user=w.cadre, place=tree.v1, kind="village_committee", name="东坡村民委员会")
    today = dt.date.today()
    for p in w.members[:5]:
        membership_add(acting_user=w.cadre, organisation=org, person=p, post="member", term_start=today - dt.timedelta(days=30))
    w.reps = []
    for p in w.members[3:9]:
        w.reps.append(services.representative_add(acting_user=w.cadre, village=tree.v1, person=p,
                                                  term_start=today - dt.timedelta(days=30),
                                                  term_end=today + dt.timedelta(days=1000)))
    return w


@pytest.fixture
def villagers(village, make_user):
    """Villager accounts linked to registry persons: three adults of 东坡村 in two households, a child (not
    eligible), and a villager of 西岭村."""
    from shanzhi.people.services import household_create, person_create

    w = village
    h1, h2 = w.households[0], w.households[1]

    def account(person, place, username):
        user = make_user("villager", place, username=username, full_name=person.name)
        user.person = person  # the demo links accounts the same way (no service for it yet)
        user.save(update_fields=["person"])
        return user

    w.p_a, w.p_b = h1.head, h2.head
    w.p_a2 = person_create(acting_user=w.cadre, household=h1, data={"name": "户一配偶", "birth_date": dt.date(1982, 2, 2),
                                                                    "relation": "spouse"})
    w.p_child = person_create(acting_user=w.cadre, household=h2, data={"name": "小孩", "relation": "child",
                                                                       "birth_date": dt.date.today().replace(year=dt.date.today().year - 10)})
    w.va = account(w.p_a, w.tree.g1, "villager_a")
    w.vb = account(w.p_b, w.tree.g1, "villager_b")
    w.va2 = account(w.p_a2, w.tree.g1, "villager_a2")
    w.vchild = account(w.p_child, w.tree.g1, "villager_child")
    other_h = household_create(acting_user=w.cadre_v2, place=w.tree.g2, address="西岭村1号")
    w.p_other = person_create(acting_user=w.cadre_v2, household=other_h, data={"name": "西岭村民", "birth_date": dt.date(1980, 1, 1)})
    w.vother = account(w.p_other, w.tree.g2, "villager_other")
    return w
