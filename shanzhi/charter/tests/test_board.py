"""村务公开栏 (domain.md A4): the public board per village with its four sections, search and pagination; the
township's disclosure overview against the law (finance monthly where frequent, others quarterly); the home item;
query counts that do not grow with the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shanzhi.charter import board
from shanzhi.core import home
from shanzhi.publication import clock
from shanzhi.publication.services import publication_create, publication_withdraw

pytestmark = pytest.mark.django_db


def publish(user, place, kind, title, day=None):
    day = day or clock.today()
    return publication_create(acting_user=user, place=place, kind=kind, title=title, columns=["项目", "金额"],
                              rows=[["办公费", "120.00"]], starts_on=day, ends_on=day + dt.timedelta(days=9))


@pytest.fixture
def at(monkeypatch):
    """Move the publication kernel's today (publication_create refuses past start dates)."""
    def move(day):
        monkeypatch.setattr(clock, "today", lambda: day)
    return move


def test_frequency_rules():
    assert board.previous_month_start(dt.date(2026, 1, 15)) == dt.date(2025, 12, 1)
    assert board.previous_month_start(dt.date(2026, 3, 31)) == dt.date(2026, 2, 1)
    assert board.previous_quarter_start(dt.date(2026, 1, 2)) == dt.date(2025, 10, 1)
    assert board.previous_quarter_start(dt.date(2026, 11, 22)) == dt.date(2026, 7, 1)
    assert board.previous_quarter_start(dt.date(2026, 6, 30)) == dt.date(2026, 1, 1)
    assert "party" not in board.tracked_sections()  # no kind of publication belongs to 党务 yet
    assert set(board.tracked_sections()) == {"village", "finance", "affairs"}


def test_public_board_sections_search_pages(client, world):
    v1 = world.tree.v1
    rules = publish(world.cadre, v1, "village_rules", "东坡村村规民约（第1版）")
    money = publish(world.cadre, world.tree.g1, "finance_statement", "2026年10月财务收支公开")
    gone = publish(world.cadre, v1, "finance_book", "撤回的七本账")
    publication_withdraw(acting_user=world.cadre, publication=gone, reason="发错了")
    publish(world.cadre_v2, world.tree.v2, "finance_statement", "西岭村财务公开")
    url = f"/charter/board/{v1.code}/"
    body = client.get(url).content.decode()  # no login
    assert "村务公开栏" in body and rules.title in body and money.title in body
    assert "撤回的七本账" not in body and "西岭村财务公开" not in body
    assert f"/p/{money.public_id}/notice.pdf" in body and f"/p/{rules.public_id}/" in body
    body = client.get(url, {"section": "finance"}).content.decode()
    assert money.title in body and rules.title not in body
    body = client.get(url, {"section": "party"}).content.decode()
    assert "该栏目暂无公开内容" in body
    body = client.get(url, {"q": "村规"}).content.decode()
    assert rules.title in body and money.title not in body
    assert "没有找到" in client.get(url, {"q": "不存在的标题"}).content.decode()
    for n in range(25):
        publish(world.cadre, v1, "event_bulletin" if n % 2 else "points_quarter", f"通报{n:02d}")
    first = client.get(url).content.decode()
    assert "通报24" in first and "下一页" in first and rules.title not in first
    second = client.get(url, {"page": 2}).content.decode()
    assert rules.title in second and "通报24" not in second
    assert client.get("/charter/board/999999999999/").status_code == 404
    assert client.get(f"/charter/board/{world.tree.kejing.code}/").status_code == 404  # villages only


def test_board_page_queries_flat(client, world, django_assert_max_num_queries):
    v1 = world.tree.v1
    for n in range(3):
        publish(world.cadre, v1, "finance_statement", f"财务{n}")
    url = f"/charter/board/{v1.code}/"
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    for n in range(30):
        publish(world.cadre, v1, "event_bulletin", f"通报{n}")
    with django_assert_max_num_queries(len(first.captured_queries) + 1):  # + the count query of page 2+
        assert client.get(url, {"page": 2}).status_code == 200


