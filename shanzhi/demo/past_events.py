"""Demo past events (domain.md G3): half a year of events in the key township's first two villages, reported by
the demo grid workers, villagers and cadres and taken through the closed loop by the demo dispatcher and the
units — through the events services, with the clock set to each step's time — so the event list, the
assessment figures and the triage classifier have something real to work on. A few recent ones are left open,
among them two reports of the same rubbish heap, to show the possible-duplicate check at triage.

The final level follows the matter list, with what a dispatcher does in practice: a small matter the grid worker
already settled on the spot (劝阻、扑灭) stays in the grid (小事一格解决), a grid matter that asks for the
village's mediators goes to the village, a grid matter found outside any grid goes to the village. That is what
the text classifier learns. Idempotent: nothing is added when the demo township already has events."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from shanzhi.access.models import User
from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import ApplicationError
from shanzhi.grid.selectors import matters_applicable
from shanzhi.regions.models import Place
from shanzhi.workflow.calendar import CHINA
from shanzhi.workflow.clock import current

from .event_texts import RESULTS, SPOTS, UNSATISFIED, event_text

KEY_TOWNSHIP = "419001100000"
VILLAGES = ("419001100201", "419001100202")
DEFAULT_COUNT = 150
DAYS_BACK = 180
BASE_LAT, BASE_LNG = 35.1780, 112.5250  # 克井镇
VILLAGE_OFFSET = {"419001100201": (0.0, 0.0), "419001100202": (0.012, 0.008)}

# Matter code → weight, for the mix of a rural township's year (disputes, rubbish, lamps and hazards lead).
MIX = {
    "GM-01": 14,
    "GM-19": 5,
    "GM-20": 5,
    "GM-02": 6,
    "GM-24": 7,
    "GM-27": 10,
    "GM-30": 9,
    "GM-36": 4,
    "GM-37": 4,
    "GM-03": 4,
    "GM-06": 4,
    "GM-12": 3,
    "GM-16": 7,
    "GM-25": 6,
    "GM-28": 4,
    "GM-35": 4,
    "GM-39": 3,
    "GM-21": 3,
    "GM-08": 2,
    "GM-15": 4,
    "GM-34": 3,
}
SETTLED_ON_SPOT = ("已当场制止", "已扑灭", "已劝阻", "已劝导整改", "已初步劝解")
ASKS_VILLAGE = ("请村调委会介入", "需要调解")
LEVEL_OF = {"grid": "grid", "village": "village", "township": "township", "county": "department"}


@dataclass
class PastEventsResult:
    created: int = 0
    open: int = 0
    skipped: str = ""


@dataclass
class _Cast:
    dispatcher: Any
    township: Any
    department: Any
    cadres: dict[str, Any]
    grid_workers: dict[str, Any]
    villager: Any


def _cast() -> _Cast | None:
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                "dispatcher",
                "township",
                "department",
                "cadre",
                "cadre2",
                "gridworker",
                "gridworker2",
                "villager",
            ]
        )
    }
    needed = ("dispatcher", "township", "department", "cadre", "cadre2", "gridworker", "gridworker2")
    if any(name not in users for name in needed):
        return None
    return _Cast(
        dispatcher=users["dispatcher"],
        township=users["township"],
        department=users["department"],
        cadres={VILLAGES[0]: users["cadre"], VILLAGES[1]: users["cadre2"]},
        grid_workers={VILLAGES[0]: users["gridworker"], VILLAGES[1]: users["gridworker2"]},
        villager=users.get("villager"),
    )


def _final_level(matter: Any, text: str, in_grid: bool) -> str:
    level = LEVEL_OF.get(matter.level, "village")
    if matter.grid_can_settle and in_grid and any(w in text for w in SETTLED_ON_SPOT):
        return "grid"
    if level == "grid" and (not in_grid or any(w in text for w in ASKS_VILLAGE)):
        return "village"
    return level


def _working_time(rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8, 30), tzinfo=CHINA) + dt.timedelta(
        minutes=rng.randrange(0, 480)
    )


def _steps(
    rng: random.Random,
    *,
    event: Any,
    matter: Any,
    level: str,
    reporter: Any,
    handler: Any,
    dispatcher: Any,
    reported: dt.datetime,
) -> list[tuple[dt.datetime, Callable[[dt.datetime], Any]]]:
    """The loop of one past event as (time, step): triage, accept, close (one in eight late), now and then an
    unsatisfied rating and a second closure (返工), then the satisfied rating."""
    from shanzhi.events import services

    department = matter.department if level == "department" else ""
    t = reported + dt.timedelta(minutes=rng.randrange(30, 240))
    steps: list[tuple[dt.datetime, Callable[[dt.datetime], Any]]] = [
        (
            t,
            lambda at: services.event_triage(
                acting_user=dispatcher, event=event, level=level, department=department, now=at
            ),
        )
    ]
    t += dt.timedelta(minutes=rng.randrange(20, 300))
    steps.append((t, lambda at: services.event_accept(acting_user=handler, event=event, now=at)))
    limit = matter.time_limit_days
    days = limit + rng.randrange(1, 4) if rng.random() < 0.12 else rng.randrange(0, limit + 1)
    t += dt.timedelta(days=days, minutes=rng.randrange(30, 300))
    steps.append(
        (
            t,
            lambda at: services.event_close(
                acting_user=handler, event=event, result=rng.choice(RESULTS), now=at
            ),
        )
    )
    if rng.random() < 0.08:
        t += dt.timedelta(days=1)
        steps.append(
            (
                t,
                lambda at: services.event_rate(
                    acting_user=reporter, event=event, satisfied=False, reason=rng.choice(UNSATISFIED), now=at
                ),
            )
        )
        t += dt.timedelta(days=rng.randrange(1, 3))
        steps.append(
            (
                t,
                lambda at: services.event_close(
                    acting_user=handler, event=event, result=rng.choice(RESULTS), now=at
                ),
            )
        )
    t += dt.timedelta(days=rng.randrange(1, 3))
    steps.append(
        (t, lambda at: services.event_rate(acting_user=reporter, event=event, satisfied=True, now=at))
    )
    return steps


def load_past_events(
    *,
    count: int = DEFAULT_COUNT,
    seed: int = 1,
    now: dt.datetime | None = None,
    say: Callable[[str], None] | None = None,
) -> PastEventsResult:
    """Load the demo's past events (see the module docstring) in one transaction; steps whose time has not come
    yet are not taken, so the most recent events are still open."""
    from shanzhi.events import services
    from shanzhi.events.models import Event

    say = say or (lambda _msg: None)
    result = PastEventsResult()
    places = {p.code: p for p in Place.objects.filter(code__in=VILLAGES)}
    township = Place.objects.filter(code=KEY_TOWNSHIP).first()
    cast = _cast()
    if township is None or len(places) < len(VILLAGES) or cast is None:
        result.skipped = "演示乡镇、村或账号不全"
        return result
    # Events already there — these, or the bulk "year of events" of ``demo/events.py`` (audit event
    # "demo_events") — are left alone; the classifier is then trained on them.
    if (
        Event.objects.filter(place_path__prefix=township.path).exists()
        or AuditEntry.objects.filter(event="demo_events").exists()
    ):
        result.skipped = "演示乡镇已有事件"
        return result
    grids = {
        code: Place.objects.filter(parent=places[code], level="grid").order_by("path").first()
        for code in VILLAGES
    }
    matters = {m.code: m for m in matters_applicable(place=places[VILLAGES[0]]).filter(code__in=list(MIX))}
    codes = [c for c in MIX if c in matters]
    if not codes or None in grids.values():
        result.skipped = "网格事项清单或网格未载入"
        return result
    rng = random.Random(f"{seed}:past-events")
    end = current(now)
    today = end.astimezone(CHINA).date()
    weights = [MIX[c] for c in codes]
    with transaction.atomic():
        for i in range(count):
            code = rng.choices(codes, weights)[0]
            matter = matters[code]
            village = VILLAGES[i % 2]
            # Mostly the grid worker in the grid; in the first village also the villager, at the village.
            in_grid = village != VILLAGES[0] or cast.villager is None or rng.random() < 0.8
            reporter = cast.grid_workers[village] if in_grid else cast.villager
            text = event_text(rng, code, matter.name)
            level = _final_level(matter, text, in_grid)
            reported = _working_time(rng, today - dt.timedelta(days=rng.randrange(1, DAYS_BACK)))
            lat = lng = None
            if rng.random() < 0.7:
                dlat, dlng = VILLAGE_OFFSET[village]
                lat = f"{BASE_LAT + dlat + rng.uniform(-0.004, 0.004):.6f}"
                lng = f"{BASE_LNG + dlng + rng.uniform(-0.004, 0.004):.6f}"
            handler = {
                "grid": cast.grid_workers[village],
                "village": cast.cadres[village],
                "township": cast.township,
                "department": cast.department,
            }[level]
            event = None
            try:
                event = services.event_report(
                    acting_user=reporter,
                    place=grids[village] if in_grid else places[village],
                    matter_id=matter.pk,
                    text=text,
                    latitude=lat,
                    longitude=lng,
                    address=f"{places[village].name}{rng.choice(SPOTS)}",
                    client_key=f"demo-past-{seed}-{i}",
                    now=reported,
                )
                for at, take in _steps(
                    rng,
                    event=event,
                    matter=matter,
                    level=level,
                    reporter=reporter,
                    handler=handler,
                    dispatcher=cast.dispatcher,
                    reported=reported,
                ):
                    if at > end:
                        break
                    take(at)
            except (
                ApplicationError
            ) as exc:  # a demo account changed by hand: leave that event where it stopped
                say(f"演示事件未走完流程：{exc.message}")
            if event is None:
                continue
            result.created += 1
            result.open += event.state in ("reported", "assigned", "handling")
        result.created += _duplicate_pair(
            cast, places[VILLAGES[0]], grids[VILLAGES[0]], matters.get("GM-27"), end
        )
        result.open += 2 if "GM-27" in matters else 0
    return result


def _duplicate_pair(cast: _Cast, village: Place, grid: Place, matter: Any, end: dt.datetime) -> int:
    """Two reports of the same heap of rubbish this morning, fifty metres apart, waiting for triage."""
    from shanzhi.events import services

    if matter is None:
        return 0
    at = end - dt.timedelta(hours=2)
    services.event_report(
        acting_user=cast.grid_workers[village.code],
        place=grid,
        matter_id=matter.pk,
        text="村委会后面建筑垃圾乱堆，已占了半边路。",
        latitude=f"{BASE_LAT:.6f}",
        longitude=f"{BASE_LNG:.6f}",
        address=f"{village.name}村委会后面",
        client_key="demo-dup-1",
        now=at,
    )
    services.event_report(
        acting_user=cast.villager or cast.cadres[village.code],
        place=village,
        matter_id=matter.pk,
        text="村委会后头的建筑垃圾堆了好几天没人管，路都堵了一半。",
        latitude=f"{BASE_LAT + 0.00045:.6f}",
        longitude=f"{BASE_LNG:.6f}",
        address=f"{village.name}村委会后头",
        client_key="demo-dup-2",
        now=at + dt.timedelta(minutes=40),
    )
    return 2


def load_past_events_and_train(
    *, seed: int = 1, count: int = DEFAULT_COUNT, now: dt.datetime | None = None
) -> list[str]:
    """For ``shanzhi demo``: the past events, then the triage classifier trained on them (when events were
    added, or no model exists yet). Returns the lines to print."""
    from shanzhi.core.errors import ValidationFailed
    from shanzhi.events import classifier

    lines: list[str] = []
    past = load_past_events(count=count, seed=seed, now=now, say=lines.append)
    if past.created:
        lines.append(f"演示事件：新增 {past.created} 件（其中 {past.open} 件在办，含两件待合并的重复上报）")
    elif past.skipped:
        lines.append(f"演示事件：未新增（{past.skipped}）")
    if past.created or classifier.loaded() is None:
        try:
            trained = classifier.classifier_train(now=now)
        except ValidationFailed as exc:
            lines.append(f"事件分流分类器：未训练（{exc.message}）")
        else:
            lines.append(
                f"事件分流分类器：以 {trained.events} 件事件训练，留出检验准确率 {trained.accuracy:.0%}"
            )
    return lines
