"""The home page's "what needs me now" card for unread messages (shanzhi.core.home)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.core.home import ActionItem

from .selectors import unread_count


def unread_messages(user: Any) -> list[ActionItem]:
    count = unread_count(user=user)
    if not count:
        return []
    return [ActionItem(title=_("未读消息"), count=count, url=reverse("inbox") + "?unread=1", hint=_("站内通知"), level="warning")]
