"""户迁移: services and selectors for moving a household between villages (domain.md F2, F6).

The workflow (states, who decides, the 5-working-day deadline) is declared in ``workflow.py`` and run by
the kernel (``shanzhi.workflow.engine``). Here: what a request must satisfy, what approval does, and the
reads. A move is visible to whoever holds people.view over either village involved (out of scope: 404).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.core.home import ActionItem
from shanzhi.core.scoping import path_q
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place
from shanzhi.workflow import engine
from shanzhi.workflow.clock import current

from .models import Household, HouseholdMove
from .services import HOUSEHOLD_PLACE_LEVELS, household_relocate_village, village_of
from .workflow import HOUSEHOLD_MOVE, REQUESTED

VIEW_PERM = Perm.PEOPLE_VIEW
REASON_MAX = 200


# --- selectors -------------------------------------------------------------------------------------------

BOXES = {"inbox": "待我审批", "outbox": "本村申请", "overdue": "已超期", "all": "全部"}


def move_list(*, user: Any, box: str = "", state: str = "") -> QuerySet[HouseholdMove]:
    """Moves in the user's scope; ``box``: inbox (waiting for my approval), outbox (requested by my village),
    overdue (undecided past the deadline)."""
    qs = HouseholdMove.objects.visible_to(user, VIEW_PERM)
    if box == "inbox":
        qs = qs.filter(path_q("to_path", user.scope_paths(Perm.MOVE_APPROVE)), state=REQUESTED)
    elif box == "outbox":
        qs = qs.filter(path_q("from_path", user.scope_paths(Perm.MOVE_REQUEST)))
    elif box == "overdue":
        qs = qs.filter(state=REQUESTED, is_overdue=True)
    if state and HOUSEHOLD_MOVE.state(state):
        qs = qs.filter(state=state)
    return qs.select_related("from_village", "to_village", "to_place", "requested_by").order_by("-requested_at", "-id")


def move_detail(*, user: Any, pk: int) -> HouseholdMove:
    return HouseholdMove.objects.select_related(
        "from_village", "from_place", "to_village", "to_place", "requested_by", "decided_by",
    ).get_visible(user, VIEW_PERM, pk=pk)


def pending_approval_counts(*, user: Any) -> dict[str, int]:
    """How many moves wait for this user's approval, and how many of those are overdue (one query)."""
    paths = user.scope_paths(Perm.MOVE_APPROVE)
    if not paths:
        return {"total": 0, "overdue": 0}
    return HouseholdMove.objects.filter(path_q("to_path", paths), state=REQUESTED).aggregate(
        total=Count("id"), overdue=Count("id", filter=Q(is_overdue=True)))


def target_villages(*, household: Household) -> QuerySet[Place]:
    """Villages a household may be moved to: the other active villages of its county."""
    return (Place.objects.filter(level=Level.VILLAGE, is_active=True, path__prefix=household.village.path[:6])
            .exclude(pk=household.village_id).select_related("parent").order_by("path"))


def target_places(*, village: Place) -> QuerySet[Place]:
    """The village itself and its active grids and micro-grids, where a household can be registered."""
    return Place.objects.filter(path__prefix=village.path, level__in=HOUSEHOLD_PLACE_LEVELS,
                                is_active=True).order_by("path")


