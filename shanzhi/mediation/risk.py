"""Petition risk of disputes (domain.md M6 信访风险评估, feeding the three-level warning G5).

- Grading: the handlers set or change a case's petition-risk grade (低/中/高) always with the reason; the grade is
  kept on the case (``services.case_risk_grade``) and every change is an audit entry, which is the grade's
  history (append-only, who, when, from → to, why) — no second table to drift from the trail.
- A high grade is shared with grid early warning through its services: if a warning is already in force on the
  dispute's place it is linked; a user who may manage warnings there raises an orange one on the place; anyone
  else's high grade goes to the inboxes of those who may (the township's dispatchers and leaders).
- Repeated disputes (重复纠纷): cases between the same two households (registry households; outsiders by identity
  number) or over the same land parcel in the same village; shown on the case's risk page and in a list.
- The grid risk card gets a section of the grid's open disputes (registered from ``grid.riskcard``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from shanzhi.access.models import User
from shanzhi.access.roles import Perm
from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import ValidationFailed
from shanzhi.notify.services import notify_users
from shanzhi.regions.choices import SIGNIFICANT
from shanzhi.regions.models import Place, path_prefixes

from . import selectors, services
from .choices import RiskLevel
from .models import Case, Party

REASON_MIN = 4
RISK_EVENT = "mediation.case_risk_grade"
REPEAT_YEARS = 3  # repeats are looked for among the cases received in the last three years
WARNING_LEVEL_FOR_HIGH = "orange"


@dataclass(frozen=True)
class GradeOutcome:
    case: Case
    warning: Any = None  # the EarlyWarning raised or linked, if any
    warning_action: str = ""  # "raised", "linked", "notified" or ""


def _warning_target(case: Case) -> Place | None:
    from shanzhi.warning.selectors import WARNING_PLACE_LEVELS

    place = case.place
    return place if place.level in WARNING_PLACE_LEVELS and place.is_active else None


@transaction.atomic
def risk_grade(*, acting_user: Any, case: Case, level: str, reason: str, now: dt.datetime | None = None
               ) -> GradeOutcome:
    """Set or change the grade with its reason (required for every grade); a high grade raises, links or asks
    for a warning on the dispute's place (see the module docstring). One transaction: a refused warning leaves
    the grade unchanged too."""
    reason = " ".join((reason or "").split())
    if len(reason) < REASON_MIN:
        raise ValidationFailed(f"请写明评估理由（至少 {REASON_MIN} 个字）。", code="risk_reason")
    if level not in RiskLevel.values:
        raise ValidationFailed("请选择风险等级：低、中或高。", code="risk_level")
    previous = case.risk_level
    case = services.case_risk_grade(acting_user=acting_user, case=case, level=level, note=reason, now=now)
    if level != RiskLevel.HIGH or previous == RiskLevel.HIGH:
        return GradeOutcome(case=case)
    from shanzhi.warning.selectors import current_warning
    from shanzhi.warning.services import warning_raise

    place = _warning_target(case)
    if place is None:
        return GradeOutcome(case=case)
    existing = current_warning(place)
    if existing is not None:
        return GradeOutcome(case=case, warning=existing, warning_action="linked")
    text = f"纠纷案件{case.number}（{case.title}）信访风险评为高：{reason}"[:500]
    if acting_user.has_perm_at(Perm.WARNING_MANAGE, place.path):
        warning = warning_raise(acting_user=acting_user, target=place, level=WARNING_LEVEL_FOR_HIGH, reason=text,
                                now=now)
        return GradeOutcome(case=case, warning=warning, warning_action="raised")
    managers = warning_managers(place)
    notify_users(users=managers, title=f"高风险纠纷待研判预警：{place.name}", body=text,
                 link=reverse("mediation_risk_case", args=[case.pk]))
    return GradeOutcome(case=case, warning_action="notified" if managers else "")


def warning_managers(place: Place) -> list[Any]:
    """Those who may raise a warning on ``place``: holders of warning.manage at the place or above, nearest
    level first (the township's dispatchers and leaders before the county's)."""
    from shanzhi.access.roles import ROLE_PERMS

    roles = [role for role, perms in ROLE_PERMS.items() if Perm.WARNING_MANAGE in perms]
    users = (User.objects.filter(is_active=True, role_assignments__is_active=True, role_assignments__role__in=roles,
                                 role_assignments__place_path__in=path_prefixes(place.path))
             .distinct().order_by("id").prefetch_related("role_assignments"))
    found = list(users)
    if not found:
        return []
    depth = {u.pk: max(len(a.place_path) for a in u.role_assignments.all() if a.is_active and a.role in roles
                       and place.path.startswith(a.place_path)) for u in found}
    nearest = max(depth.values())
    return [u for u in found if depth[u.pk] == nearest]


def risk_history(case: Case) -> QuerySet[AuditEntry]:
    """Every grade change of the case, oldest first (the audit trail is the history)."""
    return AuditEntry.objects.filter(object_type="mediation.case", object_id=str(case.pk), event=RISK_EVENT
                                     ).order_by("at", "id")


# --- repeated disputes -----------------------------------------------------------------------------------------


def _party_key(household_id: int | None, id_number: str) -> str:
    if household_id:
        return f"h{household_id}"
    return f"i{id_number}" if id_number else ""


def _land_key(case_place_path: str, parcel: str) -> tuple[str, str] | None:
    parcel = "".join((parcel or "").split()).lower()
    if not parcel:
        return None
    return case_place_path[: SIGNIFICANT["village"]], parcel


@dataclass
class RepeatGroup:
    """Cases that repeat each other: ``kind`` "households" (the same two households) or "land" (the same
    parcel in one village), newest case first."""

    kind: str
    label: str
    cases: list[Case]

    @property
    def kind_label(self) -> str:
        return "同一当事户" if self.kind == "households" else "同一地块"


def repeats_for(*, user: Any, case: Case) -> list[RepeatGroup]:
    """Other cases the user may see that repeat ``case`` (three queries, whatever the number of cases)."""
    visible = selectors.cases_visible(user=user).exclude(pk=case.pk)
    groups: list[RepeatGroup] = []
    keys = {k for k in (_party_key(h, i) for h, i in case.parties.values_list("household_id", "id_number")) if k}
    if len(keys) >= 2:
        households = [int(k[1:]) for k in keys if k.startswith("h")]
        ids = [k[1:] for k in keys if k.startswith("i")]
        matched: dict[int, set[str]] = defaultdict(set)
        rows = Party.objects.filter(case__in=visible).filter(Q(household_id__in=households) | Q(id_number__in=ids))
        for case_id, h, i in rows.values_list("case_id", "household_id", "id_number"):
            k = _party_key(h, i)
            if k in keys:
                matched[case_id].add(k)
        same = [cid for cid, found in matched.items() if len(found) >= 2]
        if same:
            groups.append(RepeatGroup("households", "与本案当事户相同",
                                      list(visible.filter(pk__in=same).select_related("place").order_by("-received_at"))))
    land = _land_key(case.place_path, case.land_parcel)
    if land is not None:
        same_land = [c for c in visible.filter(place_path__prefix=land[0]).exclude(land_parcel="")
                     .select_related("place").order_by("-received_at")[:200]
                     if _land_key(c.place_path, c.land_parcel) == land]
        if same_land:
            groups.append(RepeatGroup("land", f"同一地块：{case.land_parcel}", same_land))
    return groups


def repeat_groups(*, user: Any, place: Place, since: dt.datetime) -> list[RepeatGroup]:
    """All repeat groups among the cases under ``place`` received since ``since`` that the user may see: the
    parties and parcels are fetched once (two queries) and grouped here, then the flagged cases in one more."""
    cases = selectors.cases_visible(user=user).filter(place_path__prefix=place.path, received_at__gte=since)
    per_case: dict[int, set[str]] = defaultdict(set)
    for case_id, h, i in Party.objects.filter(case__in=cases).values_list("case_id", "household_id", "id_number"):
        if k := _party_key(h, i):
            per_case[case_id].add(k)
    pairs: dict[tuple[str, str], set[int]] = defaultdict(set)
    for case_id, found in per_case.items():
        for pair in combinations(sorted(found), 2):
            pairs[pair].add(case_id)
    lands: dict[tuple[str, str], set[int]] = defaultdict(set)
    for case_id, path, parcel in cases.exclude(land_parcel="").values_list("id", "place_path", "land_parcel"):
        if (key := _land_key(path, parcel)) is not None:
            lands[key].add(case_id)
    wanted = [("households", ids) for ids in pairs.values() if len(ids) > 1]
    wanted += [("land", ids) for ids in lands.values() if len(ids) > 1]
    flagged = {cid for _kind, ids in wanted for cid in ids}
    by_id = {c.pk: c for c in Case.objects.filter(pk__in=flagged).select_related("place").prefetch_related("parties")}
    groups = []
    for kind, ids in wanted:
        members = sorted((by_id[i] for i in ids if i in by_id), key=lambda c: c.received_at, reverse=True)
        if len(members) > 1:
            label = ("、".join(sorted({p.name for c in members[:1] for p in c.parties.all()}))
                     if kind == "households" else members[0].land_parcel)
            groups.append(RepeatGroup(kind, label, members))
    return sorted(groups, key=lambda g: g.cases[0].received_at, reverse=True)


def high_risk_cases(*, user: Any, place: Place) -> QuerySet[Case]:
    """Open cases graded high or medium under ``place``, high first."""
    return (selectors.cases_visible(user=user).filter(place_path__prefix=place.path, closed_at__isnull=True,
                                                      risk_level__in=(RiskLevel.HIGH, RiskLevel.MEDIUM))
            .select_related("place", "organisation").order_by("risk_level", "-received_at", "-id"))
    # "high" < "medium" alphabetically, so high comes first.


def open_counts(qs: QuerySet[Case]) -> dict[str, int]:
    return qs.aggregate(total=Count("id"), high=Count("id", filter=Q(risk_level=RiskLevel.HIGH)),
                        medium=Count("id", filter=Q(risk_level=RiskLevel.MEDIUM)))
