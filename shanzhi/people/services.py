"""Writes to the population registry (domain.md F2). Each service validates everything before it
writes, writes in one transaction, and records the audit entry and the registry history with it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record, snapshot
from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.core.identity import cross_check, parse_id_number, validate_phone
from shanzhi.core.text import pinyin_keys
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place

from .choices import ChangeKind, PersonTag, PoliticalStatus, Relation, ResidenceStatus
from .models import Household, Person, RegistryChange, Subject, SubjectKind, tags_to_bits

HOUSEHOLD_PLACE_LEVELS = {Level.VILLAGE, Level.GRID, Level.MICROGRID}
PERSON_FIELDS = ["name", "id_number", "birth_date", "sex", "ethnicity", "phone", "relation", "residence_status",
                 "political_status", "tags", "note"]


def _require(user: Any, perm: str, path: str) -> None:
    """Out of the user's scope is "not found", never "forbidden" (Zulip's rule)."""
    if user is None or not user.has_perm_at(perm, path):
        raise NotFound()


def village_of(place: Place) -> Place:
    if place.level == Level.VILLAGE:
        return place
    village = Place.objects.filter(path=place.path[:12], level=Level.VILLAGE).first()
    if village is None:
        raise ValidationFailed(f"{place.name}不在任何村/社区之下。")
    return village


def _check_choice(value: str, choices: Any, label: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(f"{label}“{value}”无效，可选：{'、'.join(str(c) for c in choices.labels)}。")
    return value


def clean_person_data(data: dict[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """Validate and normalise person fields; raises ValidationFailed with a Chinese message."""
    out: dict[str, Any] = {}
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationFailed("姓名不能为空。", code="name_required")
    if len(name) > 50:
        raise ValidationFailed("姓名过长。")
    out["name"] = name
    raw_id = (data.get("id_number") or "").strip()
    birth = data.get("birth_date") or None
    sex = data.get("sex") or ""
    if raw_id:
        facts = parse_id_number(raw_id, today=today)
        cross_check(facts, birth_date=birth, sex=sex or None)
        out["id_number"], out["birth_date"], out["sex"] = facts.number, facts.birth_date, facts.sex
    else:
        out["id_number"], out["birth_date"], out["sex"] = None, birth, sex
    phone = (data.get("phone") or "").strip()
    out["phone"] = validate_phone(phone) if phone else ""
    out["relation"] = _check_choice(data.get("relation") or Relation.OTHER, Relation, "与户主关系")
    out["residence_status"] = _check_choice(data.get("residence_status") or ResidenceStatus.RESIDENT, ResidenceStatus, "居住状态")
    out["political_status"] = _check_choice(data.get("political_status") or PoliticalStatus.MASSES, PoliticalStatus, "政治面貌")
    tags = list(dict.fromkeys(data.get("tags") or []))
    for t in tags:
        _check_choice(t, PersonTag, "关注标签")
    out["tags"] = tags
    out["ethnicity"] = (data.get("ethnicity") or "汉族").strip()[:20]
    out["note"] = (data.get("note") or "").strip()[:200]
    return out


def _next_household_number(village: Place) -> str:
    prefix = village.path
    last = (
        Household.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    )
    seq = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{seq:05d}"


@transaction.atomic
def household_create(
    *, acting_user: Any, place: Place, address: str, group: Place | None = None,
    latitude: Any = None, longitude: Any = None, number: str = "",
) -> Household:
    """Register a household at a village, grid or micro-grid."""
    if place.level not in HOUSEHOLD_PLACE_LEVELS:
        raise ValidationFailed("户只能登记在村/社区、网格或微网格。", code="household_place")
    _require(acting_user, Perm.PEOPLE_CHANGE, place.path)
    address = (address or "").strip()
    if not address:
        raise ValidationFailed("住址不能为空。", code="address_required")
    village = village_of(place)
    if group is not None and (group.level != Level.GROUP or not group.path.startswith(village.path)):
        raise ValidationFailed("村民小组须属于同一个村。", code="group_village")
    number = (number or "").strip() or _next_household_number(village)
    if Household.objects.filter(number=number).exists():
        raise ValidationFailed(f"户编号 {number} 已存在。", code="household_number_taken")
    household = Household.objects.create(
        number=number, place=place, place_path=place.path, village=village, group=group, address=address,
        latitude=latitude, longitude=longitude,
    )
    RegistryChange.objects.create(kind=ChangeKind.REGISTERED, household=household, place_path=place.path,
                                  to_place=place, date=dt.date.today(), actor=_actor(acting_user), note="登记户")
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="household_create", obj=household,
                 after=snapshot(household, ["number", "place_id", "address", "group_id"]))
    return household


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _id_taken(number: str | None, exclude_pk: int | None = None) -> bool:
    if not number:
        return False
    qs = Person.objects.filter(id_number=number)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


@transaction.atomic
def person_create(
    *, acting_user: Any, household: Household, data: dict[str, Any], change_kind: str = ChangeKind.REGISTERED,
    change_date: dt.date | None = None,
) -> Person:
    _require(acting_user, Perm.PEOPLE_CHANGE, household.place_path)
    clean = clean_person_data(data)
    if _id_taken(clean["id_number"]):
        raise ValidationFailed("该身份证号已登记在册，请勿重复登记。", code="id_number_taken")
    household = Household.objects.select_for_update().get(pk=household.pk)
    if clean["relation"] == Relation.HEAD and household.head_id:
        raise ValidationFailed("该户已有户主；如需变更户主，请先修改原户主的关系。", code="head_exists")
    full, initials = pinyin_keys(clean["name"])
    person = Person.objects.create(
        household=household, place_path=household.place_path, pinyin=full[:120], initials=initials[:20],
        tag_bits=tags_to_bits(clean["tags"]), **clean,
    )
    fields = ["member_count", "updated_at"]
    household.member_count = F("member_count") + 1
    if clean["relation"] == Relation.HEAD:
        household.head = person
        household.head_name = person.name
        fields += ["head", "head_name"]
    household.save(update_fields=fields)
    RegistryChange.objects.create(kind=change_kind, household=household, person=person, place_path=household.place_path,
                                  date=change_date or dt.date.today(), actor=_actor(acting_user))
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="person_create", obj=person,
                 after=snapshot(person, PERSON_FIELDS))
    return person


@transaction.atomic
def person_update(*, acting_user: Any, person: Person, data: dict[str, Any]) -> Person:
    _require(acting_user, Perm.PEOPLE_CHANGE, person.place_path)
    person = Person.objects.select_for_update().get(pk=person.pk)
    merged = {f: getattr(person, f) for f in PERSON_FIELDS}
    merged.update({k: v for k, v in data.items() if k in PERSON_FIELDS})
    if "id_number" in data and "birth_date" not in data:
        merged["birth_date"] = None
        merged["sex"] = data.get("sex") or ""
    clean = clean_person_data(merged)
    if _id_taken(clean["id_number"], exclude_pk=person.pk):
        raise ValidationFailed("该身份证号已登记在册，请勿重复登记。", code="id_number_taken")
    household = Household.objects.select_for_update().get(pk=person.household_id)
    if clean["relation"] == Relation.HEAD and household.head_id not in (None, person.pk):
        raise ValidationFailed("该户已有户主；如需变更户主，请先修改原户主的关系。", code="head_exists")
    ended = {ResidenceStatus.DECEASED, ResidenceStatus.MOVED_OUT}
    if clean["residence_status"] != person.residence_status and ended & {clean["residence_status"], person.residence_status}:
        raise ValidationFailed("死亡、迁出须用“登记变动”办理（记入台账变动），不能直接修改居住状态。", code="status_change")
    before = snapshot(person, PERSON_FIELDS)
    for k, v in clean.items():
        setattr(person, k, v)
    person.pinyin, person.initials = pinyin_keys(person.name)
    person.tag_bits = tags_to_bits(person.tags)
    person.save(update_fields=[*clean.keys(), "pinyin", "initials", "tag_bits", "updated_at"])
    if clean["relation"] == Relation.HEAD:
        Household.objects.filter(pk=household.pk).update(head=person, head_name=person.name)
    elif household.head_id == person.pk:
        Household.objects.filter(pk=household.pk).update(head=None, head_name="")
    after = snapshot(person, PERSON_FIELDS)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        RegistryChange.objects.create(kind=ChangeKind.UPDATE, household=household, person=person,
                                      place_path=person.place_path, date=dt.date.today(), actor=_actor(acting_user),
                                      note="、".join(str(Person._meta.get_field(k).verbose_name) for k in changed)[:200])
        audit_record(actor=acting_user, action=AuditAction.UPDATE, event="person_update", obj=person,
                     before={k: before[k] for k in changed}, after=changed)
    return person


REVEALABLE = {"id_number": "公民身份号码", "phone": "手机号"}


def person_reveal(*, acting_user: Any, person: Person, field: str) -> str:
    """Show one sensitive value in full: a permission of its own, and every reveal is audited (F2, F5).
    Not wrapped in a transaction on purpose: a refused reveal is audited too."""
    if field not in REVEALABLE:
        raise ValidationFailed("该字段不可查看。")
    _require(acting_user, Perm.PEOPLE_VIEW, person.place_path)
    if not acting_user.has_perm_at(Perm.PEOPLE_REVEAL, person.place_path):
        audit_record(actor=acting_user, action=AuditAction.REVEAL, event="person_reveal", obj=person, success=False,
                     detail=f"无权查看{REVEALABLE[field]}")
        raise PermissionDenied(f"您没有查看完整{REVEALABLE[field]}的权限。")
    audit_record(actor=acting_user, action=AuditAction.REVEAL, event="person_reveal", obj=person,
                 detail=f"查看完整{REVEALABLE[field]}", after={"field": field})
    return getattr(person, field) or ""


def _status_change(*, acting_user: Any, person: Person, status: str, kind: str, date: dt.date, note: str) -> Person:
    _require(acting_user, Perm.PEOPLE_CHANGE, person.place_path)
    if date > dt.date.today():
        raise ValidationFailed("日期不能晚于今天。", code="future_date")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.residence_status in (ResidenceStatus.DECEASED, ResidenceStatus.MOVED_OUT):
        raise ValidationFailed(f"{person.name}已{person.get_residence_status_display()}，不能再办理此项。", code="inactive_person")
    before = {"residence_status": person.residence_status}
    person.residence_status = status
    person.save(update_fields=["residence_status", "updated_at"])
    # 人数 counts the living members still registered here (as the public household list does).
    Household.objects.filter(pk=person.household_id, member_count__gt=0).update(member_count=F("member_count") - 1)
    RegistryChange.objects.create(kind=kind, household_id=person.household_id, person=person, place_path=person.place_path,
                                  date=date, actor=_actor(acting_user), note=(note or "")[:200])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event=f"person_{kind}", obj=person, before=before,
                 after={"residence_status": status, "date": date, "note": note})
    return person


@transaction.atomic
def person_record_death(*, acting_user: Any, person: Person, date: dt.date, note: str = "") -> Person:
    return _status_change(acting_user=acting_user, person=person, status=ResidenceStatus.DECEASED,
                          kind=ChangeKind.DEATH, date=date, note=note)


@transaction.atomic
def person_record_move_out(*, acting_user: Any, person: Person, date: dt.date, note: str = "") -> Person:
    return _status_change(acting_user=acting_user, person=person, status=ResidenceStatus.MOVED_OUT,
                          kind=ChangeKind.MOVE_OUT, date=date, note=note)


@transaction.atomic
def person_record_birth(*, acting_user: Any, household: Household, data: dict[str, Any]) -> Person:
    """A newborn joins the household; the birth date is required and must agree with the ID if given."""
    if not data.get("birth_date"):
        raise ValidationFailed("登记出生须填写出生日期。", code="birth_date_required")
    if data["birth_date"] > dt.date.today():
        raise ValidationFailed("出生日期不能晚于今天。", code="future_date")
    return person_create(acting_user=acting_user, household=household, data={**data, "relation": data.get("relation") or Relation.CHILD},
                         change_kind=ChangeKind.BIRTH, change_date=data["birth_date"])


@transaction.atomic
def household_move_grid(*, acting_user: Any, household: Household, place: Place, note: str = "") -> Household:
    """Move a household to another grid (or micro-grid, or back to the village) of the same village."""
    _require(acting_user, Perm.PEOPLE_CHANGE, household.place_path)
    _require(acting_user, Perm.PEOPLE_CHANGE, place.path)
    if place.level not in HOUSEHOLD_PLACE_LEVELS:
        raise ValidationFailed("只能调整到网格、微网格或村。", code="household_place")
    if not place.path.startswith(household.village.path):
        raise ValidationFailed("跨村迁移须走“户迁移”审批流程。", code="cross_village")
    if place.pk == household.place_id:
        raise ValidationFailed("该户已在此网格。", code="same_place")
    return _relocate(acting_user=acting_user, household=household, place=place, kind=ChangeKind.MOVE_GRID, note=note)


def _relocate(*, acting_user: Any, household: Household, place: Place, kind: str, note: str) -> Household:
    """Move a household and its members' scope path; shared by grid moves and approved village moves."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    old_place = household.place
    household.place = place
    household.place_path = place.path
    household.village = village_of(place)
    if household.group_id and not household.group.path.startswith(household.village.path):
        household.group = None
    household.save(update_fields=["place", "place_path", "village", "group", "updated_at"])
    Person.objects.filter(household=household).update(place_path=place.path)
    RegistryChange.objects.create(kind=kind, household=household, place_path=place.path, from_place=old_place,
                                  to_place=place, date=dt.date.today(), actor=_actor(acting_user), note=(note or "")[:200])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event=f"household_{kind}", obj=household,
                 before={"place": old_place.code}, after={"place": place.code, "note": note})
    return household


