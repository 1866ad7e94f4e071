"""One error family for the whole platform (conventions: "errors are one ApplicationError family").

Services raise these; pages show ``message`` (Chinese, for the person in front of the screen) and the
API answers ``{"code": ..., "message": ..., "errors": ...}`` with the status below.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, errors: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.errors = errors

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            data["errors"] = self.errors
        return data


class ValidationFailed(ApplicationError):
    code = "invalid"
    status = 400


class NotFound(ApplicationError):
    """Not there, or not yours: the two are answered alike (Zulip's rule)."""

    code = "not_found"
    status = 404

    def __init__(self, message: str = "未找到该记录，或您无权查看。", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class PermissionDenied(ApplicationError):
    """For actions on objects the user may see but not change (never for out-of-scope objects)."""

    code = "forbidden"
    status = 403


class Conflict(ApplicationError):
    code = "conflict"
    status = 409
