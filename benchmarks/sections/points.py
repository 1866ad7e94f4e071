"""Points pages at county scale (issue 4: "a village's quarterly ranking and a villager's balance page answer in
well under a second"), as the village cadre of the demo (``cadre``): the village's ranking for the last finished
quarter, one household's results (balance) page, and one grid's entries for a month (its ledger, 一网格一档), each
beside the empty view and the indexed raw SQL that answers the same page. Needs the year of points that
``shanzhi.points.bulk`` loads with ``shanzhi demo --scale county``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Count
from django.test import Client

from shanzhi.access.models import User
from shanzhi.access.roles import Perm
from shanzhi.core.lookups import successor
from shanzhi.points.choices import EARNING_KINDS
from shanzhi.points.models import Account, Entry, Scheme
from shanzhi.points.ranking import Period, quarter_start
from shanzhi.regions.models import Place


def _earning() -> tuple[str, list[str]]:
    return ", ".join(["%s"] * len(EARNING_KINDS)), [str(k) for k in EARNING_KINDS]


def ranking_sql(scheme_id: int, period: Period) -> tuple[str, list[Any]]:
    marks, kinds = _earning()
    return ("SELECT a.id, a.name, a.earned, a.spent, COALESCE(SUM(e.points), 0) AS score, COUNT(e.id), "
            "RANK() OVER (ORDER BY COALESCE(SUM(e.points), 0) DESC) AS rnk "
            "FROM points_account a LEFT JOIN points_entry e ON e.account_id = a.id AND e.status = 'approved' "
            f"AND e.kind IN ({marks}) AND e.quarter >= %s AND e.quarter <= %s "
            "AND e.deed_date >= %s AND e.deed_date <= %s "
            "WHERE a.scheme_id = %s GROUP BY a.id, a.name, a.earned, a.spent ORDER BY rnk, a.name, a.id LIMIT 51",
            [*kinds, quarter_start(period.starts_on), quarter_start(period.ends_on), period.starts_on,
             period.ends_on, scheme_id])


def balance_sql(account_id: int, scheme_id: int, period: Period) -> list[tuple[str, list[Any]]]:
    marks, kinds = _earning()
    year = Period.year(period.starts_on.year)
    return [
        ("SELECT a.*, s.name FROM points_account a JOIN points_scheme s ON s.id = a.scheme_id WHERE a.id = %s",
         [account_id]),
        # every account's score in the period (the rank), then this account's quarters and items
        (f"SELECT account_id, SUM(points) FROM points_entry WHERE scheme_id = %s AND quarter = %s "
         f"AND status = 'approved' AND kind IN ({marks}) GROUP BY account_id", [scheme_id, period.starts_on, *kinds]),
        (f"SELECT quarter, SUM(points), COUNT(*) FROM points_entry WHERE account_id = %s AND deed_date >= %s "
         f"AND deed_date <= %s AND status = 'approved' AND kind IN ({marks}) GROUP BY quarter",
         [account_id, year.starts_on, year.ends_on, *kinds]),
        (f"SELECT item_id, SUM(points), COUNT(*) FROM points_entry WHERE account_id = %s AND deed_date >= %s "
         f"AND deed_date <= %s AND status = 'approved' AND kind IN ({marks}) GROUP BY item_id",
         [account_id, period.starts_on, period.ends_on, *kinds]),
    ]


def ledger_sql(grid_path: str, scheme_id: int, start: dt.date, end: dt.date) -> tuple[str, list[Any]]:
    return ("SELECT e.id, e.deed_date, e.points, e.kind, e.status, a.name, i.code, i.name FROM points_entry e "
            "JOIN points_account a ON a.id = e.account_id LEFT JOIN points_item i ON i.id = e.item_id "
            "WHERE e.place_path >= %s AND e.place_path < %s AND e.deed_date >= %s AND e.deed_date <= %s "
            "AND e.scheme_id = %s ORDER BY e.deed_date DESC, e.id DESC LIMIT 51",
            [grid_path, successor(grid_path), start, end, scheme_id])


def _village_cases(today: dt.date) -> list[tuple[str, Any, Scheme]]:
    """(who, user, scheme): the demo cadre's own village (its scheme run through the services), and — as the
    township dispatcher of 克井镇 — the village of that township with the most accounts in a bulk-loaded scheme
    (a typical county village of ~400–500 households, the worst case of the township)."""
    out: list[tuple[str, Any, Scheme]] = []
    cadre = User.objects.filter(username="cadre").first()
    if cadre is not None and cadre.scope_paths(Perm.POINTS_VIEW):
        village = cadre.scope_paths(Perm.POINTS_VIEW)[0]
        scheme = Scheme.objects.filter(place_path=village, is_template=False).order_by("pk").first()
        if scheme is not None and Entry.objects.filter(scheme=scheme).exists():
            out.append(("cadre", cadre, scheme))
    dispatcher = User.objects.filter(username="dispatcher").first()
    if dispatcher is not None and dispatcher.scope_paths(Perm.POINTS_VIEW):
        township = dispatcher.scope_paths(Perm.POINTS_VIEW)[0]
        biggest = (Account.objects.filter(place_path__prefix=township, scheme__is_template=False)
                   .values("scheme_id").annotate(n=Count("id")).order_by("-n", "scheme_id").first())
        if biggest is not None:
            out.append(("dispatcher", dispatcher, Scheme.objects.get(pk=biggest["scheme_id"])))
    return out


def run(runs: int) -> None:
    import run as bench  # benchmarks/run.py: measure, count_queries, run_raw

    today = dt.date.today()
    cases = _village_cases(today)
    if not cases:
        print("\npoints: no points records; run `shanzhi demo --scale county` first.")
        return
    total = Entry.objects.count()
    period = Period.quarter(quarter_start(today) - dt.timedelta(days=1))  # the last finished quarter
    month_end = today.replace(day=1) - dt.timedelta(days=1)
    month_start = month_end.replace(day=1)
    print(f"\npoints: {total:,} entries in the county; median / p95 of {runs} runs in ms ({connection.vendor})")
    header = f"{'user':<10} {'page':<44} {'median':>7} {'p95':>7} {'queries':>7} {'raw SQL':>8} {'rows':>5}"
    print(header)
    print("-" * len(header))
    for who, user, scheme in cases:
        village = scheme.place_path
        accounts = Account.objects.filter(scheme=scheme).count()
        account = Account.objects.filter(scheme=scheme).order_by("-earned", "pk")[accounts // 2]
        grid = Place.objects.filter(path__prefix=village, level="grid").order_by("path").first()
        client = Client()
        client.force_login(user)
        ledger_q = (f"scheme={scheme.pk}&place={grid.code}&from={month_start:%Y-%m-%d}&to={month_end:%Y-%m-%d}")
        where = f"{scheme.place.name}（{accounts}户）"
        pages: list[tuple[str, str, list[tuple[str, list[Any]]]]] = [
            ("empty view (floor)", "/bench/empty", []),
            (f"ranking, {where}, {period.label}", f"/points/results/?scheme={scheme.pk}&{period.query}",
             [ranking_sql(scheme.pk, period)]),
            (f"ranking, {where}, year", f"/points/results/?scheme={scheme.pk}&period=year&year={today.year}",
             [ranking_sql(scheme.pk, Period.year(today.year))]),
            ("household results (balance)", f"/points/results/accounts/{account.pk}/?{period.query}",
             balance_sql(account.pk, scheme.pk, period)),
            (f"grid entries {month_start:%Y-%m} (results)", f"/points/results/entries/?{ledger_q}",
             [ledger_sql(grid.path, scheme.pk, month_start, month_end)]),
            (f"grid ledger {month_start:%Y-%m} (台账)", f"/points/ledger/?place={grid.code}&month={month_start:%Y-%m}",
             [ledger_sql(grid.path, scheme.pk, month_start, month_end)]),
        ]
        bench.time_pages([(who, client, label, url, raws) for label, url, raws in pages], runs, label_width=44)
