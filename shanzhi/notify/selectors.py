"""Reads of the inbox: a user sees only their own messages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from shanzhi.core.errors import NotFound

from .models import Message


def inbox_list(*, user: Any, unread_only: bool = False) -> QuerySet[Message]:
    if not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    qs = Message.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user: Any) -> int:
    """One indexed count (recipient, read_at); shown in the navbar of every page."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def message_detail(*, user: Any, pk: int) -> Message:
    try:
        return inbox_list(user=user).get(pk=pk)
    except Message.DoesNotExist:
        raise NotFound()
