"""Test helper for other capabilities: take a decision through 四议两公开 with real meetings and attendance.

    from shanzhi.affairs.testing import walk_decision
    walk_decision(decision)                 # → passed: proposal, 两委会议, 党员大会, 村民代表会议 (outcome settled)
    walk_decision(decision, passed=False)   # → the representatives vote it down and the matter ends rejected
    walk_decision(decision, publish=True)   # passed, then both publications (决议公开, 实施结果公开)

Whatever the village lacks for the meetings (a cadre to record them, 两委 members, party members,
representatives) is registered first through the people / orgs / affairs services.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils.timezone import now

from shanzhi.access.roles import Perm, Role
from shanzhi.people.choices import PoliticalStatus
from shanzhi.regions.models import Place
from shanzhi.workflow.calendar import local_date

from . import selectors, services
from .choices import MeetingKind
from .models import Decision
from .quorum import QUORUM_RULE
from .workflow import CONSULTATION, PARTY_REVIEW, PROPOSAL, RESOLUTION, RESOLUTION_PUBLIC, RESULT_PUBLIC

_seq = itertools.count(1)


def village_cadre(village: Place) -> Any:
    """An active user holding decision.manage at the village (made if there is none)."""
    from shanzhi.access.models import User
    from shanzhi.access.services import role_assign, user_create

    for user in User.objects.filter(is_active=True, role_assignments__is_active=True,
                                    role_assignments__role=Role.VILLAGE_CADRE,
                                    role_assignments__place_path=village.path).order_by("id"):
        if user.has_perm_at(Perm.DECISION_MANAGE, village.path):
            return user
    n = next(_seq)
    while User.objects.filter(username=f"affairs_cadre_{n}").exists():
        n = next(_seq)
    user = user_create(acting_user=None, username=f"affairs_cadre_{n}", password="Passw0rd!x",
                       full_name=f"村干部{n}", must_change_password=False)
    role_assign(acting_user=None, user=user, role=Role.VILLAGE_CADRE, place=village)
    return User.objects.get(pk=user.pk)


def ensure_bodies(village: Place, cadre: Any, *, size: int = 3) -> None:
    """Make sure the village has 两委 members, party members and current representatives."""
    from shanzhi.orgs.models import Organisation, OrgKind
    from shanzhi.orgs.services import membership_add, organisation_create
    from shanzhi.people.services import household_create, person_create

    today = local_date(now())
    household = None

    def person(political: str = PoliticalStatus.MASSES) -> Any:
        nonlocal household
        if household is None:
            household = household_create(acting_user=cadre, place=village, address=f"{village.name}议事测试户")
        return person_create(acting_user=cadre, household=household,
                             data={"name": f"议事{next(_seq)}", "birth_date": dt.date(1975, 3, 1),
                                   "political_status": political})

    if not selectors.party_members(village).exists():
        for _ in range(size):
            person(PoliticalStatus.PARTY_MEMBER)
    if not selectors.two_committee_members(village, today).exists():
        org = Organisation.objects.filter(place=village, kind=OrgKind.VILLAGE_COMMITTEE, is_active=True).first() \
            or organisation_create(acting_user=cadre, place=village, kind=OrgKind.VILLAGE_COMMITTEE,
                                   name=f"{village.name}村民委员会")
        for p in list(selectors.party_members(village)[:size]):
            membership_add(acting_user=cadre, organisation=org, person=p, post="member",
                           term_start=today - dt.timedelta(days=365))
    if not selectors.representatives(village, today).exists():
        pool = list(selectors.adults(village, today).order_by("id")[:size])
        while len(pool) < size:
            pool.append(person())
        for p in pool:
            services.representative_add(acting_user=cadre, village=village, person=p,
                                        term_start=today - dt.timedelta(days=365), term_end=today + dt.timedelta(days=1460))


def _meet(decision: Decision, cadre: Any, kind: str, *, passed: bool = True, quorum: bool = True) -> Any:
    today = local_date(now())
    body = list(selectors.meeting_body(kind, decision.village, today).order_by("pk").values_list("pk", flat=True))
    present = body if quorum else body[: QUORUM_RULE[kind][1](len(body)) - 1]
    n = len(present)
    votes_for = n if passed else 0
    return services.meeting_record(acting_user=cadre, decision=decision, kind=kind, held_on=today,
                                   attendee_ids=present, votes_for=votes_for, votes_against=n - votes_for,
                                   votes_abstain=0, minutes=f"{MeetingKind(kind).label}会议记录。")


def walk_decision(decision: Decision, *, passed: bool = True, publish: bool = False, acting_user: Any = None) -> Decision:
    """Take ``decision`` from wherever it stands through the meetings to its outcome (and, with ``publish``,
    through both publications). Returns the decision, refreshed."""
    decision.refresh_from_db()
    cadre = acting_user or village_cadre(decision.village)
    ensure_bodies(decision.village, cadre)
    if decision.state == PROPOSAL:
        services.decision_propose(acting_user=cadre, decision=decision, note="村党组织提议提交村“两委”会议商议。")
    if decision.state == CONSULTATION:
        _meet(decision, cadre, MeetingKind.TWO_COMMITTEES)
    if decision.state == PARTY_REVIEW:
        _meet(decision, cadre, MeetingKind.PARTY_CONGRESS)
    if decision.state == RESOLUTION:
        _meet(decision, cadre, MeetingKind.REPRESENTATIVES, passed=passed)
        if not passed:
            services.decision_reject(acting_user=cadre, decision=decision, note="村民代表会议表决未通过。")
    if publish and decision.state == RESOLUTION_PUBLIC:
        services.decision_publish_resolution(acting_user=cadre, decision=decision, resolution_text="按提议实施。")
    if publish and decision.state == RESULT_PUBLIC:
        services.decision_publish_result(acting_user=cadre, decision=decision, result_text="已按决议实施完毕。")
    decision.refresh_from_db()
    return decision
