"""Pages of early warning and the zero-report (domain.md G5): the list of warnings in force (filters, pagination,
export), a warning's page with its history and the level/lift forms, a place's warning page with the raise form,
the event page's warning panel (``templatetags.warning_tags``); the grid worker's phone page "今日零报告", the
list of sensitive periods with the declare form, and the township's daily sheet (filed / by events / late /
missing, for any day of the period, with export). Views parse input and call services/selectors."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import ApplicationError, NotFound, ValidationFailed
from shanzhi.core.forms import parse_date
from shanzhi.core.http import act_then_redirect, safe_next
from shanzhi.events.selectors import event_detail
from shanzhi.imports.xlsx import export_rows, xlsx_response
from shanzhi.regions.models import Place
from shanzhi.web.pagination import DEFAULT_PER_PAGE, Page, page_number, paginate
from shanzhi.workflow.calendar import local_date
from shanzhi.workflow.clock import current

from . import selectors, services, zero
from .choices import STATUS_BADGE, DayStatus, WarningKind, WarningLevel
from .models import ZeroReportPeriod


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page the form was on (the event page's panel), if it is on this site."""
    return redirect(safe_next(request, fallback))


# --- warnings --------------------------------------------------------------------------------------------------

EXPORT_HEADERS = [
    "预警等级",
    "对象类别",
    "对象",
    "所在区划",
    "预警原因",
    "发布人",
    "发布时间",
    "状态",
    "解除时间",
    "解除原因",
]


