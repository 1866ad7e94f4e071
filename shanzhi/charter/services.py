"""Writes of 权力清单与村规民约 (domain.md A1, A6). Each service validates everything before it writes, writes in
one transaction and records the audit entry in it; out of the user's scope is "not found"."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.timezone import now

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from shanzhi.notify.services import notify_users
from shanzhi.publication import clock
from shanzhi.publication.choices import PublicationKind
from shanzhi.publication.services import publication_create
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place

from .choices import EDITABLE_RULES, DisclosureDuty, HearingParty, PowerListKind, RulesStatus
from .models import PowerItem, PowerList, RulesClause, RulesHearing, RulesVersion

DECISION_SOURCE = "charter.rules"
MAX_CLAUSES = 200
MAX_STEPS = 12
PUBLICATION_DAYS = 30  # the window for objections to a published version or list
TEMPLATE_LEVELS = (Level.TOWNSHIP, Level.COUNTY)


def _require(user: Any, perm: str, path: str) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_perm_at(perm, path):
        raise NotFound()


def _text(value: Any, label: str, max_length: int, *, required: bool = True) -> str:
    value = ("" if value is None else str(value)).strip()
    if required and not value:
        raise ValidationFailed(f"请填写{label}。")
    if len(value) > max_length:
        raise ValidationFailed(f"{label}过长（最多 {max_length} 字）。")
    return value


def new_key() -> str:
    return secrets.token_hex(6)


def _locked_version(acting_user: Any, version: RulesVersion) -> RulesVersion:
    """The version, locked, re-checked in the user's scope inside the transaction."""
    locked = RulesVersion.objects.visible_to(acting_user, Perm.CHARTER_MANAGE).select_for_update().filter(
        pk=version.pk).first()
    if locked is None:
        raise NotFound()
    return locked


def _require_editable(version: RulesVersion) -> None:
    if version.status not in EDITABLE_RULES:
        raise Conflict(f"该版本{version.get_status_display()}，条文已冻结，不能修改；如需修订，请以现行版本为基础起草新版本。",
                       code="rules_frozen")


# ---------------------------------------------------------------- 村规民约 (A6)

@transaction.atomic
def rules_version_create(*, acting_user: Any, village: Place, title: str, preamble: str = "") -> RulesVersion:
    """Start a new version of a village's rules (起草). When rules are in force, the draft starts as a copy of
    them (each clause keeps its key, so the diff shows what the revision changes); otherwise it starts empty.
    Only one version of a village may be open (drafted, heard or voted on) at a time."""
    if village.level != Level.VILLAGE:
        raise ValidationFailed("村规民约须属于一个村（社区）。", code="rules_place")
    _require(acting_user, Perm.CHARTER_MANAGE, village.path)
    title = _text(title, "标题", 100)
    preamble = _text(preamble, "序言", 1000, required=False)
    Place.objects.select_for_update().filter(pk=village.pk).first()  # serialise version numbering per village
    versions = RulesVersion.objects.filter(village=village)
    open_version = versions.filter(status__in=[RulesStatus.DRAFT, RulesStatus.HEARING, RulesStatus.ADOPTING]).first()
    if open_version is not None:
        raise Conflict(f"本村已有正在修订的村规民约（第{open_version.number}版，{open_version.get_status_display()}），"
                       "请先完成或在其基础上修改。", code="rules_open_exists")
    current = versions.filter(status=RulesStatus.IN_FORCE).first()
    number = (versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = RulesVersion.objects.create(village=village, place_path=village.path, number=number, title=title,
                                          preamble=preamble or (current.preamble if current else ""),
                                          based_on=current, created_by=acting_user)
    if current is not None:
        RulesClause.objects.bulk_create([
            RulesClause(version=version, place_path=version.place_path, number=c.number, key=c.key, heading=c.heading, text=c.text)
            for c in current.clauses.order_by("number")
        ])
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="rules_version_create", obj=version,
                 after={"village": village.code, "number": number, "title": title,
                        "based_on": current.number if current else None})
    return version


@transaction.atomic
def rules_version_update(*, acting_user: Any, version: RulesVersion, title: str, preamble: str) -> RulesVersion:
    """Change the title and preamble of a version still being drafted or heard."""
    title = _text(title, "标题", 100)
    preamble = _text(preamble, "序言", 1000, required=False)
    version = _locked_version(acting_user, version)
    _require_editable(version)
    before = {"title": version.title, "preamble": version.preamble}
    version.title, version.preamble = title, preamble
    version.save(update_fields=["title", "preamble"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="rules_version_update", obj=version,
                 before=before, after={"title": title, "preamble": preamble})
    return version


@dataclass
class ClauseInput:
    heading: str
    text: str
    key: str = ""  # the key of the clause this row edits; empty for a new clause


@transaction.atomic
def rules_clauses_set(*, acting_user: Any, version: RulesVersion, clauses: Sequence[ClauseInput]) -> RulesVersion:
    """Replace the clauses of a version being drafted or heard, numbered 1..n in the order given. A row with the
    key of an existing clause edits that clause (the diff shows "changed"); a row without one is a new clause."""
    rows: list[tuple[str, str, str]] = []
    for n, c in enumerate(clauses, start=1):
        heading = _text(c.heading, f"第{n}条的章节", 40, required=False)
        text = _text(c.text, f"第{n}条的条文", 500)
        rows.append((heading, text, (c.key or "").strip()))
    if not rows:
        raise ValidationFailed("村规民约至少要有一条。", code="clauses_empty")
    if len(rows) > MAX_CLAUSES:
        raise ValidationFailed(f"村规民约最多 {MAX_CLAUSES} 条。", code="clauses_too_many")
    version = _locked_version(acting_user, version)
    _require_editable(version)
    existing = {c.key: c for c in version.clauses.all()}
    keys = [k for _h, _t, k in rows if k]
    if any(k not in existing for k in keys) or len(set(keys)) != len(keys):
        raise ValidationFailed("条款标识无效或重复，请刷新页面后重试。", code="clause_key")
    before = [[c.number, c.heading, c.text] for c in sorted(existing.values(), key=lambda c: c.number)]
    version.clauses.all().delete()
    RulesClause.objects.bulk_create([
        RulesClause(version=version, place_path=version.place_path, number=n, key=key or new_key(), heading=heading, text=text)
        for n, (heading, text, key) in enumerate(rows, start=1)
    ])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="rules_clauses_set", obj=version,
                 before={"clauses": before}, after={"clauses": [[n, h, t] for n, (h, t, _k) in enumerate(rows, 1)]})
    return version


@transaction.atomic
def rules_hearing_open(*, acting_user: Any, version: RulesVersion) -> RulesVersion:
    """起草 → 征求意见: the draft is put to the four hearings (四听). It must have clauses."""
    version = _locked_version(acting_user, version)
    if version.status != RulesStatus.DRAFT:
        raise Conflict(f"只有起草中的版本可以征求意见，该版本{version.get_status_display()}。", code="rules_state")
    if not version.clauses.exists():
        raise ValidationFailed("请先起草条文，再征求意见。", code="clauses_empty")
    version.status = RulesStatus.HEARING
    version.save(update_fields=["status"])
    audit_record(actor=acting_user, action=AuditAction.TRANSITION, event="rules_hearing_open", obj=version,
                 before={"status": RulesStatus.DRAFT}, after={"status": version.status})
    return version


