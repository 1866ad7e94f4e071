"""Pages of the grid matter list (domain.md G2): list with filters and export, detail with history, admission,
adjustment, exit and re-admission. Views parse input and call services/selectors only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.timezone import localdate
from django.views.decorators.http import require_http_methods

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.core.forms import parse_date
from shanzhi.imports.xlsx import xlsx_response
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate

from . import selectors, services
from .choices import TIME_LIMIT_MAX, MatterCategory, MatterDuty, ResponsibleLevel
from .models import Matter

EXPORT_HEADERS = ["事项代码", "事项名称", "事项类别", "责任层级", "责任部门", "网格职责", "办理时限（工作日）", "网格可自行解决",
                  "制定单位", "状态", "准入日期", "退出日期", "说明"]


def _choices() -> dict[str, Any]:
    return {"categories": MatterCategory.choices, "levels": ResponsibleLevel.choices, "duties": MatterDuty.choices,
            "statuses": list(selectors.STATUSES.items()), "time_limit_max": TIME_LIMIT_MAX}


def _int(value: str) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        return 0  # refused by the service with the range message, together with any other problem


def _spec(post: Any) -> services.MatterSpec:
    return services.MatterSpec(
        code=post.get("code", ""), name=post.get("name", ""), category=post.get("category", ""),
        level=post.get("level", ""), department=post.get("department", ""), duty=post.get("duty", ""),
        time_limit_days=_int(post.get("time_limit_days", "")), grid_can_settle=post.get("grid_can_settle") == "on",
        description=post.get("description", ""))


def _manageable(request: HttpRequest, pk: int) -> Matter:
    """The matter if the user may change it; 404 if they cannot see it, 403 if they can only read it."""
    matter = selectors.matter_detail(user=request.user, pk=pk)
    if not request.user.has_perm_at(Perm.MATTER_MANAGE, matter.place_path):
        raise PermissionDenied(f"该事项清单由{matter.place.name}制定和维护，您只能查看。")
    return matter


@login_required
def matter_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.MatterFilters.from_query(request.GET)
    qs = selectors.matter_list(user=request.user, filters=filters)
    if request.GET.get("export") == "xlsx":
        return matter_export(request, qs)
    return render(request, "grid/matter_list.html", {
        "page_obj": paginate(request, qs), "filters": filters, "owners": selectors.matter_owner_places(user=request.user),
        "can_admit": request.user.has_perm_anywhere(Perm.MATTER_MANAGE), **_choices(),
    })


def matter_export(request: HttpRequest, qs: Any) -> HttpResponse:
    """The filtered list as xlsx, audited with its filters. Not ``imports.xlsx.export_rows``: that narrows rows to
    the user's subtree, while a matter list applies downward — a township's export must include the county's list
    that binds it. ``qs`` is already scoped by ``visible_to``; the catalogue holds no personal data."""
    if not request.user.has_perm_anywhere(Perm.MATTER_VIEW):
        raise PermissionDenied("您没有导出的权限。")
    audit_record(actor=request.user, action=AuditAction.EXPORT, event="matter_export", object_type="grid.matter",
                 detail=f"导出网格事项清单（条件：{request.GET.urlencode()}）")
    rows = ([m.code, m.name, m.get_category_display(), m.get_level_display(), m.department, m.get_duty_display(),
             m.time_limit_days, "是" if m.grid_can_settle else "否", m.place.name, "在清单内" if m.is_active else "已退出",
             m.admitted_on, m.exited_on or "", m.description] for m in qs.iterator(chunk_size=2000))
    return xlsx_response(f"网格事项清单-{localdate():%Y%m%d}.xlsx", EXPORT_HEADERS, rows, title="网格事项清单")


@login_required
def matter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from shanzhi.workflow.calendar import add_working_days

    matter = selectors.matter_detail(user=request.user, pk=pk)
    return render(request, "grid/matter_detail.html", {
        "matter": matter, "history": selectors.matter_history(matter=matter)[:100],
        "can_manage": request.user.has_perm_at(Perm.MATTER_MANAGE, matter.place_path),
        # What the limit means in calendar terms: accepted today, due at the end of this working day.
        "due_if_accepted_today": add_working_days(localdate(), matter.time_limit_days), "today": localdate(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def matter_admit(request: HttpRequest) -> HttpResponse:
    places = selectors.matter_manage_places(user=request.user)
    if not places:
        raise PermissionDenied("您没有维护网格事项清单的权限。")
    error, errors = "", {}
    if request.method == "POST":
        place = Place.objects.get_visible(request.user, Perm.MATTER_MANAGE, code=request.POST.get("place", ""))
        try:
            matter = services.matter_admit(acting_user=request.user, place=place, spec=_spec(request.POST),
                                           reason=request.POST.get("reason", ""),
                                           admitted_on=parse_date(request.POST.get("date", ""), "准入日期", required=False))
        except ValidationFailed as exc:
            error, errors = exc.message, exc.errors or {}
        else:
            messages.success(request, f"已将“{matter.name}”准入{matter.place.name}网格事项清单。")
            return redirect("matter_detail", pk=matter.pk)
    return render(request, "grid/matter_form.html", {"matter": None, "places": places, "form": request.POST or None,
                                                     "error": error, "errors": errors, "today": localdate(), **_choices()})


@login_required
@require_http_methods(["GET", "POST"])
def matter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    matter = _manageable(request, pk)
    error, errors = "", {}
    if request.method == "POST":
        try:
            matter = services.matter_update(acting_user=request.user, matter=matter, spec=_spec(request.POST),
                                            reason=request.POST.get("reason", ""),
                                            changed_on=parse_date(request.POST.get("date", ""), "调整日期", required=False))
        except ValidationFailed as exc:
            error, errors = exc.message, exc.errors or {}
        else:
            messages.success(request, "已保存调整。")
            return redirect("matter_detail", pk=matter.pk)
    return render(request, "grid/matter_form.html", {"matter": matter, "form": request.POST or None, "error": error,
                                                     "errors": errors, "today": localdate(), **_choices()})


def _state_change(request: HttpRequest, pk: int, *, exiting: bool) -> HttpResponse:
    matter = _manageable(request, pk)
    error = ""
    if request.method == "POST":
        try:
            when = parse_date(request.POST.get("date", ""), "退出日期" if exiting else "重新准入日期", required=False)
            if exiting:
                services.matter_exit(acting_user=request.user, matter=matter, reason=request.POST.get("reason", ""),
                                     exited_on=when)
            else:
                services.matter_readmit(acting_user=request.user, matter=matter, reason=request.POST.get("reason", ""),
                                        readmitted_on=when)
        except ValidationFailed as exc:
            error = exc.message
        else:
            messages.success(request, f"“{matter.name}”已{'退出清单' if exiting else '重新准入'}。")
            return redirect("matter_detail", pk=matter.pk)
    return render(request, "grid/matter_state.html", {"matter": matter, "exiting": exiting, "error": error,
                                                      "form": request.POST or None, "today": localdate()})


@login_required
@require_http_methods(["GET", "POST"])
def matter_exit(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, exiting=True)


@login_required
@require_http_methods(["GET", "POST"])
def matter_readmit(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, exiting=False)
