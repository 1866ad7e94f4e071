"""Notifications (domain.md F8): a message in each recipient's inbox, and optionally an SMS.

Services of other apps call ``notify_users`` inside their own transaction; the messages are written
with that transaction, and the SMS go out only once it has committed (conventions: "notifications
sent on_commit"), so nobody is texted about a change that was rolled back."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.timezone import now

from shanzhi.core.errors import NotFound, ValidationFailed

from .models import Message
from .sms import get_backend

logger = logging.getLogger("shanzhi.notify")
SMS_MAX_CHARS = 70  # one SMS segment of Chinese text


def sms_text(title: str) -> str:
    sign = f"【{settings.SMS_SIGN_NAME}】" if settings.SMS_SIGN_NAME else ""
    text = f"{sign}{title}，详情请登录平台查看。"
    return text if len(text) <= SMS_MAX_CHARS else text[: SMS_MAX_CHARS - 1] + "…"


def _send_sms(phones: list[str], text: str) -> None:
    backend = get_backend()
    for phone in phones:
        try:
            backend.send(phone, text)
        except Exception:  # one failed number must not stop the others; the inbox copy is already there
            logger.exception("SMS to %s*** failed", phone[:3])


def sms_send(*, phones: list[str], title: str) -> None:
    """Text people who have no account (an objector, a reporter) once the surrounding transaction commits."""
    phones = [p for p in phones if p]
    if phones:
        text = sms_text(title)
        transaction.on_commit(lambda: _send_sms(phones, text))


@transaction.atomic
def notify_users(*, users: Iterable[Any], title: str, body: str = "", link: str = "", sms: bool = False) -> list[Message]:
    """Put a message in each active user's inbox; with ``sms``, also text those with a phone number
    after the surrounding transaction commits. The SMS says only the title (it leaves the platform);
    the body stays in the inbox. ``link`` is a path on this site ("/people/…"), never another site."""
    title = (title or "").strip()
    if not title:
        raise ValidationFailed("消息标题不能为空。", code="message_title")
    link = (link or "").strip()
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        raise ValidationFailed("消息链接须是本站内的路径。", code="message_link")
    recipients = {u.pk: u for u in users if u is not None and getattr(u, "is_active", False)}
    stamp = now()
    messages = Message.objects.bulk_create(
        [Message(recipient_id=pk, title=title[:200], body=body or "", link=link[:500], created_at=stamp) for pk in recipients]
    )
    if sms:
        phones = sorted({u.phone for u in recipients.values() if getattr(u, "phone", "")})
        if phones:
            text = sms_text(title)
            transaction.on_commit(lambda: _send_sms(phones, text), robust=True)
    return messages


def message_mark_read(*, acting_user: Any, message: Message) -> Message:
    """Mark one of the user's own messages read (a message of someone else is "not found")."""
    if message.recipient_id != getattr(acting_user, "pk", None):
        raise NotFound()
    if message.read_at is None:
        message.read_at = now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
    return message


def messages_mark_all_read(*, acting_user: Any) -> int:
    return Message.objects.filter(recipient=acting_user, read_at__isnull=True).update(read_at=now())
