"""Page timings at county scale (issue "Demo county"): the registry lists and detail pages as the township
dispatcher (~45,000 persons in scope) and as a village cadre (~1,400), each beside two floors:

- ``empty view``: a logged-in request to a view that does nothing (middleware, session, user), and
- ``raw SQL``: the indexed SELECT that answers the same page, run on a bare cursor.

Run against a database loaded with ``shanzhi demo --scale county``; it uses whatever DATABASE_URL /
SHANZHI_VAR_DIR point at and writes nothing but sessions:

    shanzhi demo --scale county && python benchmarks/run.py [--runs 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.decorators import login_required  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import clear_url_caches, include, path  # noqa: E402

from shanzhi.access.models import User  # noqa: E402
from shanzhi.access.roles import Perm  # noqa: E402
from shanzhi.core.lookups import successor  # noqa: E402
from shanzhi.demo.services import COUNTY_CODE, demo_state  # noqa: E402
from shanzhi.people.models import TAG_BITS, Person  # noqa: E402

PER_PAGE = 50


@login_required
def empty_view(request: Any) -> HttpResponse:
    return HttpResponse("ok")


def install_urlconf() -> None:
    """The project's URLs plus /bench/empty, the floor of any logged-in page."""
    module = types.ModuleType("bench_urls")
    module.urlpatterns = [path("bench/empty", empty_view), path("", include("shanzhi.urls"))]  # type: ignore[attr-defined]
    sys.modules["bench_urls"] = module
    settings.ROOT_URLCONF = "bench_urls"
    clear_url_caches()


