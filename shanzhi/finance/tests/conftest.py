from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.timezone import localdate
from PIL import Image


def jpeg(name="voucher.jpg"):
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (60, 120, 200)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def months_ago(n: int):
    from shanzhi.finance.services import add_months

    return add_months(localdate().replace(day=1), -n)


@pytest.fixture
def fin(tree, make_user):
    """东坡村's books kept by 克井镇 (村账乡代管), with the default chain's signers; 西岭村 keeps its own books."""
    from shanzhi.finance.services import ledger_open

    w = SimpleNamespace(tree=tree)
    w.bookkeeper = make_user("bookkeeper", tree.kejing, username="kejing_bookkeeper", full_name="代理记账员")
    w.clerk = make_user("village_cadre", tree.v1, username="v1_clerk", full_name="村文书")
    w.secretary = make_user("village_cadre", tree.v1, username="v1_secretary", full_name="村支书")
    w.reviewer = make_user("reviewer", tree.v1, username="v1_reviewer", full_name="理财小组")
    w.supervisor = make_user("supervisor", tree.v1, username="v1_supervisor", full_name="监委会主任")
    w.staff = make_user("township_staff", tree.kejing, username="kejing_staff", full_name="包村干部")
    w.leader = make_user("leader", tree.kejing, username="kejing_leader", full_name="镇长")
    w.cadre_v2 = make_user("village_cadre", tree.v2, username="v2_cadre", full_name="西岭会计")
    w.wulong_bookkeeper = make_user("bookkeeper", tree.wulong, username="wulong_bookkeeper")
    w.villager = make_user("villager", tree.v1, username="v1_villager")
    w.start = months_ago(2)
    w.ledger = ledger_open(acting_user=w.bookkeeper, village=tree.v1, start_month=w.start, opening_balance="10000",
                           chain_threshold="1000", decision_threshold="50000")
    w.ledger_v2 = ledger_open(acting_user=w.cadre_v2, village=tree.v2, start_month=w.start,
                              agency_bookkeeping=False)
    w.signers = [w.clerk, w.secretary, w.reviewer, w.supervisor, w.staff, w.leader]

    def category(name, ledger=None):
        return (ledger or w.ledger).categories.get(name=name)

    w.category = category

    def entry(amount="500", kind="expense", cat="公益支出", day=None, user=None, ledger=None, **kw):
        from shanzhi.finance.services import entry_create

        return entry_create(acting_user=user or w.bookkeeper, ledger=ledger or w.ledger, date=day or w.start.replace(day=5),
                            kind=kind, category=category(cat, ledger), amount=amount,
                            counterparty=kw.pop("counterparty", "济源市建材店"), summary=kw.pop("summary", "购买水泥"),
                            vouchers=kw.pop("vouchers", [jpeg()]), **kw)

    w.entry = entry

    def walk(e, signers=None):
        from shanzhi.finance.services import entry_approve

        for user in signers or w.signers:
            e = entry_approve(acting_user=user, entry=e)
        return e

    w.walk = walk
    return w