@transaction.atomic
def rules_hearing_record(*, acting_user: Any, version: RulesVersion, party: str, held_on: dt.date | None,
                         participants: str, participant_count: Any, opinions: str, response: str = "") -> RulesHearing:
    """Record one hearing (四听) of a draft under consultation: whose, when, who took part, what they said and
    how the draft answers. A hearing cannot be in the future."""
    if party not in HearingParty.values:
        raise ValidationFailed("请选择听取对象（乡贤、人大代表、驻村干部、村民代表）。", code="party")
    if not isinstance(held_on, dt.date):
        raise ValidationFailed("请填写听取日期。", code="held_on")
    if held_on > clock.today():
        raise ValidationFailed("听取日期不能晚于今天。", code="held_on_future")
    participants = _text(participants, "参加人员", 300)
    try:
        count = int(participant_count)
    except (TypeError, ValueError):
        raise ValidationFailed("参加人数应为正整数。", code="participant_count")
    if count < 1 or count > 10000:
        raise ValidationFailed("参加人数应为正整数。", code="participant_count")
    opinions = _text(opinions, "意见建议", 2000)
    response = _text(response, "采纳情况", 2000, required=False)
    version = _locked_version(acting_user, version)
    if version.status != RulesStatus.HEARING:
        raise Conflict(f"该版本{version.get_status_display()}，不在征求意见阶段，不能记录听取意见。", code="rules_state")
    hearing = RulesHearing.objects.create(version=version, place_path=version.place_path, party=party, held_on=held_on, participants=participants,
                                          participant_count=count, opinions=opinions, response=response,
                                          recorded_by=acting_user)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="rules_hearing_record", obj=version,
                 after={"party": party, "held_on": held_on, "count": count})
    return hearing


def missing_hearings(version: RulesVersion) -> list[str]:
    heard = set(version.hearings.values_list("party", flat=True))
    return [str(label) for value, label in HearingParty.choices if value not in heard]


@transaction.atomic
def rules_submit(*, acting_user: Any, version: RulesVersion) -> RulesVersion:
    """征求意见 → 表决 (四议): once all four parties were heard, the version is frozen and put to a decision of
    the village (affairs: 村党组织提议 → 两委商议 → 党员大会审议 → 村民（代表）会议决议). It comes into force only
    when that decision passes (``on_rules_decided``)."""
    from shanzhi.affairs import api as affairs

    version = _locked_version(acting_user, version)
    if version.status != RulesStatus.HEARING:
        raise Conflict(f"只有征求意见中的版本可以提交表决，该版本{version.get_status_display()}。", code="rules_state")
    missing = missing_hearings(version)
    if missing:
        raise ValidationFailed("“四听”尚未完成，还须：" + "、".join(missing) + "。", code="hearings_missing")
    count = version.clauses.count()
    decision = affairs.decision_request(
        acting_user=acting_user, place=version.village, title=f"审议通过《{version.title}》（第{version.number}版）",
        summary=f"《{version.title}》第{version.number}版共 {count} 条，已听取乡贤、人大代表、驻村干部和村民代表意见，"
                "提请按“四议两公开”程序审议表决。",
        source=DECISION_SOURCE, source_ref=str(version.pk), source_url=version.get_absolute_url())
    version.status = RulesStatus.ADOPTING
    version.decision_id = decision.pk
    version.submitted_by, version.submitted_at = acting_user, now()
    version.save(update_fields=["status", "decision_id", "submitted_by", "submitted_at"])
    audit_record(actor=acting_user, action=AuditAction.TRANSITION, event="rules_submit", obj=version,
                 before={"status": RulesStatus.HEARING}, after={"status": version.status, "decision": decision.pk})
    return version


def _bring_into_force(version: RulesVersion, *, actor: Any) -> None:
    """The locked version comes into force; the one in force before it (locked first: older number) is
    superseded, never edited."""
    previous = (RulesVersion.objects.select_for_update().filter(village_id=version.village_id,
                                                                status=RulesStatus.IN_FORCE).exclude(pk=version.pk)
                .first())
    at = now()
    if previous is not None:
        previous.status, previous.superseded_at = RulesStatus.SUPERSEDED, at
        previous.save(update_fields=["status", "superseded_at"])
        audit_record(actor=actor, action=AuditAction.TRANSITION, event="rules_superseded", obj=previous,
                     actor_name="" if actor else "系统", before={"status": RulesStatus.IN_FORCE},
                     after={"status": previous.status, "by": version.number})
    version.status, version.in_force_from, version.settled_at = RulesStatus.IN_FORCE, at, at
    version.save(update_fields=["status", "in_force_from", "settled_at"])
    audit_record(actor=actor, action=AuditAction.TRANSITION, event="rules_in_force", obj=version,
                 actor_name="" if actor else "系统", before={"status": RulesStatus.ADOPTING},
                 after={"status": version.status, "decision": version.decision_id})


