"""The ledger under parallel connections (PostgreSQL only: SQLite serialises writers and proves nothing): two
reviewers approving the same record — exactly one wins; spends racing for the last points while records are being
approved — the balance never goes negative and the cached totals equal the entries."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.db.models import F

from shanzhi.core.errors import ApplicationError
from shanzhi.points import ledger, services
from shanzhi.points.models import Account, Entry

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are exercised on PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]


def _race(jobs):
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
        except Exception as exc:
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


def test_two_reviewers_one_record(pw):
    entry = services.entry_record(acting_user=pw.worker, item_id=pw.item.pk, subject_id=pw.h1.pk, points="3",
                                  deed_date=dt.date(2026, 11, 18))
    wins, refusals = _race([
        lambda: services.entry_review(acting_user=pw.reviewer, entry_id=entry.pk, decision="approve"),
        lambda: services.entry_review(acting_user=pw.reviewer2, entry_id=entry.pk, decision="approve"),
    ])
    assert len(wins) == 1 and len(refusals) == 1
    assert Account.objects.get(pk=entry.account_id).earned == 3
    assert ledger.ledger_mismatches() == []


def test_spends_and_approvals_race(pw):
    acc = ledger.account_for(scheme=pw.scheme, household=pw.h1)
    ledger.entry_credit_system(acting_user=pw.cadre, account_id=acc.pk, item_id=None, points="5", kind="deed",
                               deed_date=dt.date(2026, 11, 1), source_ref="seed")
    pending = [services.entry_record(acting_user=pw.worker, item_id=pw.item.pk, subject_id=pw.h1.pk, points="1",
                                     deed_date=dt.date(2026, 11, d)) for d in (2, 3, 4)]
    jobs = [lambda n=n: ledger.account_spend(acting_user=pw.cadre, account_id=acc.pk, points="2",
                                             reason="兑换", source_ref=f"race:{n}") for n in range(6)]
    jobs += [lambda e=e: services.entry_review(acting_user=pw.reviewer, entry_id=e.pk, decision="approve")
             for e in pending]
    wins, refusals = _race(jobs)
    acc.refresh_from_db()
    assert acc.earned == 8
    spends = Entry.objects.filter(account=acc, kind="spend").count()
    assert spends == len(wins) - 3 and 2 <= spends <= 4
    assert acc.spent == 2 * spends and acc.spendable >= 0
    assert not Account.objects.filter(spent__gt=F("earned")).exists()
    assert ledger.ledger_mismatches() == []
