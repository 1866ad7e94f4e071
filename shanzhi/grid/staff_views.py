"""Pages of grid staff (domain.md G1): the staff list with the appointment form, red area leaders with their
form, and the public page of a township's red area leaders (no login, under /grid/public/)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ValidationFailed
from shanzhi.core.forms import parse_date
from shanzhi.people.models import Person
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate

from . import staff as services
from .grid_choices import StaffPost
from .models import GridStaffPost, RedAreaLeader


def _manage_place(request: HttpRequest, code: str) -> Place:
    return Place.objects.get_visible(request.user, Perm.GRID_MANAGE, code=(code or "").strip())


def _person(request: HttpRequest, id_number: str) -> Person | None:
    id_number = (id_number or "").strip().upper()
    if not id_number:
        return None
    person = Person.objects.visible_to(request.user, Perm.PEOPLE_VIEW).filter(id_number=id_number).first()
    if person is None:
        raise ValidationFailed("没有找到该身份证号的人员，或您无权查看。", errors={"person": "未找到"})
    return person


@login_required
@require_http_methods(["GET", "POST"])
def grid_staff_list(request: HttpRequest) -> HttpResponse:
    error, errors = "", {}
    if request.method == "POST":
        post: Any = request.POST
        try:
            place = _manage_place(request, post.get("place", ""))
            user = None
            if post.get("username", "").strip():
                user = get_user_model().objects.filter(username=post["username"].strip(), is_active=True).first()
                if user is None:
                    raise ValidationFailed("没有找到该用户名。", errors={"person": "未找到"})
            services.grid_staff_appoint(acting_user=request.user, place=place, post=post.get("post", ""),
                                        person=_person(request, post.get("id_number", "")), user=user,
                                        department=post.get("department", ""),
                                        term_start=parse_date(post.get("term_start", ""), "任职起", required=False),
                                        term_end=parse_date(post.get("term_end", ""), "任职止", required=False))
        except ValidationFailed as exc:
            error, errors = exc.message, exc.errors or {}
        else:
            messages.success(request, "已登记任职。")
            return redirect("grid_staff_list")
    qs = (GridStaffPost.objects.visible_to(request.user, Perm.GRID_VIEW).select_related("place")
          .order_by("place_path", "post", "id"))
    current = request.GET.get("all") != "1"
    if current:
        qs = qs.filter(term_end__isnull=True)
    return render(request, "grid/grids/staff.html", {
        "page_obj": paginate(request, qs), "posts": StaffPost.choices, "form": request.POST or None, "error": error,
        "errors": errors, "current": current, "can_manage": request.user.has_perm_anywhere(Perm.GRID_MANAGE),
    }, status=400 if error else 200)


@login_required
@require_POST
def grid_staff_end(request: HttpRequest, pk: int) -> HttpResponse:
    staff = GridStaffPost.objects.get_visible(request.user, Perm.GRID_VIEW, pk=pk)
    try:
        services.grid_staff_end(acting_user=request.user, staff=staff)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{staff.name}的{staff.get_post_display()}任职已结束。")
    return redirect("grid_staff_list")


@login_required
@require_http_methods(["GET", "POST"])
def red_leader_list(request: HttpRequest) -> HttpResponse:
    error, errors = "", {}
    if request.method == "POST":
        post: Any = request.POST
        try:
            township = _manage_place(request, post.get("township", ""))
            codes = post.get("grids", "").replace("，", ",").replace("、", ",").replace("\n", ",").split(",")
            services.red_leader_create(acting_user=request.user, township=township, name=post.get("name", ""),
                                       area_name=post.get("area_name", ""), grid_codes=codes,
                                       duties=post.get("duties", ""), phone=post.get("phone", ""),
                                       person=_person(request, post.get("id_number", "")))
        except ValidationFailed as exc:
            error, errors = exc.message, exc.errors or {}
        else:
            messages.success(request, "已登记红色片长。")
            return redirect("red_leader_list")
    qs = (RedAreaLeader.objects.visible_to(request.user, Perm.GRID_VIEW).filter(is_active=True)
          .select_related("place").prefetch_related("grids").order_by("place_path", "area_name", "id"))
    townships = Place.objects.visible_to(request.user, Perm.GRID_VIEW).filter(level="township").order_by("path")[:100]
    return render(request, "grid/grids/red_leaders.html", {
        "page_obj": paginate(request, qs), "form": request.POST or None, "error": error, "errors": errors,
        "townships": townships, "can_manage": request.user.has_perm_anywhere(Perm.GRID_MANAGE),
    }, status=400 if error else 200)


@require_GET
def public_red_leaders(request: HttpRequest, code: str) -> HttpResponse:
    """红色片长公示 (public, no login): a township's red area leaders with name, area, grids, duties and contact
    phone. The phone is shown in full on purpose: the seeds require red area leaders to be publicly reachable
    (G1 "publicly listed with name, duties and contact"); nothing else about the person is shown."""
    township = services.public_township(code=code)
    leaders = (RedAreaLeader.objects.filter(place=township, is_active=True).prefetch_related("grids")
               .order_by("area_name", "id"))
    return render(request, "grid/grids/public_red_leaders.html", {"township": township, "leaders": leaders})
