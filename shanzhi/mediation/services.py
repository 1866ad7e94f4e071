"""Writing 矛盾纠纷调解 (domain.md M1–M5): organisations, mediators, legal advisers; intake from every channel; the
eight steps (thin over the workflow kernel, which checks who acts and in which order and writes the history and
the audit entry); sessions, extensions, the agreement, return visits, judicial confirmation, performance, the
report back to a referring court, uploaded scans and the archive.

Every service checks scope first (out of scope is NotFound, like a missing row), validates everything before it
writes, and writes in one transaction with its audit entry; a refusal leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max

from shanzhi.access.roles import Perm, Role
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.core.identity import parse_id_number, validate_phone
from shanzhi.files.choices import AttachmentKind
from shanzhi.files.services import attachment_create
from shanzhi.notify.services import notify_users
from shanzhi.regions.choices import SIGNIFICANT
from shanzhi.regions.models import Place
from shanzhi.workflow import engine
from shanzhi.workflow.calendar import CHINA, local_date
from shanzhi.workflow.clock import current

from . import documents, workflow
from .choices import (
    REFERRAL_SOURCES,
    DisputeType,
    DocumentKind,
    JudicialResult,
    OrgKind,
    PartyRole,
    PerformanceStatus,
    Post,
    Result,
    Retention,
    RiskLevel,
    SessionMode,
    Sex,
    Source,
    Trade,
    VisitWay,
)
from .models import (
    Agreement,
    Case,
    CaseDocument,
    Extension,
    LegalAdviser,
    Mediator,
    Membership,
    Organisation,
    Party,
    ReturnVisit,
    Session,
)

LIMIT_DAYS = 30  # 一般在一个月内调结 (calendar days from acceptance)
EXTENSION_MAX_DAYS = 30
JUDICIAL_WINDOW_DAYS = 30  # 人民调解法 art. 33
TEXT_MAX = 3000
ORG_LEVELS = {OrgKind.VILLAGE: {"village"}, OrgKind.TOWNSHIP: {"township"}, OrgKind.COUNTY: {"county"},
              OrgKind.TRADE: {"county", "township"}, OrgKind.COURT: {"county", "township"},
              OrgKind.POLICE: {"county", "township"}, OrgKind.PETITION: {"county", "township"}}
CASE_PLACE_LEVELS = ("county", "township", "village", "group", "grid", "microgrid")


# --- small checks ------------------------------------------------------------------------------------------


def _require(user: Any, perm: str, path: str) -> None:
    """Out of scope is NotFound, exactly like a missing row."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm_at(perm, path):
        raise NotFound()


def _text(value: Any, label: str, *, required: bool = True, limit: int = TEXT_MAX, code: str = "text") -> str:
    value = (value or "").strip() if isinstance(value, str) else ("" if value is None else str(value).strip())
    if required and not value:
        raise ValidationFailed(f"请填写{label}。", code=code)
    if len(value) > limit:
        raise ValidationFailed(f"{label}不能超过 {limit} 字。", code=code)
    return value


def _choice(value: Any, choices: Any, label: str, *, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) else value or ""
    if not value and not required:
        return ""
    if value not in choices.values:
        raise ValidationFailed(f"请选择{label}。", code="choice")
    return value


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value).strip().replace(",", "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("涉及金额应为数字（元）。", code="amount")
    if not d.is_finite() or d < 0 or d >= Decimal("1e12"):
        raise ValidationFailed("涉及金额超出范围。", code="amount")
    return d


def _date(value: Any, label: str, *, required: bool = True) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return local_date(value)
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        if required:
            raise ValidationFailed(f"请填写{label}。", code="date")
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(f"{label}格式应为 年-月-日。", code="date")


def _phone(value: Any) -> str:
    value = (value or "").strip()
    return validate_phone(value) if value else ""


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=CHINA)


def _notify_handlers(case: Case, title: str, body: str = "") -> None:
    people = engine.assignees(case)
    if people:
        notify_users(users=people, title=f"{title}：{case}", body=body[:200], link=case.get_absolute_url(), sms=False)


# --- M1 organisations, mediators, legal advisers -----------------------------------------------------------


def organisation_create(*, acting_user: Any, place: Place, name: str, kind: str, abbreviation: str, trade: str = "",
                        address: str = "", phone: str = "") -> Organisation:
    """调解组织 (M1): a committee, centre or station at a place of its level (a village committee at a village, a
    township centre at a township, the county centre at the county; trade committees and stations at the county
    or a township). A trade committee names its trade."""
    _require(acting_user, Perm.MEDIATION_MANAGE, place.path)
    kind = _choice(kind, OrgKind, "调解组织类型")
    name = _text(name, "名称", limit=80, code="org_name")
    abbreviation = _text(abbreviation, "卷宗号简称", limit=12, code="org_abbreviation")
    if place.level not in ORG_LEVELS[kind]:
        raise ValidationFailed(f"{OrgKind(kind).label}应设在{'、'.join(_level_label(x) for x in ORG_LEVELS[kind])}。",
                               code="org_place")
    trade = _choice(trade, Trade, "行业", required=kind == OrgKind.TRADE) if kind == OrgKind.TRADE else ""
    if Organisation.objects.filter(place=place, name=name).exists():
        raise Conflict(f"{place.name}已有名为“{name}”的调解组织。", code="org_duplicate")
    org = Organisation(place=place, place_path=place.path, name=name, kind=kind, trade=trade,
                       abbreviation=abbreviation, address=_text(address, "地址", required=False, limit=200),
                       phone=_phone(phone))
    with transaction.atomic():
        org.save()
        audit_record(actor=acting_user, action=AuditAction.CREATE, event="mediation.organisation_create", obj=org,
                     place_path=org.place_path, after={"name": name, "kind": kind, "trade": trade})
    return org


def _level_label(level: str) -> str:
    return {"county": "县（区）", "township": "乡镇（街道）", "village": "村（社区）"}.get(level, level)


def _specialties(values: Iterable[str]) -> str:
    codes = []
    for v in values or ():
        v = (v or "").strip()
        if not v:
            continue
        if v not in DisputeType.values:
            raise ValidationFailed("擅长领域应从纠纷类型中选择。", code="mediator_specialty")
        if v not in codes:
            codes.append(v)
    return f",{','.join(codes)}," if codes else ""