def home_items(user: Any) -> list[ActionItem]:
    """Home-page provider: "待我审批的户迁移" for users who approve moves (core.home)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm_anywhere(Perm.MOVE_APPROVE):
        return []
    counts = pending_approval_counts(user=user)
    if not counts["total"]:
        return []
    return [ActionItem(
        title="待我审批的户迁移", count=counts["total"], url=f"{reverse('move_list')}?box=inbox",
        hint=f"其中 {counts['overdue']} 件已超期" if counts["overdue"] else f"{HOUSEHOLD_MOVE.state(REQUESTED).deadline_days} 个工作日内办结",
        level="danger" if counts["overdue"] else "primary",
    )]


# --- services --------------------------------------------------------------------------------------------


def _visible(user: Any, move: HouseholdMove) -> HouseholdMove:
    if not HouseholdMove.objects.visible_to(user, VIEW_PERM).filter(pk=move.pk).exists():
        raise NotFound()
    return move


@transaction.atomic
def move_request(*, acting_user: Any, household: Household, place: Place, reason: str,
                 now: dt.datetime | None = None) -> HouseholdMove:
    """申请迁移: the sending village asks the receiving village to take a household (to one of its grids or
    the village itself). One open request per household."""
    if not Household.objects.visible_to(acting_user, VIEW_PERM).filter(pk=household.pk).exists():
        raise NotFound()
    household = Household.objects.select_for_update().select_related("village", "place").get(pk=household.pk)
    if not household.is_active:
        raise ValidationFailed("该户已不在册，不能申请迁移。", code="household_inactive")
    if place.level not in HOUSEHOLD_PLACE_LEVELS or not place.is_active:
        raise ValidationFailed("请选择迁入的村/社区或其网格。", code="household_place")
    to_village = village_of(place)
    if to_village.pk == household.village_id:
        raise ValidationFailed("迁入地与原村相同，请使用“调整网格”。", code="same_village")
    if not to_village.path.startswith(household.village.path[:6]) or not to_village.is_active:
        raise ValidationFailed("只能迁往本县（市、区）内在用的村/社区；迁往外县请登记“迁出”。", code="other_county")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写迁移原因。", code="reason_required")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"迁移原因不能超过 {REASON_MAX} 字。", code="reason_too_long")
    if HouseholdMove.objects.filter(household=household, state=REQUESTED).exists():
        raise Conflict("该户已有待审批的迁移申请，请等待办结或先撤回。", code="move_open")
    at = current(now)
    move = HouseholdMove(
        household=household, household_number=household.number, head_name=household.head_name,
        member_count=household.member_count, from_place=household.place, from_village=household.village,
        from_path=household.place_path, to_place=place, to_village=to_village, to_path=place.path, reason=reason,
        requested_by=acting_user, requested_at=at,
    )
    try:
        with transaction.atomic():
            engine.start(move, "request", acting_user=acting_user, note=reason, now=at)
    except IntegrityError:
        raise Conflict("该户已有待审批的迁移申请，请等待办结或先撤回。", code="move_open")
    return move


def move_act(*, acting_user: Any, move: HouseholdMove, transition: str, note: str = "",
             now: dt.datetime | None = None) -> HouseholdMove:
    """同意迁入 / 不同意 / 撤回申请 — whichever the workflow allows this user now."""
    _visible(acting_user, move)
    return engine.transition(move, transition, acting_user=acting_user, note=note, now=now)


def move_urge(*, acting_user: Any, move: HouseholdMove, note: str = "", now: dt.datetime | None = None) -> HouseholdMove:
    """催办 the receiving village (recorded in the history and the audit trail)."""
    _visible(acting_user, move)
    return engine.urge(move, acting_user=acting_user, note=note, now=now)


# --- effects, run by the engine inside the transition's transaction (see workflow.py) ---------------------


def apply_decision(move: HouseholdMove, *, acting_user: Any, note: str, now: dt.datetime) -> None:
    move.decided_by = acting_user
    move.decided_at = now
    move.decision_note = note
    move.save(update_fields=["decided_by", "decided_at", "decision_note"])


def apply_approval(move: HouseholdMove, *, acting_user: Any, note: str, now: dt.datetime) -> None:
    """同意迁入: relocate the household and its members to the target place (people.services), then record
    the decision. Refused, with nothing changed, if the household left the register or its village meanwhile."""
    household = Household.objects.select_for_update().get(pk=move.household_id)
    if not household.is_active:
        raise ValidationFailed("该户已不在册，无法迁入。", code="household_inactive")
    if household.village_id != move.from_village_id:
        raise Conflict("该户已不在申请时的村，本申请不能再同意。", code="household_moved")
    to_place = Place.objects.get(pk=move.to_place_id)
    if not to_place.is_active:
        raise ValidationFailed(f"迁入地“{to_place.name}”已停用，本申请不能再同意。", code="household_place")
    household_relocate_village(acting_user=acting_user, household=household, place=to_place,
                               note=f"户迁移（{move.from_village.name}→{move.to_village.name}）{note}".strip())
    apply_decision(move, acting_user=acting_user, note=note, now=now)
