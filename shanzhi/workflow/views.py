"""The working-day calendar page for staff holding ``calendar.manage`` (list a year, add or remove a day,
try a deadline). The pages of each case type live in its own app and include ``workflow/_history.html``
and ``workflow/_actions.html``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.core.forms import parse_date

from . import calendar, services
from .models import DayKind

WEEKDAYS = "一二三四五六日"


def _require(request: HttpRequest) -> None:
    if not request.user.has_perm_anywhere(Perm.CALENDAR_MANAGE):
        raise PermissionDenied("您没有管理工作日历的权限。")


def _year(raw: str | None) -> int:
    try:
        year = int(raw or "")
    except ValueError:
        return calendar.local_date(dt.datetime.now(tz=calendar.CHINA)).year
    return min(max(year, 2000), 2100)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_page(request: HttpRequest) -> HttpResponse:
    _require(request)
    year = _year(request.GET.get("year") or request.POST.get("year"))
    error = ""
    if request.method == "POST":
        try:
            day = parse_date(request.POST.get("date"), "日期")
            services.calendar_day_set(acting_user=request.user, date=day, kind=request.POST.get("kind", ""),
                                      name=request.POST.get("name", ""))
        except ValidationFailed as exc:
            error = exc.message
        else:
            messages.success(request, f"已登记 {day:%Y-%m-%d}。")
            return redirect(f"{reverse('workflow_calendar')}?year={day.year}")
    days = [{"day": d, "weekday": WEEKDAYS[d.date.weekday()]} for d in services.calendar_year(year)]
    trial = None
    if request.GET.get("from"):
        try:
            start = parse_date(request.GET.get("from"), "起算日")
            n = max(0, min(int(request.GET.get("n") or 0), 365))
        except (ValidationFailed, ValueError) as exc:
            error = getattr(exc, "message", "工作日数应为整数。")
        else:
            trial = {"start": start, "n": n, "due": calendar.add_working_days(start, n).astimezone(calendar.CHINA)}
    return render(request, "workflow/calendar.html", {
        "year": year, "days": days, "kinds": DayKind.choices, "error": error, "form": request.POST or None,
        "trial": trial, "years": calendar.years_with_schedule(), "prev_year": year - 1, "next_year": year + 1,
    })


@login_required
@require_POST
def calendar_remove(request: HttpRequest) -> HttpResponse:
    _require(request)
    day = parse_date(request.POST.get("date"), "日期")
    services.calendar_day_remove(acting_user=request.user, date=day)
    messages.success(request, f"已删除 {day:%Y-%m-%d}，该日恢复按星期计算。")
    return redirect(f"{reverse('workflow_calendar')}?year={day.year}")
