"""Renders ApplicationError the same way everywhere on the pages (the API has its own handler)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .errors import ApplicationError


class ApplicationErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ApplicationError) and not request.path.startswith("/api/"):
            return render(request, "web/error.html", {"error": exception}, status=exception.status)
        return None


def act_then_redirect(request: HttpRequest, action: Callable[[], object], *, success: str, to: HttpResponse) -> HttpResponse:
    """Run a service call from a POST button: a refusal becomes a message on the page it came from, "not
    found" stays a 404, success says so. One place for the pattern every case page repeats."""
    from django.contrib import messages

    from .errors import NotFound

    try:
        action()
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return to


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The ``next`` the form posted (or the query string carries) if it points at this site, else ``fallback``:
    a path like ``//elsewhere.example`` or ``https://elsewhere/`` never becomes a redirect off the site."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback
