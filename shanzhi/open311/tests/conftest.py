"""Open311 fixtures: the county's matter list, an outline for 东坡村第一网格 (g1), and API keys for a township
leader of 克井镇 (reports and reads in 克井镇 only) and for a villager account of 东坡村 (reports; reads only its
own), all made through the services."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

# 东坡村第一网格 (g1): a square around (112.51, 35.11); the point below is inside it, the far one in no grid.
G1_OUTLINE = {
    "type": "Polygon",
    "coordinates": [[[112.50, 35.10], [112.52, 35.10], [112.52, 35.12], [112.50, 35.12], [112.50, 35.10]]],
}
INSIDE_G1 = ("35.11", "112.51")
NOWHERE = ("35.50", "112.90")


@pytest.fixture
def o311(tree, make_user):
    from shanzhi.grid.grids import GridSpec, grid_profile_save
    from shanzhi.grid.services import MatterSpec, matter_admit
    from shanzhi.open311.services import api_key_create

    admin = make_user("admin", tree.county, username="county_admin")
    w = SimpleNamespace(tree=tree, admin=admin)
    w.dispute = matter_admit(
        acting_user=admin,
        place=tree.county,
        reason="县委政法委文件",
        spec=MatterSpec(
            code="GM-01",
            name="邻里纠纷",
            category="dispute",
            level="grid",
            department="村人民调解委员会",
            time_limit_days=1,
            grid_can_settle=True,
        ),
    )
    w.river = matter_admit(
        acting_user=admin,
        place=tree.county,
        reason="县委政法委文件",
        spec=MatterSpec(
            code="GM-02",
            name="河道堵塞",
            category="environment",
            level="county",
            department="县水利局",
            time_limit_days=3,
        ),
    )
    w.wulong_only = matter_admit(
        acting_user=admin,
        place=tree.wulong,
        reason="镇文件",
        spec=MatterSpec(
            code="WL-01",
            name="五龙口镇专项",
            category="other",
            level="township",
            department="镇综治办",
            time_limit_days=2,
        ),
    )
    grid_profile_save(acting_user=admin, place=tree.g1, spec=GridSpec(), polygon=G1_OUTLINE)
    w.leader = make_user("leader", tree.kejing, username="kejing_hotline", full_name="克井镇12345热线")
    w.villager = make_user("villager", tree.v1, username="dongpo_app", full_name="东坡村小程序")
    w.wulong_leader = make_user("leader", tree.wulong, username="wulong_leader")
    w.key, w.raw = api_key_create(acting_user=admin, user=w.leader, name="12345热线")
    w.app_key, w.app_raw = api_key_create(acting_user=admin, user=w.villager, name="东坡村小程序")
    return w
