"""A year of points records at county scale (issue 4: "at county demo scale with a year of records (several
million entries), a village's quarterly ranking and a villager's balance page answer in well under a second").

Every village of the county runs a 村民积分 scheme (安家村's, seed 003): where the village has no scheme yet, one
is written here with the items of the points app's own demo scheme of that kind (or, if that is absent, a compact
catalogue after 安家村's 6 categories at 0.4–3 points and its negative list at −5), adopted at the start of the
year. Every household of the village gets an account and a year of entries — about 15 deeds each, recorded by
the grid's worker (一事一记), some declared by the villagers, a few batch activities, a few negative-list items;
the review group's member approves most of them in the month after the deed, rejects a few, and the last
fortnight's are still pending; the branch has approved every finished quarter.

Like the events year (``shanzhi/demo/events.py``), rows are written in bulk (``executemany`` on SQLite, ``COPY``
on PostgreSQL), one township at a time, rather than through the services, which write one entry with its audit
entry at a time (three million entries would take hours). What the services keep is kept here too:
``Account.earned`` equals the sum of the account's approved earning entries (``ledger.ledger_mismatches``
finds none), entries carry their quarter and grid path, and approved entries name a reviewer other than their
recorder. Deterministic by seed and end date; idempotent (the audit entry ``demo_points_year`` marks a load).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.timezone import now

from shanzhi.access.models import RoleAssignment, User
from shanzhi.access.roles import Role
from shanzhi.audit.models import AuditEntry
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.demo.services import COUNTY_CODE, allocate_ids
from shanzhi.demo.synthetic import NameMaker
from shanzhi.people.models import Household
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place
from shanzhi.workflow.calendar import CHINA

from .choices import EntryKind, EntryStatus, QuarterStatus, SchemeKind, SchemeStatus, SubjectType
from .models import Account, Category, Entry, Item, Quarter, Scheme

DEMO_POINTS_YEAR = "demo_points_year"
DEEDS_PER_HOUSEHOLD = 15  # a year: ~3.4 million entries for the ~230,000 households of the county scale
PENDING_DAYS = 14  # deeds of the last fortnight still wait for the monthly review

# (category, [(item, points_min, points_max)]): 安家村's six categories at 0.4–3 points (seed 003), and the 负面清单.
CATALOGUE: list[tuple[str, list[tuple[str, str, str]]]] = [
    ("遵纪守法", [("遵守村规民约，全年无违规", "1", "1"), ("主动调解邻里纠纷", "0.5", "2"), ("举报违法线索经查属实", "1", "3"),
              ("参加法治宣传活动", "0.4", "0.4"), ("依法依规办理建房手续", "1", "1"), ("按时缴纳医保社保", "0.5", "0.5")]),
    ("环境卫生", [("庭院干净整洁（七个好）", "0.5", "1"), ("门前三包落实", "0.4", "0.4"), ("垃圾分类投放", "0.4", "0.4"),
              ("参加村庄环境整治", "1", "2"), ("畜禽圈养", "0.5", "0.5"), ("秸秆不焚烧、综合利用", "1", "1")]),
    ("日常行为", [("孝敬老人", "1", "2"), ("邻里互助", "0.5", "1.5"), ("红白喜事简办", "1", "3"),
              ("拾金不昧", "1", "2"), ("文明餐桌、不铺张浪费", "0.4", "0.4"), ("家庭和睦", "0.5", "1")]),
    ("社会服务", [("参加志愿服务", "0.5", "2"), ("参加村级事务议事", "0.5", "1"), ("义务投工投劳", "1", "3"),
              ("参加应急抢险", "1", "3"), ("爱心捐赠", "0.5", "2"), ("担任网格信息员", "1", "1")]),
    ("产业发展", [("带动邻里增收", "1", "3"), ("发展特色种养", "1", "2"), ("参加技能培训", "0.5", "0.5"),
              ("土地流转守约", "1", "1"), ("诚信经营", "0.5", "1")]),
    ("教育文化", [("子女升学", "1", "2"), ("参加文体活动", "0.4", "1"), ("家风家训上墙", "0.5", "0.5"),
              ("参加农家书屋阅读", "0.4", "0.4"), ("获评各级荣誉", "1", "3")]),
    ("负面清单", [("参与封建迷信活动", "-5", "-5"), ("故意损坏公共设施", "-5", "-5"), ("乱搭乱建", "-5", "-5"),
              ("乱倒垃圾", "-5", "-5"), ("聚众赌博", "-5", "-5"), ("不赡养老人", "-5", "-5"), ("高价彩礼", "-5", "-5"),
              ("无理缠访闹访", "-5", "-5"), ("违规焚烧秸秆", "-5", "-5"), ("酒驾醉驾", "-5", "-5")]),
]
STARS = [{"stars": 1, "min": 3}, {"stars": 2, "min": 5}, {"stars": 3, "min": 8}]
TITLES = [{"title": "十星家庭户", "min": 30, "top": 10, "award": 200, "subject_type": "household"}]
BLACKLIST_BELOW = Decimal("7")


def _already_loaded() -> bool:
    return AuditEntry.objects.filter(event=DEMO_POINTS_YEAR).exists()


class _Writer:
    """INSERT rows given as tuples of database-ready values (strings for dates, times and decimals): the
    shape of ``demo.services.bulk_insert`` without building three million model instances."""

    def __init__(self) -> None:
        self.conn = connections[DEFAULT_DB_ALIAS]

    def _rest(self, model: Any, columns: Sequence[str]) -> tuple[list[str], tuple]:
        """The model's other concrete fields with their default values, ready for the database: fields the
        points app adds later (a flag with a default) need no change here."""
        names, values = [], []
        for f in model._meta.concrete_fields:
            if f.name in columns or f.attname in columns:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = f.get_db_prep_save(now(), self.conn)
            elif f.has_default():
                value = f.get_db_prep_save(f.get_default(), self.conn)
            elif f.null:
                value = None
            else:
                raise RuntimeError(f"{model.__name__}.{f.name} has no default: the bulk loader must set it")
            names.append(f.column)
            values.append(value)
        return names, tuple(values)

    def write(self, model: Any, columns: Sequence[str], rows: Iterable[tuple], chunk: int = 20_000) -> int:
        qn = self.conn.ops.quote_name
        table = qn(model._meta.db_table)
        extra_cols, extra = self._rest(model, columns)
        cols = [model._meta.get_field(c).column for c in columns] + extra_cols
        if extra:
            rows = (row + extra for row in rows)
        n = 0
        with self.conn.cursor() as cursor:
            if self.conn.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(qn(c) for c in cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        n += 1
                return n
            sql = (f"INSERT INTO {table} ({', '.join(qn(c) for c in cols)}) "  # noqa: S608 - names from the model
                   f"VALUES ({', '.join(['%s'] * len(cols))})")
            batch: list[tuple] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= chunk:
                    cursor.executemany(sql, batch)
                    n += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                n += len(batch)
        return n


def _stamp(value: dt.datetime) -> str:
    """An aware datetime as the backend stores it (UTC)."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S+00:00" if connections[DEFAULT_DB_ALIAS].vendor
                                               == "postgresql" else "%Y-%m-%d %H:%M:%S")


