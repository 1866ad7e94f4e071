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
    LEGAL_ADVISER = "legal_adviser", _("法律顾问")
    BOOKKEEPER = "bookkeeper", _("乡镇代理记账员")
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
    # 积分制 (P1–P4)
    POINTS_VIEW = "points.view"  # staff: schemes, ledgers, rankings in scope
    POINTS_MANAGE = "points.manage"  # schemes, items, templates, adoption
    POINTS_RECORD = "points.record"  # 一事一记 by grid staff, batch recording
    POINTS_DECLARE = "points.declare"  # 群众申报 / reporting a neighbour's good deed (villagers)
    POINTS_REVIEW = "points.review"  # monthly review by the review group (评议小组)
    POINTS_APPROVE = "points.approve"  # quarterly approval by the party branch; publication; black list
    # 积分兑换与信用 (P5–P6)
    SHOP_MANAGE = "shop.manage"  # goods, stock, in-shop redemption, recyclables, merchants
    SHOP_CONFIRM = "shop.confirm"  # a partner merchant confirms a redemption or discount by QR
    CREDIT_VIEW = "credit.view"  # a partner bank's or employer's look-up of a consenting villager's tier
    SHOP_USE = "shop.use"  # the 积分超市 pages: villagers reserve and show pay codes, keepers, merchants (menu entry)
    # 矛盾纠纷调解 (M1–M6) and 公共法律服务 (M7)
    MEDIATION_VIEW = "mediation.view"
    MEDIATION_HANDLE = "mediation.handle"  # intake and the eight steps
    MEDIATION_MANAGE = "mediation.manage"  # organisations, mediators, expert pool, advisers
    MEDIATION_STATS = "mediation.stats"
    LEGAL_ANSWER = "legal.answer"  # a legal adviser answers consultations; handles aid/notary applications
    LEGAL_ASK = "legal.ask"  # a villager asks / applies
    # 村务决策、议事、权力清单、村规民约、财务 (A1–A6)
    AFFAIRS_VIEW = "affairs.view"
    DECISION_MANAGE = "decision.manage"  # run the 四议两公开 steps and deliberation topics, record meetings
    DECISION_SUPERVISE = "decision.supervise"  # the supervisory committee comments at every step
    CHARTER_MANAGE = "charter.manage"  # power lists and village rules
    FINANCE_VIEW = "finance.view"
    FINANCE_ENTER = "finance.enter"  # the village accountant or the township's agency bookkeeper
    FINANCE_APPROVE = "finance.approve"  # a step of the approval chain (checked against the chain's step too)
    TOPIC_PROPOSE = "topic.propose"  # villagers propose deliberation topics and vote where eligible


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
    Role.LEGAL_ADVISER: frozenset({P.PLACE_VIEW}),
    Role.BOOKKEEPER: frozenset({P.PLACE_VIEW}),
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
    Role.LEGAL_ADVISER: {"county", "township", "village"},
    Role.BOOKKEEPER: {"township"},
    Role.GRID_WORKER: {"grid", "village"},
    Role.ASSISTANT: {"microgrid", "grid"},
    Role.MERCHANT: {"township", "village"},
    Role.VOLUNTEER: {"township", "village"},
    Role.VILLAGER: {"village", "group", "grid", "microgrid"},
}