@login_required
@require_GET
def warning_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_anywhere(Perm.WARNING_VIEW):
        raise NotFound()
    filters = selectors.WarningFilters.from_query(request.GET)
    qs = selectors.warning_list(user=user, filters=filters)
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                w.get_level_display(),
                w.get_kind_display(),
                w.target_label,
                w.place.name,
                w.reason,
                w.raised_by.display_name,
                _when(w.raised_at),
                "生效中" if w.is_active else "已解除",
                _when(w.lifted_at),
                w.lift_reason,
            ]
            for w in export_rows(request, qs, perm=Perm.WARNING_VIEW, event="warning_export", what="预警")
        )
        return xlsx_response(f"预警-{local_date(current()):%Y%m%d}.xlsx", EXPORT_HEADERS, rows, title="预警")
    return render(
        request,
        "warning/list.html",
        {
            "page_obj": paginate(request, qs),
            "filters": filters,
            "levels": WarningLevel.choices,
            "kinds": WarningKind.choices,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    warning = selectors.warning_detail(user=request.user, pk=pk)
    return render(
        request,
        "warning/detail.html",
        {
            "warning": warning,
            "history": selectors.warning_history(warning=warning),
            "levels": WarningLevel.choices,
            "can_manage": warning.is_active
            and request.user.has_perm_at(Perm.WARNING_MANAGE, warning.place_path),
        },
    )


@login_required
@require_POST
def warning_change(request: HttpRequest, pk: int) -> HttpResponse:
    warning = selectors.warning_detail(user=request.user, pk=pk)
    return act_then_redirect(
        request,
        lambda: services.warning_change_level(
            acting_user=request.user,
            warning=warning,
            level=request.POST.get("level", ""),
            reason=request.POST.get("reason", ""),
        ),
        success="已调整预警等级。",
        to=_back(request, warning.get_absolute_url()),
    )


@login_required
@require_POST
def warning_lift(request: HttpRequest, pk: int) -> HttpResponse:
    warning = selectors.warning_detail(user=request.user, pk=pk)
    return act_then_redirect(
        request,
        lambda: services.warning_lift(
            acting_user=request.user, warning=warning, reason=request.POST.get("reason", "")
        ),
        success="已解除预警。",
        to=_back(request, warning.get_absolute_url()),
    )


@login_required
@require_http_methods(["GET", "POST"])
def warning_place(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    place = selectors.warning_place(user=user, code=code)
    error = ""
    if request.method == "POST":
        try:
            warning = services.warning_raise(
                acting_user=user,
                target=place,
                level=request.POST.get("level", ""),
                reason=request.POST.get("reason", ""),
            )
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"已发布{warning.get_level_display()}。")
            return redirect("warning_place", code=place.code)
    return render(
        request,
        "warning/place.html",
        {
            "place": place,
            "warnings": list(selectors.place_warnings(user=user, place=place)[:50]),
            "levels": WarningLevel.choices,
            "error": error,
            "form": request.POST if request.method == "POST" else None,
            "can_manage": user.has_perm_at(Perm.WARNING_MANAGE, place.path),
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def warning_event_raise(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_detail(user=request.user, pk=pk)
    return act_then_redirect(
        request,
        lambda: services.warning_raise(
            acting_user=request.user,
            target=event,
            level=request.POST.get("level", ""),
            reason=request.POST.get("reason", ""),
        ),
        success="已发布预警。",
        to=redirect(event.get_absolute_url()),
    )


# --- zero-report -----------------------------------------------------------------------------------------------


@login_required
@require_GET
def zero_today(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm_anywhere(Perm.ZERO_REPORT_FILE):
        raise NotFound()
    today = selectors.my_today(user=request.user)
    return render(
        request, "warning/zero_today.html", {"today": today, "open": (DayStatus.PENDING, DayStatus.MISSING)}
    )


@login_required
@require_POST
def zero_file(request: HttpRequest) -> HttpResponse:
    grid = Place.objects.get_visible(
        request.user, Perm.ZERO_REPORT_FILE, code=(request.POST.get("grid") or "")[:24]
    )
    try:
        report = services.zero_report_file(
            acting_user=request.user, grid=grid, note=request.POST.get("note", "")
        )
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        at = timezone.localtime(report.filed_at).strftime("%H:%M")
        if getattr(report, "replayed", False):
            messages.info(request, f"{grid.name}今日零报告已于 {at} 报送，无需重复报送。")
        elif report.is_late:
            messages.warning(request, f"已报送{grid.name}今日零报告（{at}，已过截止时间，记为迟报）。")
        else:
            messages.success(request, f"已报送{grid.name}今日零报告（{at}）。")
    return redirect("zero_today")


@login_required
@require_http_methods(["GET", "POST"])
def zero_periods(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_anywhere(Perm.WARNING_VIEW):
        raise NotFound()
    places = list(
        Place.objects.visible_to(user, Perm.WARNING_MANAGE)
        .filter(level__in=services.PERIOD_LEVELS, is_active=True)
        .order_by("path")[:200]
    )
    error = ""
    if request.method == "POST":
        code = (request.POST.get("place") or "").strip()
        place = next((p for p in places if p.code == code), None)
        try:
            if place is None:
                raise ValidationFailed("请选择设立零报告期的县或乡镇（街道）。", code="zero_period_place")
            period = services.zero_period_declare(
                acting_user=user,
                place=place,
                starts_on=parse_date(request.POST.get("starts_on"), "开始日期"),
                ends_on=parse_date(request.POST.get("ends_on"), "结束日期"),
                reason=request.POST.get("reason", ""),
            )
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(
                request, f"已设立零报告期：{period.starts_on:%Y-%m-%d}至{period.ends_on:%Y-%m-%d}。"
            )
            return redirect("zero_sheet", pk=period.pk)
    return render(
        request,
        "warning/periods.html",
        {
            "page_obj": paginate(request, selectors.period_list(user=user)),
            "places": places,
            "error": error,
            "form": request.POST if request.method == "POST" else None,
            "today": local_date(current()),
        },
        status=400 if error else 200,
    )


SHEET_HEADERS = ["网格", "所属村（社区）", "状态", "报送人", "报送时间", "当日事件数", "备注"]


def _sheet_day(raw: str | None, days: list[dt.date], period: ZeroReportPeriod, today: dt.date) -> dt.date:
    """The day the sheet shows: the one asked for (within the period), else the latest working day so far."""
    if raw:
        day = parse_date(raw, "日期")
        if day is None or not (period.starts_on <= day <= period.ends_on):
            raise ValidationFailed(f"{day:%Y-%m-%d} 不在该零报告期内。", code="zero_sheet_date")
        return day
    past = [d for d in days if d <= today]
    return past[-1] if past else (days[0] if days else period.starts_on)


@login_required
@require_GET
def zero_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    period = selectors.period_detail(user=user, pk=pk)
    under = None
    code = (request.GET.get("place") or "").strip()[:24]
    if code:
        under = Place.objects.get_visible(user, Perm.WARNING_VIEW, code=code)
        if not (under.path.startswith(period.place_path) or period.place_path.startswith(under.path)):
            raise ValidationFailed("所选区划不在该零报告期范围内。", code="zero_sheet_place")
    now = current()
    days = selectors.period_days(period)
    day = _sheet_day(request.GET.get("date"), days, period, local_date(now))
    working = day in days
    rows = selectors.day_sheet(user=user, period=period, day=day, under=under, now=now) if working else []
    counts = selectors.sheet_counts(rows)
    status = (request.GET.get("status") or "").strip()
    if status == "open":
        rows = [r for r in rows if r.status in (DayStatus.PENDING, DayStatus.MISSING)]
    elif status in DayStatus.values:
        rows = [r for r in rows if r.status == status]
    else:
        status = ""
    if request.GET.get("export") == "xlsx":
        audit_record(
            actor=user,
            action=AuditAction.EXPORT,
            event="zero_sheet_export",
            obj=period,
            detail=f"导出零报告日报表（条件：{request.GET.urlencode()}）",
        )
        data = (
            [
                r.grid.name,
                r.grid.parent.name if r.grid.parent_id else "",
                r.status_label,
                r.report.filed_by.display_name if r.report else "",
                _when(r.filed_at),
                r.events.count if r.events else 0,
                r.report.note if r.report else "",
            ]
            for r in rows
        )
        return xlsx_response(
            f"零报告-{period.place.name}-{day:%Y%m%d}.xlsx", SHEET_HEADERS, data, title="零报告"
        )
    number = page_number(request.GET.get("page"))
    start = (number - 1) * DEFAULT_PER_PAGE
    page = Page(
        object_list=rows[start : start + DEFAULT_PER_PAGE],
        number=number,
        per_page=DEFAULT_PER_PAGE,
        has_next=len(rows) > start + DEFAULT_PER_PAGE,
        count=len(rows),
        count_capped=False,
    )
    return render(
        request,
        "warning/sheet.html",
        {
            "period": period,
            "day": day,
            "days": days,
            "working": working,
            "page_obj": page,
            "counts": counts,
            "total": sum(counts.values()),
            "under": under,
            "status": status,
            "due": zero.deadline(day),
            "summary": [(v, label, STATUS_BADGE[DayStatus(v)], counts[v]) for v, label in DayStatus.choices],
            "query": request.GET.urlencode(),
        },
    )
