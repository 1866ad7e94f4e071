"""Roles held at places (domain.md "Roles") and what each may do there (F4).

A user's rights are the union of their role assignments, each limited to its place's subtree.
The table is code, not data: changing who may do what is a reviewed change, like a law.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    LEADER = "leader", _("县乡领导")
    DISPATCHER = "dispatcher", _("乡镇指挥中心调度员")
    TOWNSHIP_STAFF = "township_staff", _("乡镇干部（包村干部）")
    DEPARTMENT = "department", _("县级部门工作人员")
    GRID_CHIEF = "grid_chief", _("网格长")
    VILLAGE_CADRE = "village_cadre", _("村干部")
    SUPERVISOR = "supervisor", _("村务监督委员会成员")
    REVIEWER = "reviewer", _("评议小组成员")
    MEDIATOR = "mediator", _("调解员")
    GRID_WORKER = "grid_worker", _("网格员")
    ASSISTANT = "assistant", _("村务助理")
    MERCHANT = "merchant", _("合作商户")
    VOLUNTEER = "volunteer", _("志愿者")
    VILLAGER = "villager", _("村民")


class Perm:
    """Permission codes. Each is checked against the place of the object acted on."""

    PLACE_VIEW = "place.view"
    PLACE_MANAGE = "place.manage"
    PEOPLE_VIEW = "people.view"
    PEOPLE_CHANGE = "people.change"
    PEOPLE_REVEAL = "people.reveal"
    PEOPLE_IMPORT = "people.import"
    PEOPLE_EXPORT = "people.export"
    ORG_VIEW = "org.view"
    ORG_MANAGE = "org.manage"
    MOVE_REQUEST = "move.request"
    MOVE_APPROVE = "move.approve"
    PUBLISH = "publication.publish"
    PUBLICATION_VIEW = "publication.view"
    AUDIT_VIEW = "audit.view"
    USER_MANAGE = "user.manage"
    CALENDAR_MANAGE = "calendar.manage"
    MATTER_VIEW = "matter.view"
    MATTER_MANAGE = "matter.manage"
    EVENT_REPORT = "event.report"
    EVENT_VIEW = "event.view"
    EVENT_DISPATCH = "event.dispatch"
    EVENT_HANDLE = "event.handle"
    EVENT_SUPERVISE = "event.supervise"
    GRID_VIEW = "grid.view"
    GRID_MANAGE = "grid.manage"
    WARNING_VIEW = "warning.view"
    WARNING_MANAGE = "warning.manage"
    ZERO_REPORT_FILE = "zero_report.file"


P = Perm
_VIEW = {P.PLACE_VIEW, P.PEOPLE_VIEW, P.ORG_VIEW, P.PUBLICATION_VIEW}
_VILLAGE_WORK = _VIEW | {P.PEOPLE_CHANGE, P.PEOPLE_REVEAL, P.PEOPLE_IMPORT, P.PEOPLE_EXPORT, P.ORG_MANAGE,
                         P.MOVE_REQUEST, P.MOVE_APPROVE, P.PUBLISH, P.PLACE_MANAGE}

_EV = {P.EVENT_REPORT, P.EVENT_VIEW}  # 事件办理 (G3): staff report and see events in their scope

ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(_VILLAGE_WORK | {P.AUDIT_VIEW, P.USER_MANAGE, P.CALENDAR_MANAGE, P.MATTER_VIEW, P.MATTER_MANAGE,
                                             P.GRID_VIEW, P.GRID_MANAGE} | _EV | {P.EVENT_SUPERVISE}),
    # PUBLISH: leaders publish their township's or county's own notices, e.g. the monthly event 通报 (G4).
    Role.LEADER: frozenset(_VIEW | {P.PEOPLE_EXPORT, P.MATTER_VIEW, P.GRID_VIEW, P.PUBLISH} | _EV | {P.EVENT_SUPERVISE}),
    Role.DISPATCHER: frozenset(_VIEW | {P.PEOPLE_CHANGE, P.PEOPLE_EXPORT, P.PLACE_MANAGE, P.AUDIT_VIEW, P.MATTER_VIEW,
                                        P.MATTER_MANAGE, P.GRID_VIEW, P.GRID_MANAGE}
                               | _EV | {P.EVENT_DISPATCH, P.EVENT_SUPERVISE}),
    Role.TOWNSHIP_STAFF: frozenset(_VIEW | {P.PEOPLE_EXPORT, P.MATTER_VIEW, P.GRID_VIEW} | _EV | {P.EVENT_HANDLE}),
    Role.DEPARTMENT: frozenset({P.PLACE_VIEW, P.PUBLICATION_VIEW, P.MATTER_VIEW} | _EV | {P.EVENT_HANDLE}),
    Role.GRID_CHIEF: frozenset(_VIEW | {P.PEOPLE_CHANGE, P.PEOPLE_EXPORT, P.MATTER_VIEW, P.GRID_VIEW, P.GRID_MANAGE}
                               | _EV | {P.EVENT_HANDLE}),
    Role.VILLAGE_CADRE: frozenset(_VILLAGE_WORK | {P.MATTER_VIEW, P.GRID_VIEW, P.GRID_MANAGE} | _EV | {P.EVENT_HANDLE}),
    Role.SUPERVISOR: frozenset(_VIEW),
    Role.REVIEWER: frozenset({P.PLACE_VIEW, P.PUBLICATION_VIEW}),
    Role.MEDIATOR: frozenset({P.PLACE_VIEW, P.PEOPLE_VIEW}),
    Role.GRID_WORKER: frozenset(_VIEW | {P.PEOPLE_CHANGE, P.PEOPLE_REVEAL, P.MATTER_VIEW, P.GRID_VIEW} | _EV
                                | {P.EVENT_HANDLE}),
    Role.ASSISTANT: frozenset({P.PLACE_VIEW, P.PEOPLE_VIEW, P.EVENT_REPORT}),
    Role.MERCHANT: frozenset(),
    Role.VOLUNTEER: frozenset(),
    Role.VILLAGER: frozenset({P.EVENT_REPORT}),  # reports and follows only their own events
}

# 预警与零报告 (G5): staff see warnings and zero-report sheets in their scope; county/township leaders and
# dispatchers raise, change and lift warnings and declare zero-report periods (grid staff report events instead);
# grid workers and grid chiefs file their grids' daily zero-report.
for _role, _perms in {
    Role.ADMIN: {P.WARNING_VIEW, P.WARNING_MANAGE}, Role.LEADER: {P.WARNING_VIEW, P.WARNING_MANAGE},
    Role.DISPATCHER: {P.WARNING_VIEW, P.WARNING_MANAGE}, Role.TOWNSHIP_STAFF: {P.WARNING_VIEW},
    Role.VILLAGE_CADRE: {P.WARNING_VIEW}, Role.GRID_CHIEF: {P.WARNING_VIEW, P.ZERO_REPORT_FILE},
    Role.GRID_WORKER: {P.WARNING_VIEW, P.ZERO_REPORT_FILE},
}.items():
    ROLE_PERMS[_role] = ROLE_PERMS[_role] | _perms

# Lowest level of the tree at which a role makes sense (a village cadre is not held at a county).
ROLE_LEVELS: dict[str, set[str]] = {
    Role.ADMIN: {"province", "city", "county"},
    Role.LEADER: {"county", "township"},
    Role.DISPATCHER: {"township"},
    Role.TOWNSHIP_STAFF: {"township"},
    Role.DEPARTMENT: {"county"},
    Role.GRID_CHIEF: {"township", "village"},
    Role.VILLAGE_CADRE: {"village"},
    Role.SUPERVISOR: {"village"},
    Role.REVIEWER: {"village"},
    Role.MEDIATOR: {"county", "township", "village"},
    Role.GRID_WORKER: {"grid", "village"},
    Role.ASSISTANT: {"microgrid", "grid"},
    Role.MERCHANT: {"township", "village"},
    Role.VOLUNTEER: {"township", "village"},
    Role.VILLAGER: {"village", "group", "grid", "microgrid"},
}
