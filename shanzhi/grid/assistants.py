"""Village affairs assistants (村务助理, domain.md G6): one assistant per micro-grid for a term, the village's
duties "5 + X" and service hours, and the contact the assistant agreed to publish on the service card.

Who: Perm.GRID_MANAGE at the micro-grid (for the duties: at the village) — a village cadre, grid chief or
township dispatcher. A place the user cannot see answers NotFound, one they may only view PermissionDenied
(``grids.require_grid_manage``). All validation happens before any write; every write is audited in its
transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from shanzhi.audit.services import AuditAction, audit_record, snapshot
from shanzhi.core.errors import Conflict, ValidationFailed
from shanzhi.people.models import Person
from shanzhi.regions.models import Place
from shanzhi.workflow.calendar import local_date
from shanzhi.workflow.clock import current

from .grid_choices import DEFAULT_SERVICE_HOURS, STANDARD_ASSISTANT_DUTIES
from .grids import require_grid_manage
from .models import AssistantDuties, VillageAssistant
from .staff import contact_phone

EXTRA_DUTIES_MAX = 8
DUTY_MAX_CHARS = 30
AUDIT_FIELDS = [
    "microgrid_id",
    "person_id",
    "user_id",
    "name",
    "public_phone",
    "phone_consent",
    "term_start",
    "term_end",
    "ended_on",
]


def _name_of(person: Person | None, user: Any) -> str:
    if person is not None:
        return person.name
    return getattr(user, "display_name", "") or str(user)


def _public_phone(value: str, consent: bool, errors: dict[str, str]) -> str:
    """The number printed on the card: only with the assistant's consent, and only a valid public number."""
    value = (value or "").strip()
    if not value:
        return ""
    if not consent:
        errors["public_phone"] = "公开联系电话须经村务助理本人同意，请勾选“本人同意公开”。"
        return ""
    try:
        return contact_phone(value)
    except ValidationFailed as exc:
        errors["public_phone"] = exc.message
        return ""


@transaction.atomic
def assistant_appoint(
    *,
    acting_user: Any,
    microgrid: Place,
    person: Person | None = None,
    user: Any = None,
    public_phone: str = "",
    phone_consent: bool = False,
    term_start: dt.date | None = None,
    term_end: dt.date | None = None,
    now: dt.datetime | None = None,
) -> VillageAssistant:
    """聘任村务助理 (G6 "one assistant each"): bind a person of the village (or a platform user) to a micro-grid
    for a term. A micro-grid has at most one assistant in office and an assistant serves one micro-grid; the
    one in office must leave (``assistant_end``) before another is appointed."""
    require_grid_manage(acting_user, microgrid)
    errors: dict[str, str] = {}
    term_start = term_start or local_date(current(now))
    if microgrid.level != "microgrid" or not microgrid.is_active:
        raise ValidationFailed(
            "村务助理按微网格设置，请选择一个微网格。",
            code="assistant_level",
            errors={"microgrid": "不是微网格"},
        )
    if (person is None) == (user is None):
        errors["person"] = "请选择一名人员或一个用户（二选一）。"
    elif person is not None and not person.place_path.startswith(microgrid.path[:12]):
        errors["person"] = "村务助理应为本村（社区）的村民。"
    phone = _public_phone(public_phone, phone_consent, errors)
    if term_end is not None and term_end < term_start:
        errors["term_end"] = "任期止不能早于任期起。"
    if errors:
        raise ValidationFailed("；".join(errors.values()), code="assistant_invalid", errors=errors)
    # Lock the micro-grid so two appointments to it are taken one after the other.
    Place.objects.select_for_update().filter(pk=microgrid.pk).first()
    in_office = VillageAssistant.objects.filter(microgrid=microgrid, ended_on__isnull=True).first()
    if in_office is not None:
        raise Conflict(
            f"{microgrid.name}已有在任村务助理{in_office.name}，请先办理离任。", code="assistant_in_office"
        )
    elsewhere = VillageAssistant.objects.filter(ended_on__isnull=True).select_related("microgrid")
    elsewhere = (
        elsewhere.filter(person=person) if person is not None else elsewhere.filter(user=user)
    ).first()
    if elsewhere is not None:
        raise Conflict(
            f"{elsewhere.name}已是{elsewhere.microgrid.name}的村务助理，一名村务助理只服务一个微网格。",
            code="assistant_elsewhere",
        )
    assistant = VillageAssistant.objects.create(
        microgrid=microgrid,
        place_path=microgrid.path,
        person=person,
        user=user,
        name=_name_of(person, user)[:50],
        public_phone=phone,
        phone_consent=bool(phone_consent),
        term_start=term_start,
        term_end=term_end,
    )
    audit_record(
        actor=acting_user,
        action=AuditAction.CREATE,
        event="assistant_appoint",
        obj=assistant,
        after=snapshot(assistant, AUDIT_FIELDS),
    )
    return assistant