def _quarter(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _quarter_end(first: dt.date) -> dt.date:
    month = first.month + 3
    return dt.date(first.year + (month > 12), (month - 1) % 12 + 1, 1) - dt.timedelta(days=1)


class _Actors:
    """The account at each post (grid worker per grid, reviewer and cadre per village): the one the events year or
    the demo accounts created, or a new synthetic one (unusable password) written in bulk."""

    def __init__(self, rng: random.Random) -> None:
        self.names = NameMaker(rng)
        self.held: dict[tuple[str, str], int] = {}
        for role, path, user_id in (RoleAssignment.objects.filter(
                is_active=True, role__in=(Role.GRID_WORKER, Role.REVIEWER, Role.VILLAGE_CADRE),
                place_path__startswith=COUNTY_CODE[:6]).order_by("pk").values_list("role", "place_path", "user_id")):
            self.held.setdefault((role, path), user_id)
        self.wanted: list[tuple[str, Place, str]] = []

    def want(self, role: str, place: Place, username: str) -> None:
        if (role, place.path) not in self.held:
            self.wanted.append((role, place, username))
            self.held[(role, place.path)] = 0

    def create(self) -> None:
        if not self.wanted:
            return
        taken = set(User.objects.filter(username__in=[u for _r, _p, u in self.wanted]).values_list("username", flat=True))
        wanted = [w for w in self.wanted if w[2] not in taken]
        ids = allocate_ids(User, len(wanted))
        users, roles = [], []
        for pk, (role, place, username) in zip(ids, wanted, strict=True):
            users.append(User(id=pk, username=username, password="!", full_name=self.names.person(
                male=self.names.rng.random() < 0.6, birth_year=1970).text, is_active=True, must_change_password=True,
                is_staff=False, is_superuser=False, date_joined=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                first_name="", last_name="", email="", failed_logins=0))
            roles.append(RoleAssignment(user_id=pk, role=role, place_id=place.pk, place_path=place.path, is_active=True))
            self.held[(role, place.path)] = pk
        User.objects.bulk_create(users, batch_size=500)
        RoleAssignment.objects.bulk_create(roles, batch_size=500)
        for role, place, username in self.wanted:  # a username already taken: that user's role at the place
            if not self.held[(role, place.path)]:
                self.held[(role, place.path)] = User.objects.get(username=username).pk

    def at(self, role: str, path: str) -> int:
        return self.held[(role, path)]


def _catalogue() -> list[tuple[str, list[tuple[str, Decimal, Decimal]]]]:
    """The items of the points app's own demo 村民积分 scheme, when it has one; else ``CATALOGUE``."""
    source = (Scheme.objects.filter(kind=SchemeKind.VILLAGER, is_template=False, status=SchemeStatus.ADOPTED)
              .order_by("pk").first())
    if source is not None:
        cats: dict[int, tuple[str, list]] = {}
        for c in Category.objects.filter(scheme=source).order_by("order", "pk"):
            cats[c.pk] = (c.name, [])
        for it in Item.objects.filter(scheme=source, active=True).order_by("code", "pk"):
            if it.category_id in cats:
                cats[it.category_id][1].append((it.name, it.points_min, it.points_max))
        out = [(name, items) for name, items in cats.values() if items]
        if sum(len(items) for _n, items in out) >= 10:
            return out
    return [(name, [(n, Decimal(lo), Decimal(hi)) for n, lo, hi in items]) for name, items in CATALOGUE]


def _skip_row_checks_if_allowed() -> None:
    """On PostgreSQL, for this transaction only: no per-row foreign-key checks on the three million rows written
    here, when the role may say so (a superuser, as on a demo machine). Django's foreign keys are deferred, so
    otherwise every entry's six references are checked — and their rows locked — one by one at COMMIT, which
    took longer than writing the year. The rows are built from the ids just read or allocated, and the loader's
    tests check them on SQLite, whose foreign keys stay on."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")


def points_year_load(*, seed: int, end: dt.date, say: Callable[[str], None]) -> bool:
    """Load the year up to ``end`` for every village of the demo county. False when already loaded."""
    if _already_loaded():
        return False
    started = time.perf_counter()
    county = Place.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return False
    rng = random.Random(seed * 7919 + end.toordinal())
    start = end - dt.timedelta(days=364)
    year_first = _quarter(start)
    catalogue = _catalogue()
    total = {"schemes": 0, "accounts": 0, "entries": 0}
    villages = list(Place.objects.filter(path__prefix=county.path, level=Level.VILLAGE, is_active=True).order_by("path"))
    grids = list(Place.objects.filter(path__prefix=county.path, level=Level.GRID, is_active=True).order_by("path"))
    actors = _Actors(rng)
    for v in villages:
        actors.want(Role.REVIEWER, v, f"demo_rv_{v.code}")
        actors.want(Role.VILLAGE_CADRE, v, f"demo_vc_{v.code}")
    for g in grids:
        actors.want(Role.GRID_WORKER, g, f"demo_gw_{g.code}")
    grid_of = {g.path: g for g in grids}
    writer = _Writer()
    with transaction.atomic():
        if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
            with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        else:
            _skip_row_checks_if_allowed()
        actors.create()
        by_township: dict[str, list[Place]] = defaultdict(list)
        for v in villages:
            by_township[v.path[:9]].append(v)
        for township_path, township_villages in by_township.items():
            step = time.perf_counter()
            counts = _township(writer=writer, rng=rng, villages=township_villages, catalogue=catalogue,
                               actors=actors, grid_of=grid_of, start=start, end=end, year_first=year_first)
            for k, n in counts.items():
                total[k] += n
            say(f"积分：{township_path} {len(township_villages)} 个村，{counts['accounts']} 个账户，"
                f"{counts['entries']} 条记录，用时 {time.perf_counter() - step:.1f} 秒")
        seconds = time.perf_counter() - started
        audit_record(actor=None, action=AuditAction.IMPORT, event=DEMO_POINTS_YEAR, obj=county, place_path=county.path,
                     object_repr="演示积分记录（一年）", after={**total, "seconds": round(seconds, 1), "end": end},
                     detail=f"载入演示积分：{total['schemes']} 个方案，{total['accounts']} 个账户，{total['entries']} 条记录")
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("ANALYZE points_entry")
            cursor.execute("ANALYZE points_account")
    say(f"积分：共 {total['schemes']} 个新方案，{total['accounts']} 个账户，{total['entries']} 条记录，"
        f"用时 {time.perf_counter() - started:.1f} 秒")
    return True


def _scheme_for(village: Place, catalogue: list, adopted_on: dt.date) -> tuple[Scheme, list[Item], bool]:
    existing = (Scheme.objects.filter(place=village, kind=SchemeKind.VILLAGER, is_template=False,
                                      subject_type=SubjectType.HOUSEHOLD).order_by("pk").first())
    if existing is not None:
        return existing, list(Item.objects.filter(scheme=existing, active=True).order_by("pk")), False
    scheme = Scheme.objects.create(
        place=village, place_path=village.path, name="村民积分", kind=SchemeKind.VILLAGER,
        subject_type=SubjectType.HOUSEHOLD, star_thresholds=STARS, title_rules=TITLES, blacklist_below=BLACKLIST_BELOW,
        description="村民（单位）日常积分管理细则：6大类评分项目，负面清单每条扣5分。", status=SchemeStatus.ADOPTED,
        adopted_on=adopted_on, decision_note=f"{adopted_on:%Y年%m月%d日}村民代表大会（四议两公开）表决通过")
    cats = Category.objects.bulk_create([Category(scheme=scheme, name=name, order=i)
                                         for i, (name, _items) in enumerate(catalogue)])
    items = []
    for cat, (_name, rows) in zip(cats, catalogue, strict=True):
        for j, (name, low, high) in enumerate(rows, start=1):
            items.append(Item(scheme=scheme, category=cat, code=f"{cat.order + 1}.{j:02d}", name=name, points_min=low,
                              points_max=high, evidence_required=False))
    return scheme, Item.objects.bulk_create(items), True


ENTRY_COLUMNS = ("id", "account", "scheme", "item", "kind", "points", "claimed_points", "deed_date", "quarter",
                 "place_path", "status", "note", "recorder", "reviewer", "reviewed_at", "review_note", "corrects",
                 "batch_key", "source_ref", "created_at")
ACCOUNT_COLUMNS = ("id", "scheme", "household", "person", "enterprise", "place_path", "name", "earned", "spent",
                   "created_at")


def _township(*, writer: _Writer, rng: random.Random, villages: list[Place], catalogue: list, actors: _Actors,
              grid_of: dict[str, Place], start: dt.date, end: dt.date, year_first: dt.date) -> dict[str, int]:
    counts = {"schemes": 0, "accounts": 0, "entries": 0}
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    created_stamp = {d: _stamp(dt.datetime.combine(d, dt.time(18, 30), tzinfo=CHINA)) for d in days}
    reviewed_day: dict[dt.date, dt.date] = {}
    for d in days:  # the monthly review: the 5th of the month after the deed
        nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 5)
        reviewed_day[d] = nxt
    review_stamp = {d: _stamp(dt.datetime.combine(d, dt.time(10, 0), tzinfo=CHINA))
                    for d in set(reviewed_day.values())}
    account_rows: list[tuple] = []
    entry_rows: list[tuple] = []
    new_ids: list[int] = []
    earned_by_account: dict[int, Decimal] = {}
    now_stamp = _stamp(now())
    village_schemes = []
    for village in villages:
        scheme, items, created = _scheme_for(village, catalogue, year_first)
        if not created and Entry.objects.filter(scheme=scheme).exists():
            # A scheme already run through the services (the demo village's own): its approved and published
            # quarters stay exactly as they were published — no year of bulk entries dated inside them.
            continue
        counts["schemes"] += created
        households = list(Household.objects.filter(village=village, is_active=True).order_by("pk")
                          .values_list("pk", "place_path", "head_name"))
        taken = set(Account.objects.filter(scheme=scheme, household__isnull=False).values_list("household_id", flat=True))
        households = [h for h in households if h[0] not in taken]
        if not households or not items:
            continue
        village_schemes.append((village, scheme, items, households))
    n_accounts = sum(len(h) for _v, _s, _i, h in village_schemes)
    if not n_accounts:
        return counts
    account_ids = allocate_ids(Account, n_accounts)
    planned: list[tuple] = []  # (account id, scheme, items, grid path, reviewer, recorder, n deeds)
    a = 0
    for village, scheme, items, households in village_schemes:
        positives = [it for it in items if it.points_max > 0]
        negatives = [it for it in items if it.points_max < 0]
        reviewer = actors.at(Role.REVIEWER, village.path)
        for pk, path, head_name in households:
            account_id = account_ids[a]
            a += 1
            grid = next((grid_of[path[:n]] for n in range(len(path), 12, -1) if path[:n] in grid_of), None)
            recorder = actors.at(Role.GRID_WORKER, grid.path) if grid else actors.at(Role.VILLAGE_CADRE, village.path)
            account_rows.append([account_id, scheme.pk, pk, None, None, path, head_name or "（户主未登记）",
                                 None, "0.0", now_stamp])
            # Most households do a deed or two a month; a few hardly any (below the black-list line).
            n = rng.choice((1, 2, 3)) if rng.random() < 0.06 else max(1, int(rng.gauss(DEEDS_PER_HOUSEHOLD, 5)))
            planned.append((account_id, scheme.pk, positives, negatives, path, reviewer, recorder, n))
    counts["accounts"] = len(account_rows)
    n_entries = sum(p[-1] for p in planned) + sum(1 for _ in planned)  # room for the negative items
    new_ids = allocate_ids(Entry, n_entries)
    e = 0
    pending_from = end - dt.timedelta(days=PENDING_DAYS)
    batch_days = {d for d in days if d.weekday() == 5 and rng.random() < 0.3}  # Saturday clean-ups
    for account_id, scheme_id, positives, negatives, path, reviewer, recorder, n in planned:
        earned = Decimal("0.0")
        deeds = []
        for _ in range(n):
            item = rng.choice(positives)
            deeds.append((item, rng.choice(days)))
        if negatives and rng.random() < 0.04:
            deeds.append((rng.choice(negatives), rng.choice(days)))
        for item, day in sorted(deeds, key=lambda d: d[1]):
            low, high = item.points_min, item.points_max
            points = low if low == high else (low + Decimal(rng.randint(0, int((high - low) * 10))) / 10)
            r = rng.random()
            if item.points_max < 0:
                kind = EntryKind.DEED
            elif day in batch_days and r < 0.15:
                kind = EntryKind.BATCH
            elif r < 0.75:
                kind = EntryKind.DEED
            elif r < 0.95:
                kind = EntryKind.DECLARED
            else:
                kind = EntryKind.NEIGHBOUR
            if day >= pending_from:
                status, rev, rev_at, note = EntryStatus.PENDING, None, None, ""
            elif rng.random() < 0.03:
                status, rev, rev_at, note = EntryStatus.REJECTED, reviewer, review_stamp[reviewed_day[day]], "事迹不实，未予认定"
            else:
                status, rev, rev_at, note = EntryStatus.APPROVED, reviewer, review_stamp[reviewed_day[day]], ""
                earned += points
            quarter = _quarter(day)
            entry_rows.append((new_ids[e], account_id, scheme_id, item.pk, kind, str(points),
                               str(points) if kind in (EntryKind.DECLARED, EntryKind.NEIGHBOUR) else None,
                               day.isoformat(), quarter.isoformat(), path, status, "", recorder, rev, rev_at, note,
                               None, f"demo-{day:%Y%m%d}" if kind == EntryKind.BATCH else "", "",
                               created_stamp[day]))
            e += 1
        earned_by_account[account_id] = earned
    for row in account_rows:
        row[7] = str(earned_by_account.get(row[0], Decimal("0.0")))
    writer.write(Account, ACCOUNT_COLUMNS, (tuple(r) for r in account_rows))
    counts["entries"] = writer.write(Entry, ENTRY_COLUMNS, entry_rows)
    # The branch approved every finished quarter of the year (季审核), by the village cadre.
    quarters = []
    first = _quarter(start)
    while _quarter_end(first) < end:
        quarters.append(first)
        first = _quarter_end(first) + dt.timedelta(days=1)
    existing = set(Quarter.objects.filter(scheme__in=[s for _v, s, _i, _h in village_schemes])
                   .values_list("scheme_id", "starts_on"))
    Quarter.objects.bulk_create([
        Quarter(scheme=scheme, place_path=scheme.place_path, starts_on=q, status=QuarterStatus.APPROVED,
                approved_by_id=actors.at(Role.VILLAGE_CADRE, village.path),
                approved_at=dt.datetime.combine(_quarter_end(q) - dt.timedelta(days=3), dt.time(16, 0), tzinfo=CHINA),
                approval_note="党总支审定")
        for village, scheme, _i, _h in village_schemes for q in quarters if (scheme.pk, q) not in existing])
    return counts


def demo_load(*, scale: str, seed: int, say: Callable[[str], None]) -> None:
    """Demo loader (order 20): the county scale only; the small scale has the points app's own records."""
    if scale != "county":
        return
    points_year_load(seed=seed, end=dt.datetime.now(CHINA).date(), say=say)