def on_rules_decided(decision: Any) -> None:
    """The affairs hook (``on_decided("charter.rules", …)``), inside the transaction that settles the decision:
    passed → the version is in force (the previous superseded) and published on the board; rejected → the
    version is closed as not adopted (a new draft may be started from the rules in force)."""
    from shanzhi.affairs import api as affairs

    try:
        pk = int(decision.source_ref)
    except (TypeError, ValueError):
        return
    version = RulesVersion.objects.select_for_update().filter(pk=pk, decision_id=decision.pk).first()
    if version is None or version.status != RulesStatus.ADOPTING:
        return
    outcome = affairs.decision_outcome(decision.pk)
    if outcome == "passed":
        _bring_into_force(version, actor=None)
        submitter = version.submitted_by
        if submitter is not None and submitter.has_perm_at(Perm.PUBLISH, version.place_path):
            try:
                with transaction.atomic():
                    _publish_rules(version, acting_user=submitter)
            except ApplicationError:  # the cadre can still publish from the version's page
                pass
        title = f"《{version.title}》第{version.number}版经村民（代表）会议表决通过，现已生效"
    elif outcome == "rejected":
        version.status, version.settled_at = RulesStatus.REJECTED, now()
        version.save(update_fields=["status", "settled_at"])
        audit_record(actor=None, actor_name="系统", action=AuditAction.TRANSITION, event="rules_rejected",
                     obj=version, before={"status": RulesStatus.ADOPTING}, after={"status": version.status})
        title = f"《{version.title}》第{version.number}版未获表决通过"
    else:
        return
    if version.submitted_by is not None:
        notify_users(users=[version.submitted_by], title=title, link=version.get_absolute_url())


@transaction.atomic
def rules_put_in_force(*, acting_user: Any, version: RulesVersion) -> RulesVersion:
    """Bring a version into force by hand (when the decision's outcome arrived while the hook could not act).
    Refused unless the version was put to a decision and that decision has passed."""
    from shanzhi.affairs import api as affairs

    version = _locked_version(acting_user, version)
    if version.status != RulesStatus.ADOPTING or version.decision_id is None:
        raise Conflict(f"该版本{version.get_status_display()}，不能生效：村规民约须经“四议”表决通过后方可生效。",
                       code="rules_state")
    outcome = affairs.decision_outcome(version.decision_id)
    if outcome != "passed":
        raise Conflict("表决尚未通过（" + {"pending": "决策程序进行中", "rejected": "决议未通过"}.get(outcome, outcome)
                       + "），该版本不能生效。", code="decision_not_passed")
    _bring_into_force(version, actor=acting_user)
    return version


def _publish_rules(version: RulesVersion, *, acting_user: Any) -> None:
    if version.status != RulesStatus.IN_FORCE:
        raise Conflict("只有现行有效的村规民约可以公示。", code="rules_state")
    if version.publication_id:
        raise Conflict("该版本已经公示。", code="already_published")
    rows = [[str(c.number), c.heading, c.text] for c in version.clauses.order_by("number")]
    today = clock.today()
    publication = publication_create(
        acting_user=acting_user, place=version.village, kind=PublicationKind.VILLAGE_RULES,
        title=f"{version.village.name}村规民约（第{version.number}版）", columns=["条号", "章节", "条文"], rows=rows,
        starts_on=today, ends_on=today + dt.timedelta(days=PUBLICATION_DAYS - 1))
    version.publication_id = publication.pk
    version.save(update_fields=["publication_id"])


@transaction.atomic
def rules_publish(*, acting_user: Any, version: RulesVersion) -> RulesVersion:
    """Publish the rules in force on the village board (kind ``village_rules``): the clauses as adopted."""
    version = _locked_version(acting_user, version)
    _require(acting_user, Perm.PUBLISH, version.place_path)
    _publish_rules(version, acting_user=acting_user)
    return version


