from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ValidationFailed
from shanzhi.core.forms import parse_date
from shanzhi.imports.xlsx import export_rows, xlsx_response
from shanzhi.people.selectors import person_detail
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate

from . import selectors, services
from .models import OrgKind, Post


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    qs = selectors.organisation_list(user=request.user, kind=kind, place_path=request.GET.get("place", ""))
    if request.GET.get("export") == "xlsx":
        rows = ([o.name, o.get_kind_display(), o.place.name, o.parent.name if o.parent else "", o.purpose, o.member_count]
                for o in export_rows(request, qs, perm=Perm.ORG_VIEW, event="organisation_export", what="组织"))
        return xlsx_response(f"组织-{dt.date.today():%Y%m%d}.xlsx", ["名称", "类型", "区划", "上级组织", "职责/方向", "现任人数"],
                             rows, title="组织")
    manage_places = Place.objects.visible_to(request.user, Perm.ORG_MANAGE).filter(level__in=["township", "village"])[:200]
    return render(request, "orgs/list.html", {"page_obj": paginate(request, qs), "kinds": OrgKind.choices, "kind": kind,
                                              "manage_places": manage_places})


@login_required
@require_POST
def organisation_create(request: HttpRequest) -> HttpResponse:
    place = Place.objects.get_visible(request.user, Perm.ORG_MANAGE, code=request.POST.get("place", ""))
    try:
        org = services.organisation_create(acting_user=request.user, place=place, kind=request.POST.get("kind", ""),
                                           name=request.POST.get("name", ""), purpose=request.POST.get("purpose", ""))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("organisation_list")
    messages.success(request, f"已新建组织“{org.name}”。")
    return redirect("organisation_detail", pk=org.pk)


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organisation_detail(user=request.user, pk=pk)
    return render(request, "orgs/detail.html", {
        "org": org, "memberships": selectors.membership_list(organisation=org), "posts": Post.choices,
        "can_manage": request.user.has_perm_at(Perm.ORG_MANAGE, org.place_path), "today": dt.date.today(),
    })


@login_required
@require_POST
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organisation_detail(user=request.user, pk=pk)
    try:
        raw = request.POST.get("person", "")
        if not raw.isdigit():
            raise ValidationFailed("请先搜索并选择人员。")
        person = person_detail(user=request.user, pk=int(raw))
        services.membership_add(acting_user=request.user, organisation=org, person=person, post=request.POST.get("post", ""),
                                term_start=parse_date(request.POST.get("term_start", ""), "任期开始日期"),
                                term_end=parse_date(request.POST.get("term_end", ""), "任期结束日期", required=False))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已添加任职。")
    return redirect("organisation_detail", pk=org.pk)