@transaction.atomic
def assistant_update(
    *,
    acting_user: Any,
    assistant: VillageAssistant,
    public_phone: str,
    phone_consent: bool,
    term_end: dt.date | None,
) -> VillageAssistant:
    """Change the published contact (withdrawing consent removes the number from the card) or the term's end."""
    assistant = VillageAssistant.objects.select_for_update().select_related("microgrid").get(pk=assistant.pk)
    require_grid_manage(acting_user, assistant.microgrid)
    if assistant.ended_on is not None:
        raise ValidationFailed("该村务助理已离任，不能再修改。", code="assistant_ended")
    errors: dict[str, str] = {}
    phone = _public_phone(public_phone, phone_consent, errors)
    if term_end is not None and term_end < assistant.term_start:
        errors["term_end"] = "任期止不能早于任期起。"
    if errors:
        raise ValidationFailed("；".join(errors.values()), code="assistant_invalid", errors=errors)
    before = snapshot(assistant, AUDIT_FIELDS)
    assistant.public_phone, assistant.phone_consent, assistant.term_end = phone, bool(phone_consent), term_end
    assistant.save(update_fields=["public_phone", "phone_consent", "term_end", "updated_at"])
    audit_record(
        actor=acting_user,
        action=AuditAction.UPDATE,
        event="assistant_update",
        obj=assistant,
        before=before,
        after=snapshot(assistant, AUDIT_FIELDS),
    )
    return assistant


@transaction.atomic
def assistant_end(
    *,
    acting_user: Any,
    assistant: VillageAssistant,
    ended_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> VillageAssistant:
    """离任: end the assistant's service; the row stays for the record and the micro-grid is free again."""
    assistant = VillageAssistant.objects.select_for_update().select_related("microgrid").get(pk=assistant.pk)
    require_grid_manage(acting_user, assistant.microgrid)
    ended_on = ended_on or local_date(current(now))
    if assistant.ended_on is not None:
        raise ValidationFailed("该村务助理已经离任。", code="assistant_ended")
    if ended_on < assistant.term_start:
        raise ValidationFailed("离任日期不能早于任期起。", code="assistant_term")
    assistant.ended_on = ended_on
    assistant.save(update_fields=["ended_on", "updated_at"])
    audit_record(
        actor=acting_user,
        action=AuditAction.UPDATE,
        event="assistant_end",
        obj=assistant,
        after={"ended_on": ended_on.isoformat()},
    )
    return assistant


def clean_duties(lines: list[str]) -> list[str]:
    """The village's X items: trimmed, blank lines and repeats dropped, in the order written."""
    out: list[str] = []
    for line in lines:
        item = " ".join((line or "").split())
        if item and item not in out:
            out.append(item)
    return out


@transaction.atomic
def assistant_duties_save(
    *, acting_user: Any, village: Place, extra_duties: list[str], service_hours: str
) -> AssistantDuties:
    """职责 "5 + X" (G6): save the village's own X items (at most 8, each up to 30 characters, none repeating a
    standard duty) and the service hours printed on its assistants' cards."""
    require_grid_manage(acting_user, village)
    if village.level != "village":
        raise ValidationFailed("村务助理职责按村（社区）制定。", code="duties_level")
    errors: dict[str, str] = {}
    items = clean_duties(extra_duties)
    hours = " ".join((service_hours or "").split())
    standard_heads = {d.split("：")[0] for d in STANDARD_ASSISTANT_DUTIES}
    if len(items) > EXTRA_DUTIES_MAX:
        errors["extra_duties"] = f"本村增加的职责最多 {EXTRA_DUTIES_MAX} 项，现有 {len(items)} 项。"
    elif any(len(i) > DUTY_MAX_CHARS for i in items):
        long = next(i for i in items if len(i) > DUTY_MAX_CHARS)
        errors["extra_duties"] = f"每项职责不超过 {DUTY_MAX_CHARS} 个字：“{long[:12]}…”太长。"
    elif any(i in STANDARD_ASSISTANT_DUTIES or i.split("：")[0] in standard_heads for i in items):
        errors["extra_duties"] = "增加的职责不能与五项基本职责重复。"
    if not hours:
        errors["service_hours"] = "请填写服务时间，它将印在服务卡上。"
    elif len(hours) > 100:
        errors["service_hours"] = "服务时间不超过 100 个字。"
    if errors:
        raise ValidationFailed("；".join(errors.values()), code="duties_invalid", errors=errors)
    duties = AssistantDuties.objects.select_for_update().filter(village=village).first()
    before = snapshot(duties, ["extra_duties", "service_hours"]) if duties else None
    if duties is None:
        duties = AssistantDuties(
            village=village, place_path=village.path, service_hours=DEFAULT_SERVICE_HOURS
        )
    duties.extra_duties, duties.service_hours = items, hours
    duties.save()
    audit_record(
        actor=acting_user,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        event="assistant_duties_save",
        obj=duties,
        before=before,
        after=snapshot(duties, ["extra_duties", "service_hours"]),
    )
    return duties
