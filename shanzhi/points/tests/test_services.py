"""Services of 积分制: every refusal writes nothing; the ledger's cached totals equal its entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.points import ledger, services
from shanzhi.points.choices import EntryStatus, QuarterStatus, ReconsiderationStatus
from shanzhi.points.models import Account, Entry, Item, Reconsideration

from .conftest import jpeg

D = dt.date(2026, 11, 18)


def counts():
    return Entry.objects.count(), Account.objects.count(), Reconsideration.objects.count()


def record(w, item=None, household=None, points="2", day=D, **kw):
    return services.entry_record(acting_user=kw.pop("user", w.worker), item_id=(item or w.item).pk,
                                 subject_id=(household or w.h1).pk, points=points, deed_date=day, **kw)


def assert_ledger_ok():
    assert ledger.ledger_mismatches() == []


# --- P1 ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, code", [
    ({"points_min": "3", "points_max": "1"}, "item_range"),
    ({"points_min": "-1", "points_max": "2"}, "item_sign"),
    ({"points_min": "0", "points_max": "0"}, "item_zero"),
    ({"points_min": "1.25", "points_max": "2"}, "points_precision"),
    ({"cap_count": "0", "cap_period": "month"}, "item_cap"),
    ({"cap_count": "2", "cap_period": ""}, "item_cap_period"),
    ({"code": "S01"}, "item_code_duplicate"),
])
def test_item_validation(tree, make_user, clock, spec, code):
    cadre = make_user("village_cadre", tree.v1)
    scheme = services.scheme_create(acting_user=cadre, place=tree.v1, spec=services.SchemeSpec(name="方案", kind="moral"))
    cat = services.category_create(acting_user=cadre, scheme=scheme, name="积孝")
    services.item_save(acting_user=cadre, scheme=scheme, spec=services.ItemSpec(
        category_id=cat.pk, code="S01", name="孝敬老人", points_min="1", points_max="2"))
    data = {"category_id": cat.pk, "code": "S09", "name": "细则", "points_min": "1", "points_max": "2"}
    data.update(spec)
    with pytest.raises(ValidationFailed) as e:
        services.item_save(acting_user=cadre, scheme=scheme, spec=services.ItemSpec(**data))
    assert e.value.code == code
    assert Item.objects.filter(scheme=scheme).count() == 1


def test_adopted_scheme_items_frozen_and_adoption_needs_meeting(pw, tree):
    with pytest.raises(Conflict):
        services.item_save(acting_user=pw.cadre, scheme=pw.scheme, spec=services.ItemSpec(
            category_id=pw.cat.pk, code="S09", name="新细则", points_min="1", points_max="1"))
    draft = services.scheme_create(acting_user=pw.cadre, place=tree.v1, spec=services.SchemeSpec(name="草案", kind="party"))
    cat = services.category_create(acting_user=pw.cadre, scheme=draft, name="五事争先")
    services.item_save(acting_user=pw.cadre, scheme=draft, spec=services.ItemSpec(
        category_id=cat.pk, code="P1", name="带头", points_min="1", points_max="1"))
    with pytest.raises(ValidationFailed) as e:
        services.scheme_adopt(acting_user=pw.cadre, scheme=draft)
    assert e.value.code == "scheme_decision_required"
    draft.refresh_from_db()
    assert draft.status == "draft"
    with pytest.raises(NotFound):  # another village's cadre
        services.scheme_adopt(acting_user=pw.cadre_v2, scheme=draft, decision_note="会议")


def test_township_template_adopted_and_adapted(pw, tree):
    tpl = services.scheme_create(acting_user=pw.dispatcher, place=tree.kejing, is_template=True,
                                 spec=services.SchemeSpec(name="克井镇道德积分模板", kind="moral"))
    cat = services.category_create(acting_user=pw.dispatcher, scheme=tpl, name="积孝")
    services.item_save(acting_user=pw.dispatcher, scheme=tpl, spec=services.ItemSpec(
        category_id=cat.pk, code="X1", name="孝敬父母", points_min="1", points_max="2"))
    with pytest.raises(ValidationFailed):  # not yet published
        services.scheme_copy_template(acting_user=pw.cadre, template=tpl, village=tree.v1)
    services.scheme_adopt(acting_user=pw.dispatcher, scheme=tpl)
    tpl.refresh_from_db()
    copy = services.scheme_copy_template(acting_user=pw.cadre, template=tpl, village=tree.v1, name="东坡村道德积分")
    assert copy.template_id == tpl.pk and copy.status == "draft" and copy.place_id == tree.v1.pk
    assert list(copy.items.values_list("code", "points_min")) == [("X1", Decimal("1.0"))]
    # adapt, then adopt with the meeting
    services.item_save(acting_user=pw.cadre, scheme=copy, spec=services.ItemSpec(
        category_id=copy.categories.get().pk, code="X2", name="本村新增", points_min="0.5", points_max="0.5"))
    services.scheme_adopt(acting_user=pw.cadre, scheme=copy, decision_note="村民代表大会")
    assert tpl.items.count() == 1  # the template is untouched
    with pytest.raises(NotFound):  # a village of another township cannot take it
        services.scheme_copy_template(acting_user=pw.cadre, template=tpl, village=tree.v3)


# --- P2 ---------------------------------------------------------------------------------------------------

def test_record_refusals_write_nothing(pw, tree):
    before = counts()
    cases = [
        ({"points": "5"}, "entry_out_of_range"),
        ({"points": "0.5"}, "entry_out_of_range"),
        ({"item": pw.item2}, "entry_item_other_village"),
        ({"day": dt.date(2026, 11, 21)}, "entry_future"),
        ({"item": pw.photo_item, "points": "2"}, "entry_evidence"),
    ]
    for kw, code in cases:
        with pytest.raises(ValidationFailed) as e:
            record(pw, **kw)
        assert e.value.code == code, kw
    with pytest.raises(NotFound):  # a household outside the worker's grid
        record(pw, household=pw.h3, user=pw.worker)
    assert counts() == before


def test_duplicate_and_cap(pw):
    record(pw)
    before = counts()
    with pytest.raises(ValidationFailed) as e:
        record(pw)
    assert e.value.code == "entry_duplicate"
    record(pw, item=pw.fixed, points="1", day=dt.date(2026, 11, 2))
    record(pw, item=pw.fixed, points="1", day=dt.date(2026, 11, 3))
    before = counts()
    with pytest.raises(ValidationFailed) as e:
        record(pw, item=pw.fixed, points="1", day=dt.date(2026, 11, 4))
    assert e.value.code == "entry_cap"
    assert counts() == before
    record(pw, item=pw.fixed, points="1", day=dt.date(2026, 10, 30))  # another month


def test_record_with_photo_and_batch(pw):
    e = record(pw, item=pw.photo_item, points="3", photos=[jpeg()])
    from shanzhi.files.models import Attachment

    assert Attachment.objects.filter(object_id=e.pk).count() == 1
    assert e.status == EntryStatus.PENDING and e.recorder == pw.worker
    before = counts()
    with pytest.raises(ValidationFailed):  # h1 twice in the batch: nothing written
        services.entries_record_batch(acting_user=pw.worker, item_id=pw.fixed.pk, subject_ids=[pw.h1.pk, pw.h1.pk],
                                      points="1", deed_date=D, note="清洁家园")
    assert counts() == before
    entries = services.entries_record_batch(acting_user=pw.worker, item_id=pw.fixed.pk,
                                            subject_ids=[pw.h1.pk, pw.h2.pk], points="1", deed_date=D,
                                            note="清洁家园", photos=[jpeg()])
    assert len(entries) == 2 and len({x.batch_key for x in entries}) == 1


def test_declare_and_neighbour(pw):
    with pytest.raises(ValidationFailed) as e:
        services.entry_declare(acting_user=pw.villager, item_id=pw.item.pk, points="2", deed_date=D, note="帮邻居收麦")
    assert e.value.code == "declare_photo"
    own = services.entry_declare(acting_user=pw.villager, item_id=pw.item.pk, points="2", deed_date=D,
                                 note="帮邻居收麦", photos=[jpeg()])
    assert own.kind == "declared" and own.account.household_id == pw.h1.pk
    nb = services.entry_declare(acting_user=pw.villager, item_id=pw.item.pk, points="1", deed_date=D,
                                note="赵家帮五保户挑水", neighbour_id=pw.h2.pk)
    assert nb.kind == "neighbour" and nb.account.household_id == pw.h2.pk
    with pytest.raises(ValidationFailed):  # another village's household
        services.entry_declare(acting_user=pw.villager, item_id=pw.item.pk, points="1", deed_date=D,
                               note="外村好事一件", neighbour_id=pw.h3.pk)
    with pytest.raises(ValidationFailed):  # negative items are not declared
        services.entry_declare(acting_user=pw.villager, item_id=pw.bad.pk, points="-5", deed_date=D,
                               note="举报乱倒垃圾", neighbour_id=pw.h2.pk)


# --- P3 ---------------------------------------------------------------------------------------------------

def test_review_rules_and_ledger(pw):
    e1 = record(pw)
    e2 = record(pw, household=pw.h2, points="3")
    with pytest.raises(NotFound):  # a grid worker is not on the review group
        services.entry_review(acting_user=pw.worker, entry_id=e1.pk, decision="approve")
    own = services.entry_declare(acting_user=pw.villager, item_id=pw.item.pk, points="2", deed_date=D - dt.timedelta(days=1),
                                 note="自家事迹一件", photos=[jpeg()])
    from shanzhi.access.services import role_assign

    role_assign(acting_user=None, user=pw.reviewer, role="villager", place=pw.tree.g1)
    pw.reviewer.person = pw.h2.head
    pw.reviewer.save(update_fields=["person"])
    mine = services.entry_declare(acting_user=pw.reviewer, item_id=pw.item.pk, points="1", deed_date=D - dt.timedelta(days=2),
                                  note="我自己的申报", photos=[jpeg()])
    with pytest.raises(ValidationFailed) as err:
        services.entry_review(acting_user=pw.reviewer, entry_id=mine.pk, decision="approve")
    assert err.value.code == "review_own"
    with pytest.raises(ValidationFailed):  # adjust outside the range
        services.entry_review(acting_user=pw.reviewer, entry_id=e1.pk, decision="approve", points="4", note="多")
    with pytest.raises(ValidationFailed):  # reject without reason
        services.entry_review(acting_user=pw.reviewer, entry_id=e2.pk, decision="reject")
    services.entry_review(acting_user=pw.reviewer, entry_id=e1.pk, decision="approve", points="1.5", note="酌减")
    services.entry_review(acting_user=pw.reviewer, entry_id=e2.pk, decision="reject", note="事实不清")
    services.entry_review(acting_user=pw.reviewer2, entry_id=own.pk, decision="approve")
    with pytest.raises(Conflict):
        services.entry_review(acting_user=pw.reviewer2, entry_id=own.pk, decision="approve")
    a1 = Account.objects.get(scheme=pw.scheme, household=pw.h1)
    assert a1.earned == Decimal("3.5")
    assert Account.objects.get(scheme=pw.scheme, household=pw.h2).earned == 0
    with pytest.raises(NotFound):  # another village's reviewer sees nothing
        services.entry_review(acting_user=pw.cadre_v2, entry_id=mine.pk, decision="approve")
    assert_ledger_ok()


def test_spend_refund_credit_contract(pw):
    acc = ledger.account_for(scheme=pw.scheme, household=pw.h1)
    assert ledger.account_for(scheme=pw.scheme, household=pw.h1).pk == acc.pk
    with pytest.raises(ValidationFailed):
        ledger.account_for(scheme=pw.scheme, household=pw.h3)  # another village
    ledger.entry_credit_system(acting_user=pw.cadre, account_id=acc.pk, item_id=pw.item.pk, points="3",
                               kind="recycling", deed_date=D, source_ref="rewards.weighing:1")
    with pytest.raises(ValidationFailed):
        ledger.entry_credit_system(acting_user=pw.cadre, account_id=acc.pk, item_id=pw.item2.pk, points="1",
                                   kind="recycling", deed_date=D, source_ref="x")
    before = counts()
    with pytest.raises(ValidationFailed) as e:
        ledger.account_spend(acting_user=pw.cadre, account_id=acc.pk, points="3.5", reason="兑换洗衣粉",
                             source_ref="rewards.redemption:1")
    assert "积分余额不足" in e.value.message
    assert counts() == before
    ledger.account_spend(acting_user=pw.cadre, account_id=acc.pk, points="2", reason="兑换洗衣粉",
                         source_ref="rewards.redemption:1")
    acc.refresh_from_db()
    assert (acc.earned, acc.spent, acc.spendable) == (Decimal("3"), Decimal("2"), Decimal("1"))
    with pytest.raises(ValidationFailed):
        ledger.account_refund(acting_user=pw.cadre, account_id=acc.pk, points="2.5", reason="取消",
                              source_ref="rewards.redemption:1")
    ledger.account_refund(acting_user=pw.cadre, account_id=acc.pk, points="2", reason="取消预约",
                          source_ref="rewards.redemption:1")
    with pytest.raises(ValidationFailed):  # refunded already
        ledger.account_refund(acting_user=pw.cadre, account_id=acc.pk, points="1", reason="取消",
                              source_ref="rewards.redemption:1")
    acc.refresh_from_db()
    assert acc.spent == 0 and acc.earned == 3
    assert_ledger_ok()


def _approved_quarter(pw):
    e1 = record(pw)
    e2 = record(pw, household=pw.h2, points="1")
    services.entry_review(acting_user=pw.reviewer, entry_id=e1.pk, decision="approve")
    with pytest.raises(ValidationFailed) as err:
        services.quarter_approve(acting_user=pw.cadre, scheme=pw.scheme, starts_on=dt.date(2026, 10, 1))
    assert err.value.code == "quarter_pending"
    services.entry_review(acting_user=pw.reviewer, entry_id=e2.pk, decision="approve")
    q = services.quarter_approve(acting_user=pw.cadre, scheme=pw.scheme, starts_on=dt.date(2026, 10, 1))
    return q, e1, e2


def test_quarter_lock_publication_objection_correction(pw, clock):
    with pytest.raises(NotFound):  # a reviewer is not the branch
        services.quarter_approve(acting_user=pw.reviewer, scheme=pw.scheme, starts_on=dt.date(2026, 10, 1))
    q, e1, e2 = _approved_quarter(pw)
    assert q.status == QuarterStatus.APPROVED
    before = counts()
    with pytest.raises(ValidationFailed) as err:  # editing a locked quarter
        record(pw, day=dt.date(2026, 11, 19))
    assert err.value.code == "points_quarter_locked"
    assert counts() == before
    q = services.quarter_publish(acting_user=pw.cadre, quarter_id=q.pk, starts_on=dt.date(2026, 11, 20),
                                 ends_on=dt.date(2026, 11, 27))
    pub = q.publication
    assert pub.kind == "points_quarter" and len(pub.rows) == 2
    assert all("*" in row[1] for row in pub.rows)  # no consent: masked
    assert "王德善" not in pub.canonical_text
    from shanzhi.publication.services import objection_file

    obj = objection_file(publication=pub, name="赵守信", phone="13800001111", text="我家帮扶邻里应记3分不是1分")
    a2 = Account.objects.get(scheme=pw.scheme, household=pw.h2)
    rec = services.reconsideration_from_objection(acting_user=pw.cadre, objection_id=obj.pk, account_id=a2.pk,
                                                  entry_id=e2.pk)
    clock.now = dt.datetime(2027, 1, 6, 10, 0, tzinfo=clock.now.tzinfo)  # the next quarter is open
    rec = services.reconsideration_decide(acting_user=pw.cadre, reconsideration_id=rec.pk, upheld=True,
                                          investigation="经走访核实，应记3分", points="2")
    assert rec.status == ReconsiderationStatus.UPHELD
    corr = rec.correction
    assert corr.kind == "correction" and corr.corrects_id == e2.pk and corr.points == 2
    e2.refresh_from_db()
    assert e2.points == 1  # never an edit
    a2.refresh_from_db()
    assert a2.earned == 3
    obj.refresh_from_db()
    assert obj.status == "upheld"
    assert_ledger_ok()


def test_reconsideration_by_villager_dismissed(pw):
    e1 = record(pw)
    services.entry_review(acting_user=pw.reviewer, entry_id=e1.pk, decision="approve")
    acc = Account.objects.get(scheme=pw.scheme, household=pw.h1)
    with pytest.raises(NotFound):  # villager of another household
        services.reconsideration_file(acting_user=pw.villager2, account_id=acc.pk, reason="我想复议这条记录")
    rec = services.reconsideration_file(acting_user=pw.villager, account_id=acc.pk, entry_id=e1.pk,
                                        reason="应为3分，请复议")
    with pytest.raises(ValidationFailed):
        services.reconsideration_file(acting_user=pw.villager, account_id=acc.pk, entry_id=e1.pk, reason="再次复议一下")
    with pytest.raises(NotFound):
        services.reconsideration_decide(acting_user=pw.reviewer, reconsideration_id=rec.pk, upheld=False,
                                        investigation="不成立")
    rec = services.reconsideration_decide(acting_user=pw.cadre, reconsideration_id=rec.pk, upheld=False,
                                          investigation="经核实，评议无误")
    assert rec.status == "dismissed" and rec.correction is None
    assert_ledger_ok()


def test_reconsideration_not_decided_by_its_filer_nor_beyond_the_rule(pw, make_user):
    """The cadre who filed a reconsideration cannot decide it, and an upheld correction stays within the range
    of the item it relies on (no minting points); each refusal writes nothing."""
    e1 = record(pw)
    services.entry_review(acting_user=pw.reviewer, entry_id=e1.pk, decision="approve")
    acc = Account.objects.get(scheme=pw.scheme, household=pw.h1)
    rec = services.reconsideration_file(acting_user=pw.cadre, account_id=acc.pk, entry_id=e1.pk,
                                        reason="走访中群众反映应为3分")
    before = Entry.objects.count()
    with pytest.raises(ValidationFailed) as err:
        services.reconsideration_decide(acting_user=pw.cadre, reconsideration_id=rec.pk, upheld=True,
                                        investigation="属实", points="1")
    assert err.value.code == "reconsider_own"
    other = make_user("village_cadre", pw.tree.v1, username="v1_cadre_b", full_name="东坡主任")
    with pytest.raises(ValidationFailed) as err:
        services.reconsideration_decide(acting_user=other, reconsideration_id=rec.pk, upheld=True,
                                        investigation="属实", points="99999")
    assert err.value.code == "reconsider_range" and "超出细则" in err.value.message
    assert Entry.objects.count() == before
    rec.refresh_from_db()
    assert rec.status == ReconsiderationStatus.OPEN
    rec = services.reconsideration_decide(acting_user=other, reconsideration_id=rec.pk, upheld=True,
                                          investigation="属实", points="2")
    assert rec.correction.points == 2
    assert_ledger_ok()


def test_consent_unmasks_name(pw):
    q, e1, e2 = _approved_quarter(pw)
    acc = Account.objects.get(scheme=pw.scheme, household=pw.h1)
    services.account_consent(acting_user=pw.villager, account_id=acc.pk, name_public=True)
    with pytest.raises(NotFound):
        services.account_consent(acting_user=pw.villager2, account_id=acc.pk, name_public=False)
    rows = services.quarter_rows(q)
    assert any(r[1] == "王德善" for r in rows)
    assert all(r[1] != "赵守信" for r in rows)
