"""Loading the demo county (issue "Demo county"): 济源 with synthetic villages, grids, households, persons,
subjects, organisations and memberships, plus one demo account per role.

Rules it keeps:
- deterministic by seed: every random draw comes from ``random.Random`` seeded with the seed and the
  township code, and ages count from a fixed reference date, so the same seed gives the same people;
- synthetic but valid: 公民身份号码 pass GB 11643 (area 419001, sex parity = recorded sex, unique birth
  date + sequence), phones are 1, then 3–9, then nine digits, credit codes pass GB 32100; villages and everything
  below them are marked ``Place.is_synthetic``;
- idempotent: the load writes one audit entry (event ``demo_load``) in the same transaction as the rows;
  a second run finds it and adds nothing, and a run at another scale or seed is refused with a reset hint;
- bulk: rows are built in memory one township at a time and written in bulk (the county scale is
  ~730,000 persons; see ``bulk_insert``), so the population services, which write one person with its
  history and audit entry at a time, are not used for the registry; the one audit entry stands for the
  load. Accounts do go through the access services.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils.timezone import now

from shanzhi.access.models import User
from shanzhi.access.roles import Role
from shanzhi.access.services import role_assign, user_create
from shanzhi.audit.models import AuditEntry
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import ValidationFailed
from shanzhi.core.identity import make_id_number
from shanzhi.core.text import pinyin_keys
from shanzhi.orgs.models import Membership, Organisation, OrgKind, Post
from shanzhi.orgs.services import organisation_create, unit_account_add
from shanzhi.people.choices import PersonTag, PoliticalStatus, Relation, ResidenceStatus, Sex, SubjectKind
from shanzhi.people.models import Household, Person, Subject, tags_to_bits
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place
from shanzhi.regions.services import regions_load

from .synthetic import (
    INDUSTRIES,
    SHOPS,
    VILLAGE_PREFIXES,
    VILLAGE_SUFFIXES,
    NameMaker,
    chinese_number,
    credit_code,
)

DEMO_EVENT = "demo_load"
DEMO_PASSWORD = "Shanzhi@2026"
AREA_CODE = "419001"
COUNTY_CODE = "419001000000"
KEY_TOWNSHIP = "419001100000"  # 克井镇: the accounts live here
REFERENCE_DATE = dt.date(2025, 7, 1)  # ages count from here, not from today, so a seed always gives the same people
TERM_START = dt.date(2021, 3, 1)  # 村"两委" elected in 2021


@dataclass(frozen=True)
class Scale:
    name: str
    townships: tuple[str, ...]  # township codes; empty = every township of the county
    villages: int  # per township
    grids: int  # per village
    households: tuple[int, int]  # per grid, inclusive
    groups: tuple[int, int]  # 村民小组 per village
    subjects: tuple[int, int]  # enterprises, farms, shops per village


SCALES: dict[str, Scale] = {
    # 2 townships × 3 villages × 4 grids × ~25 households × ~3.2 persons ≈ 1,900 persons.
    "small": Scale("small", ("419001100000", "419001101000"), villages=3, grids=4, households=(22, 28),
                   groups=(3, 5), subjects=(3, 3)),
    # 济源: 16 townships × 33 villages × 4 grids × ~109 households ≈ 230,000 households, ~730,000 persons.
    "county": Scale("county", (), villages=33, grids=4, households=(95, 123), groups=(4, 8), subjects=(1, 4)),
}

# Household sizes 1–6, weighted so the mean is ~3.2 persons (rural Henan).
HOUSEHOLD_SIZES = [1, 2, 3, 4, 5, 6]
HOUSEHOLD_SIZE_WEIGHTS = [12, 22, 26, 22, 12, 6]

# Demo accounts: username, role, place code (issue "Demo county": every role at a named place, plus a second
# village cadre and grid worker in another village of the same township to show scope).
V1, V2 = "419001100201", "419001100202"
DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    ("admin", Role.ADMIN, COUNTY_CODE),
    ("leader", Role.LEADER, COUNTY_CODE),
    ("department", Role.DEPARTMENT, COUNTY_CODE),
    ("dispatcher", Role.DISPATCHER, KEY_TOWNSHIP),
    ("township", Role.TOWNSHIP_STAFF, KEY_TOWNSHIP),
    ("mediator", Role.MEDIATOR, KEY_TOWNSHIP),
    ("lawyer", Role.LEGAL_ADVISER, KEY_TOWNSHIP),  # appointed the demo villages' legal adviser by the mediation demo
    ("bookkeeper", Role.BOOKKEEPER, KEY_TOWNSHIP),  # keeps 东坡村's books for it (村账乡代管, finance demo)
    ("gridchief", Role.GRID_CHIEF, V1),
    ("cadre", Role.VILLAGE_CADRE, V1),
    ("cadre2", Role.VILLAGE_CADRE, V2),
    ("supervisor", Role.SUPERVISOR, V1),
    ("reviewer", Role.REVIEWER, V1),
    ("gridworker", Role.GRID_WORKER, V1 + "W001"),
    ("gridworker2", Role.GRID_WORKER, V2 + "W001"),
    ("assistant", Role.ASSISTANT, V1 + "W00101"),
    ("merchant", Role.MERCHANT, V1),
    ("volunteer", Role.VOLUNTEER, V1),
    ("villager", Role.VILLAGER, V1),
]


# County government departments (县级政府部门, G3 承办部门): every county-level department the demo matter list
# names, as "县…", so events escalated or assigned to the county go to a named unit; the ``department`` account
# works for 县自然资源局 (matters 征地拆迁补偿矛盾, 地质灾害隐患).
DEMO_ACCOUNT_UNITS: dict[str, str] = {"department": "县自然资源局"}


def demo_departments() -> list[str]:
    from shanzhi.grid.choices import ResponsibleLevel
    from shanzhi.grid.demo_matters import DEMO_MATTERS

    return sorted({f"县{m.department}" for m in DEMO_MATTERS if m.level == ResponsibleLevel.COUNTY and m.department})


@dataclass
class DemoResult:
    status: str  # "loaded" or "present"
    scale: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    accounts_created: list[str] = field(default_factory=list)
    skipped_accounts: list[str] = field(default_factory=list)


def demo_state() -> dict[str, Any] | None:
    """What the last demo load recorded (scale, seed, counts), or None if there is no demo data."""
    entry = AuditEntry.objects.filter(event=DEMO_EVENT, success=True).order_by("-at", "-id").first()
    return entry.after if entry else None


def reset_hint(scale: str = "…") -> str:
    db = settings.DATABASES["default"]
    other = (f"或删除 {db['NAME']} 后运行 `shanzhi migrate`" if db["ENGINE"].endswith("sqlite3")
             else "或 dropdb/createdb 该数据库后运行 `shanzhi migrate`")
    return (f"如需重新载入，请先清空数据库：`shanzhi flush --noinput`（清除全部数据，不只是演示数据），{other}；"
            f"然后运行 `shanzhi demo --scale {scale}`。")


def demo_load(
    *, acting_user: Any = None, scale: str, seed: int, regions_under: str = "",
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Load the demo county at ``scale`` ("small" or "county"); idempotent (see the module docstring)."""
    say = progress or (lambda _msg: None)
    if scale not in SCALES:
        raise ValidationFailed(f"未知规模：{scale}（可选 {'、'.join(SCALES)}）。")
    spec = SCALES[scale]
    started = time.perf_counter()
    state = demo_state()
    if state is not None:
        if state.get("scale") == scale and state.get("seed") == seed:
            created, skipped = _ensure_accounts(acting_user=acting_user, seed=seed)
            return DemoResult(status="present", scale=scale, seed=seed, counts=state.get("counts", {}),
                              seconds=time.perf_counter() - started, accounts_created=created, skipped_accounts=skipped)
        raise ValidationFailed(
            f"数据库中已有演示数据（规模 {state.get('scale')}，种子 {state.get('seed')}），与本次要求的"
            f"（规模 {scale}，种子 {seed}）不同。{reset_hint(scale)}", code="demo_other_scale")

    step = time.perf_counter()
    created_regions = regions_load(under=regions_under)
    say(f"区划：新增 {created_regions} 条（{regions_under or '全国'}），"
        f"用时 {time.perf_counter() - step:.1f} 秒")
    county = Place.objects.get(code=COUNTY_CODE)
    if Place.objects.filter(path__startswith=county.path, level=Level.VILLAGE).exists():
        raise ValidationFailed(f"{county.name}下已有村/社区，但不是演示数据载入的；演示数据只能载入空库。{reset_hint(scale)}",
                               code="demo_foreign_data")
    townships = list(Place.objects.filter(parent=county, level=Level.TOWNSHIP).order_by("path"))
    if spec.townships:
        townships = [t for t in townships if t.code in spec.townships]

    with transaction.atomic():
        if connection.vendor == "sqlite":
            # A bigger page cache for this connection: index pages of 730,000 rows stay in memory while loading.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        loader = _Loader(seed=seed, spec=spec, say=say)
        for township in townships:
            loader.township(township)
        step = time.perf_counter()
        created, skipped = _ensure_accounts(acting_user=acting_user, seed=seed)
        say(f"演示账号：新增 {len(created)} 个，用时 {time.perf_counter() - step:.1f} 秒")
        seconds = time.perf_counter() - started
        counts = dict(loader.counts)
        audit_record(
            actor=acting_user, action=AuditAction.IMPORT, event=DEMO_EVENT, obj=county, place_path=county.path,
            object_repr=f"演示数据（{scale}）",
            after={"scale": scale, "seed": seed, "counts": counts, "seconds": round(seconds, 1)},
            detail=f"载入演示数据：{counts.get('villages', 0)} 个村，{counts.get('households', 0)} 户，"
                   f"{counts.get('persons', 0)} 人",
        )
    if connection.vendor == "postgresql":
        step = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics for the tables that just grew
        say(f"ANALYZE：用时 {time.perf_counter() - step:.1f} 秒")
    return DemoResult(status="loaded", scale=scale, seed=seed, counts=counts, seconds=time.perf_counter() - started,
                      accounts_created=created, skipped_accounts=skipped)