def test_overview_overdue_and_home(client, world, at, make_place):
    v1, v2 = world.tree.v1, world.tree.v2
    at(dt.date(2026, 8, 5))
    publish(world.cadre, v1, "finance_statement", "7月财务")
    publish(world.cadre, v1, "village_rules", "村规民约")
    publish(world.cadre, v1, "points_quarter", "二季度积分")
    # 10 August: 东坡村 is current everywhere; 西岭村 never disclosed anything.
    at(dt.date(2026, 8, 10))
    states = {d.village.code: d for d in board.disclosure_states([v1, v2])}
    assert not states[v1.code].overdue
    fin = next(s for s in states[v1.code].sections if s.section == "finance")
    assert fin.frequency == board.MONTHLY and fin.latest == dt.date(2026, 8, 5)
    assert states[v2.code].overdue_labels == ["村务公开", "财务公开", "事务公开"]
    assert next(s for s in states[v2.code].sections if s.section == "finance").frequency == board.QUARTERLY
    assert next(s for s in states[v1.code].sections if s.section == "party").tracked is False
    # 2 October: no finance since 1 September → 东坡村's finance is overdue; quarterly ones still fine.
    at(dt.date(2026, 10, 2))
    d = board.disclosure_states([v1])[0]
    assert d.overdue_labels == ["财务公开"]
    client.force_login(world.township)
    body = client.get("/charter/board/overview/").content.decode()
    assert "共 2 个村，逾期 2 个" in body and "东坡村" in body and "从未公开" in body
    assert board.home_items in home._providers
    items = board.home_items(world.township)
    assert len(items) == 1 and items[0].count == 2 and items[0].url == "/charter/board/overview/?overdue=1"
    # Villages are out of scope for another township; a village cadre sees only their village and gets no item.
    assert board.home_items(world.cadre) == []
    client.force_login(world.cadre_v3)
    body = client.get("/charter/board/overview/").content.decode()
    assert "东坡村" not in body and "南河村" in body
    client.force_login(world.no_role)
    assert client.get("/charter/board/overview/").status_code == 404
    client.force_login(world.villager)
    assert client.get("/charter/board/overview/").status_code == 404
    # Back in time with everything published: nothing overdue, no home item; "only overdue" filter.
    at(dt.date(2026, 8, 10))
    publish(world.cadre_v2, v2, "finance_statement", "西岭财务")
    publish(world.cadre_v2, v2, "village_rules", "西岭村规")
    publish(world.cadre_v2, v2, "event_bulletin", "西岭通报")
    assert board.overdue_village_count(user=world.township) == 0
    client.force_login(world.township)
    body = client.get("/charter/board/overview/", {"overdue": "1"}).content.decode()
    assert "共 2 个村，逾期 0 个" in body and "东坡村" not in body.split("disclosure-table")[1]
    # 2 October again: a village whose ledger is set to quarterly disclosure is held to quarterly (as its finance
    # page says), not flagged for a missing September statement
    from shanzhi.finance.services import ledger_open

    at(dt.date(2026, 10, 2))
    assert board.disclosure_states([v1])[0].overdue_labels == ["财务公开"]
    ledger_open(acting_user=world.cadre, village=v1, start_month=dt.date(2026, 1, 1), agency_bookkeeping=False,
                frequency="quarterly")
    fin = next(s for s in board.disclosure_states([v1])[0].sections if s.section == "finance")
    assert fin.frequency == board.QUARTERLY and not fin.overdue


def test_overview_queries_flat(client, world, make_place, django_assert_max_num_queries):
    client.force_login(world.township)
    with CaptureQueriesContext(connection) as first:
        assert client.get("/charter/board/overview/").status_code == 200
    for n in range(12):
        v = make_place(world.tree.kejing, "village", f"新村{n}")
        publish(world.cadre, world.tree.v1, "finance_statement", f"财务{n}")
        assert v.pk
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get("/charter/board/overview/").content.decode()
    assert "共 14 个村" in body


def test_villager_home_links_to_the_board(client, world, make_household):
    household = make_household(world.cadre, world.tree.g1, head_name="王五")
    world.villager.person = household.head
    world.villager.save(update_fields=["person"])  # the account is the head's (as the demo links them)
    client.force_login(world.villager)
    body = client.get("/").content.decode()
    assert f'href="/charter/board/{world.tree.v1.code}/"' in body and "村务公开栏（党务、村务、财务、事务）" in body
