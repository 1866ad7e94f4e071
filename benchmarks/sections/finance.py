"""村级财务 (domain.md A3): a village's ledger list, an entry page (vouchers, chain, history), the approval queue,
a month's statement page and the township's disclosure overview, as the demo bookkeeper and cadre. Each beside the
empty view and the indexed raw SQL that answers the same page."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client

from shanzhi.access.models import User
from shanzhi.finance.models import Entry, Ledger, Statement


def ledger_sql(ledger_id: int) -> tuple[str, list[Any]]:
    return ("SELECT e.id, e.number, e.date, e.kind, e.amount, e.summary, c.name FROM finance_entry e "
            "JOIN finance_category c ON c.id = e.category_id WHERE e.ledger_id = %s "
            "ORDER BY e.date DESC, e.id DESC LIMIT 51", [ledger_id])


def entry_sql(pk: int) -> list[tuple[str, list[Any]]]:
    return [("SELECT * FROM finance_entry WHERE id = %s", [pk]),
            ("SELECT * FROM finance_entryhistory WHERE entry_id = %s ORDER BY at, id", [pk])]


def overview_sql() -> tuple[str, list[Any]]:
    return ("SELECT ledger_id, month FROM finance_statement ORDER BY ledger_id, month", [])


def run(runs: int) -> None:
    import run as bench  # benchmarks/run.py: measure, count_queries, run_raw

    keeper = User.objects.filter(username="bookkeeper").first()
    cadre = User.objects.filter(username="cadre").first()
    ledger = Ledger.objects.order_by("id").first()
    entry = Entry.objects.filter(ledger=ledger).order_by("-id").first() if ledger else None
    statement = Statement.objects.filter(ledger=ledger).order_by("-month").first() if ledger else None
    if keeper is None or cadre is None or entry is None or statement is None:
        print("\nfinance: no demo books here (run `shanzhi demo`), skipped")
        return
    print(f"\nfinance: {Ledger.objects.count():,} ledgers, {Entry.objects.count():,} entries, "
          f"{Statement.objects.count():,} statements; median / p95 of {runs} runs in ms ({connection.vendor})")
    header = f"{'user':<10} {'page':<34} {'median':>7} {'p95':>7} {'queries':>7} {'raw SQL':>8} {'rows':>5}"
    print(header)
    print("-" * len(header))
    k, c = Client(), Client()
    k.force_login(keeper)
    c.force_login(cadre)
    month = f"{statement.month:%Y-%m}"
    pages = [("keeper", k, "empty view (floor)", "/bench/empty", []),
             ("keeper", k, "ledger list", f"/finance/ledgers/{ledger.pk}/", [ledger_sql(ledger.pk)]),
             ("keeper", k, "entry page (chain, history)", f"/finance/entries/{entry.pk}/", entry_sql(entry.pk)),
             ("keeper", k, "township overview", "/finance/villages/", [overview_sql()]),
             ("cadre", c, "approval queue", "/finance/approvals/", []),
             ("cadre", c, "month statement", f"/finance/ledgers/{ledger.pk}/months/{month}/", [])]
    bench.time_pages(pages, runs)
