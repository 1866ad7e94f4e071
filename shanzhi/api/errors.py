from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from shanzhi.core.errors import ApplicationError, NotFound


def _first_message(data: Any, prefix: str = "") -> str:
    """The first message of a DRF error tree, prefixed with its field name ("birth_date：日期格式错误…")."""
    if isinstance(data, dict):
        for key, value in data.items():
            label = "" if key in ("non_field_errors", "detail") else str(key)
            return _first_message(value, f"{prefix}.{label}" if prefix and label else prefix or label)
        return ""
    if isinstance(data, list):
        return _first_message(data[0], prefix) if data else ""
    return f"{prefix}：{data}" if prefix else str(data)


def exception_handler(exc: Exception, context: Any) -> Response | None:
    """Every error answers ``{"code", "message"[, "errors"]}``: ApplicationError with its own status, "not there"
    with the same message as "not yours", input errors with the first message and all of them under ``errors``."""
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return Response(NotFound().as_dict(), status=404)
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"code": "invalid", "message": _first_message(response.data), "errors": response.data}
    elif isinstance(response.data, dict) and "detail" in response.data:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
        response.data = {"code": code, "message": str(response.data["detail"])}
    return response
