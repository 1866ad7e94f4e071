"""Writing events (domain.md G3): report, triage, accept, return, escalate, transfer, close, rate, progress notes,
urging and supervision — thin over the workflow
kernel (``shanzhi.workflow.engine``), which checks who may act and in which state, writes the history and the
audit entry, all in one transaction. Here: what a report must satisfy, the assignee a triage names, and the
effects each step has on the event (run by the engine inside its transaction, see ``workflow.py``).

Every service first checks that the event is visible to the acting user (``selectors``): out of scope is
NotFound, like a missing event; a visible event's wrong role is PermissionDenied and a wrong order Conflict."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from shanzhi.access.roles import Perm, Role
from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.files.choices import AttachmentKind
from shanzhi.files.services import IMAGE_FORMATS, attachment_create, sniff_type
from shanzhi.grid.selectors import matters_applicable
from shanzhi.notify.services import notify_users
from shanzhi.orgs.models import Organisation
from shanzhi.orgs.selectors import department_named, departments
from shanzhi.regions.choices import SIGNIFICANT
from shanzhi.regions.models import Place
from shanzhi.workflow import engine
from shanzhi.workflow.calendar import add_working_days, local_date
from shanzhi.workflow.clock import current
from shanzhi.workflow.engine import NOTE_MAX

from . import assessment, selectors
from .choices import LEVEL_ABOVE, AssigneeLevel, ReporterKind, Satisfaction
from .models import Event

EVENT_PLACE_LEVELS = ("village", "group", "grid", "microgrid")
TEXT_MAX = 1000
ADDRESS_MAX = 200
PHOTOS_MAX = 9
CLIENT_KEY_MAX = 64
REASON_MAX = 400  # a transfer's or escalation's reason; the history note adds "from → to" before it


# --- reporting ---------------------------------------------------------------------------------------------


def _reporter_kind(user: Any, path: str) -> str:
    roles = {role for role, perms, grant in user.grants() if Perm.EVENT_REPORT in perms and path.startswith(grant)}
    if roles & {Role.GRID_WORKER, Role.GRID_CHIEF}:
        return ReporterKind.GRID_WORKER
    if Role.ASSISTANT in roles:
        return ReporterKind.ASSISTANT
    if Role.VILLAGER in roles:
        return ReporterKind.VILLAGER
    return ReporterKind.STAFF


def _coordinate(value: Any, label: str, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value).strip()).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{label}格式不正确。", code="event_location")
    if not d.is_finite() or abs(d) > limit:
        raise ValidationFailed(f"{label}超出范围。", code="event_location")
    return d


def _precheck_photo(photo: Any) -> None:
    """Refuse what the files kernel would refuse for size and type before anything is written (its own full
    check, which decodes the image, runs again when the photo is kept, in the same transaction)."""
    limit = settings.UPLOAD_MAX_BYTES
    size = getattr(photo, "size", None)
    if size is not None and size > limit:
        raise ValidationFailed(f"文件过大：单个文件不能超过 {limit / 1024 / 1024:.0f} MB。", code="file_too_large")
    if hasattr(photo, "seek"):
        photo.seek(0)
    head = photo.read(16)
    if hasattr(photo, "seek"):
        photo.seek(0)
    if sniff_type(head) not in IMAGE_FORMATS.values():
        raise ValidationFailed("文件不是图片：只能上传 JPEG、PNG 或 WebP 图片。", code="file_not_image")


def _replayed(client_key: str, acting_user: Any) -> Event | None:
    existing = Event.objects.filter(client_key=client_key).first()
    if existing is not None and existing.reporter_id != acting_user.pk:
        raise Conflict("提交编号冲突，请刷新页面后重新填写。", code="event_client_key")
    if existing is not None:
        existing.replayed = True  # type: ignore[attr-defined]
    return existing


def event_report(*, acting_user: Any, place: Place, matter_id: Any, text: str, latitude: Any = None,
                 longitude: Any = None, address: str = "", photos: Sequence[Any] = (), client_key: str = "",
                 now: dt.datetime | None = None) -> Event:
    """前端发现报告 (G3 step 1). The matter must be in force at the place (grid.selectors.matters_applicable);
    a location is required — coordinates from the device, or an address, or both; photos are images only.

    Idempotent by ``client_key``: a replayed submission (double tap, retry after a lost answer) returns the
    event it made before and writes nothing. Every check runs before any write; event and photos are kept in
    one transaction, so a photo the files kernel refuses leaves nothing behind."""
    if not getattr(acting_user, "is_authenticated", False):
        raise NotFound()
    client_key = (client_key or "").strip()
    if len(client_key) > CLIENT_KEY_MAX:
        raise ValidationFailed("提交编号无效。", code="event_client_key")
    if client_key and (existing := _replayed(client_key, acting_user)) is not None:
        return existing
    if place.level not in EVENT_PLACE_LEVELS or not place.is_active:
        raise ValidationFailed("请选择事发的村（社区）或网格。", code="event_place")
    if not acting_user.has_perm_at(Perm.EVENT_REPORT, place.path):
        raise NotFound()
    try:
        matter = matters_applicable(place=place).filter(pk=int(matter_id)).first()
    except (TypeError, ValueError):
        matter = None
    if matter is None:
        raise ValidationFailed("请从事发地适用的网格事项清单中选择事项。", code="event_matter")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("请描述事件情况。", code="event_text")
    if len(text) > TEXT_MAX:
        raise ValidationFailed(f"事件描述不能超过 {TEXT_MAX} 字。", code="event_text")
    lat = _coordinate(latitude, "纬度", 90)
    lng = _coordinate(longitude, "经度", 180)
    if (lat is None) != (lng is None):
        raise ValidationFailed("定位不完整，请重新定位或填写地址。", code="event_location")
    address = " ".join((address or "").split())
    if len(address) > ADDRESS_MAX:
        raise ValidationFailed(f"地址不能超过 {ADDRESS_MAX} 字。", code="event_location")
    if lat is None and not address:
        raise ValidationFailed("请提供位置：定位或填写地址", code="event_location")
    photos = [p for p in photos if p]
    if len(photos) > PHOTOS_MAX:
        raise ValidationFailed(f"照片最多 {PHOTOS_MAX} 张。", code="event_photos")
    for photo in photos:
        _precheck_photo(photo)

    at = current(now)
    event = Event(matter=matter, text=text, place=place, place_path=place.path, latitude=lat, longitude=lng,
                  address=address, reporter=acting_user, reporter_kind=_reporter_kind(acting_user, place.path),
                  reported_at=at, client_key=client_key or uuid.uuid4().hex)
    try:
        with transaction.atomic():
            engine.start(event, "report", acting_user=acting_user, now=at)
            for photo in photos:
                attachment_create(acting_user=acting_user, file=photo, place_path=place.path, obj=event,
                                  kinds=(AttachmentKind.IMAGE,))
    except IntegrityError:
        # The same key committed by a concurrent request between our look-up and our insert.
        existing = _replayed(client_key, acting_user) if client_key else None
        if existing is None:
            raise
        return existing
    return event


# --- the steps after reporting ------------------------------------------------------------------------------


def _visible(user: Any, event: Event) -> None:
    if not selectors.events_visible(user=user).filter(pk=event.pk).exists():
        raise NotFound()


def assignee_place(event: Event, level: str) -> Place:
    """The place of the unit at ``level`` for an event: its grid, village, township, or county (departments)."""
    path = event.place_path
    if level == AssigneeLevel.GRID:
        if len(path) < 16 or path[12] != "W":
            raise ValidationFailed("该事件不在网格内，不能分派给网格，请分派给村（社区）。", code="event_no_grid")
        target = path[:16]
    else:
        target = path[: {AssigneeLevel.VILLAGE: 12, AssigneeLevel.TOWNSHIP: 9, AssigneeLevel.DEPARTMENT: 6}[level]]
    place = Place.objects.filter(path=target).first()
    if place is None:
        raise ValidationFailed("找不到承办单位所在区划。", code="event_assignee")
    return place


def _assign(event: Event, level: str, department: Organisation | None, at: dt.datetime) -> None:
    place = assignee_place(event, level)
    event.assignee_level = level
    is_department = level == AssigneeLevel.DEPARTMENT and department is not None
    event.assignee_org = department if is_department else None
    event.assignee_department = department.name[:60] if is_department else ""
    event.assignee_place = place
    event.assignee_path = place.path
    event.assigned_at = at
    event.accepted_at = None
    assessment.duty_assigned(event, at)  # G4: the new unit's acceptance duty


def _holder(level: str, org: Organisation | None, place: Place) -> dict[str, Any]:
    """The unit an assignment names, recorded in its history row (G4: recomputable from the history)."""
    return assessment.holder_extra(level, org.name[:60] if org is not None else "", place.path)


ASSIGNEE_FIELDS = ["assignee_level", "assignee_department", "assignee_org", "assignee_place", "assignee_path",
                   "assigned_at", "accepted_at"]


def county_path(event: Event) -> str:
    return event.place_path[: SIGNIFICANT["county"]]


def _department(event: Event, department: Any) -> Organisation:
    """The county department a step names: an Organisation, its id (the page's list) or its name (a matter's
    department name also finds "县…" of the same name). It must be an active department of the event's county."""
    if isinstance(department, Organisation):
        found = departments(county_path=county_path(event)).filter(pk=department.pk).first()
    elif isinstance(department, int) or (isinstance(department, str) and department.strip().isdigit()):
        found = departments(county_path=county_path(event)).filter(pk=int(department)).first()
    elif isinstance(department, str) and department.strip():
        found = department_named(county_path=county_path(event), name=department)
    else:
        raise ValidationFailed("分派给县级部门时请从列表中选择承办部门。", code="event_department")
    if found is None:
        raise ValidationFailed("找不到该县级部门：请从本县的部门列表中选择。", code="event_department")
    return found