def mediator_create(*, acting_user: Any, place: Place, name: str, sex: str, phone: str = "", user: Any = None,
                    person: Any = None, specialties: Sequence[str] = (), honours: str = "",
                    in_expert_pool: bool = False, profession: str = "") -> Mediator:
    """人民调解员 (M1): name and sex (the committee rule counts the women), specialties from the dispute types,
    honours (金牌调解员), expert-pool flag. A linked account must hold the 调解员 role (or handle cases) at a
    place containing ``place``, so the pages it opens are the ones it may act on."""
    _require(acting_user, Perm.MEDIATION_MANAGE, place.path)
    name = _text(name, "姓名", limit=50, code="mediator_name")
    sex = _choice(sex, Sex, "性别")
    codes = _specialties(specialties)
    if user is not None:
        if not user.has_perm_at(Perm.MEDIATION_HANDLE, place.path):
            raise ValidationFailed("关联的账号须在该区划担任调解员（有办理调解案件的权限）。", code="mediator_user")
        if Mediator.objects.filter(user=user).exists():
            raise Conflict("该账号已关联其他调解员。", code="mediator_user")
    mediator = Mediator(place=place, place_path=place.path, name=name, sex=sex, phone=_phone(phone), user=user,
                        person=person, specialties=codes, honours=_text(honours, "荣誉", required=False, limit=200),
                        in_expert_pool=bool(in_expert_pool),
                        profession=_text(profession, "职业", required=False, limit=60))
    with transaction.atomic():
        mediator.save()
        audit_record(actor=acting_user, action=AuditAction.CREATE, event="mediation.mediator_create", obj=mediator,
                     place_path=mediator.place_path,
                     after={"name": name, "specialties": codes, "expert": mediator.in_expert_pool})
    return mediator


def mediator_update(*, acting_user: Any, mediator: Mediator, specialties: Sequence[str], honours: str,
                    in_expert_pool: bool, phone: str = "", profession: str = "", is_active: bool = True) -> Mediator:
    """Change a mediator's specialties, honours, expert-pool membership, phone, profession or standing."""
    _require(acting_user, Perm.MEDIATION_MANAGE, mediator.place_path)
    codes = _specialties(specialties)
    honours = _text(honours, "荣誉", required=False, limit=200)
    phone = _phone(phone)
    profession = _text(profession, "职业", required=False, limit=60)
    with transaction.atomic():
        locked = Mediator.objects.select_for_update().get(pk=mediator.pk)
        before = {"specialties": locked.specialties, "honours": locked.honours, "expert": locked.in_expert_pool,
                  "active": locked.is_active}
        locked.specialties, locked.honours, locked.in_expert_pool = codes, honours, bool(in_expert_pool)
        locked.phone, locked.profession, locked.is_active = phone, profession, bool(is_active)
        locked.save(update_fields=["specialties", "honours", "in_expert_pool", "phone", "profession", "is_active"])
        audit_record(actor=acting_user, action=AuditAction.UPDATE, event="mediation.mediator_update", obj=locked,
                     place_path=locked.place_path, before=before,
                     after={"specialties": codes, "honours": honours, "expert": locked.in_expert_pool,
                            "active": locked.is_active})
    return locked


@transaction.atomic
def membership_add(*, acting_user: Any, organisation: Organisation, mediator: Mediator, post: str,
                   started_on: Any) -> Membership:
    """组成人员: a mediator joins an organisation with a post. The mediator must be visible to the manager; one
    current membership per mediator and organisation. The committee rule (3–9, a woman) is shown as a warning
    (``selectors.committee_warnings``), not refused: a committee being formed passes through smaller sizes."""
    _require(acting_user, Perm.MEDIATION_MANAGE, organisation.place_path)
    if not Mediator.objects.visible_to(acting_user, Perm.MEDIATION_MANAGE).filter(pk=mediator.pk).exists():
        raise NotFound()
    post = _choice(post, Post, "职务")
    started = _date(started_on, "任职日期")
    if not mediator.is_active:
        raise ValidationFailed("该调解员已不在职。", code="membership_inactive")
    # The organisation's row lock makes the two checks below hold against a second manager at the same moment.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    if Membership.objects.filter(organisation=organisation, mediator=mediator, is_active=True).exists():
        raise Conflict(f"{mediator.name}已是{organisation.name}的成员。", code="membership_duplicate")
    if post == Post.DIRECTOR and Membership.objects.filter(organisation=organisation, post=Post.DIRECTOR,
                                                           is_active=True).exists():
        raise Conflict(f"{organisation.name}已有主任，请先办理原主任离任。", code="membership_director")
    m = Membership(organisation=organisation, mediator=mediator, post=post, started_on=started)
    with transaction.atomic():
        m.save()
        audit_record(actor=acting_user, action=AuditAction.CREATE, event="mediation.membership_add", obj=m,
                     place_path=organisation.place_path, after={"mediator": mediator.name, "post": post})
    return m


def membership_end(*, acting_user: Any, membership: Membership, ended_on: Any) -> Membership:
    """离任: the membership ends on a date (kept for the record)."""
    _require(acting_user, Perm.MEDIATION_MANAGE, membership.organisation.place_path)
    ended = _date(ended_on, "离任日期")
    if ended < membership.started_on:
        raise ValidationFailed("离任日期不能早于任职日期。", code="membership_dates")
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if not locked.is_active:
            raise Conflict("该成员已离任。", code="membership_ended")
        locked.is_active, locked.ended_on = False, ended
        locked.save(update_fields=["is_active", "ended_on"])
        audit_record(actor=acting_user, action=AuditAction.UPDATE, event="mediation.membership_end", obj=locked,
                     place_path=membership.organisation.place_path, after={"ended_on": ended})
    return locked


def legal_adviser_appoint(*, acting_user: Any, village: Place, user: Any, name: str, firm: str = "",
                          phone: str = "", started_on: Any) -> LegalAdviser:
    """一村一法律顾问 (M1): the village's legal adviser for a term, an account holding the 法律顾问 role at the
    village or above. A new appointment ends the current one."""
    _require(acting_user, Perm.MEDIATION_MANAGE, village.path)
    if village.level != "village":
        raise ValidationFailed("法律顾问按村（社区）聘任，请选择村（社区）。", code="adviser_village")
    if user is None or not any(role == Role.LEGAL_ADVISER and village.path.startswith(path)
                               for role, _perms, path in user.grants()):
        raise ValidationFailed("所选账号须在该村或其上级区划担任“法律顾问”角色。", code="adviser_user")
    name = _text(name or getattr(user, "display_name", ""), "姓名", limit=50)
    started = _date(started_on, "聘任日期")
    adviser = LegalAdviser(village=village, place_path=village.path, user=user, name=name,
                           firm=_text(firm, "执业机构", required=False, limit=80), phone=_phone(phone),
                           started_on=started)
    with transaction.atomic():
        ended = list(LegalAdviser.objects.select_for_update().filter(village=village, is_active=True))
        for old in ended:
            old.is_active, old.ended_on = False, max(started, old.started_on)
            old.save(update_fields=["is_active", "ended_on"])
        adviser.save()
        audit_record(actor=acting_user, action=AuditAction.CREATE, event="mediation.legal_adviser_appoint",
                     obj=adviser, place_path=village.path,
                     after={"user": user.pk, "name": name, "replaced": [a.pk for a in ended]})
    return adviser


