"""Grids on the map (domain.md G1): the grid profile (type, outline) and assigning households to grids, by hand
or by point-in-polygon from the households' coordinates.

Who: Perm.GRID_MANAGE at the grid (a village cadre, grid chief or township dispatcher); moving households also
needs Perm.PEOPLE_CHANGE, checked by ``people.services.household_move_grid``. A place the user cannot see at
all answers NotFound, one they can see but not change PermissionDenied. Every write is audited in its
transaction."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

from django.db import transaction

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record, snapshot
from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.people.models import Household
from shanzhi.people.services import household_move_grid
from shanzhi.regions.models import Place

from .grid_choices import GRID_LEVELS, GridType
from .models import GridProfile

# China's rough bounding box (WGS-84): west of Xinjiang to east of Heilongjiang, Zengmu Ansha to Mohe.
LNG_MIN, LNG_MAX, LAT_MIN, LAT_MAX = 73.0, 135.5, 3.0, 54.0
POLYGON_MAX_CHARS = 2_000_000
POLYGON_MAX_POINTS = 20_000
AUDIT_FIELDS = ["place_id", "grid_type", "special_note", "online_group"]


def require_grid_manage(acting_user: Any, place: Place) -> None:
    if acting_user is None:
        return
    if not getattr(acting_user, "is_authenticated", False):
        raise NotFound()
    if acting_user.has_perm_at(Perm.GRID_MANAGE, place.path):
        return
    if acting_user.has_perm_at(Perm.GRID_VIEW, place.path):
        raise PermissionDenied(f"您只能查看{place.name}的网格信息，不能修改。")
    raise NotFound()


# --- GeoJSON outlines ------------------------------------------------------------------------------------------

def _fail(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="polygon_invalid", errors={"polygon": message})


def _ring(ring: Any, label: str) -> list[list[float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise _fail(f"{label}至少需要 4 个坐标点（首尾相同），才能围成一个面。")
    out: list[list[float]] = []
    for i, pos in enumerate(ring, 1):
        if (not isinstance(pos, list) or len(pos) not in (2, 3)
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos)):
            raise _fail(f"{label}第 {i} 个点不是 [经度, 纬度] 形式的数字坐标。")
        lng, lat = float(pos[0]), float(pos[1])
        if not (math.isfinite(lng) and math.isfinite(lat)):
            raise _fail(f"{label}第 {i} 个点坐标无效。")
        if not (LNG_MIN <= lng <= LNG_MAX and LAT_MIN <= lat <= LAT_MAX):
            hint = "（经纬度是否写反了？GeoJSON 的顺序是 [经度, 纬度]）" if LNG_MIN <= lat <= LNG_MAX else ""
            raise _fail(f"{label}第 {i} 个点 [{pos[0]}, {pos[1]}] 不在我国境内{hint}。")
        out.append([round(lng, 7), round(lat, 7)])
    if out[0] != out[-1]:
        raise _fail(f"{label}没有闭合：第一个点和最后一个点必须相同。")
    if len({tuple(p) for p in out}) < 3:
        raise _fail(f"{label}的不同坐标点少于 3 个，围不成一个面。")
    return out


def _polygon(coords: Any, label: str) -> list[list[list[float]]]:
    if not isinstance(coords, list) or not coords:
        raise _fail(f"{label}没有坐标。")
    return [_ring(r, f"{label}{'外边界' if i == 0 else f'第 {i} 个内洞'}") for i, r in enumerate(coords)]


def polygon_clean(value: Any) -> dict[str, Any] | None:
    """Check a grid outline: GeoJSON text (pasted or uploaded) or an already-parsed object; a Feature or a
    FeatureCollection of one feature is unwrapped. Returns a Polygon or MultiPolygon geometry with closed rings
    of [lng, lat] inside China's rough bounds, or None for an empty value (no outline). Raises ValidationFailed
    with the first problem in plain Chinese."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (bytes, str)):
        if len(value) > POLYGON_MAX_CHARS:
            raise _fail("边界文件太大（超过 2 MB），请简化后再上传。")
        try:
            value = json.loads(value)
        except (ValueError, UnicodeDecodeError):
            raise _fail("边界不是有效的 GeoJSON（JSON 格式错误）。")
    if not isinstance(value, dict):
        raise _fail("边界应为 GeoJSON 对象。")
    if value.get("type") == "FeatureCollection":
        features = value.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise _fail("GeoJSON 要素集合中应当只有一个要素（一个网格的边界）。")
        value = features[0]
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict):
        raise _fail("GeoJSON 要素没有几何图形（geometry）。")
    kind = value.get("type")
    coords = value.get("coordinates")
    if kind == "Polygon":
        geometry: dict[str, Any] = {"type": "Polygon", "coordinates": _polygon(coords, "边界")}
    elif kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise _fail("多面边界没有坐标。")
        geometry = {"type": "MultiPolygon",
                    "coordinates": [_polygon(p, f"第 {i} 个面的") for i, p in enumerate(coords, 1)]}
    else:
        raise _fail(f"网格边界应为面（Polygon）或多面（MultiPolygon），不能是“{kind or '未知类型'}”。")
    points = sum(len(r) for p in _polygons(geometry) for r in p)
    if points > POLYGON_MAX_POINTS:
        raise _fail(f"边界坐标点太多（{points} 个，最多 {POLYGON_MAX_POINTS} 个），请简化后再上传。")
    return geometry


