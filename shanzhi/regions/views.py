from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ValidationFailed

from . import selectors, services
from .choices import ALLOWED_PARENTS, Level
from .models import Place


@login_required
def place_tree(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()
    results = list(selectors.place_search(user=request.user, query=q)) if q else []
    if results:
        ancestors = selectors.ancestors_for(results)
        for place in results:
            place.trail = [a for a in ancestors if place.path.startswith(a.path) and a.path != place.path]
    return render(request, "regions/tree.html", {
        "q": q, "results": results, "roots": selectors.user_root_places(user=request.user),
    })


@login_required
def place_detail(request: HttpRequest, code: str) -> HttpResponse:
    place = Place.objects.get_visible(request.user, Perm.PLACE_VIEW, code=code)
    children = selectors.place_children(user=request.user, place=place)
    child_levels = [lvl for lvl, parents in ALLOWED_PARENTS.items() if Level(place.level) in parents
                    and lvl in (Level.VILLAGE, Level.GROUP, Level.GRID, Level.MICROGRID)]
    return render(request, "regions/detail.html", {
        "place": place, "children": children, "ancestors": selectors.place_ancestors(place),
        "child_levels": [(lvl.value, lvl.label) for lvl in child_levels],
        "can_manage": request.user.has_perm_at(Perm.PLACE_MANAGE, place.path),
    })


@login_required
def place_children_partial(request: HttpRequest, code: str) -> HttpResponse:
    place = Place.objects.get_visible(request.user, Perm.PLACE_VIEW, code=code)
    return render(request, "regions/_children.html", {"children": selectors.place_children(user=request.user, place=place)})


@login_required
@require_POST
def place_create_view(request: HttpRequest, code: str) -> HttpResponse:
    parent = Place.objects.get_visible(request.user, Perm.PLACE_VIEW, code=code)
    try:
        child = services.place_create(acting_user=request.user, parent=parent, level=request.POST.get("level", ""),
                                      name=request.POST.get("name", ""), code=request.POST.get("code", ""))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("place_detail", code=parent.code)
    messages.success(request, f"已新建{child.get_level_display()}“{child.name}”，代码 {child.code}。")
    return redirect("place_detail", code=parent.code)
