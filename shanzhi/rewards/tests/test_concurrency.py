"""Redemption hammered from parallel connections (issue 4, "Done means"): many threads, each with its own
database connection, start at the same instant and race for the last items, the last points and one pay code.
Exactly the expected number win; no spendable balance or stock goes negative; every account's cached totals
equal its ledger. PostgreSQL only: SQLite serialises writers on one file lock and proves nothing here."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F

from shanzhi.core.errors import ApplicationError
from shanzhi.points import ledger
from shanzhi.points.ledger import ledger_mismatches
from shanzhi.points.models import Account, Entry
from shanzhi.rewards import services
from shanzhi.rewards.models import Goods, MerchantRedemption, Redemption

from .conftest import make_scheme

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are exercised on PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 10


@pytest.fixture(autouse=True)
def slow_commit(monkeypatch):
    """Widen the race window: each write transaction lingers 50 ms after its checks and before it commits (its
    audit entry is the last thing it writes), as on a busy server. Without the row locks the racers would now
    read the same stock or balance and oversell; with them they queue."""
    import time

    from shanzhi.rewards import services as rewards_services

    real = rewards_services.audit_record

    def slow(**kwargs):
        time.sleep(0.05)
        return real(**kwargs)

    monkeypatch.setattr(rewards_services, "audit_record", slow)


def _race(jobs):
    """Run each job in its own thread (own connection), all released at once; return (wins, refusal messages)."""
    barrier = threading.Barrier(len(jobs))
    wins, refusals, crashes = [], [], []
    lock = threading.Lock()

    def run(job):
        try:
            barrier.wait(timeout=30)
            result = job()
            with lock:
                wins.append(result)
        except ApplicationError as exc:
            with lock:
                refusals.append(exc.message)
        except Exception as exc:  # a deadlock or a database error would land here and fail the test
            with lock:
                crashes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert crashes == []
    return wins, refusals


def _invariants():
    assert not Account.objects.filter(spent__gt=F("earned")).exists()  # no negative spendable balance
    assert not Goods.objects.filter(stock__lt=0).exists()
    assert ledger_mismatches() == []  # every account's cached earned/spent equal its entries


def test_race_for_the_last_items(world, make_household):
    """Ten households, each paying from a different scheme of the village (so nothing but the goods row lock
    stands between them), race for three rice cookers."""
    w = world
    accounts = []
    for i in range(THREADS):
        household = make_household(w.cadre, w.tree.g1, head_name=f"抢购{i}")
        scheme = make_scheme(w.tree.v1, w.cadre, name=f"东坡村积分方案{i}")
        account = ledger.account_for(scheme=scheme, household=household)
        w.credit(account, 100)
        accounts.append(account)
    goods = services.goods_create(acting_user=w.keeper, shop=w.shop, name="电饭煲", price_points="40", stock=3)

    def job(account):
        return lambda: services.redemption_create(acting_user=w.keeper, goods_id=goods.pk, account_id=account.pk,
                                                  qty=1, channel="shop")

    wins, refusals = _race([job(a) for a in accounts])
    assert len(wins) == 3 and len(refusals) == THREADS - 3
    assert all("库存不足" in m for m in refusals)
    assert Goods.objects.get(pk=goods.pk).stock == 0
    assert Redemption.objects.filter(goods=goods).count() == 3
    # The losers' spends were rolled back with them: exactly three accounts paid.
    assert Account.objects.filter(pk__in=[a.pk for a in accounts], spent=Decimal("40.0")).count() == 3
    assert Entry.objects.filter(kind="spend", account__in=accounts).count() == 3
    _invariants()


def test_race_for_the_last_points(world):
    w = world  # w.account: 50 points
    goods = services.goods_create(acting_user=w.keeper, shop=w.shop, name="大米", price_points="20", stock=100)

    def job(i):
        if i % 2:
            return lambda: services.redemption_create(acting_user=w.keeper, goods_id=goods.pk,
                                                      account_id=w.account.pk, qty=1, channel="shop")
        return lambda: services.redemption_create(acting_user=w.villager, goods_id=goods.pk, account_id=w.account.pk,
                                                  qty=1, channel="phone")

    wins, refusals = _race([job(i) for i in range(THREADS)])
    assert len(wins) == 2 and all("积分余额不足" in m for m in refusals)
    account = Account.objects.get(pk=w.account.pk)
    assert (account.earned, account.spent, account.spendable) == (Decimal("50.0"), Decimal("40.0"), Decimal("10.0"))
    assert Goods.objects.get(pk=goods.pk).stock == 98
    _invariants()


def test_race_cancel_against_expiry_and_new_reservations(world, clock):
    """A reservation cancelled twice at once and swept at the same time is refunded once; new reservations
    racing for the stock it frees never oversell."""
    import datetime as dt

    w = world
    r = services.redemption_create(acting_user=w.villager, goods_id=w.oil.pk, account_id=w.account.pk, qty=1,
                                   channel="phone")
    clock.now = clock.now + dt.timedelta(days=4)
    jobs = [lambda: services.redemption_cancel(acting_user=w.villager, redemption_id=r.pk) for _ in range(4)]
    jobs += [lambda: services.redemptions_expire() or None for _ in range(3)]
    wins, refusals = _race(jobs)
    r.refresh_from_db()
    assert r.state in ("cancelled", "expired")
    assert Entry.objects.filter(kind="refund", source_ref=f"rewards.redemption:{r.code}").count() == 1
    assert Goods.objects.get(pk=w.oil.pk).stock == 1
    account = Account.objects.get(pk=w.account.pk)
    assert account.spent == Decimal("0.0")
    _invariants()


def test_one_pay_code_confirmed_once(merchant_world):
    w = merchant_world
    pay, signed = services.pay_token_issue(acting_user=w.villager, account_id=w.account.pk)

    def job(i):
        if i % 2:
            return lambda: services.merchant_confirm(acting_user=w.merchant_user, merchant=w.merchant,
                                                     offer_id=w.offer.pk, token=signed)
        return lambda: services.merchant_confirm(acting_user=w.merchant_user, merchant=w.merchant,
                                                 offer_id=w.offer.pk, code=pay.code)

    wins, refusals = _race([job(i) for i in range(THREADS)])
    assert len(wins) == 1 and all("已使用过" in m for m in refusals)
    assert MerchantRedemption.objects.count() == 1
    assert Account.objects.get(pk=w.account.pk).spent == Decimal("10.0")
    _invariants()
