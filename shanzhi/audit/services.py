"""Writing the audit trail. Services call ``audit_record`` inside their own transaction, so the entry
and the change stand or fall together (domain.md F5)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models
from django.utils.timezone import now

from shanzhi.core import context

from .models import AuditAction, AuditEntry


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Field values of a row for before/after (foreign keys as ids)."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _jsonable(getattr(obj, name)) for name in names}


def audit_record(
    *,
    actor: Any,
    action: str,
    event: str,
    obj: models.Model | None = None,
    place_path: str = "",
    before: dict | None = None,
    after: dict | None = None,
    success: bool = True,
    detail: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    actor_name: str = "",
) -> AuditEntry:
    ctx = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        place_path = place_path or getattr(obj, "place_path", "") or getattr(obj, "path", "")
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    if real_actor is not None:
        actor_name = actor_name or getattr(real_actor, "display_name", str(real_actor))
    return AuditEntry.objects.create(
        at=now(),
        actor=real_actor,
        actor_name=actor_name[:150],
        action=action,
        event=event,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        place_path=place_path,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        success=success,
        detail=detail[:500],
        ip=ctx.ip if ctx else None,
        request_id=ctx.request_id if ctx else "",
    )


__all__ = ["AuditAction", "audit_record", "snapshot"]
