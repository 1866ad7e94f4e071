"""村务决策与议事 (domain.md A2, A5): the decisions list as the village cadre and as the township dispatcher, a
decision page with its meetings and the quorum arithmetic, the topics list, a villager's phone list and topic page
(with the vote check against the registry) and the public task page. Each beside the empty view and the indexed
raw SQL that answers the same page."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client

from shanzhi.access.models import User
from shanzhi.access.roles import Perm
from shanzhi.affairs.models import Decision, Meeting, Topic
from shanzhi.core.lookups import successor


def decisions_sql(path: str) -> tuple[str, list[Any]]:
    return ("SELECT d.id, d.title, d.state, d.outcome, d.requested_at, v.name FROM affairs_decision d "
            "JOIN regions_place v ON v.id = d.village_id WHERE d.place_path >= %s AND d.place_path < %s "
            "ORDER BY d.requested_at DESC, d.id DESC LIMIT 51", [path, successor(path)])


def decision_sql(pk: int) -> list[tuple[str, list[Any]]]:
    return [("SELECT * FROM affairs_decision WHERE id = %s", [pk]),
            ("SELECT * FROM affairs_meeting WHERE decision_id = %s ORDER BY recorded_at, id", [pk]),
            ("SELECT a.meeting_id, p.name FROM affairs_meetingattendance a JOIN affairs_meeting m ON m.id = a.meeting_id "
             "LEFT JOIN people_person p ON p.id = a.person_id WHERE m.decision_id = %s", [pk])]


def topics_sql(path: str) -> tuple[str, list[Any]]:
    return ("SELECT id, title, state, proposed_at FROM affairs_topic WHERE place_path >= %s AND place_path < %s "
            "ORDER BY proposed_at DESC, id DESC LIMIT 51", [path, successor(path)])


def run(runs: int) -> None:
    import run as bench  # benchmarks/run.py: measure, count_queries, run_raw

    cadre = User.objects.filter(username="cadre").first()
    vpath = cadre.scope_paths(Perm.AFFAIRS_VIEW)[0] if cadre else ""
    decision = Decision.objects.filter(place_path__prefix=vpath, meetings__isnull=False).order_by("-id").first()
    topic = Topic.objects.filter(place_path__prefix=vpath).order_by("-id").first()
    if cadre is None or decision is None or topic is None:
        print("\naffairs: no demo decisions/topics here (run `shanzhi demo`), skipped")
        return
    print(f"\naffairs: {Decision.objects.count():,} decisions, {Meeting.objects.count():,} meetings, "
          f"{Topic.objects.count():,} topics; median / p95 of {runs} runs in ms ({connection.vendor})")
    header = f"{'user':<10} {'page':<34} {'median':>7} {'p95':>7} {'queries':>7} {'raw SQL':>8} {'rows':>5}"
    print(header)
    print("-" * len(header))
    pages: list[tuple[str, Any, str, str, list[tuple[str, list[Any]]]]] = []
    c = Client()
    c.force_login(cadre)
    pages += [("cadre", c, "empty view (floor)", "/bench/empty", []),
              ("cadre", c, "decisions list", "/affairs/", [decisions_sql(vpath)]),
              ("cadre", c, "decision page (meetings, quorum)", f"/affairs/decisions/{decision.pk}/", decision_sql(decision.pk)),
              ("cadre", c, "topics list", "/affairs/topics/", [topics_sql(vpath)]),
              ("cadre", c, "topic page", f"/affairs/topics/{topic.pk}/", [])]
    dispatcher = User.objects.filter(username="dispatcher").first()
    if dispatcher is not None:
        d = Client()
        d.force_login(dispatcher)
        tpath = dispatcher.scope_paths(Perm.AFFAIRS_VIEW)[0]
        pages.append(("dispatcher", d, "decisions list (township)", "/affairs/", [decisions_sql(tpath)]))
    villager = User.objects.filter(username="villager", person__isnull=False).first()
    if villager is not None:
        v = Client()
        v.force_login(villager)
        pages += [("villager", v, "phone: topics", "/affairs/my/topics/", [topics_sql(vpath)]),
                  ("villager", v, "phone: topic with vote check", f"/affairs/my/topics/{topic.pk}/", [])]
    anonymous = Client()
    if topic.publication_id:
        pages.append(("anonymous", anonymous, "public tasks page", f"/affairs/t/{topic.public_id}/", []))
    bench.time_pages(pages, runs)
