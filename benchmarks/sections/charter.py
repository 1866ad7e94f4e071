"""Notice-board pages (domain.md A4) and the village rules' public page (A6) at county scale: the public board of
the demo village (no login), a section of it and a title search; the township's disclosure overview as the
dispatcher and the county's as the leader (every village's latest publication per kind, one grouped query); the
public rules page. Each beside the empty view and the indexed raw SQL that answers the same page."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client

from shanzhi.access.models import User
from shanzhi.access.roles import Perm
from shanzhi.charter.board import kinds_of
from shanzhi.core.lookups import successor
from shanzhi.publication.models import Publication
from shanzhi.regions.models import Place

STATUSES = ["published", "closed", "superseded"]


def board_sql(village_id: int, kinds: list[str] | None = None, q: str = "") -> tuple[str, list[Any]]:
    sql = ("SELECT id, public_id, kind, title, starts_on, ends_on, status, published_at FROM publication_publication "
           "WHERE village_id = %s AND status IN (%s, %s, %s)")
    params: list[Any] = [village_id, *STATUSES]
    if kinds:
        sql += f" AND kind IN ({', '.join(['%s'] * len(kinds))})"
        params += kinds
    if q:
        sql += " AND title LIKE %s"
        params.append(f"%{q}%")
    return sql + " ORDER BY published_at DESC, id DESC LIMIT 21", params


def overview_sql(path: str) -> list[tuple[str, list[Any]]]:
    return [
        ("SELECT id, code, name, path FROM regions_place WHERE path >= %s AND path < %s AND level = 'village' "
         "AND is_active ORDER BY path", [path, successor(path)]),
        ("SELECT p.village_id, p.kind, MAX(p.starts_on) FROM publication_publication p "
         "JOIN regions_place v ON v.id = p.village_id WHERE v.path >= %s AND v.path < %s AND v.level = 'village' "
         "AND p.status IN ('published', 'closed') GROUP BY p.village_id, p.kind", [path, successor(path)]),
    ]


def rules_sql(village_id: int) -> list[tuple[str, list[Any]]]:
    return [
        ("SELECT id, number, title, preamble, in_force_from FROM charter_rulesversion WHERE village_id = %s "
         "AND status = 'in_force'", [village_id]),
        ("SELECT c.number, c.heading, c.text FROM charter_rulesclause c JOIN charter_rulesversion v "
         "ON v.id = c.version_id WHERE v.village_id = %s AND v.status = 'in_force' ORDER BY c.number", [village_id]),
    ]


def run(runs: int) -> None:
    import run as bench  # benchmarks/run.py: measure, count_queries, run_raw

    cadre = User.objects.get(username="cadre")
    village = Place.objects.get(path=cadre.scope_paths(Perm.AFFAIRS_VIEW)[0])
    print(f"\ncharter: {Publication.objects.count():,} publications in the database, "
          f"{Publication.objects.filter(village=village).count():,} on {village.name}'s board; "
          f"median / p95 of {runs} runs in ms ({connection.vendor})")
    header = f"{'user':<10} {'page':<34} {'median':>7} {'p95':>7} {'queries':>7} {'raw SQL':>8} {'rows':>5}"
    print(header)
    print("-" * len(header))
    anonymous = Client()
    pages: list[tuple[str, Any, str, str, list[tuple[str, list[Any]]]]] = [
        ("anonymous", anonymous, "board, all sections", f"/charter/board/{village.code}/", [board_sql(village.pk)]),
        ("anonymous", anonymous, "board, section=finance", f"/charter/board/{village.code}/?section=finance",
         [board_sql(village.pk, kinds_of("finance"))]),
        ("anonymous", anonymous, "board, title search", f"/charter/board/{village.code}/?q=公开",
         [board_sql(village.pk, q="公开")]),
        ("anonymous", anonymous, "rules in force (public)", f"/charter/public/{village.code}/rules/",
         rules_sql(village.pk)),
    ]
    for username in ("dispatcher", "leader"):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        path = user.scope_paths(Perm.AFFAIRS_VIEW)[0]
        pages.insert(0, (username, client, "empty view (floor)", "/bench/empty", []))
        pages.append((username, client, "disclosure overview", "/charter/board/overview/", overview_sql(path)))
        pages.append((username, client, "home (with the overdue item)", "/", []))
    bench.time_pages(pages, runs)
