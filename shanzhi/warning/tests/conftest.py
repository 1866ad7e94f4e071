from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from shanzhi.workflow.calendar import CHINA


def at(day: str, hm: str = "10:00") -> dt.datetime:
    """A Beijing time on a 2026 day ("09-28", "10:00")."""
    return dt.datetime.fromisoformat(f"2026-{day}T{hm}").replace(tzinfo=CHINA)


@pytest.fixture
def clock(monkeypatch):
    """The workflow clock, set by the test (pages and the home page read it; services also take ``now``)."""
    state = SimpleNamespace(now=at("09-15"))
    monkeypatch.setattr("shanzhi.workflow.clock.now", lambda: state.now)

    def set_(value: dt.datetime) -> dt.datetime:
        state.now = value
        return value

    return set_


@pytest.fixture
def world(tree, make_user):
    from shanzhi.grid.services import MatterSpec, matter_admit

    w = SimpleNamespace(tree=tree)
    w.admin = make_user("admin", tree.county, username="county_admin")
    w.dispatcher = make_user(
        "dispatcher", tree.kejing, username="kj_dispatcher", full_name="克井调度", phone="13900000001"
    )
    w.leader = make_user(
        "leader", tree.kejing, username="kj_leader", full_name="克井镇长", phone="13900000002"
    )
    w.wulong_leader = make_user("leader", tree.wulong, username="wl_leader", phone="13900000003")
    w.wulong_dispatcher = make_user("dispatcher", tree.wulong, username="wl_dispatcher")
    w.worker = make_user(
        "grid_worker", tree.g1, username="g1_worker", full_name="东坡网格员", phone="13900000004"
    )
    w.worker_v2 = make_user("grid_worker", tree.v2, username="v2_worker", full_name="西岭网格员")
    w.worker_v3 = make_user("grid_worker", tree.v3, username="v3_worker")
    w.cadre = make_user("village_cadre", tree.v1, username="v1_cadre")
    w.staff = make_user("township_staff", tree.kejing, username="kj_staff")
    w.no_role = make_user(username="nobody")
    w.matter = matter_admit(
        acting_user=w.admin,
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
    return w


@pytest.fixture
def report_event(world):
    from shanzhi.events.services import event_report

    def make(now: dt.datetime, place=None, user=None):
        return event_report(
            acting_user=user or world.worker,
            place=place or world.tree.g1,
            matter_id=world.matter.pk,
            text="两户因排水沟发生争执",
            address="东坡村三组桥头",
            now=now,
        )

    return make


@pytest.fixture
def period(world):
    """克井镇 零报告期 2026-09-18 (Fri) .. 10-12 (Mon), declared on 09-15: across a weekend, 中秋 and 国庆 with
    the make-up workdays 09-20 (Sun) and 10-10 (Sat)."""
    from shanzhi.warning.services import zero_period_declare

    return zero_period_declare(
        acting_user=world.dispatcher,
        place=world.tree.kejing,
        starts_on=dt.date(2026, 9, 18),
        ends_on=dt.date(2026, 10, 12),
        reason="国庆期间维稳",
        now=at("09-15"),
    )