def _target(event: Event, level: str, department: Any) -> tuple[str, Organisation | None, Place]:
    """Check a unit a step names (level, and the department for a county department) before any write."""
    if level not in AssigneeLevel.values:
        raise ValidationFailed("请选择承办层级：网格、村（社区）、乡镇（街道）或县级部门。", code="event_level")
    org = _department(event, department) if level == AssigneeLevel.DEPARTMENT else None
    return level, org, assignee_place(event, level)


def unit_label(level: str, place: Place | None, department: Organisation | None) -> str:
    """承办单位 as people say it: "县自然资源局", "东坡村（村（社区））"."""
    if level == AssigneeLevel.DEPARTMENT:
        return department.name if department is not None else str(AssigneeLevel.DEPARTMENT.label)
    return f"{place.name if place else ''}（{AssigneeLevel(level).label}）"


def _reason(reason: str, label: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(f"{label}须填写理由/意见。", code="note_required")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"{label}理由不能超过 {REASON_MAX} 字。", code="note_too_long")
    return reason


def _tell_assignees(event: Event, title: str) -> None:
    people = engine.assignees(event)
    if people:
        notify_users(users=people, title=f"{title}：{event}", body=event.text[:200], link=event.get_absolute_url(),
                     sms=True)


def event_triage(*, acting_user: Any, event: Event, level: str, department: Any = None, note: str = "",
                 now: dt.datetime | None = None) -> Event:
    """分级分流 (G3 step 2): the dispatcher names the level and, for a county department, which one of the
    county's departments (``orgs.selectors.departments``; the matter's department is suggested, see
    ``selectors.suggested_department``). The assignee then accepts (or returns it)."""
    _visible(acting_user, event)
    level, org, place = _target(event, level, department)
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise ValidationFailed(f"分派意见不能超过 {REASON_MAX} 字。", code="note_too_long")
    at = current(now)
    to = unit_label(level, place, org)
    with transaction.atomic():
        engine.transition(event, "triage", acting_user=acting_user, note=f"分派至{to}。{note}", now=at,
                          extra={"to": to, **_holder(level, org, place)})
        _assign(event, level, org, at)
        event.save(update_fields=ASSIGNEE_FIELDS)
        _tell_assignees(event, "新分派事件")
    return event