def measure(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds, after two warm-up calls."""
    for _ in range(2):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def time_pages(pages: list[tuple[str, Any, str, str, list[tuple[str, list[Any]]]]], runs: int,
               label_width: int = 34) -> None:
    """Print one row per page: (who, logged-in client, label, url, raw SQL statements that answer the same page)."""
    for who, client, label, url, raws in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        queries = count_queries(lambda url=url, client=client: client.get(url))
        median, p95 = measure(lambda url=url, client=client: client.get(url), runs)
        raw_ms, rows = "", ""
        if raws:
            rows = str(sum(run_raw(sql, params) for sql, params in raws))
            raw_ms = f"{measure(lambda raws=raws: [run_raw(s, p) for s, p in raws], runs)[0]:.1f}"
        print(f"{who:<10} {label:<{label_width}} {median:>7.1f} {p95:>7.1f} {queries:>7} {raw_ms:>8} {rows:>5}")


def count_queries(fn: Callable[[], Any]) -> int:
    """Queries one request makes (an execute wrapper: Django clears ``connection.queries`` when a request
    starts, and on SQLite the connection is closed when it ends)."""
    seen: list[str] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    return len(seen)


def prefix_sql(column: str, prefix: str, form: str) -> tuple[str, list[str]]:
    """``column LIKE 'x%'`` (what ``startswith`` sends) or the same prefix as a range, ``>= x AND < succ(x)``."""
    if form == "like":
        return f"{column} LIKE %s", [prefix + "%"]
    return f"{column} >= %s AND {column} < %s", [prefix, successor(prefix)]


PERSON_COLUMNS = ("p.id, p.name, p.id_number, p.sex, p.birth_date, p.phone, p.residence_status, p.tags, "
                  "p.household_id, h.number")


def raw_sql(kind: str, scope: str, form: str, *, offset: int = 0, pk: int = 0, tag_bit: int = 0
            ) -> tuple[str, list[Any]]:
    """The hand-written SELECT that returns what a page shows (the page asks one row more: LIMIT 51)."""
    where, params = prefix_sql("p.place_path", scope, form)
    order = "ORDER BY p.place_path, p.household_id, p.id LIMIT 51"
    base = f"SELECT {PERSON_COLUMNS} FROM people_person p JOIN people_household h ON h.id = p.household_id"
    if kind == "persons":
        return f"{base} WHERE {where} {order} OFFSET {offset}", params
    if kind == "search":
        return (f"{base} WHERE {where} AND (p.name LIKE %s OR p.initials LIKE %s OR p.pinyin LIKE %s) {order}",
                [*params, "%zs%", "zs%", "zs%"])
    if kind == "tag":
        return f"{base} WHERE {where} AND (p.tag_bits & %s) = %s {order}", [*params, tag_bit, tag_bit]
    if kind == "households":
        h_where, h_params = prefix_sql("h.place_path", scope, form)
        return (f"SELECT h.id, h.number, h.head_name, h.address, h.member_count, pl.name FROM people_household h "
                f"JOIN regions_place pl ON pl.id = h.place_id WHERE {h_where} "
                f"AND h.is_active ORDER BY h.place_path, h.number LIMIT 51", h_params)
    if kind == "detail":
        return f"{base} WHERE p.id = %s AND {where}", [pk, *params]
    raise ValueError(kind)


def run_raw(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    sections = extra_sections()
    parser.add_argument("--only", choices=("", "people", "events", *sections), default="", help="one section only")
    args = parser.parse_args()
    state = demo_state()
    if state is None:
        sys.exit("No demo data here: run `shanzhi demo --scale county` first (same DATABASE_URL / SHANZHI_VAR_DIR).")
    if state.get("scale") != "county":
        print(f"warning: demo scale is {state.get('scale')!r}, not 'county'; figures will not be comparable.")
    install_urlconf()
    # Pages render without `collectstatic` (its manifest only maps names; the cost is the same).
    warnings.filterwarnings("ignore", message="No directory at")
    plain_static = {**settings.STORAGES,
                    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=plain_static):
        if args.only in ("", "people"):
            run_pages(args.runs)
        if args.only in ("", "events"):
            run_events(args.runs)
        for name, module in sections.items():
            if args.only in ("", name):
                module.run(args.runs)


def extra_sections() -> dict[str, Any]:
    """Each capability's own section, ``benchmarks/sections/<name>.py`` with ``run(runs)``; it may import
    ``measure``, ``count_queries``, ``run_raw`` and ``empty_view`` from this module (``from run import …``)."""
    import importlib

    folder = Path(__file__).resolve().parent / "sections"
    sys.path.insert(0, str(folder.parent))
    return {f.stem: importlib.import_module(f"sections.{f.stem}") for f in sorted(folder.glob("[a-z]*.py"))}


def run_pages(runs: int) -> None:
    db = settings.DATABASES["default"]
    print(f"database: {connection.vendor} ({db['NAME']}), {Person.objects.count():,} persons; "
          f"median / p95 of {runs} runs in ms")
    print("raw SQL = the same page's SELECT on a bare cursor, scope as LIKE 'x%' and as a range")
    header = (f"{'user':<11} {'page':<22} {'median':>7} {'p95':>7} {'queries':>7} {'raw LIKE':>9} "
              f"{'raw range':>9} {'rows':>5}")
    print(header)
    print("-" * len(header))
    dibao = TAG_BITS["dibao"]
    for username in ("dispatcher", "cadre"):
        user = User.objects.get(username=username)
        scope = user.scope_paths(Perm.PEOPLE_VIEW)[0]
        client = Client()
        client.force_login(user)
        in_scope = Person.objects.filter(place_path__startswith=scope)
        total = in_scope.count()
        middle = max(1, total // PER_PAGE // 2)
        person = in_scope.order_by("place_path", "household_id", "id")[total // 2]
        pages = [
            ("empty view (floor)", "/bench/empty", None),
            ("/health (floor)", "/health", None),
            ("persons, page 1", "/people/", ("persons", {})),
            (f"persons, page {middle}", f"/people/?page={middle}", ("persons", {"offset": (middle - 1) * PER_PAGE})),
            ("persons, q=zs", "/people/?q=zs", ("search", {})),
            ("persons, tag=dibao", "/people/?tag=dibao", ("tag", {"tag_bit": dibao})),
            ("households, page 1", "/people/households/", ("households", {})),
            ("person detail", f"/people/persons/{person.pk}/", ("detail", {"pk": person.pk})),
        ]
        for label, url, raw in pages:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            queries = count_queries(lambda url=url, client=client: client.get(url))
            median, p95 = measure(lambda url=url, client=client: client.get(url), runs)
            raw_ms = {"like": "", "range": ""}
            rows = ""
            if raw is not None:
                for form in raw_ms:
                    sql, params = raw_sql(raw[0], scope, form, **raw[1])
                    rows = str(run_raw(sql, params))
                    raw_ms[form] = f"{measure(lambda sql=sql, params=params: run_raw(sql, params), runs)[0]:.1f}"
            print(f"{username:<11} {label:<22} {median:>7.1f} {p95:>7.1f} {queries:>7} {raw_ms['like']:>9} "
                  f"{raw_ms['range']:>9} {rows:>5}")
        print(f"{'':<11} ({total:,} persons in scope {scope})")


def events_raw_sql(kind: str, scope: str, *, pk: int = 0, start: Any = None, end: Any = None
                   ) -> tuple[str, list[Any]]:
    """The indexed SELECT behind each event page: the list's first page (reported newest first, scope as a
    range), the event with its matter and place, and the assessment's GROUP BY of the duties that fell due."""
    where, params = prefix_sql("e.place_path", scope, "range")
    if kind == "list":
        return ("SELECT e.id, e.number, e.state, e.text, e.reported_at, e.is_overdue, m.name, p.name "
                "FROM events_event e JOIN grid_matter m ON m.id = e.matter_id JOIN regions_place p ON p.id = e.place_id "
                f"WHERE {where} ORDER BY e.reported_at DESC, e.id DESC LIMIT 51", params)
    if kind == "detail":
        return ("SELECT e.*, m.name, p.name FROM events_event e JOIN grid_matter m ON m.id = e.matter_id "
                f"JOIN regions_place p ON p.id = e.place_id WHERE e.id = %s AND {where}", [pk, *params])
    if kind == "assessment":
        d_where, d_params = prefix_sql("d.place_path", scope, "range")
        return ("SELECT d.unit_level, d.unit_department, d.unit_path, d.kind, COUNT(*), "
                "SUM(CASE WHEN d.done_at <= d.due_at THEN 1 ELSE 0 END) FROM events_eventduty d "
                f"WHERE {d_where} AND d.due_at >= %s AND d.due_at < %s "
                "GROUP BY d.unit_level, d.unit_department, d.unit_path, d.kind", [*d_params, start, end])
    raise ValueError(kind)


