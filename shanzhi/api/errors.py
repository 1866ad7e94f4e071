from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from shanzhi.core.errors import ApplicationError


def exception_handler(exc: Exception, context: Any) -> Response | None:
    """ApplicationError answers ``{"code", "message", "errors"}`` with its status; the rest as DRF does."""
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status)
    response = drf_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"code": getattr(exc, "default_code", "error"), "message": str(response.data["detail"])}
    return response