# --- M2 intake ---------------------------------------------------------------------------------------------


def clean_party(data: dict[str, Any], *, user: Any, role: str | None = None) -> Party:
    """A party from the form: a person from the registry (``person_id``, visible to the user) or an outsider with
    name and a valid identity number; phone checked when given. Returns an unsaved Party."""
    role = _choice(role or data.get("role"), PartyRole, "当事人地位")
    person_id = data.get("person_id") or data.get("person")
    if person_id:
        from shanzhi.people.models import Person

        try:
            person = Person.objects.visible_to(user, Perm.PEOPLE_VIEW).select_related("household").get(
                pk=int(getattr(person_id, "pk", person_id)))
        except (Person.DoesNotExist, TypeError, ValueError):
            raise ValidationFailed("所选当事人不在人口库中或您无权查看，请重新搜索选择。", code="party_person")
        phone = _phone(data.get("phone") or person.phone)
        address = _text(data.get("address") or person.household.address, "住址", required=False, limit=200)
        return Party(role=role, person=person, household_id=person.household_id, name=person.name,
                     sex=person.sex or "", birth_date=person.birth_date, id_number=person.id_number or "",
                     phone=phone, address=address)
    name = _text(data.get("name"), f"{PartyRole(role).label}姓名", limit=80, code="party_name")
    raw_id = data.get("id_number") or ""
    if not str(raw_id).strip():
        raise ValidationFailed(f"{PartyRole(role).label}“{name}”须提供身份证号（人口库以外的当事人须核实身份）。",
                               code="party_identity")
    try:
        facts = parse_id_number(str(raw_id))
    except ValidationFailed as exc:
        raise ValidationFailed(f"{PartyRole(role).label}“{name}”：{exc.message}", code=exc.code)
    return Party(role=role, name=name, sex=facts.sex, birth_date=facts.birth_date, id_number=facts.number,
                 phone=_phone(data.get("phone")), address=_text(data.get("address"), "住址", required=False, limit=200))


def _clean_parties(parties: Sequence[dict[str, Any] | Party], *, user: Any) -> list[Party]:
    cleaned = [p if isinstance(p, Party) else clean_party(p, user=user) for p in parties]
    roles = {p.role for p in cleaned}
    if PartyRole.APPLICANT not in roles or PartyRole.RESPONDENT not in roles:
        raise ValidationFailed("至少须有一名申请人和一名被申请人。", code="party_missing")
    numbers = [p.id_number for p in cleaned if p.id_number]
    if len(numbers) != len(set(numbers)):
        raise ValidationFailed("同一人不能重复列为当事人。", code="party_duplicate")
    if len(cleaned) > 20:
        raise ValidationFailed("当事人不能超过 20 人，人数众多的请推选代表。", code="party_many")
    return cleaned


def _case_place(place: Place) -> Place:
    if place.level not in CASE_PLACE_LEVELS or not place.is_active:
        raise ValidationFailed("请选择纠纷发生的区划。", code="case_place")
    return place


def _check_org_for_place(org: Organisation, place: Place) -> None:
    """The organisation must serve the place: it sits at the place or above (a county trade committee serves
    the whole county)."""
    if not org.is_active or not place.path.startswith(org.place_path):
        raise ValidationFailed(f"{org.name}不受理该区划的纠纷，请选择纠纷发生地所属的调解组织。", code="case_org")


def _requested(mediator: Any, org: Organisation) -> Mediator | None:
    """A mediator a party asks for (当事人选定调解员) or the organisation assigns: a current member of the
    organisation or of one above it (a township centre helps its villages' committees), or of the county's expert
    pool (``selectors.pool_for``)."""
    if mediator in (None, ""):
        return None
    from .selectors import pool_for

    try:
        found = pool_for(org).filter(pk=int(getattr(mediator, "pk", mediator))).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise ValidationFailed("调解员须是本调解组织或上级调解组织的调解员，或本县专家库成员。", code="case_requested")
    return found


def _clean_case_fields(*, source: str, dispute_type: str, title: str, facts: str, claims: str, amount: Any,
                       referring_body: str, referral_reference: str, land_parcel: str,
                       risk_level: str) -> dict[str, Any]:
    source = _choice(source, Source, "案件来源")
    body = _text(referring_body, "移送单位", required=source in REFERRAL_SOURCES, limit=80, code="case_referral")
    ref = _text(referral_reference, "移送文号", required=source in REFERRAL_SOURCES, limit=60, code="case_referral")
    return {
        "source": source, "dispute_type": _choice(dispute_type, DisputeType, "纠纷类型"),
        "title": _text(title, "案由", limit=80, code="case_title"), "facts": _text(facts, "纠纷事实", code="case_facts"),
        "claims": _text(claims, "当事人请求", required=False, limit=2000), "amount": _amount(amount),
        "referring_body": body if source in REFERRAL_SOURCES else "",
        "referral_reference": ref if source in REFERRAL_SOURCES else "",
        "land_parcel": _text(land_parcel, "涉及地块", required=False, limit=120),
        "risk_level": _choice(risk_level, RiskLevel, "信访风险等级", required=False),
    }


def _number(case: Case, at: dt.datetime) -> None:
    """TJ20261122-000123: the date received (Beijing) and the row id."""
    case.number = f"TJ{local_date(at):%Y%m%d}-{case.pk:06d}"
    case.save(update_fields=["number"])


def _save_parties(case: Case, parties: list[Party]) -> None:
    for p in parties:
        p.case = case
    Party.objects.bulk_create(parties)