def event_accept(*, acting_user: Any, event: Event, note: str = "", now: dt.datetime | None = None) -> Event:
    """受理 (G3 step 3): the clock starts — due at the matter's working-day limit from now."""
    _visible(acting_user, event)
    return engine.transition(event, "accept", acting_user=acting_user, note=note, now=now)


def event_return(*, acting_user: Any, event: Event, reason: str, now: dt.datetime | None = None) -> Event:
    """退回: the assignee hands an event not theirs back to the dispatcher, with the reason."""
    _visible(acting_user, event)
    return engine.transition(event, "return", acting_user=acting_user, note=reason, now=now)


def _level_above(event: Event) -> str:
    above = LEVEL_ABOVE.get(AssigneeLevel(event.assignee_level)) if event.assignee_level else None
    if above is None:
        raise Conflict("已由县级部门承办，不能再提级；请报县级领导协调。", code="event_escalate_top")
    return above


def _move(event: Event, name: str, *, acting_user: Any, level: str, org: Organisation | None, place: Place,
          reason: str, at: dt.datetime, title: str, system: bool = False) -> Event:
    """Take 提级 or 转办 and write the new unit in the same transaction; history shows from → to."""
    before = event.assignee_label
    to = unit_label(level, place, org)
    note = f"{before} → {to}：{reason}"
    extra = {"from": before, "to": to, **_holder(level, org, place)}
    with transaction.atomic():
        if system:
            engine.system_transition(event, name, note=note, now=at, extra=extra)
        else:
            engine.transition(event, name, acting_user=acting_user, note=note, now=at, extra=extra)
        _assign(event, level, org, at)
        event.save(update_fields=ASSIGNEE_FIELDS)
        _tell_assignees(event, title)
    return event


