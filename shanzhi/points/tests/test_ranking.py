"""P4 rankings and traceability (``points/ranking.py``, ``ranking_views.py``): the honour score of approved earning
entries in the period, ties sharing a rank, scopes (village, villager group, grid), pages whose every figure links
to the entries summed into it, flat query counts, out of scope 404."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from shanzhi.points import ledger, ranking, services
from shanzhi.points.models import Entry

pytestmark = pytest.mark.django_db

Q3 = dt.date(2026, 8, 10)
Q4 = dt.date(2026, 10, 12)


def record(w, household, day, points="2", item=None, user=None):
    return services.entry_record(acting_user=user or w.worker, item_id=(item or w.item).pk, subject_id=household.pk,
                                 points=points, deed_date=day)


def approve(w, entry):
    return services.entry_review(acting_user=w.reviewer, entry_id=entry.pk, decision="approve")


def reject(w, entry):
    return services.entry_review(acting_user=w.reviewer, entry_id=entry.pk, decision="reject", note="不实")


@pytest.fixture
def scored(pw, make_household):
    """东坡村: h1 has 3 (Q4) + 2 (Q3); h2 has 3 (Q4) — tied with h1 in Q4 — plus a rejected and a pending entry;
    h4 has 1 in Q3 only; h1 spends 2 points (spendable only)."""
    w = pw
    w.h4 = make_household(w.cadre, w.tree.g1, head_name="孙无记")
    approve(w, record(w, w.h4, Q3, "1"))  # nothing in Q4: ranks with 0 there
    approve(w, record(w, w.h1, Q4, "3"))
    approve(w, record(w, w.h1, Q3, "2"))
    approve(w, record(w, w.h2, Q4, "3"))
    reject(w, record(w, w.h2, Q4 + dt.timedelta(days=1), "2"))
    w.pending = record(w, w.h2, Q4 + dt.timedelta(days=2), "1")
    w.acc1 = Entry.objects.filter(account__household=w.h1).first().account
    w.acc2 = Entry.objects.filter(account__household=w.h2).first().account
    ledger.account_spend(acting_user=w.cadre, account_id=w.acc1.pk, points="2", reason="兑换", source_ref="test:1")
    w.acc1.refresh_from_db()
    return w


def rows(w, period, scope=None, user=None):
    return [(a.name, a.score, a.rank, a.deeds) for a in ranking.ranking(
        user=user or w.cadre, scheme=w.scheme, scope=scope or w.tree.v1, period=period)]


def test_quarter_ranking_counts_only_approved_earning_entries_and_ties_share_a_rank(scored):
    w = scored
    got = rows(w, ranking.Period.quarter(Q4))
    # Spending lowered h1's spendable balance (5 − 2) but not its honour score.
    assert w.acc1.earned == Decimal("5.0") and w.acc1.spendable == Decimal("3.0")
    assert got[0][1:] == (Decimal("3.0"), 1, 1) and got[1][1:] == (Decimal("3.0"), 1, 1)
    assert {got[0][0], got[1][0]} == {"王德善", "赵守信"}
    assert got[2] == ("孙无记", Decimal("0.0"), 3, 0)  # no entries in the quarter: ranks after the tie


def test_year_and_custom_periods(scored):
    w = scored
    year = rows(w, ranking.Period.year(2026))
    assert year == [("王德善", Decimal("5.0"), 1, 2), ("赵守信", Decimal("3.0"), 2, 1), ("孙无记", Decimal("1.0"), 3, 1)]
    custom = ranking.Period.from_query({"period": "custom", "from": "2026-08-01", "to": "2026-08-31"},
                                       today=dt.date(2026, 11, 20))
    assert rows(w, custom)[0][:3] == ("王德善", Decimal("2.0"), 1)


@pytest.mark.parametrize("query, code", [
    ({"period": "custom", "from": "2026-09-01", "to": "2026-08-01"}, "period_order"),
    ({"period": "custom", "from": "x", "to": "2026-08-01"}, "period_dates"),
    ({"period": "custom", "from": "2020-01-01", "to": "2026-08-01"}, "period_long"),
])
def test_bad_custom_period_refused(query, code):
    from shanzhi.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        ranking.Period.from_query(query, today=dt.date(2026, 11, 20))
    assert exc.value.code == code


def test_group_and_grid_scopes(scored, make_place=None):
    w = scored
    # A grid worker's widest scope is their grid; the group scope goes by the households' villager group.
    assert ranking.scope_for(user=w.worker, scheme=w.scheme, code=None) == w.tree.g1
    from shanzhi.people.models import Household

    Household.objects.filter(pk=w.h2.pk).update(group=w.tree.grp1)
    got = rows(w, ranking.Period.year(2026), scope=w.tree.grp1)
    assert [r[0] for r in got] == ["赵守信"]
    assert [r[0] for r in rows(w, ranking.Period.year(2026), scope=w.tree.g1)][:2] == ["王德善", "赵守信"]
    units = ranking.unit_ranking(user=w.cadre, scheme=w.scheme, period=ranking.Period.year(2026))
    assert [(u.place, u.subjects, u.total) for u in units["grid"]] == [(w.tree.g1, 3, Decimal("9.0"))]
    assert [(u.place, u.subjects, u.total) for u in units["group"]] == [(w.tree.grp1, 1, Decimal("3.0"))]


def test_scope_outside_user_is_not_found(scored):
    from shanzhi.core.errors import NotFound

    w = scored
    with pytest.raises(NotFound):
        ranking.scope_for(user=w.worker, scheme=w.scheme, code=w.tree.v1.code)  # the worker sees only the grid
    with pytest.raises(NotFound):
        ranking.scheme_for(user=w.cadre_v2, pk=w.scheme.pk)


# --- pages ------------------------------------------------------------------------------------------------------

def _numbers(html, anchor_class="score"):
    return re.findall(rf'<a class="{anchor_class}" href="([^"]+)">([-\d.]+)</a>', html)


def test_every_ranking_score_links_to_the_entries_that_sum_to_it(scored, client):
    w = scored
    client.force_login(w.cadre)
    page = client.get(reverse("points_ranking"), {"scheme": w.scheme.pk, "period": "year", "year": 2026})
    assert page.status_code == 200
    links = _numbers(page.content.decode())
    assert len(links) == 3 and [s for _h, s in links] == ["5.0", "3.0", "1.0"]
    for href, shown in links:
        listed = client.get(href.replace("&amp;", "&"))
        assert listed.status_code == 200
        total = re.search(r'id="entries-total">([-\d.]+)<', listed.content.decode()).group(1)
        assert Decimal(total) == Decimal(shown)
    # The rejected and the pending entries are not among those behind 赵守信's 3.0.
    href = next(h for h, s in links if s == "3.0").replace("&amp;", "&")
    body = client.get(href).content.decode()
    assert body.count('溯源</a>') == 1


def test_entry_trace_page_names_item_recorder_and_reviewer(scored, client):
    w = scored
    entry = Entry.objects.filter(account=w.acc1, kind="deed").order_by("deed_date").first()
    client.force_login(w.cadre)
    body = client.get(reverse("points_results_entry", args=[entry.pk])).content.decode()
    assert "S01 帮扶邻里" in body and "积善" in body
    assert "东坡网格员" in body and "评议员甲" in body
    assert "计入荣誉积分" in body


def test_account_page_figures_link_to_their_entries(scored, client):
    w = scored
    client.force_login(w.cadre)
    url = reverse("points_results_account", args=[w.acc1.pk])
    body = client.get(url, {"period": "quarter", "year": 2026, "q": 4}).content.decode()
    assert "全村第 1 名" in body
    spent = re.search(r'id="spent" href="([^"]+)">([-\d.]+)</a>', body)
    listed = client.get(spent.group(1).replace("&amp;", "&")).content.decode()
    assert Decimal(re.search(r'id="entries-total">([-\d.]+)<', listed).group(1)) == -Decimal(spent.group(2))
    earned = re.search(r'id="earned" href="([^"]+)">([-\d.]+)</a>', body)
    listed = client.get(earned.group(1).replace("&amp;", "&")).content.decode()
    assert Decimal(re.search(r'id="entries-total">([-\d.]+)<', listed).group(1)) == Decimal(earned.group(2))


def test_out_of_scope_pages_are_404(scored, client):
    w = scored
    entry = Entry.objects.filter(account=w.acc1).first()
    client.force_login(w.cadre_v2)
    assert client.get(reverse("points_results_account", args=[w.acc1.pk])).status_code == 404
    assert client.get(reverse("points_results_entry", args=[entry.pk])).status_code == 404
    assert client.get(reverse("points_results_entries"), {"scheme": w.scheme.pk}).status_code == 404
    assert client.get(reverse("points_ranking"), {"scheme": w.scheme.pk}).status_code == 404
    client.force_login(w.villager)  # no points.view
    assert client.get(reverse("points_ranking")).status_code == 404


def test_ranking_page_queries_do_not_grow_with_subjects(scored, client, make_household, django_assert_max_num_queries):
    w = scored
    client.force_login(w.cadre)
    url = reverse("points_ranking")

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"scheme": w.scheme.pk}).status_code == 200
        return len(ctx.captured_queries)

    count()  # warm caches (content types, session)
    before = count()
    for i in range(6):
        h = make_household(w.cadre, w.tree.g1, head_name=f"新户{i}")
        approve(w, record(w, h, Q4, "2"))
    assert count() == before
    with django_assert_max_num_queries(before):
        client.get(url, {"scheme": w.scheme.pk})
    entries_url = reverse("points_results_entries")
    with django_assert_max_num_queries(12):
        assert client.get(entries_url, {"scheme": w.scheme.pk}).status_code == 200


def test_grid_worker_ranks_their_grid_within_the_village_scheme(scored, client):
    w = scored
    client.force_login(w.worker)
    body = client.get(reverse("points_ranking")).content.decode()
    assert "东坡村第一网格" in body and "王德善" in body
    # Another village's grid worker: the scheme is not theirs.
    client.force_login(w.worker_v2)
    assert client.get(reverse("points_ranking"), {"scheme": w.scheme.pk}).status_code == 404
    body = client.get(reverse("points_ranking")).content.decode()
    assert "王德善" not in body
