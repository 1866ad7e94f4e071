"""Pages of the 户迁移 workflow: the list of moves in scope, the request form from a household, the detail
page with its history and the buttons the workflow gives this user. Views parse input and call
``moves.py``; out of scope is 404 (the selectors), a refused action is shown as a message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ApplicationError, NotFound, ValidationFailed
from shanzhi.core.http import act_then_redirect
from shanzhi.imports.xlsx import export_rows, xlsx_response
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate
from shanzhi.workflow import engine

from . import moves, selectors
from .models import Household
from .workflow import HOUSEHOLD_MOVE


@login_required
def move_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    default_box = "inbox" if user.has_perm_anywhere(Perm.MOVE_APPROVE) else "all"
    box = request.GET.get("box") or default_box
    if box not in moves.BOXES:
        box = "all"
    state = request.GET.get("state") or ""
    qs = moves.move_list(user=user, box=box, state=state)
    if request.GET.get("export") == "xlsx":
        rows = ([m.household_number, m.head_name, m.member_count, m.from_village.name, m.to_village.name, m.reason,
                 m.state_label, m.requested_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                 m.due_at.astimezone().strftime("%Y-%m-%d %H:%M") if m.due_at else ""]
                for m in export_rows(request, qs.select_related("from_village", "to_village"), perm=Perm.MOVE_REQUEST,
                                     event="move_export", what="户迁移", narrow=False))
        return xlsx_response(f"户迁移-{dt.date.today():%Y%m%d}.xlsx",
                             ["户编号", "户主", "人数", "迁出村", "迁入村", "原因", "状态", "申请时间", "办理期限"], rows, title="户迁移")
    page = paginate(request, qs)
    return render(request, "people/moves/move_list.html", {
        "page_obj": page, "box": box, "boxes": moves.BOXES.items(), "state": state,
        "states": [(s.name, s.label) for s in HOUSEHOLD_MOVE.states],
    })


@login_required
def move_detail(request: HttpRequest, pk: int) -> HttpResponse:
    move = moves.move_detail(user=request.user, pk=pk)
    return render(request, "people/moves/move_detail.html", {
        "move": move,
        "history": engine.history(move), "actions": engine.available_transitions(move, request.user),
        "can_urge": engine.can_urge(move, request.user), "waiting_on": engine.waiting_on(move),
        "household_visible": Household.objects.visible_to(request.user, Perm.PEOPLE_VIEW)
        .filter(pk=move.household_id).exists(),
    })


@login_required
@require_POST
def move_act(request: HttpRequest, pk: int) -> HttpResponse:
    move = moves.move_detail(user=request.user, pk=pk)
    name = request.POST.get("transition", "")
    try:
        moves.move_act(acting_user=request.user, move=move, transition=name, note=request.POST.get("note", ""))
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        t = HOUSEHOLD_MOVE.transition(name)
        messages.success(request, f"已{t.label if t else '办理'}。")
    return redirect("move_detail", pk=move.pk)


@login_required
@require_POST
def move_urge(request: HttpRequest, pk: int) -> HttpResponse:
    move = moves.move_detail(user=request.user, pk=pk)
    return act_then_redirect(
        request, lambda: moves.move_urge(acting_user=request.user, move=move, note=request.POST.get("note", "")),
        success="已催办。", to=redirect("move_detail", pk=move.pk))


def _target(post: Any) -> Place:
    village = Place.objects.filter(code=(post.get("village") or "").strip(), level=Level.VILLAGE).first()
    if village is None:
        raise ValidationFailed("请选择迁入的村/社区。", code="target_required")
    code = (post.get("place") or "").strip()
    if not code:
        return village
    place = Place.objects.filter(code=code, path__prefix=village.path).first()
    if place is None:
        raise ValidationFailed("所选网格不属于迁入村。", code="target_place")
    return place


@login_required
@require_http_methods(["GET", "POST"])
def move_request(request: HttpRequest, household_pk: int) -> HttpResponse:
    household = selectors.household_detail(user=request.user, pk=household_pk)
    error = ""
    if request.method == "POST":
        try:
            move = moves.move_request(acting_user=request.user, household=household, place=_target(request.POST),
                                      reason=request.POST.get("reason", ""))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "已提交迁移申请，等待迁入村审批。")
            return redirect("move_detail", pk=move.pk)
    chosen = (request.POST.get("village") or "") if request.method == "POST" else ""
    chosen_village = Place.objects.filter(code=chosen, level=Level.VILLAGE).first() if chosen else None
    return render(request, "people/moves/move_request.html", {
        "household": household, "error": error, "form": request.POST or None,
        "villages": moves.target_villages(household=household),
        "places": moves.target_places(village=chosen_village) if chosen_village else [],
        "deadline_days": HOUSEHOLD_MOVE.state("requested").deadline_days,
        "can_request": _can_request(request.user, household.place_path),
    })


def _can_request(user: Any, path: str) -> bool:
    t = HOUSEHOLD_MOVE.transition("request")
    return bool(t and t.guard.allows_at(user, path))


@login_required
@require_GET
def move_targets(request: HttpRequest) -> HttpResponse:
    """htmx: the grids of the chosen village, as <option>s of the target select."""
    village = Place.objects.filter(code=(request.GET.get("village") or "").strip(), level=Level.VILLAGE).first()
    places = moves.target_places(village=village) if village else []
    return render(request, "people/moves/_target_options.html", {"places": places})
