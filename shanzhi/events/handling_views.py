"""The handling part of the event page (G3 部门限时办理 · 全程跟踪督办): progress notes with photos (办理记录),
transfer (转办) and escalation (提级) to a named unit, supervision (督办) and urging with their record. Views parse
input and call ``services``; out of scope is 404, a refused step is shown as a message."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from shanzhi.core.http import act_then_redirect
from shanzhi.files.selectors import attachment_list
from shanzhi.workflow import engine
from shanzhi.workflow.definition import Transition
from shanzhi.workflow.models import HistoryKind

from . import selectors, services
from .choices import LEVEL_ABOVE, AssigneeLevel
from .models import Event

# Transitions with their own form in events/_handling.html.
HANDLING_FORMS = {"transfer", "escalate"}


def detail_context(*, user: Any, event: Event, actions: list[Transition]) -> dict[str, Any]:
    """What the event page needs for handling: the history with each note's photos, the photos of the report
    (the others are shown with their note), the units a transfer or an escalation may go to, and who may add a
    note, urge or supervise. A fixed number of queries whatever the history's length."""
    history = list(engine.history(event))
    photos = {a.pk: a for a in attachment_list(user=user, obj=event)}
    in_notes: set[int] = set()
    for h in history:
        ids = (h.extra or {}).get("photos") if h.kind == HistoryKind.NOTE else None
        if ids:
            h.photos = [photos[i] for i in ids if i in photos]  # type: ignore[attr-defined]
            in_notes.update(ids)
    names = {t.name for t in actions}
    can_transfer, can_escalate = "transfer" in names, "escalate" in names
    above = LEVEL_ABOVE.get(AssigneeLevel(event.assignee_level)) if event.assignee_level else None
    wants_departments = (
        can_transfer or (can_escalate and above == AssigneeLevel.DEPARTMENT) or "triage" in names
    )
    suggested = selectors.suggested_department(event) if wants_departments else None
    can_press = engine.can_urge(event, user)
    return {
        "history": history,
        "photos": [a for pk, a in photos.items() if pk not in in_notes],
        "can_note": engine.can_note(event, user),
        "photos_max": services.PHOTOS_MAX,
        "can_transfer": can_transfer,
        "can_escalate": can_escalate,
        "escalate_to": AssigneeLevel(above).label if can_escalate and above else "",
        "escalate_to_department": can_escalate and above == AssigneeLevel.DEPARTMENT,
        "departments": selectors.county_departments(event) if wants_departments else [],
        "suggested_department": suggested.pk if suggested else None,
        "can_supervise": can_press,
        "supervision": [h for h in history if h.kind in (HistoryKind.URGE, HistoryKind.SUPERVISE)],
    }


@login_required
@require_POST
def event_note(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(user=request.user, pk=pk)
    return act_then_redirect(
        request,
        lambda: services.event_note(
            acting_user=request.user,
            event=event,
            note=request.POST.get("note", ""),
            photos=request.FILES.getlist("photos"),
        ),
        success="已添加办理记录。",
        to=redirect("event_detail", pk=event.pk),
    )


@login_required
@require_POST
def event_supervise(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(user=request.user, pk=pk)
    return act_then_redirect(
        request,
        lambda: services.event_supervise(
            acting_user=request.user, event=event, note=request.POST.get("note", "")
        ),
        success="已督办。",
        to=redirect("event_detail", pk=event.pk),
    )
