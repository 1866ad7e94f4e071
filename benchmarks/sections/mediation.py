"""Mediation statistics at county scale (issue 5: "at county scale (10,000 cases a year, as in 济源), the
statistics page answers in well under a second"): the monthly report page for the whole county (as ``leader``)
and for one township (as ``dispatcher``), for a month and for a year, and the per-mediator breakdown, each beside
the empty view and the raw GROUP BY on an indexed range that answers the same table. Needs the year of cases that
``shanzhi.mediation.bulk`` loads with ``shanzhi demo --scale county``."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.utils.timezone import localdate

from shanzhi.access.models import User
from shanzhi.access.roles import Perm
from shanzhi.core.lookups import successor
from shanzhi.mediation.models import Case
from shanzhi.mediation.stats import Period
from shanzhi.regions.models import Place


def group_by_sql(path: str, period: Period) -> tuple[str, list[Any]]:
    """The by-type table in one statement: the floor under the page's main query."""
    return ("SELECT c.dispute_type, COUNT(*), SUM(CASE WHEN c.result = 'settled' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN c.result = 'failed' THEN 1 ELSE 0 END), COUNT(a.id), SUM(c.amount) "
            "FROM mediation_case c LEFT JOIN mediation_agreement a ON a.case_id = c.id "
            "WHERE c.place_path >= %s AND c.place_path < %s AND c.received_at >= %s AND c.received_at < %s "
            "GROUP BY c.dispute_type", [path, successor(path), period.start, period.end])


def run(runs: int) -> None:
    import run as bench  # benchmarks/run.py: measure, count_queries, run_raw

    total = Case.objects.count()
    if total < 1000:
        print(f"\nmediation: {total} cases; run `shanzhi demo --scale county` (loads ~10,000) first.")
        return
    today = localdate()
    month = Period(today.year, today.month)
    last = Case.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    if last is not None and (last.year, last.month) != (today.year, today.month):
        month = Period(last.year, last.month)
    year = Period(month.year)
    users = [u for u in (User.objects.filter(username="leader").first(), User.objects.filter(username="dispatcher")
                         .first()) if u is not None and u.has_perm_anywhere(Perm.MEDIATION_STATS)]
    if not users:
        print("\nmediation: the demo accounts leader / dispatcher are missing.")
        return
    print(f"\nmediation: {total:,} cases in the database; statistics pages, median / p95 of {runs} runs in ms "
          f"({connection.vendor})")
    header = f"{'user':<11} {'page':<40} {'median':>7} {'p95':>7} {'queries':>7} {'raw SQL':>8} {'cases':>6}"
    print(header)
    print("-" * len(header))
    for user in users:
        place = Place.objects.get(path=sorted(user.scope_paths(Perm.MEDIATION_STATS))[0])
        client = Client()
        client.force_login(user)
        pages: list[tuple[str, str, Period | None]] = [
            ("empty view (floor)", "/bench/empty", None),
            (f"statistics, {place.name}, {month.key}", f"/mediation/stats/?place={place.code}&period={month.key}", month),
            (f"statistics, {place.name}, {year.key}", f"/mediation/stats/?place={place.code}&period={year.key}", year),
            (f"per mediator, {place.name}, {year.key}",
             f"/mediation/stats/mediators/?place={place.code}&period={year.key}", None),
        ]
        for label, url, period in pages:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            queries = bench.count_queries(lambda url=url, c=client: c.get(url))
            median, p95 = bench.measure(lambda url=url, c=client: c.get(url), runs)
            raw_ms, cases = "", ""
            if period is not None:
                sql, params = group_by_sql(place.path, period)
                raw_ms = f"{bench.measure(lambda sql=sql, params=params: bench.run_raw(sql, params), runs)[0]:.1f}"
                cases = str(Case.objects.filter(place_path__prefix=place.path, received_at__gte=period.start,
                                                received_at__lt=period.end).count())
            print(f"{user.username:<11} {label:<40} {median:>7.1f} {p95:>7.1f} {queries:>7} {raw_ms:>8} {cases:>6}")