def case_register(*, acting_user: Any, organisation: Organisation, place: Place, source: str, dispute_type: str,
                  title: str, facts: str, parties: Sequence[dict[str, Any] | Party], claims: str = "",
                  amount: Any = None, referring_body: str = "", referral_reference: str = "",
                  requested_mediator: Any = None, land_parcel: str = "", risk_level: str = "",
                  event_id: int | None = None, received_at: dt.datetime | None = None,
                  now: dt.datetime | None = None) -> Case:
    """登记受理 (M2 + step 1): staff of the organisation register a dispute and accept it at once; the one-month
    limit starts. Sources: application at the counter, a grid event, a referral from a court, police station or
    petition office (body and reference required), or active screening (排查). Parties: at least one applicant
    and one respondent, each from the registry or an outsider with a valid identity number."""
    _require(acting_user, Perm.MEDIATION_HANDLE, organisation.place_path)
    place = _case_place(place)
    _check_org_for_place(organisation, place)
    fields = _clean_case_fields(source=source, dispute_type=dispute_type, title=title, facts=facts, claims=claims,
                                amount=amount, referring_body=referring_body, referral_reference=referral_reference,
                                land_parcel=land_parcel, risk_level=risk_level)
    cleaned = _clean_parties(parties, user=acting_user)
    requested = _requested(requested_mediator, organisation)
    at = current(now)
    received = received_at or at
    if received > at:
        raise ValidationFailed("收案时间不能晚于现在。", code="case_received")
    case = Case(organisation=organisation, org_path=organisation.place_path, place=place, place_path=place.path,
                requested_mediator=requested, event_id=event_id, registered_by=acting_user, received_at=received,
                risk_assessed_at=at if fields["risk_level"] else None, **fields)
    with transaction.atomic():
        engine.start(case, "register", acting_user=acting_user, now=at,
                     note=f"{Source(fields['source']).label}：{fields['referring_body']} {fields['referral_reference']}"
                     .strip("： "))
        _number(case, received)
        _save_parties(case, cleaned)
    return case


def case_from_event(*, acting_user: Any, event_id: int, organisation: Organisation, dispute_type: str, title: str,
                    parties: Sequence[dict[str, Any] | Party], facts: str = "", claims: str = "", amount: Any = None,
                    now: dt.datetime | None = None) -> Case:
    """转为调解案件 (M2): a grid event the user may see becomes a mediation case at the event's place, its text
    the facts unless others are given. The event itself is not changed (its own loop closes it); the case keeps
    its id, and one event makes at most one open case."""
    from shanzhi.events.selectors import event_detail

    event = event_detail(user=acting_user, pk=event_id)
    existing = Case.objects.filter(event_id=event.pk).exclude(state__in=workflow.FINAL_STATES).first()
    if existing is not None:
        raise Conflict(f"该事件已转为调解案件 {existing.number}。", code="case_event_duplicate")
    return case_register(acting_user=acting_user, organisation=organisation, place=event.place,
                         source=Source.GRID_EVENT, dispute_type=dispute_type, title=title,
                         facts=facts or event.text, claims=claims, amount=amount, parties=parties,
                         event_id=event.pk, received_at=event.reported_at if event.reported_at else None, now=now)


def default_organisation(place: Place) -> Organisation | None:
    """The organisation that takes a villager's application: the village's committee, else the township's
    centre, else the county's."""
    for level in ("village", "township", "county"):
        n = SIGNIFICANT.get(level)
        if n is None or len(place.path) < n:
            continue
        kind = {"village": OrgKind.VILLAGE, "township": OrgKind.TOWNSHIP, "county": OrgKind.COUNTY}[level]
        org = Organisation.objects.filter(place_path=place.path[:n], kind=kind, is_active=True).order_by("id").first()
        if org is not None:
            return org
    return None


def case_apply(*, acting_user: Any, place: Place, dispute_type: str, title: str, facts: str, applicant: dict[str, Any],
               respondent: dict[str, Any], claims: str = "", amount: Any = None, requested_mediator: Any = None,
               now: dt.datetime | None = None) -> Case:
    """申请调解 (M2, a villager's phone): the applicant (the villager, with identity) against a respondent, at the
    villager's own place; goes to the village committee (else the township centre) to be accepted within three
    working days. The applicant's identity number is checked like any outsider's."""
    if not getattr(acting_user, "is_authenticated", False) or not acting_user.has_perm_at(Perm.LEGAL_ASK, place.path):
        raise NotFound()
    place = _case_place(place)
    org = default_organisation(place)
    if org is None:
        raise ValidationFailed("本村暂未设立调解组织，请联系村委会或乡镇（街道）调解中心。", code="case_org")
    fields = _clean_case_fields(source=Source.APPLICATION, dispute_type=dispute_type, title=title, facts=facts,
                                claims=claims, amount=amount, referring_body="", referral_reference="",
                                land_parcel="", risk_level="")
    parties = [clean_party({**applicant, "person_id": None}, user=acting_user, role=PartyRole.APPLICANT),
               clean_party({**respondent, "person_id": None}, user=acting_user, role=PartyRole.RESPONDENT)]
    parties = _clean_parties(parties, user=acting_user)
    if getattr(acting_user, "person_id", None):
        # the applicant is the villager in the registry, household too (repeated disputes are found by household)
        parties[0].person_id, parties[0].household_id = acting_user.person_id, acting_user.person.household_id
    requested = _requested(requested_mediator, org)
    at = current(now)
    case = Case(organisation=org, org_path=org.place_path, place=place, place_path=place.path, applied_by=acting_user,
                requested_mediator=requested, received_at=at, **fields)
    with transaction.atomic():
        engine.start(case, "apply", acting_user=acting_user, now=at)
        _number(case, at)
        _save_parties(case, parties)
        transaction.on_commit(lambda: _notify_handlers(case, "新的调解申请", case.title))
    return case


def keep_limit(case: Case, *, acting_user: Any = None, note: str = "", now: dt.datetime | None = None) -> None:
    """Workflow effect of every step: while the one-month limit runs, the kernel's deadline is the case's own
    (``limit_at``); after it (agreement, failure, closing) no deadline is watched."""
    if case.limit_at and case.state in workflow.RUNNING_STATES:
        case.save(update_fields=engine.set_due(case, case.limit_at))
    elif case.state not in workflow.RUNNING_STATES and case.due_at is not None:
        case.save(update_fields=engine.set_due(case, None))


def apply_accept(case: Case, *, acting_user: Any = None, note: str = "", now: dt.datetime | None = None) -> None:
    """受理: the one-month limit (30 calendar days, to the end of the day) starts."""
    at = current(now)
    case.accepted_at = at
    case.limit_at = _end_of_day(local_date(at) + dt.timedelta(days=LIMIT_DAYS))
    case.save(update_fields=["accepted_at", "limit_at"])
    keep_limit(case)


# --- the eight steps ---------------------------------------------------------------------------------------


def _check_step(case: Case, name: str) -> None:
    """The kernel's order check, asked before a step's own validation so "out of order" is said first."""
    t = workflow.WORKFLOW.transition(name)
    if t is not None and case.state not in t.sources:
        raise Conflict(f"当前状态为“{workflow.WORKFLOW.state_label(case.state)}”，不能“{t.label}”。",
                       code="transition_state")


def _visible(user: Any, case: Case) -> Case:
    from .selectors import cases_visible

    if not cases_visible(user=user).filter(pk=case.pk).exists():
        raise NotFound()
    return case


def _close(case: Case, *, result: str, note: str, at: dt.datetime) -> None:
    case.result = result
    case.settled = result == Result.SETTLED
    case.result_note = note[:1000]
    case.closed_at = at
    case.save(update_fields=["result", "settled", "result_note", "closed_at"])


