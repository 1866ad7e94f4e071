"""Hazard points (隐患点) of grids (domain.md G1 专属网格 "geological hazard points with a dedicated monitor"; shown on
the G5 grid risk card and on the grid map): name, kind, location and coordinates, the monitor and notes.

Who: Perm.GRID_MANAGE at the grid (``grids.require_grid_manage``: NotFound outside the user's scope,
PermissionDenied where they may only view). Points are withdrawn (``is_active``), never deleted; every write is
audited in its transaction, after all validation."""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from shanzhi.audit.services import AuditAction, audit_record, snapshot
from shanzhi.core.errors import ValidationFailed
from shanzhi.regions.models import Place

from .grid_choices import GRID_LEVELS, HazardKind
from .grids import LAT_MAX, LAT_MIN, LNG_MAX, LNG_MIN, require_grid_manage
from .models import HazardPoint
from .staff import contact_phone

AUDIT_FIELDS = [
    "grid_id",
    "name",
    "kind",
    "location",
    "latitude",
    "longitude",
    "monitor_name",
    "monitor_phone",
    "notes",
    "is_active",
]


@dataclasses.dataclass(frozen=True)
class HazardSpec:
    name: str = ""
    kind: str = ""
    location: str = ""
    latitude: Any = None
    longitude: Any = None
    monitor_name: str = ""
    monitor_phone: str = ""
    notes: str = ""


def _coordinate(
    value: Any, label: str, low: float, high: float, errors: dict[str, str], key: str
) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors[key] = f"{label}应为数字。"
        return None
    if not math.isfinite(float(number)) or not (low <= float(number) <= high):
        errors[key] = f"{label} {value} 不在我国境内（经度 {LNG_MIN}–{LNG_MAX}，纬度 {LAT_MIN}–{LAT_MAX}）。"
        return None
    return number.quantize(Decimal("0.000001"))


def _clean(spec: HazardSpec) -> dict[str, Any]:
    """All checks of a hazard point, collected into one ValidationFailed with every problem in Chinese."""
    errors: dict[str, str] = {}
    data = {
        "name": " ".join((spec.name or "").split()),
        "kind": spec.kind or "",
        "location": " ".join((spec.location or "").split()),
        "monitor_name": " ".join((spec.monitor_name or "").split()),
        "notes": (spec.notes or "").strip(),
        "monitor_phone": "",
    }
    if not data["name"] or len(data["name"]) > 60:
        errors["name"] = "请填写隐患点名称（不超过 60 个字）。"
    if data["kind"] not in HazardKind.values:
        errors["kind"] = f"未知隐患点类型：{data['kind'] or '（空）'}。"
    if not data["location"] or len(data["location"]) > 120:
        errors["location"] = "请填写位置（不超过 120 个字），如：东坡村三组后山。"
    if not data["monitor_name"] or len(data["monitor_name"]) > 50:
        errors["monitor_name"] = "请填写监测人姓名（不超过 50 个字）：隐患点须有专人监测。"
    if (spec.monitor_phone or "").strip():
        try:
            data["monitor_phone"] = contact_phone(spec.monitor_phone)
        except ValidationFailed:
            errors["monitor_phone"] = "监测人电话应为11位手机号或带区号的固定电话。"
    if len(data["notes"]) > 500:
        errors["notes"] = "备注不超过 500 个字。"
    lat = _coordinate(spec.latitude, "纬度", LAT_MIN, LAT_MAX, errors, "latitude")
    lng = _coordinate(spec.longitude, "经度", LNG_MIN, LNG_MAX, errors, "longitude")
    if "latitude" not in errors and "longitude" not in errors and (lat is None) != (lng is None):
        errors["latitude"] = "经度和纬度须同时填写，或都不填。"
    if errors:
        raise ValidationFailed("；".join(errors.values()), code="hazard_invalid", errors=errors)
    data.update(latitude=lat, longitude=lng)
    return data


@transaction.atomic
def hazard_point_create(*, acting_user: Any, grid: Place, spec: HazardSpec) -> HazardPoint:
    """登记隐患点 in a grid or micro-grid, with its dedicated monitor."""
    require_grid_manage(acting_user, grid)
    if grid.level not in GRID_LEVELS:
        raise ValidationFailed(
            "隐患点应登记在网格或微网格。", code="hazard_level", errors={"grid": "不是网格"}
        )
    data = _clean(spec)
    point = HazardPoint.objects.create(grid=grid, place_path=grid.path, **data)
    audit_record(
        actor=acting_user,
        action=AuditAction.CREATE,
        event="hazard_point_create",
        obj=point,
        after=snapshot(point, AUDIT_FIELDS),
    )
    return point


@transaction.atomic
def hazard_point_update(*, acting_user: Any, point: HazardPoint, spec: HazardSpec) -> HazardPoint:
    """Change a hazard point's description, location or monitor (the grid stays)."""
    point = HazardPoint.objects.select_for_update().select_related("grid").get(pk=point.pk)
    require_grid_manage(acting_user, point.grid)
    data = _clean(spec)
    before = snapshot(point, AUDIT_FIELDS)
    for name, value in data.items():
        setattr(point, name, value)
    point.save(update_fields=[*data, "updated_at"])
    audit_record(
        actor=acting_user,
        action=AuditAction.UPDATE,
        event="hazard_point_update",
        obj=point,
        before=before,
        after=snapshot(point, AUDIT_FIELDS),
    )
    return point


@transaction.atomic
def hazard_point_set_active(
    *, acting_user: Any, point: HazardPoint, active: bool, reason: str = ""
) -> HazardPoint:
    """撤销 (the hazard was removed or the point merged) or 恢复 a hazard point; withdrawing needs a reason."""
    point = HazardPoint.objects.select_for_update().select_related("grid").get(pk=point.pk)
    require_grid_manage(acting_user, point.grid)
    reason = " ".join((reason or "").split())
    if point.is_active == active:
        raise ValidationFailed("该隐患点已在册。" if active else "该隐患点已撤销。", code="hazard_state")
    if not active and not reason:
        raise ValidationFailed(
            "撤销隐患点须写明原因（如：已治理销号）。", code="hazard_reason", errors={"reason": "请填写原因"}
        )
    if len(reason) > 200:
        raise ValidationFailed("原因不超过 200 个字。", code="hazard_reason", errors={"reason": "太长"})
    point.is_active = active
    point.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=acting_user,
        action=AuditAction.UPDATE,
        event="hazard_point_set_active",
        obj=point,
        after={"is_active": active, "reason": reason},
    )
    return point