# ---------------------------------------------------------------- 权力清单 (A1)

def _locked_list(acting_user: Any, power_list: PowerList) -> PowerList:
    locked = PowerList.objects.visible_to(acting_user, Perm.CHARTER_MANAGE).select_for_update().filter(
        pk=power_list.pk).first()
    if locked is None:
        raise NotFound()
    return locked


@transaction.atomic
def power_list_create(*, acting_user: Any, place: Place, kind: str, title: str = "") -> PowerList:
    """A new list of one of the four kinds: at a township (or county) it is a template (乡镇模板) its villages
    adopt; at a village it is the village's own list. One list of each kind per place."""
    if kind not in PowerListKind.values:
        raise ValidationFailed("请选择清单类别。", code="kind")
    if place.level not in (*TEMPLATE_LEVELS, Level.VILLAGE):
        raise ValidationFailed("清单属于乡镇（模板）或村（社区）。", code="list_place")
    _require(acting_user, Perm.CHARTER_MANAGE, place.path)
    title = _text(title or f"{place.name}{PowerListKind(kind).label}", "名称", 100)
    if PowerList.objects.filter(place=place, kind=kind).exists():
        raise Conflict(f"{place.name}已有“{PowerListKind(kind).label}”。", code="list_exists")
    power_list = PowerList.objects.create(place=place, place_path=place.path, kind=kind, title=title,
                                          is_template=place.level in TEMPLATE_LEVELS, created_by=acting_user)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="power_list_create", obj=power_list,
                 after={"place": place.code, "kind": kind, "title": title})
    return power_list


@dataclass
class ItemInput:
    name: str
    legal_basis: str
    responsible_body: str
    steps: list[str]
    disclosure: str
    disclosure_note: str = ""
    risks: str = ""


def _clean_item(data: ItemInput) -> dict[str, Any]:
    steps = [_text(s, "流程步骤", 60) for s in data.steps if str(s or "").strip()]
    if len(steps) < 2:
        raise ValidationFailed("办理流程至少要有两个步骤。", code="steps")
    if len(steps) > MAX_STEPS:
        raise ValidationFailed(f"办理流程最多 {MAX_STEPS} 个步骤。", code="steps")
    if data.disclosure not in DisclosureDuty.values:
        raise ValidationFailed("请选择公开要求。", code="disclosure")
    return {"name": _text(data.name, "事项名称", 100), "legal_basis": _text(data.legal_basis, "法律政策依据", 400),
            "responsible_body": _text(data.responsible_body, "责任主体", 100), "steps": steps,
            "disclosure": data.disclosure, "disclosure_note": _text(data.disclosure_note, "公开内容与方式", 200,
                                                                     required=False),
            "risks": _text(data.risks, "风险点及防控措施", 800, required=False)}


@transaction.atomic
def power_item_create(*, acting_user: Any, power_list: PowerList, data: ItemInput) -> PowerItem:
    """Add an item at the end of a list."""
    fields = _clean_item(data)
    power_list = _locked_list(acting_user, power_list)
    number = (power_list.items.aggregate(m=Max("number"))["m"] or 0) + 1
    item = PowerItem.objects.create(power_list=power_list, place_path=power_list.place_path, number=number,
                                   **fields)
    power_list.save(update_fields=["updated_at"])
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="power_item_create", obj=power_list,
                 after={"number": number, **fields})
    return item