def case_accept(*, acting_user: Any, case: Case, note: str = "", now: dt.datetime | None = None) -> Case:
    """受理 an application (step 1)."""
    _visible(acting_user, case)
    return engine.transition(case, "accept", acting_user=acting_user, note=note, now=now)


def case_reject(*, acting_user: Any, case: Case, reason: str, now: dt.datetime | None = None) -> Case:
    """不予受理: an application outside what people's mediation may take (e.g. already before a court), with the
    reason told to the applicant."""
    _visible(acting_user, case)
    reason = _text(reason, "不予受理的理由", limit=500)
    at = current(now)
    with transaction.atomic():
        engine.transition(case, "reject", acting_user=acting_user, note=reason, now=at)
        _close(case, result=Result.REJECTED, note=reason, at=at)
    if case.applied_by_id:
        notify_users(users=[case.applied_by], title=f"调解申请不予受理：{case}", body=reason, link="", sms=True)
    return case


def _mediator_for(case: Case, mediator: Any, label: str, *, required: bool = True) -> Mediator | None:
    if mediator in (None, ""):
        if required:
            raise ValidationFailed(f"请选择{label}。", code="case_mediator")
        return None
    found = _requested(mediator, case.organisation)
    if found is None:
        raise ValidationFailed(f"请选择{label}。", code="case_mediator")
    return found


def case_assign(*, acting_user: Any, case: Case, mediator: Any, co_mediator: Any = None, note: str = "",
                now: dt.datetime | None = None) -> Case:
    """确定调解人员 (step 2): the lead mediator (and a co-mediator) from the organisation or the county expert pool;
    where a party asked for a mediator, the lead is that mediator unless the note says why not."""
    _visible(acting_user, case)
    _check_step(case, "assign")
    lead = _mediator_for(case, mediator, "主办调解员")
    co = _mediator_for(case, co_mediator, "协办调解员", required=False)
    if co is not None and co.pk == lead.pk:
        raise ValidationFailed("协办调解员不能与主办调解员相同。", code="case_mediator")
    note = _text(note, "说明", required=False, limit=500)
    if case.requested_mediator_id and case.requested_mediator_id not in (lead.pk, getattr(co, "pk", None)) and not note:
        raise ValidationFailed(f"当事人选定了调解员{case.requested_mediator.name}，未指派时须说明理由。",
                               code="case_requested")
    label = f"主办：{lead.name}" + (f"；协办：{co.name}" if co else "")
    with transaction.atomic():
        engine.transition(case, "assign", acting_user=acting_user, note=f"{label}。{note}".strip("。") if note else label,
                          now=now, extra={"mediator": lead.pk, "co_mediator": getattr(co, "pk", None)})
        case.mediator, case.co_mediator = lead, co
        case.save(update_fields=["mediator", "co_mediator"])
    if lead.user_id:
        transaction.on_commit(lambda: notify_users(users=[lead.user], title=f"您被指派调解：{case}", body=case.title,
                                                   link=case.get_absolute_url(), sms=True))
    return case


def case_investigate(*, acting_user: Any, case: Case, findings: str, now: dt.datetime | None = None) -> Case:
    """调查核实 (step 3): what was found out (visits, witnesses, documents) — the 调查记录 of the file."""
    _visible(acting_user, case)
    _check_step(case, "investigate")
    findings = _text(findings, "调查核实情况", code="case_investigation")
    at = current(now)
    with transaction.atomic():
        engine.transition(case, "investigate", acting_user=acting_user, note=findings[:500], now=at)
        case.investigation, case.investigated_at = findings, at
        case.save(update_fields=["investigation", "investigated_at"])
    return case


def case_inform(*, acting_user: Any, case: Case, note: str = "", now: dt.datetime | None = None) -> Case:
    """告知权利义务 (step 4, 人民调解法 art. 23–24): the parties are told their rights and duties (the notice is
    the generated 权利义务告知书) before mediation starts."""
    _visible(acting_user, case)
    at = current(now)
    with transaction.atomic():
        engine.transition(case, "inform", acting_user=acting_user, note=note or "已向各方当事人送达权利义务告知书", now=at)
        case.informed_at = at
        case.save(update_fields=["informed_at"])
    return case


def case_start_mediation(*, acting_user: Any, case: Case, note: str = "", now: dt.datetime | None = None) -> Case:
    """开展调解 (step 5): mediation starts; sessions are recorded while the case is in mediation."""
    _visible(acting_user, case)
    return engine.transition(case, "mediate", acting_user=acting_user, note=note, now=now)


def _check_handler(user: Any, case: Case) -> None:
    if not workflow.HANDLER.allows(user, case):
        from shanzhi.core.errors import PermissionDenied

        raise PermissionDenied(f"此操作须由{workflow.HANDLER.who}办理。", code="case_forbidden")


def session_record(*, acting_user: Any, case: Case, held_at: Any, mode: str, location: str, attendance: str,
                   minutes: str, now: dt.datetime | None = None) -> Session:
    """调解记录 (step 5): one sitting, on site or online, with who attended and the minutes; only while the case
    is in mediation."""
    _visible(acting_user, case)
    _check_handler(acting_user, case)
    mode = _choice(mode, SessionMode, "调解方式")
    location = _text(location, "调解地点/平台", limit=120)
    attendance = _text(attendance, "参加人员", limit=300)
    minutes = _text(minutes, "调解记录", limit=5000)
    at = current(now)
    if isinstance(held_at, str) and held_at.strip():
        try:
            held = dt.datetime.fromisoformat(held_at.strip())
        except ValueError:
            raise ValidationFailed("调解时间格式不正确。", code="session_time")
        held = held if held.tzinfo else held.replace(tzinfo=CHINA)
    elif isinstance(held_at, dt.datetime):
        held = held_at
    else:
        held = at
    if held > at + dt.timedelta(minutes=5):
        raise ValidationFailed("调解时间不能晚于现在（先调解，后记录）。", code="session_time")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.state != workflow.MEDIATING:
            raise Conflict(f"当前状态为“{workflow.WORKFLOW.state_label(locked.state)}”，只有调解中的案件才能记录调解。",
                           code="session_state")
        s = Session.objects.create(case=locked, held_at=held, mode=mode, location=location, attendance=attendance,
                                   minutes=minutes, recorded_by=acting_user)
        audit_record(actor=acting_user, action=AuditAction.CREATE, event="mediation.session_record", obj=s,
                     place_path=case.place_path, after={"case": case.pk, "mode": mode, "held_at": held})
    return s


