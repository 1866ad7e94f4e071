"""The grid matter list (domain.md G2): admission, adjustment, exit and re-admission with history and audit;
bad input refused with nothing written; scope looking up and down the tree."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils.timezone import localdate

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.grid import selectors, services
from shanzhi.grid.models import Matter, MatterChange

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return Matter.objects.count(), MatterChange.objects.count(), AuditEntry.objects.count()


def test_admit_update_exit_readmit_keep_history_and_audit(tree, people, admit, spec):
    matter = admit(code="gm-01 ")
    assert matter.code == "GM-01" and matter.is_active and matter.admitted_on == localdate()
    assert matter.place_path == tree.county.path

    matter = services.matter_update(acting_user=people.admin, matter=matter, reason="联席会议决定缩短时限",
                                    spec=dataclasses.replace(services.MatterSpec.of(matter), time_limit_days=3,
                                                             department="司法所"))
    assert matter.time_limit_days == 3
    matter = services.matter_exit(acting_user=people.admin, matter=matter, reason="并入“矛盾纠纷”事项")
    assert not matter.is_active and matter.exited_on == localdate()
    assert Matter.objects.filter(pk=matter.pk).exists()  # exiting never deletes
    matter = services.matter_readmit(acting_user=people.admin, matter=matter, reason="恢复单列")
    assert matter.is_active and matter.exited_on is None

    history = list(selectors.matter_history(matter=matter).order_by("id"))
    assert [h.kind for h in history] == ["admitted", "changed", "exited", "readmitted"]
    assert [h.reason for h in history] == ["县委政法委文件", "联席会议决定缩短时限", "并入“矛盾纠纷”事项", "恢复单列"]
    assert all(h.actor_id == people.admin.pk and h.actor_name for h in history)
    assert history[1].changes == {"time_limit_days": [5, 3], "department": ["村人民调解委员会", "司法所"]}
    assert "办理时限（工作日）：5 → 3" in history[1].change_lines()
    events = list(AuditEntry.objects.filter(object_type="grid.matter", object_id=str(matter.pk)).order_by("id")
                  .values_list("event", flat=True))
    assert events == ["matter_admit", "matter_update", "matter_exit", "matter_readmit"]
    update = AuditEntry.objects.get(event="matter_update")
    assert update.before["time_limit_days"] == 5 and update.after["time_limit_days"] == 3
    assert update.place_path == tree.county.path and update.actor_id == people.admin.pk


BAD_INPUT = {
    "no name": {"name": "  "},
    "limit zero": {"time_limit_days": 0},
    "limit negative": {"time_limit_days": -3},
    "limit too long": {"time_limit_days": 999},
    "limit not a number": {"time_limit_days": "5"},
    "unknown category": {"category": "weather"},
    "unknown level": {"level": "planet"},
    "unknown duty": {"duty": "boss"},
    "bad code": {"code": "GM 01!"},
    "no code": {"code": ""},
    "county matter without department": {"level": "county", "department": "", "grid_can_settle": False},
    "county matter settled in the grid": {"level": "county", "department": "住建局", "grid_can_settle": True},
    "grid matter not settled in the grid": {"level": "grid", "grid_can_settle": False},
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_refused_and_nothing_is_written(tree, people, admit, case):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        admit(**BAD_INPUT[case])
    assert exc.value.message and exc.value.errors
    assert counts() == before


def test_duplicates_reasons_and_dates_are_refused(tree, people, admit, spec):
    county_matter = admit()
    before = counts()
    with pytest.raises(ValidationFailed, match="已被"):
        admit(name="别的事项")  # same code, same list
    with pytest.raises(ValidationFailed, match="已被"):  # the county's code, on a township list it binds
        admit(place=tree.kejing, actor=people.dispatcher, name="别的事项")
    with pytest.raises(ValidationFailed, match="已有"):
        admit(place=tree.kejing, actor=people.dispatcher, code="KJ-01")  # same name as a county matter in force
    with pytest.raises(ValidationFailed, match="准入依据"):
        admit(code="GM-02", name="别的事项", reason=" ")
    with pytest.raises(ValidationFailed, match="不能晚于今天"):
        services.matter_admit(acting_user=people.admin, place=tree.county, spec=spec(code="GM-02", name="别的"),
                              reason="文件", admitted_on=localdate() + dt.timedelta(days=1))
    with pytest.raises(ValidationFailed, match="退出原因"):
        services.matter_exit(acting_user=people.admin, matter=county_matter, reason="")
    with pytest.raises(ValidationFailed, match="没有修改"):
        services.matter_update(acting_user=people.admin, matter=county_matter, spec=spec(), reason="无")
    with pytest.raises(ValidationFailed, match="清单内"):
        services.matter_readmit(acting_user=people.admin, matter=county_matter, reason="再来")
    with pytest.raises(ValidationFailed, match="县（市、区）或乡镇"):
        admit(place=tree.v1, code="V-01", name="村里的事项")
    assert counts() == before
    services.matter_exit(acting_user=people.admin, matter=county_matter, reason="退出")
    with pytest.raises(ValidationFailed, match="已经退出"):
        services.matter_exit(acting_user=people.admin, matter=county_matter, reason="再退")
    with pytest.raises(ValidationFailed, match="不能调整"):
        services.matter_update(acting_user=people.admin, matter=county_matter, spec=spec(time_limit_days=2), reason="改")
    # An exited matter's name is free again on the line; its code is not (events keep naming it).
    assert admit(place=tree.kejing, actor=people.dispatcher, code="KJ-01").name == "邻里纠纷"


def test_managers_act_only_on_their_own_list(tree, people, admit):
    county_matter = admit()
    township_matter = admit(place=tree.kejing, actor=people.dispatcher, code="KJ-01", name="集镇占道经营",
                            category="environment", level="township", department="乡镇综合行政执法队",
                            grid_can_settle=False)
    before = counts()
    # Another township's dispatcher cannot see 克井镇's list: not found, as if it did not exist.
    with pytest.raises(NotFound):
        services.matter_exit(acting_user=people.other_dispatcher, matter=township_matter, reason="越权")
    with pytest.raises(NotFound):
        services.matter_admit(acting_user=people.other_dispatcher, place=tree.kejing,
                              spec=services.MatterSpec.of(township_matter), reason="越权")
    with pytest.raises(NotFound):
        admit(actor=people.no_role, code="X-1", name="无权")
    # A township dispatcher sees the county's list (it binds the township) but may not change it.
    with pytest.raises(PermissionDenied):
        services.matter_exit(acting_user=people.dispatcher, matter=county_matter, reason="越权")
    with pytest.raises(PermissionDenied):
        admit(actor=people.dispatcher, code="X-2", name="越级准入")
    with pytest.raises(PermissionDenied):
        services.matter_exit(acting_user=people.cadre, matter=township_matter, reason="越权")
    assert counts() == before
    # The county administrator manages both.
    services.matter_exit(acting_user=people.admin, matter=township_matter, reason="县级统一")


@pytest.fixture
def other_county(db):
    from shanzhi.regions.models import Place
    from shanzhi.regions.services import regions_load

    regions_load(under="410102")
    return Place.objects.get(code="410102000000")


def test_visibility_looks_up_the_tree_and_down_but_not_sideways(tree, people, admit, make_user, other_county):
    county_matter = admit()
    kejing_matter = admit(place=tree.kejing, actor=people.dispatcher, code="KJ-01", name="集镇占道经营",
                          category="environment", level="township", department="乡镇综合行政执法队",
                          grid_can_settle=False)
    wulong_matter = admit(place=tree.wulong, actor=people.other_dispatcher, code="WL-01", name="温泉景区秩序",
                          category="security", level="township", department="乡镇综治中心", grid_can_settle=False)
    foreign_admin = make_user("admin", other_county, username="zhongyuan_admin")
    foreign = admit(place=other_county, actor=foreign_admin, code="ZY-01", name="城中村消防")

    def seen(user):
        return set(selectors.matter_list(user=user).values_list("code", flat=True))

    assert seen(people.cadre) == {"GM-01", "KJ-01"}  # the county's list and its township's, read-only
    assert seen(people.dispatcher) == {"GM-01", "KJ-01"}
    assert seen(people.other_dispatcher) == {"GM-01", "WL-01"}
    assert seen(people.admin) == {"GM-01", "KJ-01", "WL-01"}
    assert seen(foreign_admin) == {"ZY-01"}
    assert seen(people.no_role) == set()
    with pytest.raises(NotFound):
        selectors.matter_detail(user=people.cadre, pk=foreign.pk)
    with pytest.raises(NotFound):
        selectors.matter_detail(user=people.cadre, pk=wulong_matter.pk)
    assert selectors.matter_detail(user=people.cadre, pk=county_matter.pk) == county_matter
    # History rows follow their matter.
    assert not MatterChange.objects.visible_to(people.cadre, "matter.view").filter(matter=foreign).exists()
    # What applies at a village: its county's and township's matters in force.
    services.matter_exit(acting_user=people.dispatcher, matter=kejing_matter, reason="试点结束")
    assert [m.code for m in selectors.matters_applicable(place=tree.v1)] == ["GM-01"]
    assert [m.code for m in selectors.matters_applicable(place=tree.v3)] == ["GM-01", "WL-01"]


def test_filters(tree, people, admit):
    admit()
    admit(code="GM-02", name="道路破损", category="infrastructure", level="county", department="交通运输局",
          duty="assist", time_limit_days=15, grid_can_settle=False)
    gone = admit(code="GM-03", name="路灯损坏", category="infrastructure", level="village", department="村委会")
    services.matter_exit(acting_user=people.admin, matter=gone, reason="移交供电公司")

    def codes(**query):
        return [m.code for m in selectors.matter_list(user=people.cadre, filters=selectors.MatterFilters.from_query(query))]

    assert codes() == ["GM-01", "GM-02"]
    assert codes(status="inactive") == ["GM-03"]
    assert codes(status="all") == ["GM-01", "GM-02", "GM-03"]
    assert codes(status="all", category="infrastructure") == ["GM-02", "GM-03"]
    assert codes(level="county") == ["GM-02"]
    assert codes(q="gm-02") == ["GM-02"] and codes(q="道路") == ["GM-02"] and codes(q="交通") == ["GM-02"]
    assert codes(category="nonsense") == ["GM-01", "GM-02"]  # unknown filter values are ignored
    assert codes(owner=tree.kejing.code) == []
