"""P4 results (``shanzhi/honours``): quarterly stars by score (每季按分授星), year-end titles and awards, the black
list with the branch's confirmation, suspended benefits, a one-to-one helper, progress notes, removal — each
published with names masked; every refusal writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.honours import services as hs
from shanzhi.honours.models import Listing, ListingNote, ListingStatus, Round, StarAward, TitleAward
from shanzhi.points import services
from shanzhi.points.models import Account, Scheme
from shanzhi.points.ranking import Period
from shanzhi.publication.models import Publication

from .test_ranking import approve, record

pytestmark = pytest.mark.django_db

Q3 = dt.date(2026, 7, 1)


def counts():
    return (Round.objects.count(), StarAward.objects.count(), TitleAward.objects.count(), Listing.objects.count(),
            ListingNote.objects.count(), Publication.objects.count())


@pytest.fixture
def q3(pw, make_household):
    """Q3 2026 (ended; today is 2026-11-20): h1 12 points, h2 6, h5 2 (below the black-list line 7)."""
    w = pw
    w.h5 = make_household(w.cadre, w.tree.g1, head_name="周少分")
    w.helper_person = make_household(w.cadre, w.tree.g1, head_name="党员甲").head
    for day, pts in ((dt.date(2026, 7, 3), "3"), (dt.date(2026, 7, 4), "3"), (dt.date(2026, 8, 5), "3"),
                     (dt.date(2026, 9, 6), "3")):
        approve(w, record(w, w.h1, day, pts))
    approve(w, record(w, w.h2, dt.date(2026, 7, 3), "3"))
    approve(w, record(w, w.h2, dt.date(2026, 8, 3), "3"))
    approve(w, record(w, w.h5, dt.date(2026, 8, 3), "2"))
    w.acc = {a.name: a for a in Account.objects.filter(scheme=w.scheme)}
    return w


def test_stars_by_thresholds_frozen_and_published(q3, client):
    w = q3
    before = counts()
    with pytest.raises(NotFound):
        hs.stars_assess(acting_user=w.cadre_v2, scheme_id=w.scheme.pk, quarter=Q3)
    with pytest.raises(PermissionDenied):
        hs.stars_assess(acting_user=w.reviewer, scheme_id=w.scheme.pk, quarter=Q3)
    with pytest.raises(ValidationFailed) as exc:  # Q4 is running and not approved by the branch
        hs.stars_assess(acting_user=w.cadre, scheme_id=w.scheme.pk, quarter=dt.date(2026, 10, 1))
    assert exc.value.code == "quarter_open"
    assert counts() == before
    rnd = hs.stars_assess(acting_user=w.cadre, scheme_id=w.scheme.pk, quarter=dt.date(2026, 8, 15))
    got = {a.name: (a.score, a.stars) for a in rnd.stars.all()}
    # thresholds: 1★ ≥ 5, 2★ ≥ 10; 周少分's 2 points earn none.
    assert got == {"王德善": (Decimal("12.0"), 2), "赵守信": (Decimal("6.0"), 1)}
    assert rnd.subjects == 3 and rnd.starts_on == Q3
    assert AuditEntry.objects.filter(event="honours_stars_assess").count() == 1
    # Before publication a reassessment replaces the round (e.g. after a correcting entry)…
    hs.stars_assess(acting_user=w.cadre, scheme_id=w.scheme.pk, quarter=Q3)
    assert Round.objects.count() == 1 and StarAward.objects.count() == 2
    # … the ranking page shows the frozen stars beside the live ones …
    client.force_login(w.cadre)
    body = client.get(reverse("points_ranking"), {"scheme": w.scheme.pk, "year": 2026, "q": 3}).content.decode()
    assert "已评定星级" in body and "★★" in body
    # … publication masks the names, and then the round is final.
    hs.round_publish(acting_user=w.cadre, round_id=rnd.pk, starts_on=dt.date(2026, 11, 20),
                     ends_on=dt.date(2026, 11, 27))
    rnd.refresh_from_db()
    pub = rnd.publication
    assert pub.kind == "points_honours" and ["王**", "12.0", "★★"] in pub.rows
    assert not any("王德善" in str(row) for row in pub.rows)
    with pytest.raises(Conflict):
        hs.stars_assess(acting_user=w.cadre, scheme_id=w.scheme.pk, quarter=Q3)
    assert StarAward.objects.count() == 2


def test_stars_need_thresholds(q3):
    w = q3
    Scheme.objects.filter(pk=w.scheme.pk).update(star_thresholds=[])
    with pytest.raises(ValidationFailed) as exc:
        hs.stars_assess(acting_user=w.cadre, scheme_id=w.scheme.pk, quarter=Q3)
    assert exc.value.code == "star_rules_empty" and Round.objects.count() == 0


def test_stars_after_branch_approval_of_the_running_quarter(pw, clock):
    w = pw
    approve(w, record(w, w.h1, dt.date(2026, 10, 5), "3"))
    approve(w, record(w, w.h1, dt.date(2026, 10, 6), "3"))
    services.quarter_approve(acting_user=w.cadre, scheme=w.scheme, starts_on=dt.date(2026, 10, 1))
    rnd = hs.stars_assess(acting_user=w.cadre, scheme_id=w.scheme.pk, quarter=dt.date(2026, 10, 1))
    assert [(a.name, a.stars) for a in rnd.stars.all()] == [("王德善", 1)]


def test_titles_and_awards(q3, clock):
    w = q3
    rules = [{"title": "十星家庭户", "min": 5, "top": 1, "award": 200}, {"title": "文明家庭", "min": 5, "award": 0}]
    Scheme.objects.filter(pk=w.scheme.pk).update(title_rules=[{"title": "十星家庭户", "min": 5, "award": 500}])
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        clock.now = clock.now.replace(year=2027, month=1, day=10)
        hs.titles_assess(acting_user=w.cadre, scheme_id=w.scheme.pk, year=2026)
    assert exc.value.code == "title_award" and counts() == before
    Scheme.objects.filter(pk=w.scheme.pk).update(title_rules=rules)
    clock.now = clock.now.replace(year=2026, month=11, day=20)
    with pytest.raises(ValidationFailed) as exc:
        hs.titles_assess(acting_user=w.cadre, scheme_id=w.scheme.pk, year=2026)  # the year is not over
    assert exc.value.code == "year_open" and counts() == before
    clock.now = clock.now.replace(year=2027, month=1, day=10)
    rnd = hs.titles_assess(acting_user=w.cadre, scheme_id=w.scheme.pk, year=2026)
    got = sorted((a.title, a.rank, a.name, a.award) for a in rnd.titles.all())
    assert got == [("十星家庭户", 1, "王德善", Decimal("200.00")), ("文明家庭", 1, "王德善", Decimal("0.00")),
                   ("文明家庭", 2, "赵守信", Decimal("0.00"))]


def test_blacklist_path(q3, client):
    w = q3
    before = counts()
    with pytest.raises(ValidationFailed) as exc:  # Q4 has not ended
        hs.blacklist_propose(acting_user=w.cadre, scheme_id=w.scheme.pk, period=Period.quarter(dt.date(2026, 10, 1)))
    assert exc.value.code == "period_open"
    with pytest.raises(PermissionDenied):
        hs.blacklist_propose(acting_user=w.worker, scheme_id=w.scheme.pk, period=Period.quarter(Q3))
    assert counts() == before
    proposed = hs.blacklist_propose(acting_user=w.reviewer, scheme_id=w.scheme.pk, period=Period.quarter(Q3))
    assert sorted((x.name, x.score) for x in proposed) == [("周少分", Decimal("2.0")), ("赵守信", Decimal("6.0"))]
    with pytest.raises(ValidationFailed):  # not twice for the same period
        hs.blacklist_propose(acting_user=w.reviewer, scheme_id=w.scheme.pk, period=Period.quarter(Q3))
    low = next(x for x in proposed if x.name == "周少分")
    other = next(x for x in proposed if x.name == "赵守信")
    # Refusals: the reviewer cannot confirm; no benefits, no helper, the subject as its own helper: nothing changes.
    ok = {"benefits": ["公益性岗位资格"], "helper_id": w.helper_person.pk, "conditions": "连续两季度不低于7分"}
    with pytest.raises(PermissionDenied):
        hs.listing_confirm(acting_user=w.reviewer, listing_id=low.pk, **ok)
    for bad, code in ((dict(ok, benefits=[]), "benefits_required"), (dict(ok, helper_id=None), "helper_required"),
                      (dict(ok, helper_id=w.h5.head.pk), "helper_self"), (dict(ok, conditions=" "), "conditions_required"),
                      (dict(ok, months=30), "months")):
        with pytest.raises(ValidationFailed) as exc:
            hs.listing_confirm(acting_user=w.cadre, listing_id=low.pk, **bad)
        assert exc.value.code == code
    low.refresh_from_db()
    assert low.status == ListingStatus.PROPOSED and low.helper_id is None
    hs.listing_dismiss(acting_user=w.cadre, listing_id=other.pk, note="外出务工，不在村")
    hs.listing_confirm(acting_user=w.cadre, listing_id=low.pk, months=12, **ok)
    low.refresh_from_db()
    assert low.status == ListingStatus.LISTED and low.suspended_until == dt.date(2027, 11, 20)
    assert low.benefits == ["公益性岗位资格"] and low.helper == w.helper_person
    # Published (masked), only the confirmed listing.
    assert hs.blacklist_publish(acting_user=w.cadre, scheme_id=w.scheme.pk, starts_on=dt.date(2026, 11, 20),
                                ends_on=dt.date(2026, 11, 27)) == 1
    low.refresh_from_db()
    assert low.publication.kind == "points_blacklist" and low.publication.rows[0][0] == "周**"
    # The way back: a helper's note, then removal when the conditions are met, published.
    hs.listing_note_add(acting_user=w.worker, listing_id=low.pk, text="上门帮扶，参加了义务劳动")
    with pytest.raises(ValidationFailed):
        hs.listing_remove(acting_user=w.cadre, listing_id=low.pk, reason="", starts_on=dt.date(2026, 11, 20),
                          ends_on=dt.date(2026, 11, 27))
    hs.listing_remove(acting_user=w.cadre, listing_id=low.pk, reason="第四季度得分 9 分，达到移出条件",
                      starts_on=dt.date(2026, 11, 20), ends_on=dt.date(2026, 11, 27))
    low.refresh_from_db()
    assert low.status == ListingStatus.REMOVED and low.removal_publication.rows[0][0] == "周**"
    with pytest.raises(Conflict):
        hs.listing_note_add(acting_user=w.worker, listing_id=low.pk, text="再记")
    # The pages: the listing with its notes; another village's cadre gets 404.
    client.force_login(w.cadre)
    body = client.get(reverse("honours_listing", args=[low.pk])).content.decode()
    assert "上门帮扶" in body and "已移出黑榜" in body and "党员甲" in body
    client.force_login(w.cadre_v2)
    assert client.get(reverse("honours_listing", args=[low.pk])).status_code == 404
    assert client.post(reverse("honours_listing_note", args=[low.pk]), {"text": "x"}).status_code == 404


def test_pages_and_buttons(q3, client):
    w = q3
    client.force_login(w.cadre)
    r = client.post(reverse("honours_stars_assess"), {"scheme": w.scheme.pk, "year": 2026, "q": 3})
    rnd = Round.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("honours_round", args=[rnd.pk])
    body = client.get(r["Location"]).content.decode()
    assert "王德善" in body and "2★" in body
    assert client.get(reverse("honours_index"), {"scheme": w.scheme.pk}).status_code == 200
    r = client.post(reverse("honours_blacklist_propose"), {"scheme": w.scheme.pk, "period": "quarter", "year": 2026,
                                                           "q": 3})
    assert r.status_code == 302 and Listing.objects.count() == 2
    body = client.get(reverse("honours_blacklist"), {"scheme": w.scheme.pk}).content.decode()
    assert "周少分" in body and "待支部审核" in body
    listing = Listing.objects.get(name="周少分")
    body = client.get(reverse("honours_listing", args=[listing.pk])).content.decode()
    assert "党员甲" not in body or "helper-select" in body  # helpers offered: the village's party members
    # A refused confirmation is a message, nothing written.
    r = client.post(reverse("honours_listing_confirm", args=[listing.pk]), {"helper": "", "conditions": "x"},
                    follow=True)
    assert "请写明暂停的待遇" in r.content.decode()
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PROPOSED
