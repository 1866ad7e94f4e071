"""Pages of grids (domain.md G1, G5): the grid list, a grid's profile form (type, outline pasted or uploaded as
GeoJSON), its risk card with households assigned by hand, the village's point-in-polygon assignment, and the
Leaflet map of a village's or township's grids with its JSON. Views parse input and call services/selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ValidationFailed
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate

from . import grid_selectors as selectors
from . import grids
from .grid_choices import GRID_TYPE_COLOURS, GridType

UPLOAD_MAX_BYTES = grids.POLYGON_MAX_CHARS


@login_required
@require_GET
def grid_list(request: HttpRequest) -> HttpResponse:
    under = None
    code = (request.GET.get("place") or "").strip()[:24]
    if code:
        under = Place.objects.get_visible(request.user, Perm.GRID_VIEW, code=code)
    q = (request.GET.get("q") or "").strip()[:50]
    qs = selectors.grid_list(user=request.user, under=under, q=q)
    villages = Place.objects.visible_to(request.user, Perm.GRID_VIEW).filter(level__in=selectors.MAP_LEVELS)
    page = paginate(request, qs)
    selectors.attach_household_counts(page.object_list)
    return render(request, "grid/grids/list.html", {
        "page_obj": page, "under": under, "q": q, "colours": GRID_TYPE_COLOURS,
        "map_places": villages.order_by("path")[:300],
    })


def _polygon_input(request: HttpRequest) -> tuple[Any, bool]:
    """The outline from the uploaded .geojson file, else the pasted text; ``keep`` when neither was given and the
    form did not ask to clear it."""
    upload = request.FILES.get("polygon_file")
    if upload is not None:
        if upload.size > UPLOAD_MAX_BYTES:
            raise ValidationFailed("边界文件太大（超过 2 MB），请简化后再上传。", errors={"polygon": "文件太大"})
        if not upload.name.lower().endswith((".geojson", ".json")):
            raise ValidationFailed("请上传 .geojson 或 .json 格式的边界文件。", errors={"polygon": "文件类型不对"})
        try:
            return upload.read().decode("utf-8-sig"), False
        except UnicodeDecodeError:
            raise ValidationFailed("边界文件应为 UTF-8 编码的 GeoJSON 文本。", errors={"polygon": "编码不对"})
    text = request.POST.get("polygon", "")
    if text.strip():
        return text, False
    return None, request.POST.get("clear_polygon") != "on"


@login_required
@require_http_methods(["GET", "POST"])
def grid_edit(request: HttpRequest, code: str) -> HttpResponse:
    grid = selectors.grid_place(user=request.user, code=code)
    grids.require_grid_manage(request.user, grid)
    profile = selectors.grid_profile_of(grid)
    error, errors = "", {}
    if request.method == "POST":
        spec = grids.GridSpec(grid_type=request.POST.get("grid_type", ""),
                              special_note=request.POST.get("special_note", ""),
                              online_group=request.POST.get("online_group", ""))
        try:
            polygon, keep = _polygon_input(request)
            grids.grid_profile_save(acting_user=request.user, place=grid, spec=spec, polygon=polygon, keep_polygon=keep)
        except ValidationFailed as exc:
            error, errors = exc.message, exc.errors or {}
        else:
            messages.success(request, f"已保存{grid.name}的网格档案。")
            return redirect("grid_card", code=grid.code)
    return render(request, "grid/grids/edit.html", {
        "grid": grid, "profile": profile, "types": GridType.choices, "form": request.POST or None, "error": error,
        "errors": errors}, status=400 if error else 200)


@login_required
@require_GET
def grid_card(request: HttpRequest, code: str) -> HttpResponse:
    """网格风险卡片 (G5) with the grid's profile, its staff and the hand-assignment form."""
    grid = selectors.grid_place(user=request.user, code=code)
    return render(request, "grid/grids/card.html", {
        "grid": grid, "profile": selectors.grid_profile_of(grid), "card": selectors.risk_card(user=request.user, grid=grid),
        "can_manage": request.user.has_perm_at(Perm.GRID_MANAGE, grid.path), "colours": GRID_TYPE_COLOURS,
    })


@login_required
@require_POST
def grid_assign(request: HttpRequest, code: str) -> HttpResponse:
    grid = selectors.grid_place(user=request.user, code=code)
    try:
        household = grids.household_assign(acting_user=request.user, grid=grid, number=request.POST.get("number", ""))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已将 {household.number} 户划入{grid.name}。")
    return redirect("grid_card", code=grid.code)


@login_required
@require_POST
def village_assign(request: HttpRequest, code: str) -> HttpResponse:
    village = selectors.map_place(user=request.user, code=code)
    try:
        result = grids.households_assign_by_polygon(acting_user=request.user, village=village)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"按网格边界落户完成：调整 {result.moved} 户，已在网格内 {result.unchanged} 户，"
                                  f"不在任何网格边界内 {result.outside} 户，无坐标 {result.no_coordinates} 户。")
    return redirect("grid_map", code=village.code)


@login_required
@require_GET
def grid_map(request: HttpRequest, code: str) -> HttpResponse:
    place = selectors.map_place(user=request.user, code=code)
    return render(request, "grid/grids/map.html", {
        "place": place, "legend": [(t.label, GRID_TYPE_COLOURS[t]) for t in GridType],
        "can_assign": place.level == "village" and request.user.has_perm_at(Perm.GRID_MANAGE, place.path),
    })


@login_required
@require_GET
def grid_map_json(request: HttpRequest, code: str) -> JsonResponse:
    place = selectors.map_place(user=request.user, code=code)
    return JsonResponse(selectors.map_data(user=request.user, place=place), json_dumps_params={"ensure_ascii": False})
