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
