from __future__ import annotations

import pytest


@pytest.fixture
def people(tree, make_user):
    """Who works with the matter list: a county administrator, township dispatchers, a village cadre."""
    return type("People", (), dict(
        admin=make_user("admin", tree.county, username="county_admin"),
        dispatcher=make_user("dispatcher", tree.kejing, username="kejing_dispatcher"),
        other_dispatcher=make_user("dispatcher", tree.wulong, username="wulong_dispatcher"),
        cadre=make_user("village_cadre", tree.v1, username="dongpo_cadre"),
        no_role=make_user(username="nobody"),
    ))


@pytest.fixture
def spec():
    from shanzhi.grid.services import MatterSpec

    def make(**kwargs):
        data = dict(code="GM-01", name="邻里纠纷", category="dispute", level="grid", department="村人民调解委员会",
                    duty="lead", time_limit_days=5, grid_can_settle=True, description="小事一格解决")
        data.update(kwargs)
        return MatterSpec(**data)

    return make


@pytest.fixture
def admit(tree, people, spec):
    from shanzhi.grid.services import matter_admit

    def make(place=None, actor=None, reason="县委政法委文件", **kwargs):
        return matter_admit(acting_user=actor or people.admin, place=place or tree.county, spec=spec(**kwargs),
                            reason=reason)

    return make


@pytest.fixture
def g6(tree, make_user, make_place, make_household):
    """A village with a micro-grid for assistants, hazard points and events: 东坡村第一网格 → 一号微网格; its cadre,
    a grid worker (may view, not manage), a cadre of another township, and a villager to appoint."""
    from types import SimpleNamespace

    w = SimpleNamespace(tree=tree)
    w.cadre = make_user("village_cadre", tree.v1, username="dongpo_cadre")
    w.worker = make_user("grid_worker", tree.v1, username="dongpo_worker")
    w.outsider = make_user("village_cadre", tree.v3, username="nanhe_cadre")
    w.micro = make_place(tree.g1, "microgrid", "东坡村第一网格一号微网格")
    w.micro2 = make_place(tree.g1, "microgrid", "东坡村第一网格二号微网格")
    w.household = make_household(w.cadre, w.micro, head_name="王秀兰", members=["李梅"])
    w.person = w.household.head  # her registry phone is 138…; the card must not print it
    return w
