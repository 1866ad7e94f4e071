"""Declaring workflows: definitions are checked when built; guards read role grants at places."""

from __future__ import annotations

import pytest

from shanzhi.access.roles import Perm, Role
from shanzhi.core import periodic
from shanzhi.workflow.definition import NEW, Guard, State, Transition, Workflow

pytestmark = pytest.mark.django_db


def _guard(**kw):
    return Guard(at="path", who="测试", **{"perm": Perm.MOVE_APPROVE, **kw})


def test_definition_is_validated():
    s = (State("open", "办理中", deadline_days=3), State("done", "办结", final=True))
    start = Transition("open", "发起", sources=(NEW,), target="open", guard=_guard())
    close = Transition("close", "办结", sources=("open",), target="done", guard=_guard())
    Workflow(name="t", label="测试", model="people.HouseholdMove", states=s, transitions=(start, close))
    with pytest.raises(ValueError, match="bad states"):
        Workflow(name="t", label="测试", model="x.Y", states=s,
                 transitions=(start, Transition("x", "x", sources=("nope",), target="done", guard=_guard())))
    with pytest.raises(ValueError, match="final"):
        Workflow(name="t", label="测试", model="x.Y", states=s,
                 transitions=(start, Transition("x", "x", sources=("done",), target="open", guard=_guard())))
    with pytest.raises(ValueError, match="starting"):
        Workflow(name="t", label="测试", model="x.Y", states=s, transitions=(close,))
    with pytest.raises(ValueError):
        Guard(at="path", who="无")


def test_guard_by_permission_role_and_place(tree, make_user):
    cadre_v1 = make_user("village_cadre", tree.v1)
    worker_v1 = make_user("grid_worker", tree.v1)
    township = make_user("township_staff", tree.kejing)
    case = type("Case", (), {"path": tree.g1.path})()
    other = type("Case", (), {"path": tree.g2.path})()
    assert _guard().allows(cadre_v1, case)
    assert not _guard().allows(cadre_v1, other)  # another village
    assert not _guard().allows(worker_v1, case)  # no move.approve
    by_role = Guard(at="path", who="乡镇", roles=(Role.TOWNSHIP_STAFF,), level="township")
    assert by_role.allows(township, case) and by_role.allows(township, other)
    assert not by_role.allows(cadre_v1, case)
    assert by_role.path(case) == tree.kejing.path
    assert list(by_role.holders(case)) == [township]
    assert list(_guard().holders(case)) == [cadre_v1]


def test_sweeper_is_registered_with_the_worker():
    names = [p.name for p in periodic.registered()]
    assert "shanzhi.workflow.tasks.sweep_overdue_cases" in names


def test_any_of_notes_and_warnings_are_checked(tree, make_user):
    from shanzhi.workflow.definition import AnyOf, Escalation, Notes

    cadre = make_user("village_cadre", tree.v1)
    township = make_user("township_staff", tree.kejing)
    worker = make_user("grid_worker", tree.g1)
    case = type("Case", (), {"path": tree.g1.path})()
    either = AnyOf((_guard(), Guard(at="path", who="乡镇", roles=(Role.TOWNSHIP_STAFF,), level="township")))
    assert either.who == "测试或乡镇" and either.path(case) == tree.g1.path
    assert either.allows(cadre, case) and either.allows(township, case) and not either.allows(worker, case)
    assert list(either.holders(case)) == [cadre, township]
    with pytest.raises(ValueError):
        AnyOf(())

    start = Transition("open", "发起", sources=(NEW,), target="open", guard=_guard())
    with pytest.raises(ValueError, match="no deadline"):
        Workflow(name="t", label="测试", model="x.Y", states=(State("open", "办理中", warn_before_days=1),),
                 transitions=(start,))
    with pytest.raises(ValueError, match="notes in unknown states"):
        Workflow(name="t", label="测试", model="x.Y", states=(State("open", "办理中"),), transitions=(start,),
                 notes=Notes(states=("nope",), by=_guard()))
    wf = Workflow(name="t", label="测试", model="x.Y", transitions=(start,), notes=Notes(states=("open",), by=either),
                  states=(State("open", "办理中", deadline_days=3, warn_before_days=1,
                                escalation=Escalation(to=either, effect="x.y")),))
    assert wf.warning_states() == ["open"] and wf.escalating_states() == ["open"]
