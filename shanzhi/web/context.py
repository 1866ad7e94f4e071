"""The menu: each entry shows only to users who hold its permission somewhere."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from shanzhi.access.roles import Perm
from shanzhi.notify.selectors import unread_count

# (url name, label, permission needed anywhere)
MENU: list[tuple[str, Any, str]] = [
    ("home", _("工作台"), ""),
    ("place_tree", _("区划与网格"), Perm.PLACE_VIEW),
    ("person_list", _("人口台账"), Perm.PEOPLE_VIEW),
    ("household_list", _("户"), Perm.PEOPLE_VIEW),
    ("move_list", _("户迁移"), Perm.MOVE_REQUEST),  # MOVE_APPROVE is held with it by every role that has it
    ("import_index", _("导入"), Perm.PEOPLE_IMPORT),
    ("publication_list", _("公示"), Perm.PUBLICATION_VIEW),
    ("subject_list", _("其他主体"), Perm.PEOPLE_VIEW),
    ("organisation_list", _("组织"), Perm.ORG_VIEW),
    ("matter_list", _("事项清单"), Perm.MATTER_VIEW),
    ("grid_list", _("网格"), Perm.GRID_VIEW),
    ("event_index", _("事件办理"), Perm.EVENT_REPORT),  # every role in the loop may report
    ("event_assessment", _("事件考核"), Perm.EVENT_VIEW),  # G4: staff only (villagers hold event.report alone)
    ("warning_list", _("预警"), Perm.WARNING_VIEW),
    ("zero_today", _("今日零报告"), Perm.ZERO_REPORT_FILE),
    ("audit_list", _("审计日志"), Perm.AUDIT_VIEW),
    ("workflow_calendar", _("工作日历"), Perm.CALENDAR_MANAGE),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    if user.must_change_password:  # every page but the password form is closed until it is changed
        return {"menu": [], "unread_count": 0}
    items = []
    for name, label, perm in MENU:
        if perm and not user.has_perm_anywhere(perm):
            continue
        items.append({"url": reverse(name), "label": label, "active": False})
    # Light up the one entry whose address is the longest prefix of this page (户迁移 is not also 人口台账).
    matches = [i for i in items if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    # Lazy: the count query runs only when a template shows it (the navbar badge).
    return {"menu": items, "unread_count": SimpleLazyObject(lambda: unread_count(user=user))}