def case_extend(*, acting_user: Any, case: Case, days: Any, reason: str, applicant_consent: str,
                respondent_consent: str, now: dt.datetime | None = None) -> Extension:
    """延长调解期限: only with both parties' consent, each recorded (who agreed and how), at most 30 days at a
    time, while the limit runs."""
    _visible(acting_user, case)
    _check_handler(acting_user, case)
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationFailed("请填写延长天数。", code="extension_days")
    if not 1 <= days <= EXTENSION_MAX_DAYS:
        raise ValidationFailed(f"每次延长 1 至 {EXTENSION_MAX_DAYS} 天。", code="extension_days")
    reason = _text(reason, "延长理由", limit=300)
    a = _text(applicant_consent, "申请人同意延长的情况", limit=200, code="extension_consent")
    r = _text(respondent_consent, "被申请人同意延长的情况", limit=200, code="extension_consent")
    at = current(now)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.state not in workflow.RUNNING_STATES or locked.limit_at is None:
            raise Conflict("只有已受理、尚未结束调解的案件才能延长期限。", code="extension_state")
        old = locked.limit_at
        locked.limit_at = old + dt.timedelta(days=days)
        # (the kernel clears the overdue flag when the agreed new limit lies ahead)
        locked.save(update_fields=["limit_at", *engine.set_due(locked, locked.limit_at, now=at)])
        ext = Extension.objects.create(case=locked, days=days, reason=reason, applicant_consent=a,
                                       respondent_consent=r, old_limit_at=old, new_limit_at=locked.limit_at,
                                       recorded_by=acting_user)
        engine.note(locked, acting_user=acting_user, note=f"延长调解期限 {days} 天（双方同意）：{reason}",
                    extra={"extension": ext.pk}, now=at)
        audit_record(actor=acting_user, action=AuditAction.UPDATE, event="mediation.case_extend", obj=locked,
                     place_path=locked.place_path, before={"limit_at": old},
                     after={"limit_at": locked.limit_at, "applicant": a, "respondent": r})
    case.limit_at, case.due_at = locked.limit_at, locked.due_at
    return ext


def _refuse_if_archived(case: Case) -> None:
    """一案一卷: once archived, the file is final — performance, judicial confirmation and risk stay as filed."""
    if case.state == workflow.ARCHIVED:
        raise Conflict("案件已归档，卷内记录不能再更改。", code="case_archived")


def _needs_session(case: Case, label: str) -> None:
    if not Session.objects.filter(case=case).exists():
        raise ValidationFailed(f"尚无调解记录：{label}前须至少记录一次调解。", code="case_no_session")


def case_agree(*, acting_user: Any, case: Case, disputed_matters: str, responsibilities: str, content: str,
               performance_manner: str, performance_deadline: Any, copies: Any = None,
               now: dt.datetime | None = None) -> Agreement:
    """制作调解协议 (step 6, 人民调解法 art. 29): the agreement must state the main facts and matters in dispute,
    the parties' responsibilities, what was agreed, and the manner and time of performance; copies are one per
    party and one for the committee's archive (at least). The case is settled (调解成功) on this day."""
    _visible(acting_user, case)
    _check_step(case, "agree")
    missing = [label for value, label in ((disputed_matters, "纠纷主要事实、争议事项"), (responsibilities, "各方当事人的责任"),
                                          (content, "达成协议的内容"), (performance_manner, "履行方式"),
                                          (performance_deadline, "履行期限")) if not str(value or "").strip()]
    if missing:
        raise ValidationFailed(f"调解协议书缺少法定内容（人民调解法第二十九条）：{'、'.join(missing)}。",
                               code="agreement_contents")
    matters = _text(disputed_matters, "纠纷主要事实、争议事项")
    resp = _text(responsibilities, "各方当事人的责任", limit=2000)
    content = _text(content, "达成协议的内容")
    manner = _text(performance_manner, "履行方式", limit=300)
    deadline = _date(performance_deadline, "履行期限")
    at = current(now)
    if deadline < local_date(at):
        raise ValidationFailed("履行期限不能早于今天。", code="agreement_deadline")
    parties = case.parties.count()
    try:
        copies = int(copies) if copies not in (None, "") else parties + 1
    except (TypeError, ValueError):
        raise ValidationFailed("份数应为整数。", code="agreement_copies")
    if copies < parties + 1 or copies > 50:
        raise ValidationFailed(f"协议书份数至少 {parties + 1} 份：当事人各执一份，调解委员会留存一份。",
                               code="agreement_copies")
    if case.parties.filter(refused_on__isnull=False).exists():
        raise Conflict("有当事人拒绝调解，不能制作调解协议。", code="agreement_refused")
    _needs_session(case, "制作调解协议")
    with transaction.atomic():
        engine.transition(case, "agree", acting_user=acting_user, note=content[:500], now=at)
        agreement = Agreement.objects.create(case=case, disputed_matters=matters, responsibilities=resp,
                                             content=content, performance_manner=manner, performance_deadline=deadline,
                                             copies=copies, made_at=at, made_by=acting_user)
        _close(case, result=Result.SETTLED, note="", at=at)
        audit_record(actor=acting_user, action=AuditAction.CREATE, event="mediation.agreement_create", obj=agreement,
                     place_path=case.place_path, after={"case": case.pk, "deadline": deadline, "copies": copies})
    return agreement


def case_fail(*, acting_user: Any, case: Case, advice: str, now: dt.datetime | None = None) -> Case:
    """调解不成 (人民调解法 art. 26): mediation ends without agreement; the advice given to the parties on other
    routes (arbitration, administrative or judicial) is required and recorded."""
    _visible(acting_user, case)
    _check_step(case, "fail")
    advice = _text(advice, "告知当事人的其他解决途径", limit=500, code="case_advice")
    if len(advice) < 6:
        raise ValidationFailed("请写明告知当事人的其他解决途径（如仲裁、行政、司法途径）。", code="case_advice")
    _needs_session(case, "终止调解")
    at = current(now)
    with transaction.atomic():
        engine.transition(case, "fail", acting_user=acting_user, note=advice, now=at)
        _close(case, result=Result.FAILED, note=advice, at=at)
    return case


def party_refuse(*, acting_user: Any, case: Case, party_id: Any, refused_on: Any, statement: str,
                 now: dt.datetime | None = None) -> Case:
    """当事人拒绝调解 (人民调解法 art. 17: a dispute is not mediated where a party clearly refuses): the refusal is
    recorded on the party with its date and statement, and the case ends."""
    _visible(acting_user, case)
    try:
        party = case.parties.get(pk=int(party_id))
    except (Party.DoesNotExist, TypeError, ValueError):
        raise ValidationFailed("请选择拒绝调解的当事人。", code="party_refuse")
    statement = _text(statement, "拒绝调解的表示", limit=500, code="party_refuse")
    at = current(now)
    day = _date(refused_on, "拒绝日期", required=False) or local_date(at)
    if day > local_date(at):
        raise ValidationFailed("拒绝日期不能晚于今天。", code="party_refuse")
    note = f"{party.get_role_display()}{party.name}明确拒绝调解：{statement}"
    with transaction.atomic():
        engine.transition(case, "refuse", acting_user=acting_user, note=note[:500], now=at)
        party.refused_on, party.refusal_statement = day, statement
        party.save(update_fields=["refused_on", "refusal_statement"])
        _close(case, result=Result.REFUSED, note=note, at=at)
    return case


