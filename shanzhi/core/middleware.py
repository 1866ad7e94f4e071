from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import context


def client_ip(request: HttpRequest) -> str | None:
    """The client address; behind the reverse proxy of docs/deploy.md it is X-Real-IP."""
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Gives each request an id (echoed as X-Request-ID) and records its IP for the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming[:32] if incoming.isalnum() else context.new_request_id()
        ctx = context.RequestContext(
            request_id=request_id, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:200]
        )
        request.request_id = request_id  # type: ignore[attr-defined]
        token = context.set_current(ctx)
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response
