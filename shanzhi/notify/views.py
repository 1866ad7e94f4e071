from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shanzhi.core.http import safe_next
from shanzhi.web.pagination import paginate

from . import selectors, services


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = paginate(request, selectors.inbox_list(user=request.user, unread_only=unread_only))
    return render(request, "notify/inbox.html", {"page_obj": page, "unread_only": unread_only})


@login_required
def message_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a message reads it: shows it, marked read (opening is what reading means)."""
    message = selectors.message_detail(user=request.user, pk=pk)
    services.message_mark_read(acting_user=request.user, message=message)
    return render(request, "notify/message.html", {"message": message})


@login_required
@require_POST
def message_read(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_detail(user=request.user, pk=pk)
    services.message_mark_read(acting_user=request.user, message=message)
    return _back(request)


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    services.messages_mark_all_read(acting_user=request.user)
    return _back(request)


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(safe_next(request, reverse("inbox")))