def case_withdraw(*, acting_user: Any, case: Case, reason: str, now: dt.datetime | None = None) -> Case:
    """撤回申请: the applicant withdraws (recorded by the mediator on the applicant's statement)."""
    _visible(acting_user, case)
    reason = _text(reason, "撤回理由", limit=500)
    at = current(now)
    with transaction.atomic():
        engine.transition(case, "withdraw", acting_user=acting_user, note=reason, now=at)
        _close(case, result=Result.WITHDRAWN, note=reason, at=at)
    return case


def visit_record(*, acting_user: Any, case: Case, visited_on: Any, way: str, visited_party: str, performance: str,
                 feedback: str, now: dt.datetime | None = None) -> ReturnVisit:
    """回访 (step 7): how the agreement is being performed and what the parties say; the first visit moves the
    case on to 整理卷宗, later visits are added to the record. The agreement's performance follows the visit."""
    _visible(acting_user, case)
    _check_handler(acting_user, case)
    at = current(now)
    day = _date(visited_on, "回访日期")
    if day > local_date(at):
        raise ValidationFailed("回访日期不能晚于今天。", code="visit_date")
    way = _choice(way, VisitWay, "回访方式")
    visited_party = _text(visited_party, "回访对象", limit=100)
    performance = _choice(performance, PerformanceStatus, "协议履行情况")
    feedback = _text(feedback, "当事人意见", limit=1000)
    if case.state not in (workflow.AGREED, workflow.VISITED):
        raise Conflict(f"当前状态为“{workflow.WORKFLOW.state_label(case.state)}”，达成调解协议后才能回访。",
                       code="transition_state")
    with transaction.atomic():
        if case.state == workflow.AGREED:
            engine.transition(case, "visit", acting_user=acting_user, note=feedback[:500], now=at)
        visit = ReturnVisit.objects.create(case=case, visited_on=day, way=way, visited_party=visited_party,
                                           performance=performance, feedback=feedback, visitor=acting_user)
        agreement = Agreement.objects.select_for_update().get(case=case)
        agreement.performance_status = performance
        if performance == PerformanceStatus.DONE and agreement.performed_on is None:
            agreement.performed_on = day
        agreement.save(update_fields=["performance_status", "performed_on"])
        audit_record(actor=acting_user, action=AuditAction.CREATE, event="mediation.visit_record", obj=visit,
                     place_path=case.place_path, after={"case": case.pk, "performance": performance})
    return visit


def _agreement(case: Case) -> Agreement:
    agreement = Agreement.objects.filter(case=case).first()
    if agreement is None:
        raise Conflict("该案件尚未达成调解协议。", code="agreement_missing")
    return agreement


def performance_update(*, acting_user: Any, case: Case, status: str, note: str = "", performed_on: Any = None
                       ) -> Agreement:
    """协议履行情况: pending, partly performed, performed (with the date) or not performed."""
    _visible(acting_user, case)
    _check_handler(acting_user, case)
    _refuse_if_archived(case)
    agreement = _agreement(case)
    status = _choice(status, PerformanceStatus, "履行情况")
    note = _text(note, "履行说明", required=status == PerformanceStatus.BREACHED, limit=500)
    day = _date(performed_on, "履行完毕日期", required=status == PerformanceStatus.DONE)
    with transaction.atomic():
        before = agreement.performance_status
        agreement.performance_status, agreement.performance_note = status, note
        agreement.performed_on = day if status == PerformanceStatus.DONE else None
        agreement.save(update_fields=["performance_status", "performance_note", "performed_on"])
        audit_record(actor=acting_user, action=AuditAction.UPDATE, event="mediation.performance_update",
                     obj=agreement, place_path=case.place_path, before={"status": before},
                     after={"status": status, "note": note})
    return agreement


def judicial_window(agreement: Agreement) -> tuple[dt.date, dt.date]:
    """司法确认 (art. 33): applied for jointly within 30 days from the agreement taking effect (signature, else the
    day it was made)."""
    start = agreement.signed_on or local_date(agreement.made_at)
    return start, start + dt.timedelta(days=JUDICIAL_WINDOW_DAYS)


def judicial_apply(*, acting_user: Any, case: Case, applied_on: Any, court: str, now: dt.datetime | None = None
                   ) -> Agreement:
    """申请司法确认: both parties applied to a court within the 30-day window; refused outside it."""
    _visible(acting_user, case)
    _check_handler(acting_user, case)
    _refuse_if_archived(case)
    agreement = _agreement(case)
    day = _date(applied_on, "申请日期")
    court = _text(court, "受理法院", limit=80)
    start, end = judicial_window(agreement)
    if day > local_date(current(now)):
        raise ValidationFailed("申请日期不能晚于今天。", code="judicial_date")
    if not start <= day <= end:
        raise ValidationFailed(f"司法确认须在协议生效之日起三十日内（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）共同申请。",
                               code="judicial_window")
    if agreement.judicial_applied_on:
        raise Conflict("已记录司法确认申请。", code="judicial_duplicate")
    with transaction.atomic():
        agreement.judicial_applied_on, agreement.judicial_court = day, court
        agreement.save(update_fields=["judicial_applied_on", "judicial_court"])
        audit_record(actor=acting_user, action=AuditAction.UPDATE, event="mediation.judicial_apply", obj=agreement,
                     place_path=case.place_path, after={"applied_on": day, "court": court})
    return agreement


def judicial_decide(*, acting_user: Any, case: Case, result: str, decided_on: Any) -> Agreement:
    """司法确认结果: the court confirmed the agreement or rejected the application."""
    _visible(acting_user, case)
    _check_handler(acting_user, case)
    _refuse_if_archived(case)
    agreement = _agreement(case)
    result = _choice(result, JudicialResult, "司法确认结果")
    day = _date(decided_on, "裁定日期")
    if not agreement.judicial_applied_on:
        raise Conflict("尚未记录司法确认申请。", code="judicial_missing")
    if day < agreement.judicial_applied_on:
        raise ValidationFailed("裁定日期不能早于申请日期。", code="judicial_date")
    with transaction.atomic():
        agreement.judicial_result, agreement.judicial_decided_on = result, day
        agreement.save(update_fields=["judicial_result", "judicial_decided_on"])
        audit_record(actor=acting_user, action=AuditAction.UPDATE, event="mediation.judicial_decide", obj=agreement,
                     place_path=case.place_path, after={"result": result, "decided_on": day})
    return agreement