def event_escalate(*, acting_user: Any, event: Event, reason: str, department: Any = None,
                   now: dt.datetime | None = None) -> Event:
    """难事提级: the assignee hands a case beyond it to the level above (grid → village → township → county
    department), which accepts it anew. Going to the county, the department is chosen from the county's list
    (by default the one the matter names)."""
    _visible(acting_user, event)
    reason = _reason(reason, "提级")
    above = _level_above(event)
    if above == AssigneeLevel.DEPARTMENT and department in (None, ""):
        department = selectors.suggested_department(event)
    level, org, place = _target(event, above, department)
    return _move(event, "escalate", acting_user=acting_user, level=level, org=org, place=place, reason=reason,
                 at=current(now), title="提级事件")


def event_transfer(*, acting_user: Any, event: Event, level: str, department: Any = None, reason: str,
                   now: dt.datetime | None = None) -> Event:
    """转办: the assignee (or the dispatcher) hands the event to another unit — the grid, village or township
    of the place, or a county department — with the reason, without going back through triage; the new unit
    accepts it anew (its acceptance deadline starts now)."""
    _visible(acting_user, event)
    reason = _reason(reason, "转办")
    level, org, place = _target(event, level, department)
    if event.assignee_level == level and event.assignee_path == place.path and event.assignee_org_id == (
            org.pk if org else None):
        raise ValidationFailed("已由该单位承办，请选择另一个承办单位。", code="event_transfer_same")
    return _move(event, "transfer", acting_user=acting_user, level=level, org=org, place=place, reason=reason,
                 at=current(now), title="转办事件")


def auto_escalate(event: Event, *, now: dt.datetime) -> None:
    """Escalation hook of the handling state (``workflow.py``), run by the sweeper in its transaction when an
    event stays overdue: beyond notifying the supervisors, move it up one level as the hand 提级 does (grid →
    village → township → the matter's county department), taken by the system. At a county department there is
    no level above, so the supervisors' notice is all; a matter naming no department of the county is refused
    (the sweeper notes why in the history) and stays with its unit."""
    if not event.assignee_level or event.assignee_level == AssigneeLevel.DEPARTMENT:
        return
    above = _level_above(event)
    org = None
    if above == AssigneeLevel.DEPARTMENT:
        org = selectors.suggested_department(event)
        if org is None:
            raise Conflict(f"事项“{event.matter.name}”的责任部门“{event.matter.department or '未填写'}”不在本县部门"
                           f"列表中，未能自动提级，请指挥中心转办。", code="event_escalate_department")
    place = assignee_place(event, above)
    _move(event, "escalate", acting_user=None, level=above, org=org, place=place,
          reason="超期未办结，系统自动提级", at=now, title="超期提级事件", system=True)


def event_note(*, acting_user: Any, event: Event, note: str, photos: Sequence[Any] = (),
               now: dt.datetime | None = None) -> Any:
    """办理记录: while the event is assigned or being handled, the assignee (or the dispatcher, the supervisors)
    records progress with up to nine photos (images only). The photos are attachments of the event, listed in
    the note's history row; everything is checked before anything is written, and kept in one transaction."""
    _visible(acting_user, event)
    engine.check_note(event, acting_user)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请填写办理情况。", code="note_required")
    if len(note) > NOTE_MAX:
        raise ValidationFailed(f"办理情况不能超过 {NOTE_MAX} 字。", code="note_too_long")
    photos = [p for p in photos if p]
    if len(photos) > PHOTOS_MAX:
        raise ValidationFailed(f"照片最多 {PHOTOS_MAX} 张。", code="event_photos")
    for photo in photos:
        _precheck_photo(photo)
    at = current(now)
    with transaction.atomic():
        kept = [attachment_create(acting_user=acting_user, file=photo, place_path=event.place_path, obj=event,
                                  kinds=(AttachmentKind.IMAGE,)) for photo in photos]
        return engine.note(event, acting_user=acting_user, note=note, now=at,
                           extra={"photos": [a.pk for a in kept]} if kept else None)


