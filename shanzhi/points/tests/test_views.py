"""Pages of 积分制: each page renders for the role that uses it, out of scope is 404, lists are flat in queries."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from shanzhi.points import services
from shanzhi.points.models import Account, Entry

from .conftest import jpeg

D = dt.date(2026, 11, 18)


def login(client, user):
    client.force_login(user)
    return client


def rec(pw, household, item=None, points="2", day=D):
    return services.entry_record(acting_user=pw.worker, item_id=(item or pw.item).pk, subject_id=household.pk,
                                 points=points, deed_date=day)


def test_index_and_scheme_pages(client, pw):
    login(client, pw.cadre)
    r = client.get(reverse("points_index"))
    assert r.status_code == 200 and "村民积分" in r.content.decode()
    r = client.get(reverse("points_scheme", args=[pw.scheme.pk]))
    body = r.content.decode()
    assert r.status_code == 200 and "帮扶邻里" in body and "村民代表大会" in body
    assert client.get(reverse("points_scheme", args=[pw.scheme2.pk])).status_code == 404
    login(client, pw.villager)
    assert client.get(reverse("points_index")).status_code == 302


def test_scheme_create_and_item_pages(client, pw, tree):
    login(client, pw.cadre)
    r = client.post(reverse("points_scheme_new"), {"place": tree.v1.code, "name": "党员先锋指数", "kind": "party",
                                                   "subject_type": "person", "review_cadence": "monthly",
                                                   "star_1": "5"})
    assert r.status_code == 302
    from shanzhi.points.models import Scheme

    s = Scheme.objects.get(name="党员先锋指数")
    client.post(reverse("points_category_add", args=[s.pk]), {"name": "五事争先"})
    cat = s.categories.get()
    r = client.post(reverse("points_item_add", args=[s.pk]), {"category": cat.pk, "code": "P1", "name": "带头",
                                                              "points_min": "3", "points_max": "1", "active": "1"})
    assert s.items.count() == 0  # refused, message shown
    client.post(reverse("points_item_add", args=[s.pk]), {"category": cat.pk, "code": "P1", "name": "带头",
                                                          "points_min": "1", "points_max": "2", "active": "1"})
    item = s.items.get()
    assert client.get(reverse("points_item_edit", args=[item.pk])).status_code == 200
    r = client.post(reverse("points_scheme_adopt", args=[s.pk]), {"decision_note": "党员大会通过"})
    s.refresh_from_db()
    assert s.status == "adopted" and s.decision_note == "党员大会通过"
    assert client.get(reverse("points_scheme_edit", args=[s.pk])).status_code == 200


def test_record_page_flow(client, pw):
    login(client, pw.worker)
    r = client.get(reverse("points_record"), {"scheme": pw.scheme.pk, "q": "wds"})
    assert r.status_code == 200 and "王德善户" in r.content.decode()
    r = client.post(reverse("points_record"), {"scheme": pw.scheme.pk, "subject": pw.h1.pk, "item": pw.item.pk,
                                               "points": "9", "deed_date": "2026-11-18"})
    assert r.status_code == 200 and "超出" in r.content.decode()
    assert Entry.objects.count() == 0
    r = client.post(reverse("points_record"), {"scheme": pw.scheme.pk, "subject": pw.h1.pk, "item": pw.photo_item.pk,
                                               "points": "3", "deed_date": "2026-11-18", "photos": jpeg()})
    assert r.status_code == 302 and Entry.objects.get().points == 3


def test_batch_page(client, pw):
    login(client, pw.worker)
    r = client.post(reverse("points_batch"), {"scheme": pw.scheme.pk, "subjects": [pw.h1.pk, pw.h2.pk],
                                              "item": pw.fixed.pk, "points": "1", "deed_date": "2026-11-18",
                                              "note": "清洁家园", "action": "save"})
    assert r.status_code == 302 and Entry.objects.filter(kind="batch").count() == 2


def test_villager_declare_mine_and_reconsider(client, pw):
    login(client, pw.villager)
    r = client.post(reverse("points_declare"), {"scheme": pw.scheme.pk, "item": pw.item.pk, "points": "2",
                                                "deed_date": "2026-11-18", "note": "帮邻居收麦", "photos": jpeg()})
    assert r.status_code == 302
    r = client.post(reverse("points_declare"), {"scheme": pw.scheme.pk, "for": "neighbour", "name": "赵守信",
                                                "item": pw.item.pk, "points": "1", "deed_date": "2026-11-18",
                                                "note": "挑水送五保户"})
    assert r.status_code == 302
    assert Entry.objects.filter(kind="neighbour", account__household=pw.h2).exists()
    r = client.get(reverse("points_mine"))
    body = r.content.decode()
    assert r.status_code == 200 and "帮扶邻里" in body and "待评议" in body
    acc = Account.objects.get(household=pw.h1)
    r = client.post(reverse("points_reconsider"), {"account": acc.pk, "reason": "请再核实一下我家的分"})
    assert r.status_code == 302 and acc.reconsiderations.count() == 1
    other = Account.objects.get(household=pw.h2)
    assert client.post(reverse("points_reconsider"), {"account": other.pk, "reason": "别人家的复议"}).status_code == 404
    assert client.get(reverse("points_review")).status_code == 404


def test_review_queue_and_quarter_pages(client, pw, django_assert_max_num_queries):
    for n, h in enumerate([pw.h1, pw.h2]):
        for d in range(3):
            rec(pw, h, day=D - dt.timedelta(days=d + 3 * n))
    login(client, pw.reviewer)
    with django_assert_max_num_queries(14):
        r = client.get(reverse("points_review"))
    assert r.status_code == 200 and r.content.decode().count("btn btn-sm btn-outline-primary py-0") == 6
    for d in range(6):
        rec(pw, pw.h1, item=pw.fixed, points="1", day=dt.date(2026, 10, 1 + d)) if d < 2 else None
    with django_assert_max_num_queries(14):
        client.get(reverse("points_review"))
    e = Entry.objects.first()
    assert client.get(reverse("points_review_entry", args=[e.pk])).status_code == 200
    r = client.post(reverse("points_review_decide", args=[e.pk]), {"decision": "reject", "note": "事实不清"})
    e.refresh_from_db()
    assert e.status == "rejected"
    ids = list(Entry.objects.filter(status="pending").values_list("pk", flat=True))
    client.post(reverse("points_review_bulk"), {"entries": ids})
    assert not Entry.objects.filter(status="pending").exists()
    login(client, pw.cadre)
    client.post(reverse("points_quarter_approve", args=[pw.scheme.pk]), {"quarter": "2026-10-01"})
    from shanzhi.points.models import Quarter

    q = Quarter.objects.get()
    assert q.status == "approved"
    r = client.get(reverse("points_quarter", args=[q.pk]))
    assert r.status_code == 200 and "王**" in r.content.decode() or "王*" in r.content.decode()
    client.post(reverse("points_quarter_publish", args=[q.pk]), {"starts_on": "2026-11-20", "ends_on": "2026-11-27"})
    q.refresh_from_db()
    assert q.status == "published"
    assert client.get(reverse("points_quarter", args=[q.pk])).status_code == 200
    login(client, pw.cadre_v2)
    assert client.get(reverse("points_quarter", args=[q.pk])).status_code == 404


def test_ledger_export_and_reconsiderations(client, pw, django_assert_max_num_queries):
    for d in range(5):
        rec(pw, pw.h1, day=D - dt.timedelta(days=d))
    login(client, pw.cadre)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("points_ledger"), {"place": pw.tree.g1.code, "month": "2026-11"})
    assert r.status_code == 200 and r.content.decode().count("帮扶邻里") == 5
    r = client.get(reverse("points_ledger"), {"place": pw.tree.g1.code, "month": "2026-11", "export": "xlsx"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    from shanzhi.audit.models import AuditEntry

    assert AuditEntry.objects.filter(event="points.ledger_export").exists()
    assert client.get(reverse("points_ledger"), {"place": pw.tree.g2.code}).status_code == 404
    acc = Account.objects.get(household=pw.h1)
    r2 = services.reconsideration_file(acting_user=pw.villager, account_id=acc.pk, reason="请复核本月积分")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("points_reconsiderations")).status_code == 200
    assert client.get(reverse("points_reconsideration", args=[r2.pk])).status_code == 200
    client.post(reverse("points_reconsideration_decide", args=[r2.pk]), {"upheld": "1", "investigation": "属实",
                                                                       "points": "1", "item": pw.item.pk})
    r2.refresh_from_db()
    assert r2.status == "upheld" and r2.correction.points == 1
    login(client, pw.cadre_v2)
    assert client.get(reverse("points_reconsideration", args=[r2.pk])).status_code == 404


def test_home_items(client, pw):
    rec(pw, pw.h1)
    from shanzhi.points.home import action_items

    assert [i.count for i in action_items(pw.reviewer)] == [1]
    assert action_items(pw.worker) == []


def test_grid_worker_reads_their_village_scheme(client, pw):
    login(client, pw.worker)
    assert "村民积分" in client.get(reverse("points_index")).content.decode()
    assert client.get(reverse("points_scheme", args=[pw.scheme.pk])).status_code == 200
    assert client.get(reverse("points_scheme", args=[pw.scheme2.pk])).status_code == 404


def test_pending_counts_link_to_the_review_queue_only_for_reviewers(client, pw):
    """The cadre sees how many records wait for review but, without the review permission, no link to a queue
    that would answer 404; the review group gets the link."""
    rec(pw, pw.h1)
    review_url = f'{reverse("points_review")}?scheme={pw.scheme.pk}'
    for user, linked in ((pw.cadre, pw.cadre.has_perm_anywhere("points.review")), (pw.reviewer, True)):
        login(client, user)
        for url in (reverse("points_index"), reverse("points_scheme", args=[pw.scheme.pk])):
            body = client.get(url).content.decode()
            assert (review_url in body) is linked, (user.username, url)
            if linked:
                assert client.get(review_url).status_code == 200
