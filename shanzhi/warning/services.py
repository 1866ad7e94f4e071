"""Writing warnings and zero-reports (domain.md G5). Every service validates everything before it writes, writes
the audit entry in the same transaction and raises the platform's errors with a Chinese message. Out of the
acting user's scope is NotFound, like a missing object; in scope without the right is PermissionDenied.

Who may act (``access.roles``): ``WARNING_MANAGE`` (county/township leaders, dispatchers, admins) raises,
upgrades, downgrades and lifts warnings and declares zero-report periods; ``ZERO_REPORT_FILE`` (grid workers,
grid chiefs) files a grid's daily "无情况". Grid staff do not raise warnings: they report events, which the
township can then put under a warning."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse

from shanzhi.access.models import User
from shanzhi.access.roles import Perm, Role
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.core.scoping import path_q
from shanzhi.notify.services import notify_users
from shanzhi.regions.models import Place, path_prefixes
from shanzhi.workflow.calendar import is_working_day, local_date
from shanzhi.workflow.clock import current

from . import zero
from .choices import LEVEL_RANK, DayStatus, WarningAction, WarningKind, WarningLevel
from .models import EarlyWarning, WarningChange, ZeroReport, ZeroReportPeriod, ZeroReportReminder
from .selectors import WARNING_PLACE_LEVELS, grid_days

REASON_MAX = 500
PERIOD_REASON_MAX = 200
PERIOD_DAYS_MAX = 92
NOTE_MAX = 200
PERIOD_LEVELS = ("county", "township")


def _require_manage(acting_user: Any, path: str, what: str) -> None:
    if not getattr(acting_user, "is_authenticated", False):
        raise NotFound()
    if acting_user.has_perm_at(Perm.WARNING_MANAGE, path):
        return
    if acting_user.has_perm_at(Perm.WARNING_VIEW, path):
        raise PermissionDenied(f"您无权{what}：须由乡镇（街道）或县级领导、指挥中心调度员办理。")
    raise NotFound()


def _reason(value: str, label: str, limit: int = REASON_MAX) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationFailed(f"请填写{label}。", code="warning_reason")
    if len(value) > limit:
        raise ValidationFailed(f"{label}不能超过 {limit} 字。", code="warning_reason")
    return value


def _level(value: str) -> WarningLevel:
    if value not in WarningLevel.values:
        raise ValidationFailed("请选择预警等级：黄色、橙色或红色。", code="warning_level")
    return WarningLevel(value)


# --- warnings --------------------------------------------------------------------------------------------------


def _target(obj: Any) -> tuple[str, Place, str]:
    """(kind, place, label) of what a warning is raised on: an event (``events.Event``) or a place."""
    if isinstance(obj, Place):
        if obj.level not in WARNING_PLACE_LEVELS or not obj.is_active:
            raise ValidationFailed(
                "预警只能发布在县、乡镇、村（社区）、村民小组或网格上。", code="warning_target"
            )
        return WarningKind.PLACE, obj, obj.name
    if obj._meta.label_lower == "events.event":
        return WarningKind.EVENT, obj.place, f"{obj}（{obj.place.name}）"
    raise ValidationFailed("预警只能发布在事件或区划、网格上。", code="warning_target")


def _notify_red(warning: EarlyWarning, *, verb: str) -> None:
    """Red warnings go to the township's leaders (the county's for a county-level place), inbox and SMS."""
    path = warning.place_path[:9] if len(warning.place_path) >= 9 else warning.place_path
    leaders = User.objects.filter(
        is_active=True,
        role_assignments__is_active=True,
        role_assignments__role=Role.LEADER,
        role_assignments__place_path=path,
    ).distinct()
    notify_users(
        users=list(leaders),
        title=f"红色预警{verb}：{warning.target_label}"[:200],
        body=warning.reason,
        link=warning.get_absolute_url(),
        sms=True,
    )


@transaction.atomic
def warning_raise(
    *, acting_user: Any, target: Any, level: str, reason: str, now: dt.datetime | None = None
) -> EarlyWarning:
    """发布预警 (G5 三级预警) on an event or a place. One warning in force per object: raising a second one is
    refused — change the level of the one in force, or lift it first. A red warning notifies the township's
    leaders by inbox and SMS."""
    kind, place, label = _target(target)
    _require_manage(acting_user, place.path, "发布预警")
    lv = _level(level)
    reason = _reason(reason, "预警原因")
    ct = ContentType.objects.get_for_model(target)
    existing = EarlyWarning.objects.filter(content_type=ct, object_id=target.pk, is_active=True).first()
    if existing is not None:
        raise Conflict(
            f"该对象已有生效中的{existing.get_level_display()}，请调整等级或先解除。", code="warning_exists"
        )
    at = current(now)
    try:
        with transaction.atomic():
            warning = EarlyWarning.objects.create(
                kind=kind,
                content_type=ct,
                object_id=target.pk,
                target_label=label[:200],
                place=place,
                place_path=place.path,
                level=lv,
                reason=reason,
                raised_by=acting_user,
                raised_at=at,
                changed_at=at,
            )
    except IntegrityError:  # raised by someone else between our check and our insert
        raise Conflict("该对象刚刚已被发布预警，请刷新页面。", code="warning_exists")
    WarningChange.objects.create(
        warning=warning,
        place_path=place.path,
        action=WarningAction.RAISE,
        to_level=lv,
        reason=reason,
        by=acting_user,
        at=at,
    )
    audit_record(
        actor=acting_user,
        action=AuditAction.CREATE,
        event="warning.raise",
        obj=warning,
        after={"kind": kind, "object_id": target.pk, "level": lv, "reason": reason},
    )
    if lv == WarningLevel.RED:
        _notify_red(warning, verb="发布")
    return warning


def _locked_active(warning: EarlyWarning, acting_user: Any, what: str) -> EarlyWarning:
    _require_manage(acting_user, warning.place_path, what)
    locked = EarlyWarning.objects.select_for_update().select_related("place").get(pk=warning.pk)
    if not locked.is_active:
        raise Conflict("该预警已解除，不能再调整。", code="warning_lifted")
    return locked


@transaction.atomic
def warning_change_level(
    *, acting_user: Any, warning: EarlyWarning, level: str, reason: str, now: dt.datetime | None = None
) -> EarlyWarning:
    """升级/降级: move a warning in force to another level, recorded as a new history row with the reason.
    Raising it to red notifies the township's leaders."""
    lv = _level(level)
    reason = _reason(reason, "调整理由")
    locked = _locked_active(warning, acting_user, "调整预警等级")
    if lv == locked.level:
        raise ValidationFailed(f"预警已是{locked.get_level_display()}，等级未变化。", code="warning_level")
    before = locked.level
    action = (
        WarningAction.UPGRADE
        if LEVEL_RANK[lv] > LEVEL_RANK[WarningLevel(before)]
        else WarningAction.DOWNGRADE
    )
    at = current(now)
    locked.level, locked.changed_at = lv, at
    locked.save(update_fields=["level", "changed_at"])
    WarningChange.objects.create(
        warning=locked,
        place_path=locked.place_path,
        action=action,
        from_level=before,
        to_level=lv,
        reason=reason,
        by=acting_user,
        at=at,
    )
    audit_record(
        actor=acting_user,
        action=AuditAction.UPDATE,
        event=f"warning.{action}",
        obj=locked,
        before={"level": before},
        after={"level": lv, "reason": reason},
    )
    if lv == WarningLevel.RED:
        _notify_red(locked, verb="升级")
    return locked


