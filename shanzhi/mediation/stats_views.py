"""The statistics pages (domain.md M7 figures): the monthly report for a place in scope with the 12-month trend
chart (vendored ECharts), per mediator and per organisation (paginated), and the Excel export in the layout
reported upward. Out of scope is 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.timezone import localdate

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ApplicationError, NotFound
from shanzhi.imports.xlsx import XLSX_TYPE
from shanzhi.web.pagination import paginate

from . import stats, stats_export


def _setup(request: HttpRequest) -> tuple[stats.Place, stats.Period, str]:
    if not request.user.has_perm_anywhere(Perm.MEDIATION_STATS):
        raise NotFound()
    place = stats.stats_place(user=request.user, code=(request.GET.get("place") or "").strip()[:12])
    error = ""
    try:
        period = stats.Period.parse(request.GET.get("period", ""), today=localdate())
    except ApplicationError as exc:
        error, period = exc.message, stats.Period(localdate().year, localdate().month)
    return place, period, error


def _place_choices(user: object, place: stats.Place) -> list[stats.Place]:
    """The county and townships in scope, and the villages of the chosen place's township (a short list)."""
    qs = stats.stats_places(user=user)
    township = place.path[:9] if len(place.path) >= 9 else None
    q = stats.Q(level__in=("county", "township"))
    if township:
        q |= stats.Q(level="village", path__prefix=township)
    return list(qs.filter(q).order_by("path")[:200])


@login_required
def stats_index(request: HttpRequest) -> HttpResponse:
    place, period, error = _setup(request)
    report = stats.monthly_report(user=request.user, place=place, period=period)
    qs = stats.cases_counted(place=place, start=period.start, end=period.end)
    if request.GET.get("export") == "xlsx":
        orgs = stats.organisation_rows(list(stats.by_organisation(qs)[: stats_export.EXPORT_ORGS_MAX]))
        data = stats_export.report_workbook(acting_user=request.user, report=report, organisations=orgs)
        response = HttpResponse(data, content_type=XLSX_TYPE)
        from urllib.parse import quote

        name = f"人民调解工作统计表-{place.name}-{period.key}.xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    return render(request, "mediation/stats/index.html", {
        "report": report, "place": place, "period": period, "error": error,
        "places": _place_choices(request.user, place),
        "trend": report.trend,
        "max_received": max([t["received"] for t in report.trend] + [1]),
        "query": request.GET.urlencode(),
    })


@login_required
def stats_breakdown(request: HttpRequest, by: str) -> HttpResponse:
    """Per mediator or per organisation for the same place and period (paginated, most cases first)."""
    if by not in ("mediators", "organisations"):
        raise NotFound()
    place, period, error = _setup(request)
    qs = stats.cases_counted(place=place, start=period.start, end=period.end)
    values = stats.by_mediator(qs) if by == "mediators" else stats.by_organisation(qs)
    page = paginate(request, values)
    page.object_list = (stats.mediator_rows if by == "mediators" else stats.organisation_rows)(page.object_list)
    return render(request, "mediation/stats/breakdown.html", {
        "page_obj": page, "place": place, "period": period, "error": error, "by": by,
        "title": "按调解员" if by == "mediators" else "按调解组织"})
