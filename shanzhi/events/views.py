"""Pages of the event closed loop (G3): the phone report page, "my events" for reporters, the staff list
(filters, pagination, export), the event page with its history and the steps this user may take. Views parse
input and call ``services`` / ``selectors``; out of scope is 404, a refused step is shown as a message."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ApplicationError, NotFound
from shanzhi.core.http import act_then_redirect
from shanzhi.grid.selectors import MatterFilters, matter_list, matters_applicable
from shanzhi.imports.xlsx import export_rows, xlsx_response
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate
from shanzhi.workflow import engine

from . import aids, handling_views, offline, selectors, services
from .choices import AssigneeLevel
from .workflow import EVENT

# Transitions with their own form on the event page (the generic buttons post only a note).
OWN_FORMS = {"triage", "merge"}  # merge: events/_duplicates.html → merge_views.event_merge
OWN_FORMS |= handling_views.HANDLING_FORMS  # transfer, escalate: events/_handling.html


@login_required
def event_index(request: HttpRequest) -> HttpResponse:
    return redirect("event_list" if request.user.has_perm_anywhere(Perm.EVENT_VIEW) else "event_mine")


def _report_places(user: object) -> list[Place]:
    return list(Place.objects.visible_to(user, Perm.EVENT_REPORT).filter(
        level__in=services.EVENT_PLACE_LEVELS, is_active=True).order_by("path")[:300])


@require_http_methods(["GET", "POST"])
def event_report(request: HttpRequest) -> HttpResponse:
    """The phone report page (G3 step 1). A plain form without JavaScript; with it, ``events/report.js`` keeps
    the report in an IndexedDB outbox and posts it with ``Accept: application/json``, and the answer is JSON
    (``offline.report_created`` / ``offline.report_refused``): the event's number and page, or ``{code, message}``.
    The client key makes a replay after a lost answer return the same event (``services.event_report``)."""
    json_wanted = offline.wants_json(request)
    if not request.user.is_authenticated:
        if json_wanted:
            return offline.login_required_json()
        return redirect_to_login(request.get_full_path())
    places = _report_places(request.user)
    if not places:
        if json_wanted:
            return offline.report_refused(NotFound())
        raise NotFound()
    data = request.POST if request.method == "POST" else request.GET
    code = (data.get("place") or "").strip()
    place = next((p for p in places if p.code == code), places[0])
    error = ""
    if request.method == "POST":
        try:
            event = services.event_report(
                acting_user=request.user, place=place, matter_id=request.POST.get("matter"),
                text=request.POST.get("text", ""), latitude=request.POST.get("latitude"),
                longitude=request.POST.get("longitude"), address=request.POST.get("address", ""),
                photos=request.FILES.getlist("photos"), client_key=request.POST.get("client_key", ""))
        except ApplicationError as exc:
            if json_wanted:
                return offline.report_refused(exc)
            if isinstance(exc, NotFound):
                raise
            error = exc.message
        else:
            if json_wanted:
                return offline.report_created(request, event)
            messages.success(request, f"已上报，事件编号 {event.number}。")
            return redirect("event_detail", pk=event.pk)
    return render(request, "events/report.html", {
        "places": places, "place": place, "matters": matters_applicable(place=place), "error": error,
        "form": request.POST if request.method == "POST" else None,
        # A fresh key per form; the page's script replaces it with crypto.randomUUID() where available.
        "client_key": (request.POST.get("client_key") if request.method == "POST" else "") or uuid.uuid4().hex,
        "map": offline.report_map(places=places, place=place),
    })


@login_required
def event_mine(request: HttpRequest) -> HttpResponse:
    return render(request, "events/mine.html", {"page_obj": paginate(request, selectors.my_events(user=request.user))})


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


EXPORT_HEADERS = ["事件编号", "事项", "事发地", "地址", "报告人", "报告时间", "状态", "承办单位", "办理期限", "超期",
                  "返工次数", "满意度"]


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_anywhere(Perm.EVENT_VIEW):
        raise NotFound()
    filters = selectors.EventFilters.from_query(request.GET)
    qs = selectors.event_list(user=user, filters=filters)
    if request.GET.get("export") == "xlsx":
        rows = ([e.number, e.matter.name, e.place.name, e.address, e.reporter.display_name,
                 _when(e.reported_at), EVENT.state_label(e.state), e.assignee_label, _when(e.due_at),
                 "是" if e.is_overdue else "",
                 e.reopen_count, e.get_satisfaction_display()]
                for e in export_rows(request, qs, perm=Perm.EVENT_VIEW, event="event_export", what="事件"))
        return xlsx_response(f"事件-{dt.date.today():%Y%m%d}.xlsx", EXPORT_HEADERS, rows, title="事件")
    page = paginate(request, qs)
    return render(request, "events/list.html", {
        "page_obj": page, "filters": filters, "states": [(s.name, s.label) for s in EVENT.states],
        "matters": matter_list(user=user, filters=MatterFilters(status="all"))[:300],
        "query": request.GET.urlencode(),
    })


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(user=request.user, pk=pk)
    actions = engine.available_transitions(event, request.user)
    return render(request, "events/detail.html", {
        "event": event, "state_label": EVENT.state_label(event.state),
        "actions": [t for t in actions if t.name not in OWN_FORMS],
        "can_triage": any(t.name == "triage" for t in actions), "levels": AssigneeLevel.choices,
        "suggested": selectors.suggested_level(event) if event.state == "reported" else "",
        "can_urge": engine.can_urge(event, request.user), "waiting_on": engine.waiting_on(event),
        # history (with each note's photos), the report's photos, notes, transfer, escalation, supervision
        **handling_views.detail_context(user=request.user, event=event, actions=actions),
        **aids.triage_aids(user=request.user, event=event),  # duplicates, classifier, merged-into (aids.py)
    })


@login_required
@require_POST
def event_act(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(user=request.user, pk=pk)
    name = request.POST.get("transition", "")
    note = request.POST.get("note", "")
    user = request.user
    steps = {
        "accept": lambda: services.event_accept(acting_user=user, event=event, note=note),
        "return": lambda: services.event_return(acting_user=user, event=event, reason=note),
        "escalate": lambda: services.event_escalate(acting_user=user, event=event, reason=note,
                                                    department=request.POST.get("department") or None),
        "transfer": lambda: services.event_transfer(acting_user=user, event=event, level=request.POST.get("level", ""),
                                                    department=request.POST.get("department") or None, reason=note),
        "close": lambda: services.event_close(acting_user=user, event=event, result=note),
        "rate_satisfied": lambda: services.event_rate(acting_user=user, event=event, satisfied=True, reason=note),
        "rate_unsatisfied": lambda: services.event_rate(acting_user=user, event=event, satisfied=False, reason=note),
        "triage": lambda: services.event_triage(acting_user=user, event=event, level=request.POST.get("level", ""),
                                                department=request.POST.get("department", ""), note=note),
    }
    try:
        if name not in steps:
            messages.error(request, "没有这项操作。")
        else:
            steps[name]()
            t = EVENT.transition(name)
            messages.success(request, f"已{t.label if t else '办理'}。")
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("event_detail", pk=event.pk)


@login_required
@require_POST
def event_urge(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(user=request.user, pk=pk)
    return act_then_redirect(
        request, lambda: services.event_urge(acting_user=request.user, event=event, note=request.POST.get("note", "")),
        success="已催办。", to=redirect("event_detail", pk=event.pk))