def run_events(runs: int) -> None:
    """The township event list, an event page and the assessment page, as the dispatcher of 克井镇."""
    from shanzhi.events.assessment import month_of
    from shanzhi.events.models import Event

    total = Event.objects.count()
    print(f"\nevents: {total:,} in the county; median / p95 of {runs} runs in ms")
    header = f"{'user':<11} {'page':<34} {'median':>7} {'p95':>7} {'queries':>7} {'raw SQL':>8} {'rows':>5}"
    print(header)
    print("-" * len(header))
    user = User.objects.get(username="dispatcher")
    scope = user.scope_paths(Perm.EVENT_VIEW)[0]
    client = Client()
    client.force_login(user)
    in_scope = Event.objects.filter(place_path__prefix=scope)
    count = in_scope.count()
    event = in_scope.order_by("-reported_at", "-id")[count // 2]
    last = in_scope.order_by("-reported_at").values_list("reported_at", flat=True).first()
    month = month_of((last - dt.timedelta(days=31)).date())
    township = scope.ljust(9, "0") + "000"
    pages = [
        ("empty view (floor)", "/bench/empty", None),
        ("event list, page 1", "/events/list", ("list", {})),
        ("event list, waiting for me", "/events/list?mine=1", None),
        ("event list, overdue", "/events/list?overdue=1", None),
        ("event page", f"/events/{event.pk}/", ("detail", {"pk": event.pk})),
        (f"assessment {month.label}", f"/events/assessment/?place={township}&month={month.start:%Y-%m}",
         ("assessment", {"start": month.start_at, "end": month.end_at})),
        ("assessment, per person", f"/events/assessment/?place={township}&month={month.start:%Y-%m}&tab=person",
         None),
    ]
    for label, url, raw in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        queries = count_queries(lambda url=url: client.get(url))
        median, p95 = measure(lambda url=url: client.get(url), runs)
        raw_ms, rows = "", ""
        if raw is not None:
            sql, params = events_raw_sql(raw[0], scope, **raw[1])
            rows = str(run_raw(sql, params))
            raw_ms = f"{measure(lambda sql=sql, params=params: run_raw(sql, params), runs)[0]:.1f}"
        print(f"{'dispatcher':<11} {label:<34} {median:>7.1f} {p95:>7.1f} {queries:>7} {raw_ms:>8} {rows:>5}")
    print(f"{'':<11} ({count:,} events in scope {scope})")
    leader = Client()
    leader.force_login(User.objects.get(username="leader"))
    url = f"/events/assessment/?place={COUNTY_CODE}&month={month.start:%Y-%m}&tab=township"
    assert leader.get(url).status_code == 200
    queries = count_queries(lambda: leader.get(url))
    median, p95 = measure(lambda: leader.get(url), runs)
    sql, params = events_raw_sql("assessment", COUNTY_CODE[:6], start=month.start_at, end=month.end_at)
    rows = run_raw(sql, params)
    raw_ms = measure(lambda: run_raw(sql, params), runs)[0]
    print(f"{'leader':<11} {'assessment, whole county':<34} {median:>7.1f} {p95:>7.1f} {queries:>7} {raw_ms:>8.1f} "
          f"{rows:>5}")


if __name__ == "__main__":
    main()
