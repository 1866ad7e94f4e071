"""What other capabilities call to put a matter through 四议两公开 (domain.md A2) and hear its outcome.

    from shanzhi.affairs import api as affairs

    decision = affairs.decision_request(acting_user=u, place=village, title="…", summary="…",
                                        source="finance.expense", source_ref=str(expense.pk),
                                        source_url=expense.get_absolute_url())
    affairs.decision_outcome(decision.pk)           # "pending" | "passed" | "rejected"
    affairs.on_decided("finance.expense", handler)  # in AppConfig.ready; handler(decision) runs inside the
                                                    # transaction that settles the outcome
    affairs.decisions_passed(user=u, place=village) # passed decisions in scope, for pickers
    affairs.decision_url(decision.pk)

Tests: ``shanzhi.affairs.testing.walk_decision(decision, passed=True)`` takes a decision through the steps with
real meetings and attendance. Only these names are the contract; everything else in the app may change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.core.scoping import path_q
from shanzhi.regions.models import Place

from . import services
from .choices import Outcome
from .models import Decision

# Who may pick a passed decision: whoever may see decisions, or runs one of the capabilities that ask for them.
PICKER_PERMS = (Perm.AFFAIRS_VIEW, Perm.FINANCE_VIEW, Perm.CHARTER_MANAGE, Perm.POINTS_MANAGE)


def decision_request(*, acting_user: Any, place: Place, title: str, summary: str, source: str, source_ref: str,
                     source_url: str = "") -> Decision:
    """Open a 四议两公开 matter for ``place``'s village at its first step (村党组织提议). ``acting_user`` needs
    decision.manage, finance.enter, charter.manage or points.manage at the village. Raises ValidationFailed /
    PermissionDenied (shanzhi.core.errors) with a Chinese message; nothing is written then."""
    return services.decision_request(acting_user=acting_user, place=place, title=title, summary=summary,
                                     source=source, source_ref=source_ref, source_url=source_url)


def decision_outcome(decision_id: int) -> str:
    """"pending" | "passed" | "rejected" (no scope check: the outcome of a decision is public)."""
    value = Decision.objects.filter(pk=decision_id).values_list("outcome", flat=True).first()
    if value is None:
        raise Decision.DoesNotExist(f"no decision {decision_id}")
    return str(value)


def on_decided(source: str, handler: Callable[[Decision], None]) -> None:
    """Register ``handler(decision)`` for decisions asked for with ``source``; called inside the transaction
    that settles the outcome (``decision.outcome`` is then "passed" or "rejected"). Raising refuses the
    settlement: the meeting's record is undone with it."""
    services.on_decided(source, handler)


def decisions_passed(*, user: Any, place: Place) -> QuerySet[Decision]:
    """Passed decisions of ``place`` and below that ``user`` may see, newest first (for pickers)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Decision.objects.none()
    paths = sorted({p for perm in PICKER_PERMS for p in user.scope_paths(perm)})
    if not paths:
        return Decision.objects.none()
    return (Decision.objects.filter(path_q("place_path", paths)).filter(place_path__prefix=place.path,
                                                                        outcome=Outcome.PASSED)
            .select_related("village").order_by("-decided_at", "-id"))


def decision_url(decision_id: int) -> str:
    return reverse("affairs_decision", args=[decision_id])


__all__ = ["decision_request", "decision_outcome", "on_decided", "decisions_passed", "decision_url"]