@transaction.atomic
def power_item_update(*, acting_user: Any, item: PowerItem, data: ItemInput) -> PowerItem:
    """Change an item (a village adapting an adopted item keeps the link to the template item)."""
    fields = _clean_item(data)
    power_list = _locked_list(acting_user, item.power_list)
    item = PowerItem.objects.filter(pk=item.pk, power_list=power_list).first()
    if item is None:
        raise NotFound()
    before = {k: getattr(item, k) for k in fields}
    for k, v in fields.items():
        setattr(item, k, v)
    item.save(update_fields=list(fields))
    power_list.save(update_fields=["updated_at"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="power_item_update", obj=power_list,
                 before={"number": item.number, **before}, after=fields)
    return item


@transaction.atomic
def power_item_delete(*, acting_user: Any, item: PowerItem) -> None:
    """Remove an item (a village that does not exercise a template's power); the items after it move up."""
    power_list = _locked_list(acting_user, item.power_list)
    item = PowerItem.objects.filter(pk=item.pk, power_list=power_list).first()
    if item is None:
        raise NotFound()
    before = {"number": item.number, "name": item.name}
    number = item.number
    item.delete()
    for later in power_list.items.filter(number__gt=number).order_by("number"):
        later.number -= 1
        later.save(update_fields=["number"])
    power_list.save(update_fields=["updated_at"])
    audit_record(actor=acting_user, action=AuditAction.DELETE, event="power_item_delete", obj=power_list,
                 before=before)


@transaction.atomic
def power_list_adopt(*, acting_user: Any, template: PowerList, village: Place) -> PowerList:
    """A village adopts its township's template: its own list of that kind, a copy of every item, each linked
    to the template item it came from, to adapt afterwards."""
    if village.level != Level.VILLAGE:
        raise ValidationFailed("只有村（社区）可以采用乡镇模板。", code="list_place")
    _require(acting_user, Perm.CHARTER_MANAGE, village.path)
    template = PowerList.objects.filter(pk=template.pk, is_template=True).first()
    if template is None or not village.path.startswith(template.place_path):
        raise NotFound()
    items = list(template.items.order_by("number"))
    if not items:
        raise ValidationFailed("该模板还没有事项，不能采用。", code="template_empty")
    if PowerList.objects.filter(place=village, kind=template.kind).exists():
        raise Conflict(f"{village.name}已有“{template.get_kind_display()}”，不能重复采用。", code="list_exists")
    power_list = PowerList.objects.create(place=village, place_path=village.path, kind=template.kind,
                                          title=f"{village.name}{template.get_kind_display()}", template=template,
                                          created_by=acting_user)
    PowerItem.objects.bulk_create([
        PowerItem(power_list=power_list, place_path=power_list.place_path, number=i.number, name=i.name, legal_basis=i.legal_basis,
                  responsible_body=i.responsible_body, steps=list(i.steps), disclosure=i.disclosure,
                  disclosure_note=i.disclosure_note, risks=i.risks, template_item=i)
        for i in items
    ])
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="power_list_adopt", obj=power_list,
                 after={"template": template.pk, "village": village.code, "items": len(items)})
    return power_list


@transaction.atomic
def power_list_publish(*, acting_user: Any, power_list: PowerList) -> PowerList:
    """Publish a village's list on its board (kind ``power_list``): every item with basis, body, process and
    disclosure duty, as it stands now."""
    power_list = _locked_list(acting_user, power_list)
    if power_list.is_template:
        raise ValidationFailed("乡镇模板不在村务公开栏公示；请由各村采用后公示本村清单。", code="template_publish")
    _require(acting_user, Perm.PUBLISH, power_list.place_path)
    items = list(power_list.items.order_by("number"))
    if not items:
        raise ValidationFailed("清单还没有事项，不能公示。", code="list_empty")
    rows = [[str(i.number), i.name, i.legal_basis, i.responsible_body, " → ".join(i.steps)[:500],
             i.get_disclosure_display() + (f"：{i.disclosure_note}" if i.disclosure_note else "")] for i in items]
    today = clock.today()
    publication = publication_create(
        acting_user=acting_user, place=power_list.place, kind=PublicationKind.POWER_LIST, title=power_list.title,
        columns=["序号", "事项", "依据", "责任主体", "办理流程", "公开要求"], rows=rows,
        starts_on=today, ends_on=today + dt.timedelta(days=PUBLICATION_DAYS - 1))
    power_list.publication_id, power_list.published_at = publication.pk, now()
    power_list.save(update_fields=["publication_id", "published_at"])  # not updated_at: "changed since" compares them
    audit_record(actor=acting_user, action=AuditAction.PUBLISH, event="power_list_publish", obj=power_list,
                 after={"publication": publication.public_id, "items": len(items)})
    return power_list
