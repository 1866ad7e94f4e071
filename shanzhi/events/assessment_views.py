"""Pages of the event assessment (domain.md G4): the figures of a place and period per county department,
township, village, grid and person with the definitions beside them, ranking by a chosen rate, the events behind
each number, the Excel export (audited) and the monthly bulletin (通报) button. Views parse input and call
``assessment``; a place outside the user's event.view scope is 404."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import ApplicationError, NotFound, ValidationFailed
from shanzhi.core.forms import parse_date
from shanzhi.imports.xlsx import xlsx_response
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate

from . import assessment, selectors

DEFAULT_TAB = {"county": "department", "township": "village", "village": "grid"}
# (header, "count" with the drill-down measure | "rate" with the metric, key)
UNIT_COLUMNS = [
    ("应受理", "count", "accept_due"),
    ("按时受理", "count", "accepted_on_time"),
    ("响应率", "rate", "response"),
    ("应办结", "count", "handle_due"),
    ("期末已办结", "count", "closed_by_end"),
    ("按期办结", "count", "closed_on_time"),
    ("办结率", "rate", "completion"),
    ("按期结案率", "rate", "ontime"),
    ("超时", "count", "handle_overdue"),
    ("超时率", "rate", "overdue"),
    ("本期办结", "count", "closures"),
    ("返工", "count", "closures_reworked"),
    ("返工率", "rate", "rework"),
    ("评价", "count", "ratings"),
    ("满意", "count", "satisfied"),
    ("满意率", "rate", "satisfaction"),
    ("平均办理时长（小时）", "rate", "avg_hours"),
]
PERSON_COLUMNS = [
    ("本期办结", "count", "closures"),
    ("按期办结", "count", "closures_on_time"),
    ("按期办结占比", "rate", "closures_ontime"),
    ("返工", "count", "closures_reworked"),
    ("返工率", "rate", "rework"),
    ("评价", "count", "ratings"),
    ("满意", "count", "satisfied"),
    ("满意率", "rate", "satisfaction"),
    ("平均办理时长（小时）", "rate", "avg_hours"),
]


def _places(user: Any) -> list[Place]:
    return list(
        Place.objects.visible_to(user, Perm.EVENT_VIEW)
        .filter(level__in=assessment.ASSESSMENT_PLACE_LEVELS, is_active=True)
        .order_by("path")[:500]
    )


def _context_query(place: Place, period: assessment.Period) -> dict[str, str]:
    if period.is_month:
        return {"place": place.code, "month": period.month_value}
    return {"place": place.code, "start": period.start.isoformat(), "end": period.end.isoformat()}


def _cells(
    figures: assessment.Figures, columns: list[tuple[str, str, str]], *, key: str, query: dict[str, str]
) -> list[dict[str, Any]]:
    """One table row's cells: counts link to the events behind them, rates carry ``data-rate``."""
    drill = reverse("event_assessment_events")
    out = []
    for header, kind, name in columns:
        if kind == "count":
            value = getattr(figures, name)
            url = f"{drill}?{urlencode({**query, 'measure': name, 'key': key})}" if value else ""
            out.append({"kind": kind, "name": name, "value": value, "url": url, "header": header})
        else:
            out.append(
                {
                    "kind": kind,
                    "name": name,
                    "value": figures.rate(name),
                    "header": header,
                    "unit": "" if name == "avg_hours" else "%",
                }
            )
    return out


def _previous_month(today: dt.date) -> assessment.Period:
    return assessment.month_of(today.replace(day=1) - dt.timedelta(days=1))