def allocate_ids(model: type[models.Model], n: int) -> list[int]:
    """Reserve ``n`` primary keys of ``model``: from its sequence on PostgreSQL; on SQLite the keys after the
    largest, which is safe because the load holds SQLite's write lock (transaction_mode IMMEDIATE) and
    AUTOINCREMENT moves past keys written explicitly."""
    conn = connections[DEFAULT_DB_ALIAS]
    table, column = model._meta.db_table, model._meta.pk.column
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, column, n])
            return [row[0] for row in cursor.fetchall()]
        qn = conn.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({qn(column)}), 0) FROM {qn(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + n))


def bulk_insert(model: type[models.Model], objs: list[Any], chunk: int = 5000) -> None:
    """INSERT many new rows, primary keys included (see ``allocate_ids``): ``executemany`` of one statement
    per chunk, or ``COPY`` on PostgreSQL.

    ``bulk_create`` compiles SQL for every value and, on SQLite, stops at 999 parameters (49 persons) per
    statement; for the 730,000 persons of the county scale that was most of the load time. Values are
    prepared per field the way Django's own insert does (dates, decimals and JSON through the field,
    auto_now stamps once), other fields are written as they are."""
    conn = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the proxy: this runs per value
    fields = list(model._meta.concrete_fields)
    stamp = now()
    prepare: list[tuple[str, Callable[[Any], Any] | None]] = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            const = f.get_db_prep_save(stamp, conn)
            prepare.append((f.attname, lambda _v, c=const: c))
        elif isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
            prepare.append((f.attname, conn.ops.adapt_datefield_value))
        elif isinstance(f, models.DateTimeField | models.DecimalField | models.JSONField):
            prepare.append((f.attname, lambda v, f=f: f.get_db_prep_save(v, conn)))
        else:
            prepare.append((f.attname, None))
    qn = conn.ops.quote_name
    # Table and column names come from the model and are quoted; values go as parameters.
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # COPY streams the rows: no statement per row, several times faster than executemany.
            columns = ", ".join(qn(f.column) for f in fields)
            with cursor.cursor.copy(f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                for o in objs:
                    copy.write_row(tuple(getattr(o, name) if fn is None else fn(getattr(o, name))
                                         for name, fn in prepare))
            return
        for start in range(0, len(objs), chunk):
            rows = [
                tuple(getattr(o, name) if fn is None else fn(getattr(o, name)) for name, fn in prepare)
                for o in objs[start:start + chunk]
            ]
            cursor.executemany(sql, rows)


def _age(birth: dt.date) -> int:
    return REFERENCE_DATE.year - birth.year - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (birth.month, birth.day))


@dataclass
class _Member:
    relation: str
    male: bool
    age: int
    surname: tuple[str, str] | None


class _Loader:
    """Builds one township at a time in memory; households and persons are written with ``bulk_insert``,
    the few thousand places, subjects and organisations with ``bulk_create``."""

    BATCH = 2000

    def __init__(self, *, seed: int, spec: Scale, say: Callable[[str], None]) -> None:
        self.seed = seed
        self.spec = spec
        self.say = say
        self.counts: Counter[str] = Counter()
        self.id_sequences: Counter[tuple[dt.date, bool]] = Counter()
        # Identity numbers already in the database with the demo's area code are never reused.
        self.taken_ids = set(
            Person.objects.filter(id_number__startswith=AREA_CODE).values_list("id_number", flat=True)
        )

    # --- values ---------------------------------------------------------------------------------------

    def id_number(self, birth: dt.date, male: bool) -> tuple[str, dt.date]:
        """A unique valid number for this birth date and sex; moves the date a day back if that date is full."""
        while True:
            n = self.id_sequences[(birth, male)]
            self.id_sequences[(birth, male)] = n + 1
            # An even offset that varies with the date, then odd sequences for men and even for women.
            seq = (birth.toordinal() * 37) % 200 * 2 + 2 * n + (1 if male else 0)
            if seq > 999:
                birth -= dt.timedelta(days=1)
                continue
            number = make_id_number(AREA_CODE, birth, seq)
            if number not in self.taken_ids:
                return number, birth

    @staticmethod
    def place(*, code: str, name: str, level: str, parent: Place) -> Place:
        full, initials = pinyin_keys(name)
        return Place(code=code, path=code, name=name, level=level, parent_id=parent.pk, pinyin=full[:200],
                     initials=initials[:60], is_synthetic=True)

    def members(self, rng: random.Random, names: NameMaker) -> list[_Member]:
        """A household: head, spouse, then children, parents of the head or grandchildren."""
        size = rng.choices(HOUSEHOLD_SIZES, weights=HOUSEHOLD_SIZE_WEIGHTS)[0]
        head_male = rng.random() < 0.82
        if size == 1:
            head_age = rng.randint(45, 88) if rng.random() < 0.7 else rng.randint(22, 60)
        else:
            head_age = rng.randint(26, 78)
        head_surname = names.surname()
        out = [_Member(Relation.HEAD, head_male, head_age, head_surname)]
        child_surname = head_surname
        if size > 1 and rng.random() < 0.9:
            spouse_surname = names.surname()
            spouse_age = min(95, max(20, head_age + rng.randint(-5, 5) + (-2 if head_male else 2)))
            out.append(_Member(Relation.SPOUSE, not head_male, spouse_age, spouse_surname))
            if not head_male:
                child_surname = spouse_surname
        parents = 0
        adult_child = False
        while len(out) < size:
            roll = rng.random()
            if head_age <= 50 and parents < 2 and roll < 0.3:
                male = parents == 0
                parents += 1
                surname = head_surname if male and head_male else None
                out.append(_Member(Relation.PARENT, male, min(96, head_age + rng.randint(22, 32)), surname))
            elif head_age >= 58 and adult_child and roll < 0.55:
                if rng.random() < 0.3:
                    out.append(_Member(Relation.CHILD_IN_LAW, rng.random() < 0.3, head_age - rng.randint(24, 32), None))
                else:
                    male = rng.random() < 0.52
                    age = rng.randint(0, min(17, head_age - 45))
                    out.append(_Member(Relation.GRANDCHILD, male, age, child_surname))
            else:
                age = max(0, head_age - rng.randint(22, 36))
                adult_child = adult_child or age >= 22
                out.append(_Member(Relation.CHILD, rng.random() < 0.52, age, child_surname))
        return out

    # --- one township ---------------------------------------------------------------------------------

    def township(self, township: Place) -> None:
        step = time.perf_counter()
        spec = self.spec
        rng = random.Random(f"{self.seed}:{township.code}")
        names = NameMaker(rng)
        is_street = township.name.endswith("街道")
        communities = 4 if is_street else 0
        bases = rng.sample([p + s for p in VILLAGE_PREFIXES for s in VILLAGE_SUFFIXES], spec.villages)
        villages = []
        for i, base in enumerate(bases):
            if i < communities:  # 居委会 codes 001–199
                villages.append(self.place(code=f"{township.path}{i + 1:03d}", name=f"{base}社区", level=Level.VILLAGE,
                                           parent=township))
            else:  # 村委会 codes 200–399
                villages.append(self.place(code=f"{township.path}{201 + i - communities:03d}", name=f"{base}村",
                                           level=Level.VILLAGE, parent=township))
        Place.objects.bulk_create(villages, batch_size=self.BATCH)

        groups: dict[int, list[Place]] = {}
        grids: dict[int, list[Place]] = {}
        for v in villages:
            groups[v.pk] = [self.place(code=f"{v.path}Z{g:02d}", name=f"第{chinese_number(g)}村民小组", level=Level.GROUP,
                                       parent=v) for g in range(1, rng.randint(*spec.groups) + 1)]
            grids[v.pk] = [self.place(code=f"{v.path}W{g:03d}", name=f"{v.name}第{chinese_number(g)}网格",
                                      level=Level.GRID, parent=v) for g in range(1, spec.grids + 1)]
        Place.objects.bulk_create([p for v in villages for p in groups[v.pk] + grids[v.pk]], batch_size=self.BATCH)
        micro: dict[int, list[Place]] = {}
        for v in villages:
            for g in grids[v.pk]:
                micro[g.pk] = [self.place(code=f"{g.path}{m:02d}", name=f"{g.name}{m}号微网格", level=Level.MICROGRID,
                                          parent=g) for m in range(1, rng.randint(1, 2) + 1)]
        Place.objects.bulk_create([m for ms in micro.values() for m in ms], batch_size=self.BATCH)

        party = Organisation(kind=OrgKind.PARTY_COMMITTEE, name=f"中共{township.name}委员会", place_id=township.pk,
                             place_path=township.path, founded_on=dt.date(1984, 6, 1))
        party.save()
        households: list[Household] = []
        pending: list[tuple[Household, list[Person]]] = []
        by_village: dict[int, list[Person]] = defaultdict(list)
        for v in villages:
            self.village_households(rng, names, township, v, groups[v.pk], grids[v.pk], micro, households, pending)
        # Keys are reserved first, so each household is written with its head (the foreign keys are deferred to
        # the commit) and no UPDATE of 230,000 households follows.
        persons = [p for _household, people in pending for p in people]
        for obj, pk in zip(households, allocate_ids(Household, len(households)), strict=True):
            obj.pk = pk
        for obj, pk in zip(persons, allocate_ids(Person, len(persons)), strict=True):
            obj.pk = pk
        for household, people in pending:
            household.head_id = people[0].pk
            for p in people:
                p.household_id = household.pk
                by_village[household.village_id].append(p)
        bulk_insert(Household, households)
        bulk_insert(Person, persons)
        subjects, orgs, members = self.village_bodies(rng, names, township, villages, by_village, party)

        self.counts.update(villages=len(villages), groups=sum(len(g) for g in groups.values()),
                           grids=sum(len(g) for g in grids.values()), microgrids=sum(len(m) for m in micro.values()),
                           households=len(households), persons=len(persons), subjects=subjects,
                           organisations=orgs + 1, memberships=members)
        self.say(f"{township.name}：{len(villages)} 个村/社区，{len(households)} 户，{len(persons)} 人，"
                 f"用时 {time.perf_counter() - step:.1f} 秒")

    def village_households(
        self, rng: random.Random, names: NameMaker, township: Place, village: Place, groups: list[Place],
        grids: list[Place], micro: dict[int, list[Place]], households: list[Household],
        pending: list[tuple[Household, list[Person]]],
    ) -> None:
        per_grid = [rng.randint(*self.spec.households) for _ in grids]
        total = sum(per_grid)
        lat0, lon0 = 34.95 + rng.random() * 0.32, 112.05 + rng.random() * 0.70
        doors: Counter[int] = Counter()
        seq = 0
        for grid, count in zip(grids, per_grid, strict=True):
            glat, glon = lat0 + rng.uniform(-0.006, 0.006), lon0 + rng.uniform(-0.006, 0.006)
            for _ in range(count):
                # Groups follow the household number, so a group is a contiguous stretch of the village.
                group_index = seq * len(groups) // total
                seq += 1
                group = groups[group_index]
                doors[group_index] += 1
                place = rng.choice(micro[grid.pk])
                people = self.people(rng, names, self.members(rng, names))
                head = people[0]
                households.append(Household(
                    number=f"{village.path}{seq:05d}", place_id=place.pk, place_path=place.path, village_id=village.pk,
                    group_id=group.pk, address=f"{township.name}{village.name}{chinese_number(group_index + 1)}组"
                                               f"{doors[group_index]}号",
                    latitude=Decimal(f"{glat + rng.uniform(-0.002, 0.002):.6f}"),
                    longitude=Decimal(f"{glon + rng.uniform(-0.002, 0.002):.6f}"),
                    head_name=head.name, member_count=len(people),
                ))
                for p in people:
                    p.place_path = place.path
                pending.append((households[-1], people))

    def people(self, rng: random.Random, names: NameMaker, members: list[_Member]) -> list[Person]:
        dibao = rng.random() < 0.03
        monitored = not dibao and rng.random() < 0.02
        out: list[Person] = []
        ages: list[int] = []
        for m in members:
            birth = REFERENCE_DATE - dt.timedelta(days=m.age * 365 + rng.randrange(365))
            id_number, birth = self.id_number(birth, m.male)
            age = _age(birth)
            name = names.person(male=m.male, birth_year=birth.year, surname=m.surname)
            tags: list[str] = []
            political = PoliticalStatus.MASSES
            if age >= 22 and rng.random() < 0.085:
                political = PoliticalStatus.PARTY_MEMBER
                tags.append(PersonTag.PARTY_MEMBER)
            elif 14 <= age <= 28 and rng.random() < 0.35:
                political = PoliticalStatus.LEAGUE_MEMBER
            if dibao:
                tags.append(PersonTag.DIBAO)
            if len(members) == 1 and age >= 65 and rng.random() < 0.2:
                tags.append(PersonTag.TEKUN)
            if rng.random() < 0.02:
                tags.append(PersonTag.DISABLED)
            if m.male and 25 <= age <= 75 and rng.random() < 0.03:
                tags.append(PersonTag.VETERAN)
            if monitored:
                tags.append(PersonTag.MONITORED)
            status = ResidenceStatus.RESIDENT
            if 18 <= age <= 55 and rng.random() < 0.2:
                status = ResidenceStatus.AWAY
                tags.append(PersonTag.MIGRANT_WORKER)
            if age >= 18 and rng.random() < 0.002:
                tags.append(PersonTag.KEY_PERSON)
            out.append(Person(
                name=name.text, pinyin=name.pinyin, initials=name.initials, id_number=id_number, birth_date=birth,
                sex=Sex.MALE if m.male else Sex.FEMALE, ethnicity="回族" if rng.random() < 0.005 else "汉族",
                phone=names.phone() if 18 <= age <= 75 and rng.random() < 0.88 else "", relation=m.relation,
                residence_status=status, political_status=political, tags=tags,
            ))
            ages.append(age)
        # 留守: elders with no working-age adult at home, children whose working-age adults are all away.
        working = [p for p, a in zip(out, ages, strict=True) if 18 <= a <= 59]
        working_home = [p for p in working if p.residence_status == ResidenceStatus.RESIDENT]
        for p, a in zip(out, ages, strict=True):
            if a >= 65 and not working_home:
                p.tags.append(PersonTag.LEFT_BEHIND_ELDER)
            elif a < 16 and working and not working_home:
                p.tags.append(PersonTag.LEFT_BEHIND_CHILD)
            p.tag_bits = tags_to_bits(p.tags)
        return out

    def village_bodies(
        self, rng: random.Random, names: NameMaker, township: Place, villages: list[Place],
        by_village: dict[int, list[Person]], party: Organisation,
    ) -> tuple[int, int, int]:
        """Subjects, the seven village organisations and their members (村"两委", 监委会, 调委会, 红白理事会 …)."""
        subjects: list[Subject] = []
        orgs: list[Organisation] = []
        posts: list[tuple[Organisation, list[tuple[Person, str]]]] = []
        for v in villages:
            people = by_village[v.pk]
            home = [p for p in people if p.residence_status == ResidenceStatus.RESIDENT]
            adults = [p for p in home if 25 <= _age(p.birth_date) <= 68]
            party_members = [p for p in adults if p.political_status == PoliticalStatus.PARTY_MEMBER]
            elders = [p for p in home if 55 <= _age(p.birth_date) <= 78]
            short = v.name.removesuffix("村").removesuffix("社区")
            for k in range(rng.randint(*self.spec.subjects)):
                kind = [SubjectKind.ENTERPRISE, SubjectKind.FAMILY_FARM, SubjectKind.INDIVIDUAL_BUSINESS][k % 3]
                owner = rng.choice(adults)
                name = {SubjectKind.ENTERPRISE: f"济源市{short}{rng.choice(INDUSTRIES)}有限公司",
                        SubjectKind.FAMILY_FARM: f"济源市{owner.name}家庭农场",
                        SubjectKind.INDIVIDUAL_BUSINESS: f"{short}{owner.name}{rng.choice(SHOPS)}"}[kind]
                full, initials = pinyin_keys(name)
                subjects.append(Subject(
                    kind=kind, name=name, pinyin=full[:300], initials=initials[:60], legal_person=owner.name,
                    credit_code=credit_code(rng=rng, area_code=AREA_CODE, individual=kind != SubjectKind.ENTERPRISE),
                    phone=owner.phone or names.phone(), place_id=v.pk, place_path=v.path,
                    address=f"{township.name}{v.name}",
                ))
            committee = "居民委员会" if v.name.endswith("社区") else "村民委员会"
            kinds = [
                (OrgKind.PARTY_BRANCH, f"中共{township.name}{v.name}支部委员会"),
                (OrgKind.VILLAGE_COMMITTEE, f"{v.name}{committee}"),
                (OrgKind.SUPERVISORY_COMMITTEE, f"{v.name}村务监督委员会"),
                (OrgKind.MEDIATION_COMMITTEE, f"{v.name}人民调解委员会"),
                (OrgKind.WEDDING_FUNERAL_COUNCIL, f"{v.name}红白理事会"),
                (OrgKind.REVIEW_GROUP, f"{v.name}评议小组"),
                (OrgKind.COLLECTIVE_ECONOMY, f"{v.name}股份经济合作社"),
            ]
            made = {kind: Organisation(kind=kind, name=name, place_id=v.pk, place_path=v.path, founded_on=TERM_START,
                                       parent=party if kind == OrgKind.PARTY_BRANCH else None) for kind, name in kinds}
            orgs.extend(made.values())
            pool = _Pool(rng, adults)
            secretary = pool.take(party_members)
            branch = [(secretary, Post.SECRETARY), (pool.take(party_members), Post.DEPUTY_SECRETARY)]
            branch += [(pool.take(party_members), Post.MEMBER) for _ in range(3)]
            # 一肩挑: the branch secretary also chairs the village committee and the collective economy.
            committee_posts = [(secretary, Post.DIRECTOR), (pool.take(), Post.DEPUTY_DIRECTOR),
                               (pool.take(), Post.CLERK), (pool.take(), Post.ACCOUNTANT), (pool.take(), Post.MEMBER)]
            posts += [
                (made[OrgKind.PARTY_BRANCH], branch),
                (made[OrgKind.VILLAGE_COMMITTEE], committee_posts),
                (made[OrgKind.SUPERVISORY_COMMITTEE], [(pool.take(), Post.CHAIR), (pool.take(), Post.MEMBER),
                                                       (pool.take(), Post.MEMBER)]),
                (made[OrgKind.MEDIATION_COMMITTEE], [(committee_posts[1][0], Post.CHAIR), (pool.take(), Post.MEMBER),
                                                     (pool.take(), Post.MEMBER)]),
                (made[OrgKind.WEDDING_FUNERAL_COUNCIL], [(pool.take(elders), Post.CHAIR)]
                 + [(pool.take(elders), Post.MEMBER) for _ in range(4)]),
                (made[OrgKind.REVIEW_GROUP], [(pool.take(elders), Post.CHAIR)]
                 + [(pool.take(), Post.MEMBER) for _ in range(4)]),
                (made[OrgKind.COLLECTIVE_ECONOMY], [(secretary, Post.DIRECTOR),
                                                    (committee_posts[3][0], Post.ACCOUNTANT),
                                                    (pool.take(), Post.MEMBER), (pool.take(), Post.MEMBER)]),
            ]
        Subject.objects.bulk_create(subjects, batch_size=self.BATCH)
        Organisation.objects.bulk_create(orgs, batch_size=self.BATCH)
        memberships = [Membership(organisation_id=org.pk, person_id=person.pk, place_path=org.place_path, post=post,
                                  term_start=TERM_START) for org, holders in posts for person, post in holders]
        Membership.objects.bulk_create(memberships, batch_size=self.BATCH)
        return len(subjects), len(orgs), len(memberships)


