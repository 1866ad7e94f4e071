"""A year of mediation cases for the county demo (issue 5: "at county scale, 10,000 cases a year, as in 济源"):
every village's committee and every township's centre, with mediators, receive their share of ~10,000 cases
over the year — mostly neighbour, marriage and land disputes, a quarter referred by courts, police stations and
petition offices — and take them through the eight steps as a reasonably working county does: most settled with
a written agreement within two weeks, visited and archived; some failed with the advice given (art. 26), a few
refused (art. 17) or withdrawn; the last month's still open at various steps. Parties are registry persons of
the village (their households, so repeated disputes between the same households exist), a few graded medium
or high petition risk.

Like ``shanzhi.demo.events``, rows are written in bulk (``demo.services.bulk_insert``) rather than through the
services, reproducing what they write: the case row, its parties, agreement, return visit, the workflow history
(same transitions and labels); one audit entry (``demo_mediation_bulk``) stands for the load and marks it, so a
second run adds nothing. Runs for the "county" scale only (loader order 46)."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.utils.timezone import now

from shanzhi.access.models import User
from shanzhi.access.roles import Role
from shanzhi.access.services import role_assign
from shanzhi.audit.models import AuditEntry
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.identity import make_id_number
from shanzhi.demo.services import COUNTY_CODE, allocate_ids, bulk_insert
from shanzhi.demo.synthetic import NameMaker
from shanzhi.people.models import Person
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place
from shanzhi.workflow.calendar import local_date
from shanzhi.workflow.models import CaseHistory, HistoryKind

from . import workflow as wf
from .choices import (
    DisputeType,
    OrgKind,
    PartyRole,
    PerformanceStatus,
    Post,
    Result,
    Retention,
    RiskLevel,
    Source,
)
from .models import Agreement, Case, Mediator, Membership, Organisation, Party, ReturnVisit, Session

MARKER = "demo_mediation_bulk"
CASES_PER_YEAR = 10_000
OPEN_DAYS = 30
TYPES = [(DisputeType.NEIGHBOUR, 26), (DisputeType.MARRIAGE, 20), (DisputeType.LAND, 16), (DisputeType.DAMAGES, 9),
         (DisputeType.CONTRACT, 8), (DisputeType.LABOUR, 6), (DisputeType.TRAFFIC, 5), (DisputeType.PROPERTY, 3),
         (DisputeType.EXPROPRIATION, 3), (DisputeType.MEDICAL, 2), (DisputeType.OTHER, 2)]
SOURCES = [(Source.APPLICATION, 40), (Source.SCREENING, 20), (Source.GRID_EVENT, 15), (Source.COURT, 12),
           (Source.POLICE, 9), (Source.PETITION, 4)]
REFERRERS = {Source.COURT: "济源市人民法院", Source.POLICE: "派出所", Source.PETITION: "市信访局"}
TITLES = {DisputeType.NEIGHBOUR: ["排水沟走向纠纷", "院墙越界纠纷", "通行道路纠纷", "噪音扰邻纠纷"],
          DisputeType.MARRIAGE: ["赡养费纠纷", "离婚财产分割纠纷", "抚养费纠纷"],
          DisputeType.LAND: ["承包地地界纠纷", "宅基地边界纠纷", "林地权属纠纷"],
          DisputeType.DAMAGES: ["饲养动物致损纠纷", "房屋漏水致损纠纷"], DisputeType.CONTRACT: ["民间借贷纠纷", "买卖合同纠纷"],
          DisputeType.LABOUR: ["拖欠务工工资纠纷"], DisputeType.TRAFFIC: ["农用车刮擦赔偿纠纷"],
          DisputeType.PROPERTY: ["物业费纠纷"], DisputeType.EXPROPRIATION: ["征地补偿分配纠纷"],
          DisputeType.MEDICAL: ["诊所医疗纠纷"], DisputeType.OTHER: ["其他民间纠纷"]}
MONEY_TYPES = {DisputeType.DAMAGES, DisputeType.CONTRACT, DisputeType.LABOUR, DisputeType.TRAFFIC,
               DisputeType.MEDICAL, DisputeType.EXPROPRIATION, DisputeType.MARRIAGE, DisputeType.PROPERTY}


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def bulk_state() -> dict[str, Any] | None:
    entry = AuditEntry.objects.filter(event=MARKER).order_by("-id").first()
    return entry.after if entry else None


class _Loader:
    def __init__(self, rng: random.Random, end: dt.datetime) -> None:
        self.rng, self.end = rng, end
        self.ct = ContentType.objects.get_for_model(Case)
        self.cases: list[Case] = []
        self.parties: list[Party] = []
        self.history: list[CaseHistory] = []
        self.agreements: list[Agreement] = []
        self.visits: list[ReturnVisit] = []
        self.sessions: list[Session] = []
        # Archive numbers go on from those already given (the demo's cases made through the services come first).
        self.archive_seq: dict[tuple[int, int], int] = defaultdict(int, {
            (row["organisation_id"], row["archive_year"]): row["m"]
            for row in Case.objects.filter(archive_seq__isnull=False).values("organisation_id", "archive_year")
            .annotate(m=Max("archive_seq"))})

    def step(self, case: Case, name: str, label: str, before: str, after: str, actor: User, at: dt.datetime,
             note: str = "") -> None:
        self.history.append(CaseHistory(
            content_type_id=self.ct.pk, object_id=case.pk, workflow=wf.WORKFLOW.name, kind=HistoryKind.TRANSITION,
            transition=name, label=label, from_state=before, to_state=after, actor=actor,
            actor_name=actor.full_name or actor.username, note=note[:500], at=at))

    def case(self, *, pk: int, org: Organisation, place: Place, mediator: Mediator, account: User,
             persons: list[tuple[Any, ...]], received: dt.datetime) -> None:
        rng = self.rng
        kind = _pick(rng, TYPES)
        source = _pick(rng, SOURCES)
        amount = Decimal(rng.choice([500, 1200, 3000, 5000, 8000, 15000, 30000, 60000])) \
            if kind in MONEY_TYPES and rng.random() < 0.8 else None
        a, b = rng.sample(persons, 2)
        c = Case(pk=pk, number=f"TJ{local_date(received):%Y%m%d}-{pk:06d}", organisation=org, org_path=org.place_path,
                 place=place, place_path=place.path, source=source, dispute_type=kind,
                 title=rng.choice(TITLES[kind]), amount=amount, facts=f"{a[2]}与{b[2]}发生{rng.choice(TITLES[kind])}。",
                 referring_body=(f"{place.parent.name if place.parent_id else ''}{REFERRERS[source]}"
                                 if source in REFERRERS else ""),
                 referral_reference=f"（{received.year}）转调{pk}号" if source in REFERRERS else "",
                 land_parcel=f"{place.name}{rng.randint(1, 40)}号地" if kind == DisputeType.LAND else "",
                 registered_by=account, received_at=received, accepted_at=received,
                 limit_at=received + dt.timedelta(days=30), mediator=mediator,
                 risk_level=_pick(rng, [(RiskLevel.LOW, 80), (RiskLevel.MEDIUM, 15), (RiskLevel.HIGH, 5)]),
                 state=wf.ACCEPTED, state_since=received)
        c.risk_assessed_at = received
        for role, p in ((PartyRole.APPLICANT, a), (PartyRole.RESPONDENT, b)):
            self.parties.append(Party(case_id=pk, role=role, person_id=p[0], household_id=p[1], name=p[2],
                                      sex=p[3] or "", birth_date=p[4], id_number=p[5] or "", phone=p[6] or ""))
        self.step(c, "register", "登记受理", "", wf.ACCEPTED, account, received,
                  f"{Source(source).label}：{c.referring_body} {c.referral_reference}".strip("： "))
        open_case = (self.end - received).days < OPEN_DAYS and rng.random() < 0.7
        at = received
        outcome = _pick(rng, [("settled", 86), ("failed", 7), ("refused", 4), ("withdrawn", 3)])
        stop = rng.randint(0, 6) if open_case else 99
        plan = [("assign", "确定调解人员", wf.ASSIGNED), ("investigate", "调查核实", wf.INVESTIGATED),
                ("inform", "告知权利义务", wf.INFORMED), ("mediate", "开展调解", wf.MEDIATING)]
        # No step is dated after ``end`` (today, for the demo): a case whose next step would fall later stays in
        # the step it has reached, open.
        if outcome in ("refused", "withdrawn") and not open_case \
                and at + dt.timedelta(hours=72) <= self.end:
            at += dt.timedelta(hours=rng.randint(2, 72))
            name, label, state = (("refuse", "当事人拒绝调解", wf.REFUSED) if outcome == "refused"
                                  else ("withdraw", "撤回申请", wf.WITHDRAWN))
            self.step(c, name, label, wf.ACCEPTED, state, account, at, "当事人明确表示不同意调解。")
            c.state, c.state_since, c.result, c.closed_at = state, at, outcome, at
            self.cases.append(c)
            return
        state = wf.ACCEPTED
        for i, (name, label, to) in enumerate(plan):
            if i >= stop:
                break
            nxt = at + dt.timedelta(hours=rng.randint(3, 60))
            if nxt > self.end:
                break
            at = nxt
            self.step(c, name, label, state, to, account, at)
            state = to
            if to == wf.INVESTIGATED:
                c.investigation, c.investigated_at = "走访当事人及四邻，查看现场。", at
            if to == wf.INFORMED:
                c.informed_at = at
        c.state, c.state_since = state, at
        concluded = at + dt.timedelta(hours=rng.randint(12, 24 * 14))
        if state != wf.MEDIATING or open_case or concluded > self.end:
            c.due_at = c.limit_at
            self.cases.append(c)
            return
        # the mediation session (调解记录) between the start of mediation and its conclusion
        self.sessions.append(Session(
            case_id=pk, held_at=at + (concluded - at) / 2, mode="on_site", location=f"{place.name}调解室",
            attendance=f"{a[2]}、{b[2]}、{mediator.name}", recorded_by=account,
            minutes="双方陈述事实与诉求，调解员释法说理，引导双方协商。"))
        at = concluded
        year = local_date(at).year
        if outcome == "failed":
            self.step(c, "fail", "调解不成", state, wf.FAILED, account, at, "告知当事人可向人民法院提起诉讼。")
            c.state, c.result, c.result_note, c.closed_at = wf.FAILED, Result.FAILED, "告知当事人可向人民法院提起诉讼。", at
        else:
            self.step(c, "agree", "制作调解协议", state, wf.AGREED, account, at)
            c.state, c.result, c.settled, c.closed_at = wf.AGREED, Result.SETTLED, True, at
            self.agreements.append(Agreement(
                case_id=pk, disputed_matters=c.facts, responsibilities="双方各自承担相应责任。",
                content="双方自愿达成协议，按约定履行。", performance_manner="现金一次性支付" if amount else "按约定行为履行",
                performance_deadline=local_date(at) + dt.timedelta(days=15), copies=3, made_at=at, made_by=account,
                signed_on=local_date(at),
                performance_status=PerformanceStatus.DONE if (self.end - at).days > 20 else PerformanceStatus.PENDING))
            if (self.end - at).days > 20:
                visit = at + dt.timedelta(days=rng.randint(10, 20))
                self.visits.append(ReturnVisit(case_id=pk, visited_on=local_date(visit), way="phone",
                                               visited_party=a[2], performance=PerformanceStatus.DONE,
                                               feedback="协议已履行，双方满意。", visitor=account))
                self.step(c, "visit", "回访", wf.AGREED, wf.VISITED, account, visit)
                c.state, at = wf.VISITED, visit
        if (self.end - at).days > 10 and c.state in (wf.VISITED, wf.FAILED):
            at += dt.timedelta(days=rng.randint(1, 7))  # within ``end``: at most 7 of the 10+ days left
            self.archive_seq[(org.pk, year)] += 1
            seq = self.archive_seq[(org.pk, year)]
            self.step(c, "archive", "整理卷宗", c.state, wf.ARCHIVED, account, at)
            c.state, c.archive_year, c.archive_seq, c.retention, c.archived_at = (
                wf.ARCHIVED, year, seq, Retention.SHORT, at)
            c.archive_number = f"（{year}）{org.abbreviation}人调字第{seq}号"
        c.state_since = at
        self.cases.append(c)


def _account(username: str, place: Place, full_name: str) -> User:
    """A township's synthetic mediator account (no usable password: it cannot log in), as the events demo's."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=full_name, must_change_password=True)
        user.set_unusable_password()
        user.save()
        role_assign(acting_user=None, user=user, role=Role.MEDIATOR, place=place)
    return user