def _polygons(geometry: dict[str, Any]) -> list[Any]:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def _in_ring(lng: float, lat: float, ring: list[list[float]]) -> bool:
    """Ray casting (even-odd rule): count the ring's edges crossed by a ray going east from the point."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lng < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_geometry(lng: float, lat: float, geometry: dict[str, Any] | None) -> bool:
    """Whether the point lies inside a Polygon/MultiPolygon: inside an outer ring and in none of its holes."""
    if not geometry:
        return False
    for polygon in _polygons(geometry):
        if _in_ring(lng, lat, polygon[0]) and not any(_in_ring(lng, lat, hole) for hole in polygon[1:]):
            return True
    return False


# --- the profile -----------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class GridSpec:
    grid_type: str = GridType.BASE
    special_note: str = ""
    online_group: str = ""


@transaction.atomic
def grid_profile_save(*, acting_user: Any, place: Place, spec: GridSpec, polygon: Any = None,
                      keep_polygon: bool = False) -> GridProfile:
    """Create or change a grid's profile. A special grid must say what it watches (专属事项, e.g. 地质灾害监测);
    an online grid must name its group. ``polygon`` is GeoJSON text or object (see ``polygon_clean``); with
    ``keep_polygon`` the stored outline stays as it is."""
    require_grid_manage(acting_user, place)
    errors: dict[str, str] = {}
    if place.level not in GRID_LEVELS:
        raise ValidationFailed("只有网格和微网格才有网格档案。", code="grid_level")
    note = " ".join((spec.special_note or "").split())
    group = " ".join((spec.online_group or "").split())
    if spec.grid_type not in GridType.values:
        errors["grid_type"] = f"未知网格类型：{spec.grid_type or '（空）'}。"
    elif spec.grid_type == GridType.SPECIAL and not note:
        errors["special_note"] = "专属网格须写明专属事项（如：地质灾害监测点）。"
    elif spec.grid_type == GridType.ONLINE and not group:
        errors["online_group"] = "线上网格须填写群名称。"
    if len(note) > 200:
        errors["special_note"] = "专属事项不能超过 200 个字。"
    if len(group) > 100:
        errors["online_group"] = "群名称不能超过 100 个字。"
    if errors:
        raise ValidationFailed("；".join(errors.values()), code="grid_invalid", errors=errors)
    geometry = None if keep_polygon else polygon_clean(polygon)
    profile = GridProfile.objects.select_for_update().filter(place=place).first()
    before = snapshot(profile, AUDIT_FIELDS) if profile else None
    if profile is None:
        profile = GridProfile(place=place, place_path=place.path)
    profile.grid_type = spec.grid_type
    profile.special_note = note if spec.grid_type == GridType.SPECIAL else ""
    profile.online_group = group if spec.grid_type == GridType.ONLINE else ""
    if not keep_polygon:
        profile.polygon = geometry
    profile.save()
    after = snapshot(profile, AUDIT_FIELDS)
    after["polygon_points"] = sum(len(r) for p in _polygons(profile.polygon) for r in p) if profile.polygon else 0
    audit_record(actor=acting_user, action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
                 event="grid_profile_save", obj=profile, before=before, after=after)
    return profile


# --- assigning households ------------------------------------------------------------------------------------

@dataclasses.dataclass
class AssignResult:
    moved: int = 0
    unchanged: int = 0
    outside: int = 0
    no_coordinates: int = 0


@transaction.atomic
def households_assign_by_polygon(*, acting_user: Any, village: Place) -> AssignResult:
    """按网格边界落户: every registered household of ``village`` with coordinates is put in the grid whose
    outline contains it — a micro-grid before its grid — in one transaction (all or nothing). Households
    already in that grid (or in one of its micro-grids) stay; those outside every outline, or without
    coordinates, are left where they are and counted. Each move is a registry change with its own audit entry
    (``household_move_grid``); the run itself is audited with its counts."""
    require_grid_manage(acting_user, village)
    if village.level != "village":
        raise ValidationFailed("按边界落户须以村（社区）为单位进行。", code="assign_level")
    profiles = list(GridProfile.objects.filter(place_path__prefix=village.path, polygon__isnull=False)
                    .select_related("place").order_by("-place_path"))
    # Deepest first: a micro-grid's path is longer than its grid's, so it wins where both contain the point.
    profiles.sort(key=lambda p: len(p.place_path), reverse=True)
    if not profiles:
        raise ValidationFailed("该村还没有绘制或上传任何网格边界。", code="no_polygons")
    result = AssignResult()
    households = (Household.objects.select_for_update(of=("self",)).filter(village=village, is_active=True)
                  .select_related("village", "group").order_by("id"))
    for household in households:
        if household.latitude is None or household.longitude is None:
            result.no_coordinates += 1
            continue
        lng, lat = float(household.longitude), float(household.latitude)
        target = next((p.place for p in profiles if point_in_geometry(lng, lat, p.polygon)), None)
        if target is None:
            result.outside += 1
        elif household.place_path.startswith(target.path):
            result.unchanged += 1
        else:
            household_move_grid(acting_user=acting_user, household=household, place=target, note="按网格边界自动落户")
            result.moved += 1
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="households_assign_by_polygon", obj=village,
                 after=dataclasses.asdict(result), detail=f"按网格边界落户：{village.name}")
    return result


def household_assign(*, acting_user: Any, grid: Place, number: str) -> Household:
    """Put the household with ``number`` in ``grid`` by hand (same village; ``household_move_grid`` checks it)."""
    require_grid_manage(acting_user, grid)
    number = (number or "").strip()
    if not number:
        raise ValidationFailed("请填写户编号。", code="number_required")
    household = (Household.objects.visible_to(acting_user, Perm.PEOPLE_CHANGE).select_related("village", "group")
                 .filter(number=number, is_active=True).first())
    if household is None:
        raise ValidationFailed(f"没有找到户编号为 {number} 的在册户，或您无权调整该户。", code="household_unknown")
    return household_move_grid(acting_user=acting_user, household=household, place=grid, note="手工划入网格")