# 积分制 and 积分兑换 (P1–P6): village cadres run schemes (the party branch approves the quarter); grid staff
# record; the review group reviews monthly; villagers declare; merchants confirm by QR.
_POINTS_STAFF = {P.POINTS_VIEW, P.POINTS_RECORD}
for _role, _perms in {
    Role.ADMIN: {P.POINTS_VIEW, P.POINTS_MANAGE},
    Role.LEADER: {P.POINTS_VIEW},
    Role.DISPATCHER: {P.POINTS_VIEW, P.POINTS_MANAGE},  # a township publishes scheme templates
    Role.TOWNSHIP_STAFF: {P.POINTS_VIEW},
    Role.VILLAGE_CADRE: _POINTS_STAFF | {P.POINTS_MANAGE, P.POINTS_APPROVE, P.SHOP_MANAGE, P.SHOP_USE},
    Role.GRID_CHIEF: _POINTS_STAFF,
    Role.GRID_WORKER: _POINTS_STAFF,
    Role.ASSISTANT: {P.POINTS_RECORD},
    Role.REVIEWER: {P.POINTS_VIEW, P.POINTS_REVIEW},
    Role.SUPERVISOR: {P.POINTS_VIEW},
    Role.VILLAGER: {P.POINTS_DECLARE, P.SHOP_USE},
    Role.MERCHANT: {P.SHOP_CONFIRM, P.CREDIT_VIEW, P.SHOP_USE},
    Role.VOLUNTEER: {P.SHOP_USE},  # 爱心超市 counters are often kept by volunteers (named keepers of a shop)
}.items():
    ROLE_PERMS[_role] = ROLE_PERMS[_role] | _perms

# 矛盾纠纷调解 (M1–M7): mediators handle cases of their organisation's place; township and county staff see and
# count them; legal advisers answer the village's questions; villagers apply and ask.
for _role, _perms in {
    Role.ADMIN: {P.MEDIATION_VIEW, P.MEDIATION_MANAGE, P.MEDIATION_STATS},
    Role.LEADER: {P.MEDIATION_VIEW, P.MEDIATION_STATS},
    Role.DISPATCHER: {P.MEDIATION_VIEW, P.MEDIATION_HANDLE, P.MEDIATION_MANAGE, P.MEDIATION_STATS},
    Role.TOWNSHIP_STAFF: {P.MEDIATION_VIEW},
    Role.VILLAGE_CADRE: {P.MEDIATION_VIEW, P.MEDIATION_HANDLE, P.MEDIATION_STATS},
    Role.MEDIATOR: {P.MEDIATION_VIEW, P.MEDIATION_HANDLE, P.MEDIATION_STATS},
    Role.LEGAL_ADVISER: {P.MEDIATION_VIEW, P.LEGAL_ANSWER},
    Role.GRID_WORKER: {P.LEGAL_ASK},
    Role.VILLAGER: {P.LEGAL_ASK},
}.items():
    ROLE_PERMS[_role] = ROLE_PERMS[_role] | _perms

# 自治 (A1–A6): village cadres run decisions, topics, lists, rules and the books; the supervisory committee
# comments and audits; township staff and the agency bookkeeper see and enter; villagers propose and vote.
for _role, _perms in {
    Role.ADMIN: {P.AFFAIRS_VIEW, P.FINANCE_VIEW, P.CHARTER_MANAGE},
    Role.LEADER: {P.AFFAIRS_VIEW, P.FINANCE_VIEW, P.FINANCE_APPROVE},
    Role.DISPATCHER: {P.AFFAIRS_VIEW, P.FINANCE_VIEW, P.CHARTER_MANAGE},  # township templates of power lists
    Role.TOWNSHIP_STAFF: {P.AFFAIRS_VIEW, P.FINANCE_VIEW, P.FINANCE_APPROVE},
    Role.BOOKKEEPER: {P.FINANCE_VIEW, P.FINANCE_ENTER},
    Role.VILLAGE_CADRE: {P.AFFAIRS_VIEW, P.DECISION_MANAGE, P.CHARTER_MANAGE, P.FINANCE_VIEW, P.FINANCE_ENTER,
                         P.FINANCE_APPROVE},
    Role.SUPERVISOR: {P.AFFAIRS_VIEW, P.DECISION_SUPERVISE, P.FINANCE_VIEW, P.FINANCE_APPROVE},
    Role.REVIEWER: {P.FINANCE_VIEW, P.FINANCE_APPROVE},  # 民主理财小组 signs its step of the finance chain
    Role.VILLAGER: {P.TOPIC_PROPOSE},
}.items():
    ROLE_PERMS[_role] = ROLE_PERMS[_role] | _perms