def _organisations(rng: random.Random, township: Place, villages: list[Place], names: NameMaker
                   ) -> dict[int, tuple[Organisation, list[Mediator]]]:
    """The township's centre and each village's committee (existing ones kept), with three mediators each."""
    out: dict[int, tuple[Organisation, list[Mediator]]] = {}
    wanted = [(township, OrgKind.TOWNSHIP, f"{township.name}矛盾纠纷调解中心")] + [
        (v, OrgKind.VILLAGE, f"{v.name}人民调解委员会") for v in villages]
    existing = {o.place_id: o for o in Organisation.objects.filter(place__in=[w[0] for w in wanted],
                                                                   kind__in=(OrgKind.TOWNSHIP, OrgKind.VILLAGE))}
    new_orgs, new_meds, new_members = [], [], []
    for place, kind, name in wanted:
        org = existing.get(place.pk)
        if org is None:
            org = Organisation(name=name, kind=kind, abbreviation=f"济{place.name[:2]}", place=place,
                               place_path=place.path)
            new_orgs.append(org)
        out[place.pk] = (org, [])
    for org, pk in zip(new_orgs, allocate_ids(Organisation, len(new_orgs)), strict=True):
        org.pk = pk
    bulk_insert(Organisation, new_orgs)
    ids = iter(allocate_ids(Mediator, 3 * len(out)))
    for org, meds in out.values():
        meds.extend(Mediator.objects.filter(memberships__organisation=org, memberships__is_active=True))
        while len(meds) < 3:
            female = len(meds) == 1
            m = Mediator(pk=next(ids), name=names.person(male=not female, birth_year=1970).text,
                         sex="F" if female else "M", place_id=org.place_id, place_path=org.place_path,
                         specialties=",neighbour,marriage,land,", honours="金牌调解员" if rng.random() < 0.1 else "")
            new_meds.append(m)
            new_members.append(Membership(organisation=org, mediator=m, post=Post.DIRECTOR if not meds else Post.MEMBER,
                                          started_on=dt.date(2026, 1, 1)))
            meds.append(m)
    bulk_insert(Mediator, new_meds)
    for ms, pk in zip(new_members, allocate_ids(Membership, len(new_members)), strict=True):
        ms.pk = pk
    bulk_insert(Membership, new_members)
    return out


