"""户迁移 run by the workflow kernel: request → approve / reject / withdraw, guards, scope, urging, the
overdue sweeper with a controlled clock, and the pages."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.core.home import action_items
from shanzhi.people.choices import ChangeKind
from shanzhi.people.models import Household, HouseholdMove, Person, RegistryChange
from shanzhi.people.moves import move_act, move_list, move_request, move_urge
from shanzhi.workflow import clock, engine
from shanzhi.workflow.calendar import CHINA
from shanzhi.workflow.models import CaseHistory
from shanzhi.workflow.tasks import sweep_overdue_cases

T0 = dt.datetime(2026, 9, 29, 10, 0, tzinfo=CHINA)  # Tue; 5 working days across National Day → Mon 12 Oct
DUE = dt.datetime(2026, 10, 12, 17, 30, tzinfo=CHINA)


@pytest.fixture
def world(tree, make_user, make_household):
    cadre_a = make_user("village_cadre", tree.v1, full_name="东坡村干部")
    cadre_b = make_user("village_cadre", tree.v2, full_name="西岭村干部")
    cadre_c = make_user("village_cadre", tree.v3, full_name="南河村干部")
    worker_a = make_user("grid_worker", tree.v1)
    township = make_user("township_staff", tree.kejing, full_name="克井镇干部")
    household = make_household(cadre_a, tree.g1, head_name="张三", members=["李四"])
    other_a = make_household(cadre_a, tree.g1, head_name="王五")
    return SimpleNamespace(tree=tree, a=cadre_a, b=cadre_b, c=cadre_c, worker=worker_a, township=township,
                           household=household, other_a=other_a)


def request(w, **kw):
    return move_request(acting_user=kw.pop("user", w.a), household=kw.pop("household", w.household),
                        place=kw.pop("place", w.tree.g2), reason=kw.pop("reason", "婚迁"), now=kw.pop("now", T0))


def snapshot(move):
    move = HouseholdMove.objects.get(pk=move.pk)
    h = Household.objects.get(pk=move.household_id)
    return (move.state, move.due_at, move.decided_by_id, h.place_path, h.village_id,
            CaseHistory.objects.filter(object_id=move.pk).count(), RegistryChange.objects.count(),
            AuditEntry.objects.filter(event__startswith="household_move").count())


def test_request_then_approve_moves_household_and_members(world):
    w = world
    move = request(w)
    assert move.state == "requested" and move.due_at == DUE and not move.is_overdue
    assert (move.from_path, move.to_path, move.to_village_id) == (w.tree.g1.path, w.tree.g2.path, w.tree.v2.pk)
    assert (move.head_name, move.member_count) == ("张三", 2)
    assert [t.name for t in engine.available_transitions(move, w.b)] == ["approve", "reject"]
    assert [t.name for t in engine.available_transitions(move, w.a)] == ["withdraw"]
    assert engine.available_transitions(move, w.worker) == []
    assert engine.waiting_on(move) == ["迁入村村干部"]

    at = T0 + dt.timedelta(days=1)
    move_act(acting_user=w.b, move=move, transition="approve", note="同意", now=at)
    assert move.state == "approved" and move.due_at is None and move.decided_by_id == w.b.pk
    h = Household.objects.get(pk=w.household.pk)
    assert (h.place_path, h.village_id) == (w.tree.g2.path, w.tree.v2.pk)
    assert set(Person.objects.filter(household=h).values_list("place_path", flat=True)) == {w.tree.g2.path}
    assert RegistryChange.objects.filter(household=h, kind=ChangeKind.MOVE_VILLAGE).count() == 1
    steps = list(engine.history(move).values_list("label", "from_state", "to_state", "actor_id", "note"))
    assert steps == [("申请迁移", "", "requested", w.a.pk, "婚迁"), ("同意迁入", "requested", "approved", w.b.pk, "同意")]
    audit = AuditEntry.objects.get(event="household_move.approve")
    assert audit.place_path == w.tree.g2.path and audit.before == {"state": "requested"}
    # The household now belongs to village B: A no longer sees it, B does; both still see the move.
    assert not Household.objects.visible_to(w.a, "people.view").filter(pk=h.pk).exists()
    assert Household.objects.visible_to(w.b, "people.view").filter(pk=h.pk).exists()
    assert move_list(user=w.a).filter(pk=move.pk).exists() and move_list(user=w.b).filter(pk=move.pk).exists()


def test_reject_needs_a_reason_and_leaves_household(world):
    w = world
    move = request(w)
    before = snapshot(move)
    with pytest.raises(ValidationFailed, match="理由"):
        move_act(acting_user=w.b, move=move, transition="reject", note="  ")
    assert snapshot(move) == before
    move_act(acting_user=w.b, move=move, transition="reject", note="住址不在本村")
    assert move.state == "rejected" and move.decision_note == "住址不在本村"
    assert Household.objects.get(pk=w.household.pk).place_path == w.tree.g1.path


def test_withdraw_then_nothing_more(world):
    w = world
    move = request(w)
    move_act(acting_user=w.a, move=move, transition="withdraw", note="")
    assert move.state == "withdrawn"
    before = snapshot(move)
    with pytest.raises(Conflict, match="已撤回"):
        move_act(acting_user=w.b, move=move, transition="approve")
    assert snapshot(move) == before
    request(w)  # a new request is possible once the old one is closed


def test_wrong_role_wrong_order_out_of_scope_change_nothing(world):
    w = world
    move = request(w)
    before = snapshot(move)
    with pytest.raises(PermissionDenied, match="迁入村村干部"):
        move_act(acting_user=w.a, move=move, transition="approve")  # the sending village cannot approve
    with pytest.raises(PermissionDenied):
        move_act(acting_user=w.b, move=move, transition="withdraw")  # only the sending village withdraws
    with pytest.raises(NotFound):
        move_act(acting_user=w.c, move=move, transition="approve")  # a third village: not there
    with pytest.raises(ValidationFailed):
        move_act(acting_user=w.b, move=move, transition="teleport")
    assert snapshot(move) == before
    with pytest.raises(PermissionDenied):
        request(w, user=w.worker, household=w.other_a)  # sees the household, may not request
    with pytest.raises(NotFound):
        request(w, user=w.c, household=w.other_a)
    with pytest.raises(Conflict, match="待审批"):
        request(w)  # one open request per household
    with pytest.raises(ValidationFailed, match="原村相同"):
        request(w, household=w.other_a, place=w.tree.v1)
    assert HouseholdMove.objects.count() == 1


def test_no_approving_ones_own_request(world, make_user):
    w = world
    admin = make_user("admin", w.tree.county)
    move = request(w, user=admin)
    assert [t.name for t in engine.available_transitions(move, admin)] == ["withdraw"]
    with pytest.raises(PermissionDenied, match="本人发起"):
        move_act(acting_user=admin, move=move, transition="approve")
    move_act(acting_user=w.b, move=move, transition="approve")


def test_failing_effect_rolls_back_the_transition(world):
    w = world
    move = request(w)
    Household.objects.filter(pk=w.household.pk).update(is_active=False)  # left the register meanwhile
    before = snapshot(move)
    with pytest.raises(ValidationFailed, match="不在册"):
        move_act(acting_user=w.b, move=move, transition="approve")
    assert snapshot(move) == before and move.state == "requested"


def test_urge_is_recorded_for_the_assignees(world):
    w = world
    move = request(w)
    with pytest.raises(PermissionDenied):
        move_urge(acting_user=w.b, move=move)
    move_urge(acting_user=w.a, move=move, note="请尽快", now=T0 + dt.timedelta(hours=2))
    row = engine.history(move).get(kind="urge")
    assert row.extra["assignees"] == [w.b.pk] and row.note == "请尽快"
    with pytest.raises(Conflict, match="稍后"):
        move_urge(acting_user=w.a, move=move, now=T0 + dt.timedelta(hours=2, minutes=30))
    move_urge(acting_user=w.a, move=move, now=T0 + dt.timedelta(hours=4))
    assert HouseholdMove.objects.get(pk=move.pk).urge_count == 2
    assert AuditEntry.objects.filter(event="household_move.urge").count() == 2


def test_sweeper_flags_overdue_and_escalates_with_a_controlled_clock(world, monkeypatch):
    w = world
    move = request(w)
    fresh = request(w, household=w.other_a, now=T0 + dt.timedelta(days=10))
    monkeypatch.setattr(clock, "now", lambda: DUE - dt.timedelta(minutes=1))
    assert sweep_overdue_cases.call() == {"warned": 0, "overdue": 0, "escalated": 0}
    monkeypatch.setattr(clock, "now", lambda: DUE + dt.timedelta(minutes=1))
    assert sweep_overdue_cases.call() == {"warned": 0, "overdue": 1, "escalated": 0}
    move.refresh_from_db()
    assert move.is_overdue and move.overdue_at == DUE + dt.timedelta(minutes=1)
    assert move.escalate_at == dt.datetime(2026, 10, 14, 17, 30, tzinfo=CHINA)  # 2 working days later
    assert not HouseholdMove.objects.get(pk=fresh.pk).is_overdue
    assert sweep_overdue_cases.call() == {"warned": 0, "overdue": 0, "escalated": 0}  # idempotent
    swept = engine.sweep_overdue(now=dt.datetime(2026, 10, 14, 17, 31, tzinfo=CHINA))
    assert swept == {"warned": 0, "overdue": 0, "escalated": 1}
    escalation = engine.history(move).get(kind="escalate")
    assert escalation.extra["supervisors"] == [w.township.pk] and "迁入村所在乡镇" in escalation.note
    assert [h.kind for h in engine.history(move)] == ["start", "overdue", "escalate"]
    assert AuditEntry.objects.filter(event="household_move.overdue", object_id=str(move.pk)).count() == 1
    # Home page of the receiving village shows the waiting move, flagged overdue.
    items = [i for i in action_items(w.b) if i.title == "待我审批的户迁移"]
    assert items and items[0].count == 2 and items[0].level == "danger"
    assert not [i for i in action_items(w.a) if i.title == "待我审批的户迁移"]
    # Deciding clears the flags.
    move_act(acting_user=w.b, move=move, transition="approve", now=dt.datetime(2026, 10, 15, 9, tzinfo=CHINA))
    move.refresh_from_db()
    assert not move.is_overdue and move.due_at is None


def test_pages_request_approve_and_scope(client, world):
    w = world
    client.force_login(w.a)
    page = client.get(f"/people/households/{w.household.pk}/").content.decode()
    assert "申请迁往他村" in page
    form = client.get(f"/people/households/{w.household.pk}/move").content.decode()
    assert w.tree.v2.name in form and w.tree.v1.name not in form.split("迁入村/社区")[1]
    options = client.get("/people/moves/targets", {"village": w.tree.v2.code}).content.decode()
    assert w.tree.g2.name in options
    response = client.post(f"/people/households/{w.household.pk}/move",
                           {"village": w.tree.v2.code, "place": w.tree.g2.code, "reason": "投亲"})
    move = HouseholdMove.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/people/moves/{move.pk}/"
    detail = client.get(f"/people/moves/{move.pk}/").content.decode()
    assert "待迁入村审批" in detail and "撤回申请" in detail and "催办" in detail and "同意迁入" not in detail

    client.force_login(w.worker)
    assert "申请迁往他村" not in client.get(f"/people/households/{w.household.pk}/").content.decode()

    client.force_login(w.c)
    assert client.get(f"/people/moves/{move.pk}/").status_code == 404
    assert client.post(f"/people/moves/{move.pk}/act", {"transition": "approve"}).status_code == 404
    assert move.household_number not in client.get("/people/moves/?box=all").content.decode()

    client.force_login(w.b)
    assert client.get(f"/people/households/{w.other_a.pk}/").status_code == 404  # A's other data stays hidden
    inbox = client.get("/people/moves/").content.decode()
    assert move.household_number in inbox
    detail = client.get(f"/people/moves/{move.pk}/").content.decode()
    assert "同意迁入" in detail and "不同意" in detail and f"/people/households/{w.household.pk}/" not in detail
    refused = client.post(f"/people/moves/{move.pk}/act", {"transition": "reject", "note": ""}, follow=True)
    assert "须填写理由" in refused.content.decode()
    done = client.post(f"/people/moves/{move.pk}/act", {"transition": "approve", "note": "欢迎"}, follow=True)
    assert "已迁入" in done.content.decode()
    assert Household.objects.get(pk=w.household.pk).place_path == w.tree.g2.path


def test_move_list_queries_do_not_grow_with_rows(client, world, make_household, django_assert_max_num_queries):
    w = world
    request(w)
    client.force_login(w.b)
    client.get("/people/moves/?box=all")  # warm caches (content types, session)
    with django_assert_max_num_queries(8) as one:
        assert client.get("/people/moves/?box=all").status_code == 200
    for i in range(6):
        h = make_household(w.a, w.tree.g1, head_name=f"户主{i}")
        request(w, household=h, place=w.tree.v2)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/people/moves/?box=all").content.decode()
    assert page.count("/people/moves/") >= 7


def test_urge_and_overdue_reach_the_approvers_inbox(tree, make_user, make_household):
    import datetime as _dt

    from shanzhi.notify.models import Message
    from shanzhi.people import moves
    from shanzhi.workflow import engine

    cadre_a = make_user("village_cadre", tree.v1)
    cadre_b = make_user("village_cadre", tree.v2)
    household = make_household(cadre_a, tree.g1)
    move = moves.move_request(acting_user=cadre_a, household=household, place=tree.g2, reason="婚迁")
    engine.urge(move, acting_user=cadre_a, note="请尽快审批")
    assert Message.objects.filter(recipient=cadre_b, title__startswith="催办").exists()
    engine.sweep_overdue(now=move.due_at + _dt.timedelta(days=1))
    assert Message.objects.filter(recipient=cadre_b, title__startswith="已超期").exists()
    assert not Message.objects.filter(recipient=cadre_a, title__startswith="已超期").exists()


def test_urge_button_posts_through_the_page(client, tree, make_user, make_household):
    from shanzhi.people import moves
    from shanzhi.workflow import engine

    cadre_a = make_user("village_cadre", tree.v1)
    make_user("village_cadre", tree.v2)
    move = moves.move_request(acting_user=cadre_a, household=make_household(cadre_a, tree.g1), place=tree.g2, reason="婚迁")
    client.force_login(cadre_a)
    response = client.post(f"/people/moves/{move.pk}/urge", {"note": "请尽快"}, follow=True)
    assert "已催办" in response.content.decode()
    response = client.post(f"/people/moves/{move.pk}/urge", {"note": "再催"}, follow=True)  # too soon: a message, no change
    assert "刚刚已催办过" in response.content.decode()
    assert engine.history(move).filter(kind="urge").count() == 1