@transaction.atomic
def warning_lift(
    *, acting_user: Any, warning: EarlyWarning, reason: str, now: dt.datetime | None = None
) -> EarlyWarning:
    """解除预警: end a warning in force, with who and why. The row stays, with its history."""
    reason = _reason(reason, "解除原因")
    locked = _locked_active(warning, acting_user, "解除预警")
    at = current(now)
    locked.is_active, locked.lifted_by, locked.lifted_at, locked.lift_reason = False, acting_user, at, reason
    locked.changed_at = at
    locked.save(update_fields=["is_active", "lifted_by", "lifted_at", "lift_reason", "changed_at"])
    WarningChange.objects.create(
        warning=locked,
        place_path=locked.place_path,
        action=WarningAction.LIFT,
        from_level=locked.level,
        reason=reason,
        by=acting_user,
        at=at,
    )
    audit_record(
        actor=acting_user,
        action=AuditAction.UPDATE,
        event="warning.lift",
        obj=locked,
        before={"is_active": True},
        after={"is_active": False, "reason": reason},
    )
    return locked


# --- zero-report periods ---------------------------------------------------------------------------------------


@transaction.atomic
def zero_period_declare(
    *,
    acting_user: Any,
    place: Place,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    reason: str,
    now: dt.datetime | None = None,
) -> ZeroReportPeriod:
    """设立零报告期 (G5): a county or township declares a sensitive period over its subtree. It may not start in
    the past nor last more than ``PERIOD_DAYS_MAX`` days, and may not overlap another period of the same place."""
    if place.level not in PERIOD_LEVELS:
        raise ValidationFailed("零报告期由县（市、区）或乡镇（街道）设立。", code="zero_period_place")
    _require_manage(acting_user, place.path, "设立零报告期")
    reason = _reason(reason, "事由", PERIOD_REASON_MAX)
    if starts_on is None or ends_on is None:
        raise ValidationFailed("请填写开始日期和结束日期。", code="zero_period_dates")
    today = local_date(current(now))
    if starts_on < today:
        raise ValidationFailed("开始日期不能早于今天。", code="zero_period_dates")
    if ends_on < starts_on:
        raise ValidationFailed("结束日期不能早于开始日期。", code="zero_period_dates")
    if (ends_on - starts_on).days + 1 > PERIOD_DAYS_MAX:
        raise ValidationFailed(f"零报告期最长 {PERIOD_DAYS_MAX} 天。", code="zero_period_dates")
    # Two declarations at once for the same place: the place row is the lock, so the second sees the first.
    Place.objects.select_for_update().filter(pk=place.pk).first()
    clash = (
        ZeroReportPeriod.objects.select_for_update()
        .filter(place=place, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .order_by("starts_on")
        .first()
    )
    if clash is not None:
        raise Conflict(
            f"{place.name}已有与之重叠的零报告期（{clash.starts_on:%Y-%m-%d}至{clash.ends_on:%Y-%m-%d}）。",
            code="zero_period_overlap",
        )
    period = ZeroReportPeriod.objects.create(
        place=place,
        place_path=place.path,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        declared_by=acting_user,
        declared_at=current(now),
    )
    audit_record(
        actor=acting_user,
        action=AuditAction.CREATE,
        event="zero_period.declare",
        obj=period,
        after={"starts_on": starts_on, "ends_on": ends_on, "reason": reason},
    )
    return period


# --- the daily zero-report -------------------------------------------------------------------------------------


def zero_report_file(
    *,
    acting_user: Any,
    grid: Place,
    day: dt.date | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> ZeroReport:
    """报送零报告 (G5): a grid worker or grid chief of the grid reports "无情况" for ``day`` (default today).

    Only for a working day of a period covering the grid, today or earlier (never ahead). Idempotent: filing
    again for the same grid and day returns the first report and writes nothing. Filed after the day's cut-off
    it is kept and marked late (迟报)."""
    if not getattr(acting_user, "is_authenticated", False):
        raise NotFound()
    if grid.level != "grid" or not grid.is_active:
        raise ValidationFailed("零报告按网格报送，请选择网格。", code="zero_report_grid")
    if not acting_user.has_perm_at(Perm.ZERO_REPORT_FILE, grid.path):
        raise NotFound()
    at = current(now)
    today = local_date(at)
    day = day or today
    if day > today:
        raise ValidationFailed("不能为今后的日期报送零报告。", code="zero_report_future")
    if not ZeroReportPeriod.objects.covering(grid.path).filter(starts_on__lte=day, ends_on__gte=day).exists():
        raise ValidationFailed(f"{day:%Y-%m-%d} 不在零报告期内，无需报送。", code="zero_report_period")
    if not is_working_day(day):
        raise ValidationFailed(
            f"{day:%Y-%m-%d} 是休息日（周末或法定节假日），无需报送零报告。", code="zero_report_rest_day"
        )
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise ValidationFailed(f"备注不能超过 {NOTE_MAX} 字。", code="zero_report_note")
    existing = ZeroReport.objects.filter(grid=grid, date=day).first()
    if existing is not None:
        existing.replayed = True  # type: ignore[attr-defined]
        return existing
    try:
        with transaction.atomic():
            report = ZeroReport.objects.create(
                grid=grid,
                place_path=grid.path,
                date=day,
                note=note,
                filed_by=acting_user,
                filed_at=at,
                is_late=at > zero.deadline(day),
            )
            audit_record(
                actor=acting_user,
                action=AuditAction.CREATE,
                event="zero_report.file",
                obj=report,
                after={"date": day, "late": report.is_late, "note": note},
            )
    except IntegrityError:  # the same grid and day filed by a colleague a moment ago
        report = ZeroReport.objects.get(grid=grid, date=day)
        report.replayed = True  # type: ignore[attr-defined]
    return report


def _grid_staff(paths: list[str]) -> dict[str, set[int]]:
    """{grid path: user ids} of the grid workers and grid chiefs holding a role at a grid or at its village
    (a township-level 总网格长 hears from the dispatcher instead)."""
    prefixes = sorted({pre for p in paths for pre in path_prefixes(p) if len(pre) >= 12})
    rows = User.objects.filter(
        is_active=True,
        role_assignments__is_active=True,
        role_assignments__role__in=(Role.GRID_WORKER, Role.GRID_CHIEF),
        role_assignments__place_path__in=prefixes,
    ).values_list("id", "role_assignments__place_path")
    out: dict[str, set[int]] = {p: set() for p in paths}
    for uid, held in rows:
        for p in paths:
            if p.startswith(held):
                out[p].add(uid)
    return out


def zero_report_remind(*, now: dt.datetime | None = None) -> dict[str, int]:
    """催报 (the periodic task, after the cut-off): on a working day of a period, tell each missing grid's staff
    (inbox and SMS) and each township's dispatchers (inbox, with the list) — once per place and day, however
    often it runs and however many workers run it (``ZeroReportReminder`` is unique per place and day)."""
    at = current(now)
    day = local_date(at)
    result = {"missing": 0, "grids": 0, "townships": 0}
    if at <= zero.deadline(day):
        return result
    periods = sorted(
        set(
            ZeroReportPeriod.objects.filter(starts_on__lte=day, ends_on__gte=day).values_list(
                "place_path", flat=True
            )
        )
    )
    under = [p for p in periods if not any(p != q and p.startswith(q) for q in periods)]
    if not under or not is_working_day(day):
        return result
    grids = list(
        Place.objects.filter(path_q("path", under), level="grid", is_active=True)
        .select_related("parent")
        .order_by("path")
    )
    missing = [
        r.grid for r in grid_days(grids=grids, under=under, day=day, now=at) if r.status == DayStatus.MISSING
    ]
    result["missing"] = len(missing)
    if not missing:
        return result
    already = set(
        ZeroReportReminder.objects.filter(
            date=day, place_path__in=[g.path for g in missing] + [g.path[:9] for g in missing]
        ).values_list("place_path", flat=True)
    )
    staff = _grid_staff([g.path for g in missing if g.path not in already])
    users = {u.pk: u for u in User.objects.filter(pk__in={uid for ids in staff.values() for uid in ids})}
    link = reverse("zero_today")
    for grid in missing:
        if grid.path in already:
            continue
        recipients = [users[uid] for uid in sorted(staff.get(grid.path, ()))]
        if _remind_once(
            place=grid,
            day=day,
            missing=1,
            recipients=recipients,
            at=at,
            title=f"零报告提醒：{grid.name} {day:%m月%d日}尚未报送零报告",
            link=link,
            sms=True,
        ):
            result["grids"] += 1
    by_township: dict[str, list[Place]] = {}
    for grid in missing:
        by_township.setdefault(grid.path[:9], []).append(grid)
    townships = {p.path: p for p in Place.objects.filter(path__in=list(by_township), level="township")}
    for path, grids_missing in sorted(by_township.items()):
        township = townships.get(path)
        if township is None or path in already:
            continue
        dispatchers = list(
            User.objects.filter(
                is_active=True,
                role_assignments__is_active=True,
                role_assignments__role=Role.DISPATCHER,
                role_assignments__place_path=path,
            ).distinct()
        )
        names = "、".join(f"{g.parent.name}{g.name}" if g.parent_id else g.name for g in grids_missing)
        sheet = (
            ZeroReportPeriod.objects.covering(path)
            .filter(starts_on__lte=day, ends_on__gte=day)
            .order_by("-place_path")
            .first()
        )
        if _remind_once(
            place=township,
            day=day,
            missing=len(grids_missing),
            recipients=dispatchers,
            at=at,
            title=f"零报告：{township.name} {day:%m月%d日}有 {len(grids_missing)} 个网格未报",
            body=f"截至 {zero.deadline(day):%H:%M} 未报送的网格：{names}",
            link=f"{reverse('zero_sheet', args=[sheet.pk])}?date={day:%Y-%m-%d}&status=missing"
            if sheet
            else "",
            sms=False,
        ):
            result["townships"] += 1
    return result


def _remind_once(
    *,
    place: Place,
    day: dt.date,
    missing: int,
    recipients: list[Any],
    at: dt.datetime,
    title: str,
    link: str,
    sms: bool,
    body: str = "",
) -> bool:
    """Record the reminder and send it in one transaction; False when another run already did."""
    try:
        with transaction.atomic():
            ZeroReportReminder.objects.create(
                place=place,
                place_path=place.path,
                date=day,
                missing=missing,
                recipients=len(recipients),
                created_at=at,
            )
            if recipients:
                notify_users(users=recipients, title=title, body=body, link=link, sms=sms)
    except IntegrityError:
        return False
    return True