def household_relocate_village(*, acting_user: Any, household: Household, place: Place, note: str = "") -> Household:
    """Used by the approved household-move workflow (F6): the receiving village has already agreed."""
    if village_of(place).pk == household.village_id:
        raise ValidationFailed("目标与原村相同，请使用“调整网格”。", code="same_village")
    return _relocate(acting_user=acting_user, household=household, place=place, kind=ChangeKind.MOVE_VILLAGE, note=note)


@transaction.atomic
def subject_create(*, acting_user: Any, place: Place, kind: str, name: str, credit_code: str = "",
                   legal_person: str = "", phone: str = "", address: str = "") -> Subject:
    _require(acting_user, Perm.PEOPLE_CHANGE, place.path)
    _check_choice(kind, SubjectKind, "主体类型")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("名称不能为空。", code="name_required")
    credit_code = (credit_code or "").strip().upper()
    if credit_code and (len(credit_code) != 18 or not credit_code.isalnum()):
        raise ValidationFailed("统一社会信用代码应为18位数字或大写字母。", code="credit_code")
    phone_value = validate_phone(phone) if phone else ""
    full, initials = pinyin_keys(name)
    subject = Subject.objects.create(kind=kind, name=name, pinyin=full[:300], initials=initials[:60], credit_code=credit_code,
                                     legal_person=legal_person.strip(), phone=phone_value, place=place,
                                     place_path=place.path, address=address.strip())
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="subject_create", obj=subject,
                 after=snapshot(subject, ["kind", "name", "credit_code", "legal_person", "place_id"]))
    return subject
