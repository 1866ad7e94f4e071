"""The menu: each entry shows only to users who hold its permission somewhere."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shanzhi.access.roles import Perm

# (url name, label, permission needed anywhere)
MENU: list[tuple[str, Any, str]] = [
    ("home", _("工作台"), ""),
    ("place_tree", _("区划与网格"), Perm.PLACE_VIEW),
    ("person_list", _("人口台账"), Perm.PEOPLE_VIEW),
    ("household_list", _("户"), Perm.PEOPLE_VIEW),
    ("subject_list", _("其他主体"), Perm.PEOPLE_VIEW),
    ("organisation_list", _("组织"), Perm.ORG_VIEW),
    ("audit_list", _("审计日志"), Perm.AUDIT_VIEW),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    items = []
    for name, label, perm in MENU:
        if perm and not user.has_perm_anywhere(perm):
            continue
        url = reverse(name)
        items.append({"url": url, "label": label, "active": request.path.startswith(url) if url != "/" else request.path == "/"})
    return {"menu": items}
