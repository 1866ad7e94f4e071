"""Session policy (等保 2.0): idle timeout and forced change of initial passwords."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

EXEMPT_PREFIXES = ("/static/", "/media/", "/p/", "/grid/public/", "/charter/board/", "/charter/public/", "/api/",
                   "/accounts/", "/i18n/", "/health")


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now_ts = int(time.time())
            last = request.session.get("last_seen")
            idle = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
            if last is not None and now_ts - int(last) > idle:
                logout(request)
                return redirect(f"{reverse('login')}?timeout=1&next={request.path}")
            if last is None or now_ts - int(last) > 30:
                request.session["last_seen"] = now_ts
            if user.must_change_password and not request.path.startswith(EXEMPT_PREFIXES):
                return redirect(reverse("password_change"))
        return self.get_response(request)