class _Pool:
    """Draws distinct people for posts: from a preferred list while it lasts, else from everyone."""

    def __init__(self, rng: random.Random, everyone: list[Person]) -> None:
        self.rng = rng
        self.everyone = everyone
        self.used: set[int] = set()

    def take(self, preferred: Iterable[Person] = ()) -> Person:
        for source in (list(preferred), self.everyone):
            free = [p for p in source if id(p) not in self.used]
            if free:
                chosen = self.rng.choice(free)
                self.used.add(id(chosen))
                return chosen
        return self.rng.choice(self.everyone)


# --- accounts -----------------------------------------------------------------------------------------------

def _account_person(username: str, place: Place) -> Person | None:
    """The registry person behind a village account: the villager is a real head of household, the cadre the
    branch secretary, the supervisor and reviewer the chairs of their bodies."""
    if username == "villager":
        household = (Household.objects.filter(village=place, head__residence_status=ResidenceStatus.RESIDENT)
                     .select_related("head").order_by("number").first())
        return household.head if household else None
    wanted = {"cadre": (OrgKind.PARTY_BRANCH, Post.SECRETARY), "cadre2": (OrgKind.PARTY_BRANCH, Post.SECRETARY),
              "supervisor": (OrgKind.SUPERVISORY_COMMITTEE, Post.CHAIR), "reviewer": (OrgKind.REVIEW_GROUP, Post.CHAIR)}
    if username not in wanted:
        return None
    kind, post = wanted[username]
    membership = (Membership.objects.filter(organisation__place=place, organisation__kind=kind, post=post)
                  .select_related("person").order_by("id").first())
    return membership.person if membership else None


