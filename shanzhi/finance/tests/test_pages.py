"""Pages of 村级财务: every page renders for those in scope, 404 out of scope, lists keep flat query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shanzhi.finance import services
from shanzhi.finance.choices import EntryState
from shanzhi.finance.tests.conftest import jpeg

pytestmark = pytest.mark.django_db


def _pages(fin, entry):
    lg = fin.ledger.pk
    return [reverse("finance_ledger", args=[lg]), reverse("finance_entry_new", args=[lg]),
            reverse("finance_statements", args=[lg]), reverse("finance_month", args=[lg, f"{fin.start:%Y-%m}"]),
            reverse("finance_chain", args=[lg]), reverse("finance_categories", args=[lg]),
            reverse("finance_books", args=[lg]), reverse("finance_entry", args=[entry.pk])]


def test_pages_in_scope_and_out(fin, client):
    entry = fin.entry(amount="2500")
    for user in (fin.bookkeeper, fin.clerk, fin.leader):
        client.force_login(user)
        for url in _pages(fin, entry) + [reverse("finance_overview"), reverse("finance_approvals")]:
            assert client.get(url).status_code == 200, (user, url)
    client.force_login(fin.cadre_v2)
    for url in _pages(fin, entry):
        assert client.get(url).status_code == 404, url
    client.force_login(fin.villager)
    assert client.get(reverse("finance_index")).status_code == 404
    assert client.get(reverse("finance_entry", args=[entry.pk])).status_code == 404


def test_index_redirects(fin, client):
    client.force_login(fin.cadre_v2)
    assert client.get(reverse("finance_index"))["Location"] == reverse("finance_ledger", args=[fin.ledger_v2.pk])
    client.force_login(fin.staff)
    assert client.get(reverse("finance_index"))["Location"] == reverse("finance_overview")


def test_entry_form_and_actions_through_pages(fin, client):
    client.force_login(fin.bookkeeper)
    cat = fin.category("公益支出")
    url = reverse("finance_entry_new", args=[fin.ledger.pk])
    r = client.post(url, {"kind": "expense", "date": f"{fin.start:%Y-%m}-06", "category": cat.pk, "amount": "0",
                          "counterparty": "某店", "summary": "水泥", "vouchers": [jpeg()]})
    assert r.status_code == 400 and "大于 0" in r.content.decode()
    r = client.post(url, {"kind": "expense", "date": f"{fin.start:%Y-%m}-06", "category": cat.pk, "amount": "1800",
                          "counterparty": "某店", "summary": "水泥", "vouchers": [jpeg()]})
    entry = fin.ledger.entries.get()
    assert r["Location"] == reverse("finance_entry", args=[entry.pk]) and entry.state == EntryState.IN_APPROVAL
    page = client.get(r["Location"]).content.decode()
    assert "审批链全部签批" in page and "村文书" in page
    # The bookkeeper tries to post anyway: refused with the message, nothing changes.
    r = client.post(reverse("finance_entry_action", args=[entry.pk, "post"]), follow=True)
    assert "审批链全部签批" in r.content.decode()
    entry.refresh_from_db()
    assert entry.state == EntryState.IN_APPROVAL
    client.force_login(fin.clerk)
    r = client.post(reverse("finance_entry_action", args=[entry.pk, "reject"]), {"reason": "发票抬头不对"}, follow=True)
    entry.refresh_from_db()
    assert entry.state == EntryState.RETURNED
    client.force_login(fin.cadre_v2)
    assert client.post(reverse("finance_entry_action", args=[entry.pk, "approve"])).status_code == 404


def test_list_query_counts_flat(fin, client, django_assert_max_num_queries):
    client.force_login(fin.bookkeeper)
    for n in range(3):
        fin.entry(amount=str(100 + n))
    url = reverse("finance_ledger", args=[fin.ledger.pk])
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for n in range(12):
        fin.entry(amount=str(1100 + n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    client.force_login(fin.clerk)
    queue = reverse("finance_approvals")
    client.get(queue)
    with django_assert_max_num_queries(14) as few:
        client.get(queue)
    for n in range(5):
        fin.entry(amount=str(2100 + n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(queue)
    overview = reverse("finance_overview")
    with django_assert_max_num_queries(16):
        client.get(overview)


def test_chain_page_saves(fin, client):
    client.force_login(fin.staff)
    r = client.post(reverse("finance_chain", args=[fin.ledger.pk]), {
        "chain_threshold": "2000", "decision_threshold": "30000", "label_0": "村支书", "role_0": "village_cadre",
        "level_0": "village", "label_1": "包村干部", "role_1": "township_staff", "level_1": "township"}, follow=True)
    assert "审批链已保存" in r.content.decode()
    assert [s.label for s in services.active_steps(fin.ledger)] == ["村支书", "包村干部"]