def event_close(*, acting_user: Any, event: Event, result: str, now: dt.datetime | None = None) -> Event:
    """办结 (G3 step 5): needs the handler's result; the reporter is then asked to rate it."""
    _visible(acting_user, event)
    return engine.transition(event, "close", acting_user=acting_user, note=result, now=now)


def event_rate(*, acting_user: Any, event: Event, satisfied: bool, reason: str = "",
               now: dt.datetime | None = None) -> Event:
    """回访评价: satisfied ends the loop; unsatisfied (with the reason) returns it to the same assignee (返工)."""
    _visible(acting_user, event)
    name = "rate_satisfied" if satisfied else "rate_unsatisfied"
    return engine.transition(event, name, acting_user=acting_user, note=reason, now=now)


def event_urge(*, acting_user: Any, event: Event, note: str = "", now: dt.datetime | None = None) -> Event:
    """催办: the kernel's urge, recorded and sent to the assignees."""
    _visible(acting_user, event)
    return engine.urge(event, acting_user=acting_user, note=note, now=now)


def event_supervise(*, acting_user: Any, event: Event, note: str, now: dt.datetime | None = None) -> Event:
    """督办 (G3 全程跟踪督办): leaders or the command centre put a written instruction on an open event; recorded
    with actor, time and instruction, sent to the assignees, audited."""
    _visible(acting_user, event)
    return engine.supervise(event, acting_user=acting_user, note=note, now=now)


# --- effects, run by the engine inside the transition's transaction (see workflow.py) -----------------------


def apply_report(event: Event, *, acting_user: Any, note: str, now: dt.datetime) -> None:
    """The number, from the report date (Beijing) and the row id: SJ20261122-000123."""
    event.number = f"SJ{local_date(now):%Y%m%d}-{event.pk:06d}"
    event.save(update_fields=["number"])


def _start_clock(event: Event, now: dt.datetime) -> list[str]:
    """The matter's limit from now; the pre-deadline warning moves with it (engine.set_due)."""
    return engine.set_due(event, add_working_days(now, event.matter.time_limit_days))


def apply_accept(event: Event, *, acting_user: Any, note: str, now: dt.datetime) -> None:
    fields = _start_clock(event, now)
    event.accepted_at = now
    event.save(update_fields=[*fields, "accepted_at"])
    assessment.duty_accepted(event, acting_user, now)


def apply_return(event: Event, *, acting_user: Any, note: str, now: dt.datetime) -> None:
    event.assignee_level = ""
    event.assignee_department = ""
    event.assignee_org = None
    event.assignee_place = None
    event.assignee_path = ""
    event.assigned_at = None
    event.accepted_at = None
    event.save(update_fields=ASSIGNEE_FIELDS)
    assessment.duty_returned(event, now)


def apply_close(event: Event, *, acting_user: Any, note: str, now: dt.datetime) -> None:
    event.result = note
    event.closed_at = now
    event.handled_by = acting_user
    event.save(update_fields=["result", "closed_at", "handled_by"])
    assessment.duty_closed(event, acting_user, now)


def apply_satisfied(event: Event, *, acting_user: Any, note: str, now: dt.datetime) -> None:
    event.satisfaction = Satisfaction.SATISFIED
    event.satisfaction_reason = ""
    event.rated_at = now
    event.rated_by = acting_user
    event.save(update_fields=["satisfaction", "satisfaction_reason", "rated_at", "rated_by"])
    assessment.duty_rated(event, True, now)


def apply_unsatisfied(event: Event, *, acting_user: Any, note: str, now: dt.datetime) -> None:
    """返工: back to the same assignee with the reason; the matter's time limit starts again."""
    event.satisfaction = Satisfaction.UNSATISFIED
    event.satisfaction_reason = note
    event.rated_at = now
    event.rated_by = acting_user
    event.reopen_count += 1
    fields = _start_clock(event, now)
    event.save(update_fields=["satisfaction", "satisfaction_reason", "rated_at", "rated_by", "reopen_count", *fields])
    assessment.duty_rated(event, False, now)
