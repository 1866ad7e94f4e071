"""Fixtures of the publication tests: a villager group with households, a publication of its list."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Stored files (the cached notices) go to a fresh directory per test, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def travel(monkeypatch):
    """Move the kernel's "today" (the objection window is judged by date)."""
    from shanzhi.publication import clock

    real = clock.today

    def go(days: int) -> dt.date:
        target = real() + dt.timedelta(days=days)
        monkeypatch.setattr(clock, "today", lambda: target)
        return target

    return go


@pytest.fixture
def group_setup(tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1, full_name="王书记")
    h1 = make_household(cadre, tree.g1, head_name="张三丰", members=["李四"], group=tree.grp1)
    h2 = make_household(cadre, tree.g1, head_name="欧阳娜娜", group=tree.grp1)
    other = make_household(cadre, tree.g1, head_name="赵六")  # not in the group
    return type("Setup", (), dict(cadre=cadre, group=tree.grp1, households=[h1, h2], other=other, tree=tree))


@pytest.fixture
def publish(group_setup):
    from shanzhi.publication import clock
    from shanzhi.publication.services import group_household_list_publish

    def do(starts_in: int = 0, days: int = 7, user=None, **kwargs):
        start = clock.today() + dt.timedelta(days=starts_in)
        return group_household_list_publish(acting_user=user or group_setup.cadre, group=group_setup.group,
                                            starts_on=start, ends_on=start + dt.timedelta(days=days - 1), **kwargs)

    return do
