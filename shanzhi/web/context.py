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
    ("rewards_index", _("积分超市"), Perm.SHOP_USE),  # villagers, shop keepers and staff, partner merchants
    ("zero_today", _("今日零报告"), Perm.ZERO_REPORT_FILE),
    ("mediation_index", _("矛盾调解"), Perm.MEDIATION_VIEW),  # M1–M5: cases, organisations, mediators
    ("mediation_mine", _("我的调解申请"), Perm.LEGAL_ASK),  # M2: a villager applies and follows on the phone
    ("legal_index", _("法律服务"), Perm.LEGAL_ASK),  # M7: villagers ask and apply; advisers below
    ("legal_queue", _("法律咨询"), Perm.LEGAL_ANSWER),
    ("mediation_stats", _("调解统计"), Perm.MEDIATION_STATS),
    ("mediation_risk", _("纠纷风险"), Perm.MEDIATION_VIEW),
    ("charter_index", _("权力清单与村规"), Perm.AFFAIRS_VIEW),  # A1, A6
    ("board_overview", _("公开栏监督"), Perm.AFFAIRS_VIEW),  # A4: disclosure frequency per village
    ("affairs_index", _("村务决策"), Perm.AFFAIRS_VIEW),  # A2 四议两公开, A5 议事协商 (staff)
    ("affairs_my_topics", _("村民议事"), Perm.TOPIC_PROPOSE),  # A5: villagers propose, comment and vote
    ("finance_index", _("村级财务"), Perm.FINANCE_VIEW),  # A3: books, approval chains, monthly statements, 7 books
    ("points_index", _("积分"), Perm.POINTS_VIEW),  # P1–P3: schemes, review, quarters (staff, review group)
    ("points_ranking", _("积分排名"), Perm.POINTS_VIEW),  # P4: rankings, stars, titles, black list; traceable
    ("points_record", _("一事一记"), Perm.POINTS_RECORD),  # P2: grid staff and assistants on the phone
    ("points_mine", _("我的积分"), Perm.POINTS_DECLARE),  # P2: villagers' balance, declaration, 复议
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