@login_required
def assessment_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_anywhere(Perm.EVENT_VIEW):
        raise NotFound()
    place = assessment.place_for(user=user, code=request.GET.get("place"))
    today = assessment.today_local()
    error = ""
    try:
        period = assessment.period_from(request.GET, today=today)
    except ValidationFailed as exc:
        error, period = exc.message, assessment.month_of(today)
    tab = request.GET.get("tab", "")
    tab = tab if tab in assessment.TAB_KEYS else DEFAULT_TAB.get(place.level, "department")
    sort = request.GET.get("sort", "")
    sort = sort if sort in assessment.METRIC_KEYS else "response"
    result = assessment.assessment_compute(user=user, place=place, period=period)
    rows = assessment.table(result, tab, sort=sort)
    tab_label = dict(assessment.TABS)[tab]
    columns = PERSON_COLUMNS if tab == "person" else UNIT_COLUMNS
    query = _context_query(place, period)
    if request.GET.get("export") == "xlsx":
        audit_record(
            actor=user,
            action=AuditAction.EXPORT,
            event="event_assessment_export",
            place_path=place.path,
            object_type="events.eventduty",
            detail=f"导出事件考核（{place.name} {period.label} {tab_label}，条件：{request.GET.urlencode()}）",
        )
        headers = ["排名", "人员" if tab == "person" else "单位", *(c[0] for c in columns)]
        return xlsx_response(
            f"事件考核-{place.name}-{period.label}-{tab_label}.xlsx",
            headers,
            (
                [
                    r.rank or "",
                    r.label,
                    *(r.figures.rate(n) if k == "rate" else getattr(r.figures, n) for _h, k, n in columns),
                ]
                for r in rows
            ),
            title=str(tab_label),
        )
    table_rows = [
        {
            "rank": r.rank,
            "label": r.label,
            "key": r.key,
            "cells": _cells(r.figures, columns, key=r.key, query=query),
        }
        for r in rows
    ]
    bulletin_period = _previous_month(today)
    can_bulletin = place.level in assessment.BULLETIN_LEVELS and user.has_perm_at(Perm.PUBLISH, place.path)
    return render(
        request,
        "events/assessment.html",
        {
            "place": place,
            "places": _places(user),
            "period": period,
            "error": error,
            "tab": tab,
            "tab_label": tab_label,
            "sort": sort,
            "rows": table_rows,
            "columns": columns,
            "total": _cells(result.total, UNIT_COLUMNS, key="", query=query) if tab != "person" else [],
            "summary": [
                {
                    "key": k,
                    "label": label,
                    "definition": definition,
                    "value": result.total.rate(k),
                    "unit": "" if k == "avg_hours" else "%",
                }
                for k, label, definition in assessment.METRICS
            ],
            "metrics": assessment.METRICS,
            "tabs": assessment.TABS,
            "person_note": assessment.PERSON_NOTE,
            "query": urlencode(query),
            "full_query": urlencode({**query, "tab": tab, "sort": sort}),
            "as_of": result.as_of,
            "can_bulletin": can_bulletin,
            "bulletin_month": bulletin_period.month_value,
            "bulletin_starts": today.isoformat(),
            "bulletin_ends": (today + dt.timedelta(days=assessment.BULLETIN_DAYS - 1)).isoformat(),
            "criticism_below": assessment.CRITICISM_RESPONSE_BELOW,
            "live_bulletin": assessment.live_bulletin(place=place, period=bulletin_period)
            if can_bulletin
            else None,
        },
    )


@login_required
def assessment_events(request: HttpRequest) -> HttpResponse:
    """The events behind one number of the assessment page (same place, period, measure and unit/person)."""
    user = request.user
    if not user.has_perm_anywhere(Perm.EVENT_VIEW):
        raise NotFound()
    place = assessment.place_for(user=user, code=request.GET.get("place"))
    period = assessment.period_from(request.GET, today=assessment.today_local())
    measure = request.GET.get("measure", "")
    key = request.GET.get("key", "")
    duty_qs = assessment.measure_duties(user=user, place=place, period=period, measure=measure, key=key)
    events = (
        selectors.events_visible(user=user)
        .filter(pk__in=duty_qs.values("event_id"))
        .select_related(*selectors.LIST_RELATED)
        .order_by("-reported_at", "-id")
    )
    return render(
        request,
        "events/assessment_events.html",
        {
            "place": place,
            "period": period,
            "measure_label": assessment.MEASURES[measure],
            "key": key,
            "page_obj": paginate(request, events),
            "key_label": assessment.key_label(key, duty_qs),
            "back": urlencode(_context_query(place, period)),
        },
    )


@login_required
@require_POST
def assessment_bulletin(request: HttpRequest) -> HttpResponse:
    """发布月度通报: the button of the assessment page (township or county leaders)."""
    user = request.user
    place = assessment.place_for(user=user, code=request.POST.get("place"))
    back = redirect(f"{reverse('event_assessment')}?{urlencode({'place': place.code})}")
    try:
        period = assessment.parse_month(request.POST.get("month", ""))
        publication = assessment.bulletin_publish(
            acting_user=user,
            place=place,
            period=period,
            starts_on=parse_date(request.POST.get("starts_on"), "公示开始日期", required=False),
            ends_on=parse_date(request.POST.get("ends_on"), "公示截止日期", required=False),
            contact=request.POST.get("contact", ""),
            reason=request.POST.get("reason", ""),
        )
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return back
    messages.success(request, f"已发布通报：{publication.title}（公开编号 {publication.public_id}）。")
    return redirect("publication_detail", pk=publication.pk)
