"""Editing the working-day calendar (domain.md F6). The State Council publishes each year's holidays and
调休 make-up workdays around November; whoever holds ``calendar.manage`` enters them here (or in the admin,
which calls these services). Every change is audited: deadlines of every case depend on it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed

from .models import CalendarDay, DayKind


def _require_manager(user: Any) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_perm_anywhere(Perm.CALENDAR_MANAGE):
        raise PermissionDenied("您没有管理工作日历的权限。", code="calendar_forbidden")


def calendar_year(year: int) -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(date__year=year).order_by("date"))


@transaction.atomic
def calendar_day_set(*, acting_user: Any, date: dt.date, kind: str, name: str) -> CalendarDay:
    """Record (or change) a special day. A make-up workday must fall on a weekend, since a weekday is a
    working day anyway; a holiday may fall on any day (official breaks list the weekend days they join)."""
    _require_manager(acting_user)
    if kind not in DayKind.values:
        raise ValidationFailed("类型应为“放假”或“调休上班”。", code="calendar_kind")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写节日名称（如：春节）。", code="calendar_name")
    if len(name) > 40:
        raise ValidationFailed("名称不能超过 40 字。", code="calendar_name")
    if kind == DayKind.WORKDAY and date.weekday() < 5:
        raise ValidationFailed(f"{date:%Y-%m-%d} 是工作日，无需登记为调休上班日。", code="calendar_workday_weekday")
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        day = CalendarDay.objects.create(date=date, kind=kind, name=name)
        audit_record(actor=acting_user, action=AuditAction.CREATE, event="calendar_day_set", obj=day,
                     after={"date": date, "kind": kind, "name": name})
        return day
    before = {"kind": day.kind, "name": day.name}
    if before == {"kind": kind, "name": name}:
        return day
    day.kind, day.name = kind, name
    day.save(update_fields=["kind", "name", "updated_at"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="calendar_day_set", obj=day, before=before,
                 after={"kind": kind, "name": name})
    return day


@transaction.atomic
def calendar_day_remove(*, acting_user: Any, date: dt.date) -> None:
    """Remove a special day; the date returns to the Monday–Friday rule. Deadlines already computed stay."""
    _require_manager(acting_user)
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        raise NotFound(f"{date:%Y-%m-%d} 不是已登记的特殊日。")
    audit_record(actor=acting_user, action=AuditAction.DELETE, event="calendar_day_remove", obj=day,
                 before={"date": date, "kind": day.kind, "name": day.name})
    day.delete()