def _outsiders(names: NameMaker, village: Place, rng: random.Random) -> list[tuple[Any, ...]]:
    out = []
    for i in range(30):
        male = rng.random() < 0.5
        birth = dt.date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28))
        out.append((None, None, names.person(male=male, birth_year=birth.year).text, "M" if male else "F", birth,
                    make_id_number(village.code[:6], birth, (int(village.code[-3:]) * 31 + i) % 500 * 2 + male), ""))
    return out


def mediation_bulk_load(*, seed: int, end: dt.datetime, per_year: int = CASES_PER_YEAR,
                        say: Callable[[str], None] | None = None, under: str = COUNTY_CODE) -> int:
    """Load a year of cases up to ``end`` across the villages under the place ``under``; returns how many
    (0 when a load is already there or there are no villages)."""
    say = say or (lambda _m: None)
    if bulk_state() is not None:
        return 0
    root = Place.objects.filter(code=under).first()
    if root is None:
        return 0
    started = time.perf_counter()
    rng = random.Random(f"{seed}:mediation")
    names = NameMaker(random.Random(f"{seed}:mediators"))
    townships = list(Place.objects.filter(path__prefix=root.path, level=Level.TOWNSHIP, is_active=True).order_by("path"))
    villages = list(Place.objects.filter(path__prefix=root.path, level=Level.VILLAGE, is_active=True)
                    .select_related("parent").order_by("path"))
    if not villages:
        return 0
    per_village = max(1, -(-per_year // len(villages)))  # rounded up: at least ``per_year``
    loader = _Loader(rng, end)
    start = end - dt.timedelta(days=365)
    with transaction.atomic():
        ids = iter(allocate_ids(Case, per_village * len(villages)))  # once: on SQLite the keys follow MAX(id)
        for township in townships:
            mine = [v for v in villages if v.path.startswith(township.path)]
            if not mine:
                continue
            account = _account(f"demo_md_{township.code}", township, f"{township.name}调解员")
            orgs = _organisations(rng, township, mine, names)
            for village in mine:
                persons = list(Person.objects.filter(place_path__prefix=village.path, id_number__isnull=False)
                               .order_by("id").values_list("id", "household_id", "name", "sex", "birth_date",
                                                           "id_number", "phone")[:60])
                if len(persons) < 2:  # a county without its registry loaded: outsiders with identity numbers
                    persons = _outsiders(names, village, rng)
                for _ in range(per_village):
                    org, meds = orgs[township.pk] if rng.random() < 0.25 else orgs[village.pk]
                    loader.case(pk=next(ids), org=org, place=village, mediator=rng.choice(meds), account=account,
                                persons=persons, received=start + dt.timedelta(seconds=rng.uniform(0, 365 * 86400)))
        for c in loader.cases:
            if c.received_at > end:
                c.received_at = end
        bulk_insert(Case, loader.cases)
        for rows in (loader.parties, loader.history, loader.agreements, loader.visits, loader.sessions):
            if rows:
                for row, pk in zip(rows, allocate_ids(type(rows[0]), len(rows)), strict=True):
                    row.pk = pk
                bulk_insert(type(rows[0]), rows)
        audit_record(actor=None, action=AuditAction.IMPORT, event=MARKER, obj=root, place_path=root.path,
                     object_repr="演示调解案件", detail=f"载入演示调解案件 {len(loader.cases)} 件",
                     after={"cases": len(loader.cases), "history": len(loader.history), "seed": seed,
                            "end": end.isoformat()})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE mediation_case, mediation_party, workflow_casehistory")
    say(f"调解案件：{len(loader.cases)} 件，当事人 {len(loader.parties)} 人，流程记录 {len(loader.history)} 条，"
        f"用时 {time.perf_counter() - started:.1f} 秒")
    return len(loader.cases)


def load(*, scale: str, seed: int, say: Callable[[str], None]) -> None:
    """Demo loader (order 46): the county scale's year of cases; the small demo has mediation's own handful."""
    if scale != "county":
        return
    mediation_bulk_load(seed=seed, end=now(), say=say)
