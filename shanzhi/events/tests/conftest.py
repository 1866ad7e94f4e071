from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shanzhi.workflow.calendar import CHINA

FRI = dt.datetime(2026, 11, 20, 10, 0, tzinfo=CHINA)  # a Friday


def jpeg(name="scene.jpg"):
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 60, 60)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def world(tree, make_user):
    from shanzhi.grid.services import MatterSpec, matter_admit

    admin = make_user("admin", tree.county, username="county_admin")
    w = SimpleNamespace(tree=tree, admin=admin)
    w.dispatcher = make_user("dispatcher", tree.kejing, username="kejing_dispatcher", full_name="克井调度")
    w.other_dispatcher = make_user("dispatcher", tree.wulong, username="wulong_dispatcher")
    w.worker = make_user("grid_worker", tree.g1, username="g1_worker", full_name="东坡网格员")
    w.cadre = make_user("village_cadre", tree.v1, username="v1_cadre")
    w.cadre_v2 = make_user("village_cadre", tree.v2, username="v2_cadre")
    w.township = make_user("township_staff", tree.kejing, username="kejing_staff")
    w.department = make_user("department", tree.county, username="water_bureau")
    # County departments are named units (orgs): each department account acts only for its own department.
    from shanzhi.orgs.services import organisation_create, unit_account_add

    w.water = organisation_create(acting_user=admin, place=tree.county, kind="gov_department", name="县水利局")
    w.land = organisation_create(acting_user=admin, place=tree.county, kind="gov_department", name="县自然资源局")
    unit_account_add(acting_user=admin, organisation=w.water, user=w.department)
    w.land_department = make_user("department", tree.county, username="land_bureau", full_name="自然资源局干部")
    unit_account_add(acting_user=admin, organisation=w.land, user=w.land_department)
    w.leader = make_user("leader", tree.kejing, username="kejing_leader")
    w.villager = make_user("villager", tree.g1, username="villager_a", full_name="村民甲")
    w.villager2 = make_user("villager", tree.v1, username="villager_b", full_name="村民乙")
    w.no_role = make_user(username="nobody")

    def spec(**kw):
        data = dict(code="GM-01", name="邻里纠纷", category="dispute", level="grid", department="村人民调解委员会",
                    time_limit_days=1, grid_can_settle=True)
        data.update(kw)
        return MatterSpec(**data)

    w.grid_matter = matter_admit(acting_user=admin, place=tree.county, spec=spec(), reason="县委政法委文件")
    w.county_matter = matter_admit(acting_user=admin, place=tree.county, reason="县委政法委文件", spec=spec(
        code="GM-02", name="河道堵塞", category="environment", level="county", department="县水利局", time_limit_days=3,
        grid_can_settle=False))
    w.wulong_matter = matter_admit(acting_user=admin, place=tree.wulong, reason="镇文件", spec=spec(
        code="WL-01", name="五龙口镇专项", category="other", level="township", department="镇综治办",
        time_limit_days=2, grid_can_settle=False))
    return w


@pytest.fixture
def report(world):
    from shanzhi.events.services import event_report

    def make(user=None, **kw):
        kw.setdefault("place", world.tree.g1)
        kw.setdefault("matter_id", world.grid_matter.pk)
        kw.setdefault("text", "两户因排水沟发生争执")
        kw.setdefault("address", "东坡村三组桥头")
        kw.setdefault("now", FRI)
        return event_report(acting_user=user or world.villager, **kw)

    return make
