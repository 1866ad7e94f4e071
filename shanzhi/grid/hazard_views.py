"""Pages of hazard points (隐患点, domain.md G1 专属网格 / G5 risk card): the scoped list with the registration form,
editing a point, withdrawing and restoring it. Views parse input and call ``hazards`` and the grid selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ValidationFailed
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate

from . import grid_selectors as selectors
from . import hazards
from .grid_choices import GRID_LEVELS, HazardKind
from .grids import require_grid_manage

GRID_OPTIONS_MAX = 300
SPEC_FIELDS = ("name", "kind", "location", "latitude", "longitude", "monitor_name", "monitor_phone", "notes")


def _spec(post: Any) -> hazards.HazardSpec:
    return hazards.HazardSpec(**{name: post.get(name, "") for name in SPEC_FIELDS})


@login_required
@require_http_methods(["GET", "POST"])
def hazard_list(request: HttpRequest) -> HttpResponse:
    error, errors = "", {}
    if request.method == "POST":
        try:
            grid = Place.objects.get_visible(
                request.user, Perm.GRID_MANAGE, code=(request.POST.get("grid") or "").strip()[:24]
            )
            point = hazards.hazard_point_create(acting_user=request.user, grid=grid, spec=_spec(request.POST))
        except ValidationFailed as exc:
            error, errors = exc.message, exc.errors or {}
        else:
            messages.success(request, f"已登记隐患点“{point.name}”。")
            return redirect("hazard_list")
    under = None
    code = (request.GET.get("place") or "").strip()[:24]
    if code:
        under = Place.objects.get_visible(request.user, Perm.GRID_VIEW, code=code)
    active = None if request.GET.get("all") == "1" else True
    qs = selectors.hazard_points(user=request.user, under=under, active=active)
    can_manage = request.user.has_perm_anywhere(Perm.GRID_MANAGE)
    grids = (
        (
            Place.objects.visible_to(request.user, Perm.GRID_MANAGE)
            .filter(level__in=GRID_LEVELS, is_active=True)
            .order_by("path")[:GRID_OPTIONS_MAX]
        )
        if can_manage
        else []
    )
    return render(
        request,
        "grid/hazards/list.html",
        {
            "page_obj": paginate(request, qs),
            "under": under,
            "all": active is None,
            "kinds": HazardKind.choices,
            "form": request.POST or None,
            "error": error,
            "errors": errors,
            "can_manage": can_manage,
            "grids": grids,
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def hazard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = selectors.hazard_get(user=request.user, pk=pk)
    require_grid_manage(request.user, point.grid)
    error, errors = "", {}
    if request.method == "POST":
        try:
            hazards.hazard_point_update(acting_user=request.user, point=point, spec=_spec(request.POST))
        except ValidationFailed as exc:
            error, errors = exc.message, exc.errors or {}
        else:
            messages.success(request, f"已保存隐患点“{point.name}”。")
            return redirect("grid_card", code=point.grid.code)
    return render(
        request,
        "grid/hazards/edit.html",
        {
            "p": point,
            "kinds": HazardKind.choices,
            "form": request.POST or None,
            "error": error,
            "errors": errors,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def hazard_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    point = selectors.hazard_get(user=request.user, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        hazards.hazard_point_set_active(
            acting_user=request.user, point=point, active=active, reason=request.POST.get("reason", "")
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("hazard_edit", pk=point.pk)
    messages.success(request, f"隐患点“{point.name}”已{'恢复' if active else '撤销'}。")
    return redirect("grid_card", code=point.grid.code)
