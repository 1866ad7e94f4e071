"""Demo data of 村级财务 (registry order 60), through the services: 东坡村's books kept by 克井镇 (村账乡代管, entered
by a demo ``bookkeeper`` account made here), 西岭村 keeping its own; three months of entries (grants, contract
income, office costs, cadre pay run through a four-step chain the demo accounts can sign: 村文书 (cadre) → 民主理财小组
(reviewer) → 村务监督委员会 (supervisor) → 包村干部 (township)); the older months published, last month with an
expense waiting in the chain (so 待我审批 and the late-villages page have something to show); the cadre-pay book and
the asset and resource registers published. Idempotent: a village that already has books is left alone."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.timezone import localdate

from shanzhi.access.models import User
from shanzhi.regions.models import Place

from . import services
from .choices import Book
from .models import Ledger

V1, V2 = "419001100201", "419001100202"
KEY_TOWNSHIP = "419001100000"


def _voucher(n: int) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (360, 220), (250, 248, 240))
    draw = ImageDraw.Draw(img)
    draw.rectangle((8, 8, 351, 211), outline=(180, 40, 40), width=3)
    draw.text((24, 24), f"RECEIPT No. {n:05d}", fill=(120, 20, 20))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return SimpleUploadedFile(f"voucher-{n}.jpg", buf.getvalue(), content_type="image/jpeg")


def _user(username: str) -> Any:
    return User.objects.filter(username=username, is_active=True).first()


def _bookkeeper(township: Place) -> Any:
    from shanzhi.access.services import role_assign, user_create
    from shanzhi.demo.services import DEMO_PASSWORD

    user = _user("bookkeeper")
    if user is None:
        user = user_create(acting_user=None, username="bookkeeper", password=DEMO_PASSWORD, full_name="乡镇代理记账员",
                           must_change_password=False)
        role_assign(acting_user=None, user=user, role="bookkeeper", place=township)
        user = User.objects.get(pk=user.pk)
    return user


MONTH_PLAN = [  # kind, category, amount, counterparty, private, summary
    ("income", "补助收入", "8000", "克井镇财政所", False, "镇拨付村级组织运转经费"),
    ("income", "发包及上交收入", "3600", "王某某", True, "村集体鱼塘年度承包费"),
    ("expense", "管理费用", "320", "克井镇文具店", False, "购买办公用品"),
    ("expense", "干部报酬", "1800", "李某某", True, "村干部误工补贴"),
    ("expense", "公益支出", "2600", "济源市宏达建材店", False, "修缮村小学围墙（水泥、砖）"),
]


def _month(ledger: Ledger, month: Any, keeper: Any, signers: list[Any], *, n0: int, post_all: bool) -> int:
    n = n0
    for i, (kind, cat, amount, party, private, summary) in enumerate(MONTH_PLAN):
        day = month.replace(day=min(3 + i * 5, 27))
        n += 1
        entry = services.entry_create(
            acting_user=keeper, ledger=ledger, date=day, kind=kind, category=ledger.categories.get(name=cat),
            amount=amount, counterparty=party, counterparty_private=private, summary=summary, vouchers=[_voucher(n)])
        if entry.needs_chain:
            todo = signers if post_all else signers[:1]
            for signer in todo:
                entry = services.entry_approve(acting_user=signer, entry=entry, reason="属实")
            if not post_all:
                continue
        services.entry_post(acting_user=keeper, entry=entry)
    return n


def load_demo(*, scale: str, seed: int, say: Callable[[str], None]) -> None:
    villages = {p.code: p for p in Place.objects.filter(code__in=[V1, V2])}
    township = Place.objects.filter(code=KEY_TOWNSHIP).first()
    cadre, cadre2 = _user("cadre"), _user("cadre2")
    reviewer, supervisor, staff = _user("reviewer"), _user("supervisor"), _user("township")
    if V1 not in villages or township is None or None in (cadre, reviewer, supervisor, staff):
        say("村级财务：演示村或账号不存在，跳过")
        return
    keeper = _bookkeeper(township)
    today = localdate()
    first = services.add_months(today.replace(day=1), -3)
    signers = [cadre, reviewer, supervisor, staff]
    chain = [services.StepSpec("村文书", "village_cadre"), services.StepSpec("民主理财小组", "reviewer"),
             services.StepSpec("村务监督委员会", "supervisor"), services.StepSpec("包村干部", "township_staff", "township")]
    made = 0
    for code, publisher, agency in ((V1, cadre, True), (V2, cadre2, False)):
        village = villages.get(code)
        if village is None or publisher is None or Ledger.objects.filter(village=village).exists():
            continue
        enterer = keeper if agency else publisher
        ledger = services.ledger_open(acting_user=enterer, village=village, start_month=first, opening_balance="25000",
                                      agency_bookkeeping=agency, chain_threshold="1000", decision_threshold="50000")
        if code == V1:
            services.chain_configure(acting_user=keeper, ledger=ledger, chain_threshold="1000",
                                     decision_threshold="50000", steps=chain)
            n = 0
            for k in range(2):
                month = services.add_months(first, k)
                n = _month(ledger, month, enterer, signers, n0=n, post_all=True)
                services.statement_publish(acting_user=publisher, ledger=ledger, month=month,
                                           contact="村委会 财务室")
            # Last month: one expense still in the chain (waiting for the democratic finance group).
            _month(ledger, services.add_months(first, 2), enterer, signers, n0=n, post_all=False)
            services.book_item_add(acting_user=enterer, ledger=ledger, book=Book.ASSETS, name="村委会办公楼",
                                   quantity="1栋 420㎡", value="380000", note="2015年建成")
            services.book_item_add(acting_user=enterer, ledger=ledger, book=Book.RESOURCES, name="集体鱼塘",
                                   quantity="12亩", value="0", counterparty="王某某（承包至2028年）")
            services.book_item_add(acting_user=enterer, ledger=ledger, book=Book.DEBTS, name="道路工程尾款",
                                   direction="payable", value="15000", counterparty="济源市路桥公司")
            for book in (Book.CADRE_PAY, Book.ASSETS, Book.RESOURCES):
                services.book_publish(acting_user=publisher, ledger=ledger, book=book, year=first.year)
        else:
            # 西岭村 keeps its own books with the default chain; its village signers are not all in the demo, so
            # only small expenses here; one month published, the next one late.
            entry = services.entry_create(
                acting_user=enterer, ledger=ledger, date=first.replace(day=8), kind="income",
                category=ledger.categories.get(name="投资收益"), amount="5200", counterparty="西岭村合作社",
                summary="合作社分红", vouchers=[_voucher(900)])
            services.entry_post(acting_user=enterer, entry=entry)
            entry = services.entry_create(
                acting_user=enterer, ledger=ledger, date=first.replace(day=15), kind="expense",
                category=ledger.categories.get(name="公益支出"), amount="680", counterparty="西岭村保洁员",
                counterparty_private=True, summary="村内道路保洁", vouchers=[_voucher(901)])
            services.entry_post(acting_user=enterer, entry=entry)
            services.statement_publish(acting_user=publisher, ledger=ledger, month=first)
        made += 1
    say(f"村级财务：{made} 个村的账簿、收支记录、月报和七本账")