def court_report(*, acting_user: Any, case: Case, note: str, now: dt.datetime | None = None) -> Case:
    """诉调对接反馈: a case referred by a court reports its outcome back to that court (settled with the agreement,
    or failed so the court resumes the proceedings)."""
    _visible(acting_user, case)
    _check_handler(acting_user, case)
    if case.source != Source.COURT:
        raise Conflict("只有法院委派（诉调对接）的案件需要反馈法院。", code="court_report_source")
    if case.result not in (Result.SETTLED, Result.FAILED):
        raise Conflict("调解结束（达成协议或调解不成）后才能反馈法院。", code="court_report_state")
    note = _text(note, "反馈情况", limit=500)
    at = current(now)
    with transaction.atomic():
        case.court_reported_at, case.court_report_note = at, note
        case.save(update_fields=["court_reported_at", "court_report_note"])
        audit_record(actor=acting_user, action=AuditAction.UPDATE, event="mediation.court_report", obj=case,
                     place_path=case.place_path, after={"court": case.referring_body, "note": note})
    return case


def document_upload(*, acting_user: Any, case: Case, kind: str, title: str, file: Any, signed_on: Any = None
                    ) -> CaseDocument:
    """卷内材料: a scan (PDF or image) filed under its kind; the signed agreement records the signing date written on
    it (the day the agreement was made if none is given), which starts the judicial-confirmation window."""
    _visible(acting_user, case)
    _check_handler(acting_user, case)
    kind = _choice(kind, DocumentKind, "材料类别")
    if kind == DocumentKind.COVER:
        raise ValidationFailed("卷宗封面由系统生成，无需上传。", code="document_kind")
    title = _text(title, "材料名称", required=False, limit=100) or str(DocumentKind(kind).label)
    if file is None:
        raise ValidationFailed("请选择要上传的文件。", code="document_file")
    if case.state == workflow.ARCHIVED:
        raise Conflict("案件已归档，卷内材料不能再增加。", code="document_archived")
    agreement = Agreement.objects.filter(case=case).first() if kind == DocumentKind.AGREEMENT else None
    if kind == DocumentKind.AGREEMENT and agreement is None:
        raise Conflict("尚未制作调解协议，不能上传签署的协议书。", code="agreement_missing")
    signed = None
    if agreement is not None and agreement.signed_on is None:
        # The agreement takes effect on signature (art. 29), which starts art. 33's 30 days: the date written on
        # it, else the day it was made — never the (later) day the scan happens to be uploaded.
        made = local_date(agreement.made_at)
        signed = _date(signed_on, "签署日期", required=False) or made
        if not made <= signed <= local_date(current()):
            raise ValidationFailed(f"签署日期应在协议制作之日（{made:%Y-%m-%d}）至今天之间。", code="signed_on")
    with transaction.atomic():
        attachment = attachment_create(acting_user=acting_user, file=file, place_path=case.place_path, obj=case,
                                       kinds=(AttachmentKind.IMAGE, AttachmentKind.DOCUMENT))
        doc = CaseDocument.objects.create(case=case, kind=kind, title=title, attachment=attachment,
                                          uploaded_by=acting_user)
        if signed is not None:
            Agreement.objects.filter(case=case, signed_on__isnull=True).update(signed_on=signed)
        audit_record(actor=acting_user, action=AuditAction.CREATE, event="mediation.document_upload", obj=doc,
                     place_path=case.place_path, after={"case": case.pk, "kind": kind, "attachment": attachment.pk})
    return doc


def case_archive(*, acting_user: Any, case: Case, retention: str = Retention.SHORT, now: dt.datetime | None = None
                 ) -> Case:
    """整理卷宗 (step 8, 一案一卷): refused while any required document is missing (listed in the message) or a
    court-referred case has not reported back; the archive number "（年）简称人调字第N号" is the organisation's next
    in the year (the organisation row locked so two archivists never take the same number)."""
    _visible(acting_user, case)
    _check_step(case, "archive")
    retention = _choice(retention, Retention, "保管期限")
    missing = [item.label for item in documents.checklist(case) if item.required and not item.present]
    if missing:
        raise ValidationFailed(f"卷宗材料不全，不能归档。缺少：{'、'.join(missing)}。", code="archive_missing")
    if case.source == Source.COURT and case.court_reported_at is None:
        raise ValidationFailed("法院委派的案件须先反馈法院，再归档。", code="archive_court_report")
    at = current(now)
    year = local_date(at).year
    with transaction.atomic():
        engine.transition(case, "archive", acting_user=acting_user, now=at)
        org = Organisation.objects.select_for_update().get(pk=case.organisation_id)
        seq = (Case.objects.filter(organisation=org, archive_year=year).aggregate(m=Max("archive_seq"))["m"] or 0) + 1
        case.archive_year, case.archive_seq, case.retention, case.archived_at = year, seq, retention, at
        case.archive_number = f"（{year}）{org.abbreviation}人调字第{seq}号"
        case.save(update_fields=["archive_year", "archive_seq", "archive_number", "retention", "archived_at"])
    return case


def case_note(*, acting_user: Any, case: Case, note: str, now: dt.datetime | None = None) -> Any:
    """工作记录: a progress note by the handlers or supervisors (workflow kernel)."""
    _visible(acting_user, case)
    return engine.note(case, acting_user=acting_user, note=note, now=now)


def case_urge(*, acting_user: Any, case: Case, note: str = "", now: dt.datetime | None = None) -> Case:
    _visible(acting_user, case)
    return engine.urge(case, acting_user=acting_user, note=note, now=now)


def case_risk_grade(*, acting_user: Any, case: Case, level: str, note: str = "", now: dt.datetime | None = None
                    ) -> Case:
    """信访风险评估 (M6): the handlers grade a case's petition risk (低/中/高) with the reason."""
    _visible(acting_user, case)
    _check_handler(acting_user, case)
    _refuse_if_archived(case)
    level = _choice(level, RiskLevel, "风险等级")
    note = _text(note, "评估说明", required=level == RiskLevel.HIGH, limit=500)
    at = current(now)
    with transaction.atomic():
        before = case.risk_level
        case.risk_level, case.risk_note, case.risk_assessed_at = level, note, at
        case.save(update_fields=["risk_level", "risk_note", "risk_assessed_at"])
        audit_record(actor=acting_user, action=AuditAction.UPDATE, event="mediation.case_risk_grade", obj=case,
                     place_path=case.place_path, before={"risk_level": before}, after={"risk_level": level,
                                                                                       "note": note})
    return case