def _ensure_departments(*, acting_user: Any) -> None:
    """Create the county's demo departments that do not exist yet and link the accounts that work for one
    (``DEMO_ACCOUNT_UNITS``), through the orgs services; idempotent."""
    county = Place.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return
    have = {o.name: o for o in Organisation.objects.filter(place=county, kind=OrgKind.GOV_DEPARTMENT, is_active=True)}
    for name in demo_departments():
        if name not in have:
            have[name] = organisation_create(acting_user=acting_user, place=county, kind=OrgKind.GOV_DEPARTMENT,
                                             name=name, purpose="县级政府工作部门（演示）")
    for username, unit in DEMO_ACCOUNT_UNITS.items():
        user = User.objects.filter(username=username).first()
        if user is not None and unit in have and not user.unit_accounts.filter(is_active=True).exists():
            unit_account_add(acting_user=acting_user, organisation=have[unit], user=user)


def _ensure_accounts(*, acting_user: Any, seed: int) -> tuple[list[str], list[str]]:
    """Create the demo accounts that do not exist yet, through the access services; an existing username is
    left alone (it may be a real account). Returns (created, skipped for want of a place). The county's
    departments and the department account's unit come with them (``_ensure_departments``)."""
    existing = set(User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).values_list("username", flat=True))
    places = {p.code: p for p in Place.objects.filter(code__in={a[2] for a in DEMO_ACCOUNTS})}
    names = NameMaker(random.Random(f"{seed}:accounts"))
    created, skipped = [], []
    for username, role, code in DEMO_ACCOUNTS:
        full_name = names.person(male=names.rng.random() < 0.6, birth_year=1980).text
        if username in existing:
            continue
        place = places.get(code)
        if place is None:
            skipped.append(username)
            continue
        person = _account_person(username, place)
        user = user_create(acting_user=acting_user, username=username, password=DEMO_PASSWORD,
                           full_name=person.name if person else full_name, must_change_password=False)
        if person is not None:
            user.person = person
            user.save(update_fields=["person"])
        role_assign(acting_user=acting_user, user=user, role=role, place=place)
        created.append(username)
    _ensure_departments(acting_user=acting_user)
    return created, skipped


def demo_accounts() -> list[dict[str, Any]]:
    """The demo accounts that exist, with their roles and places, in the order of DEMO_ACCOUNTS. The password
    shown is the shared demo password (not checked: hashing it 17 times would cost seconds)."""
    users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS])
             .prefetch_related("role_assignments__place")}
    rows = []
    labels = dict(Role.choices)
    for username, role, _code in DEMO_ACCOUNTS:
        user = users.get(username)
        if user is None:
            continue
        assignment = next((a for a in user.role_assignments.all() if a.role == role), None)
        rows.append({
            "username": username, "role": str(labels[role]), "full_name": user.full_name,
            "place": assignment.place.name if assignment else "",
            "place_code": assignment.place.code if assignment else "",
            "password": DEMO_PASSWORD,
        })
    return rows
