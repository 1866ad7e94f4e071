"""Pages of merging (domain.md G3, ``merging.py``): the dispatcher's merge form on the event page, and the page on
which a reporter whose event was merged follows the main event. Out of scope is 404; a refused merge is a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shanzhi.core.errors import ApplicationError, NotFound
from shanzhi.workflow import engine

from . import merging, selectors


@login_required
@require_POST
def event_merge(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_detail(user=request.user, pk=pk)
    try:
        into = merging.merge_target(user=request.user, ref=request.POST.get("into", ""))
        merging.event_merge(
            acting_user=request.user, event=event, into=into, note=request.POST.get("note", "")
        )
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已合并至事件 {into.number}。")
    return redirect("event_detail", pk=event.pk)


@login_required
def event_follow(request: HttpRequest, pk: int) -> HttpResponse:
    """The main event as the reporter of a merged event sees it; staff who may see it get its full page."""
    if selectors.events_visible(user=request.user).filter(pk=pk).exists():
        return redirect("event_detail", pk=pk)
    event = merging.followed_event(user=request.user, pk=pk)
    return render(
        request,
        "events/follow.html",
        {
            "event": event,
            "mine": merging.my_merged_into(user=request.user, main=event),
            "steps": engine.history(event).values("at", "label"),
        },
    )
