"""Reading 矛盾纠纷调解 (domain.md M1–M5). Staff see the cases of the places where they hold mediation.view (the
place where the dispute arose); a villager who applied on the phone sees their own applications and nothing else.
Everything else is NotFound. Organisations, mediators and advisers are scoped by their own place; the expert pool
of a county is seen by everyone who may view mediation anywhere in that county."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound
from shanzhi.core.home import ActionItem
from shanzhi.core.scoping import path_q
from shanzhi.regions.choices import SIGNIFICANT
from shanzhi.workflow.clock import current

from . import workflow
from .choices import COMMITTEE_KINDS, Sex
from .models import Case, LegalAdviser, Mediator, Membership, Organisation

CASE_RELATED = ("organisation", "place", "mediator")
NEAR_DAYS = 5


def cases_visible(*, user: Any) -> QuerySet[Case]:
    """Cases in the user's mediation.view scope, plus the applications they made themselves."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    paths = user.scope_paths(Perm.MEDIATION_VIEW)
    if "" in paths:
        return Case.objects.all()
    q = Q(applied_by_id=user.pk)
    if paths:
        q |= path_q("place_path", paths)
    return Case.objects.filter(q)


def handling_q(user: Any) -> Q:
    """Cases this user's organisation handles: mediation.handle at the organisation's place or above."""
    if user.is_superuser:
        return Q()
    paths = user.scope_paths(Perm.MEDIATION_HANDLE)
    return path_q("org_path", paths) if paths else Q(pk__in=[])


@dataclasses.dataclass
class CaseFilters:
    q: str = ""
    state: str = ""
    source: str = ""
    dispute_type: str = ""
    organisation: str = ""
    mine: bool = False
    overdue: bool = False
    near: bool = False

    @classmethod
    def from_query(cls, data: Any) -> CaseFilters:
        return cls(q=(data.get("q") or "").strip()[:50], state=data.get("state") or "",
                   source=data.get("source") or "", dispute_type=data.get("type") or "",
                   organisation=data.get("org") or "", mine=data.get("mine") == "1",
                   overdue=data.get("overdue") == "1", near=data.get("near") == "1")


def case_list(*, user: Any, filters: CaseFilters | None = None) -> QuerySet[Case]:
    f = filters or CaseFilters()
    qs = cases_visible(user=user).select_related(*CASE_RELATED)
    if f.q:
        qs = qs.filter(Q(number__icontains=f.q) | Q(title__icontains=f.q) | Q(parties__name=f.q)).distinct()
    if f.state == "open":
        qs = qs.exclude(state__in=workflow.FINAL_STATES)
    elif f.state:
        qs = qs.filter(state=f.state)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.dispute_type:
        qs = qs.filter(dispute_type=f.dispute_type)
    if f.organisation.isdigit():
        qs = qs.filter(organisation_id=int(f.organisation))
    if f.mine:
        qs = qs.filter(handling_q(user)).exclude(state__in=workflow.FINAL_STATES)
    if f.overdue:
        qs = qs.filter(is_overdue=True, state__in=workflow.RUNNING_STATES)
    if f.near:
        qs = qs.filter(state__in=workflow.RUNNING_STATES, limit_at__lte=current() + _near())
    return qs.order_by("-received_at", "-id")


def _near() -> Any:
    import datetime as dt

    return dt.timedelta(days=NEAR_DAYS)


def case_detail(*, user: Any, pk: Any) -> Case:
    try:
        return cases_visible(user=user).select_related(
            *CASE_RELATED, "co_mediator", "requested_mediator", "registered_by", "applied_by").get(pk=int(pk))
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def my_applications(*, user: Any) -> QuerySet[Case]:
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return Case.objects.filter(applied_by=user).select_related("organisation").order_by("-received_at", "-id")


def can_handle(user: Any, case: Case) -> bool:
    return workflow.HANDLER.allows(user, case)


# --- M1 -----------------------------------------------------------------------------------------------------


def organisation_list(*, user: Any, kind: str = "", q: str = "") -> QuerySet[Organisation]:
    qs = Organisation.objects.visible_to(user, Perm.MEDIATION_VIEW).select_related("place").annotate(
        members=Count("memberships", filter=Q(memberships__is_active=True)),
        women=Count("memberships", filter=Q(memberships__is_active=True, memberships__mediator__sex=Sex.FEMALE)),
    )
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("place_path", "kind", "name")


def organisation_detail(*, user: Any, pk: Any) -> Organisation:
    return Organisation.objects.select_related("place").get_visible(user, Perm.MEDIATION_VIEW, pk=pk)


def members(org: Organisation) -> QuerySet[Membership]:
    return org.memberships.filter(is_active=True).select_related("mediator").order_by("post", "id")


def committee_warnings(org: Organisation, *, members: int | None = None, women: int | None = None) -> list[str]:
    """人民调解法 art. 9: a committee has three to nine members and women among them. Shown as warnings."""
    if org.kind not in COMMITTEE_KINDS:
        return []
    if members is None or women is None:
        counts = org.memberships.filter(is_active=True).aggregate(
            n=Count("id"), w=Count("id", filter=Q(mediator__sex=Sex.FEMALE)))
        members, women = counts["n"], counts["w"]
    out = []
    if members < 3:
        out.append(f"委员会现有 {members} 名成员，少于法定的 3 人。")
    elif members > 9:
        out.append(f"委员会现有 {members} 名成员，多于法定的 9 人。")
    if women == 0:
        out.append("委员会中没有妇女成员（人民调解法第九条：应当有妇女成员）。")
    return out


def mediator_list(*, user: Any, q: str = "", specialty: str = "", expert: bool = False,
                  honoured: bool = False) -> QuerySet[Mediator]:
    qs = Mediator.objects.visible_to(user, Perm.MEDIATION_VIEW).select_related("place").prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.filter(is_active=True).select_related("organisation")))
    if q:
        qs = qs.filter(name__icontains=q)
    if specialty:
        qs = qs.filter(specialties__contains=f",{specialty},")
    if expert:
        qs = qs.filter(in_expert_pool=True)
    if honoured:
        qs = qs.exclude(honours="")
    return qs.order_by("place_path", "name", "id")


def mediator_detail(*, user: Any, pk: Any) -> Mediator:
    return Mediator.objects.select_related("place", "user").get_visible(user, Perm.MEDIATION_VIEW, pk=pk)


def expert_pool(*, user: Any, specialty: str = "") -> QuerySet[Mediator]:
    """专家库: the experts of the counties the user works in (a village mediator sees the county's pool)."""
    paths = user.scope_paths(Perm.MEDIATION_VIEW) if getattr(user, "is_authenticated", False) else []
    if not paths:
        return Mediator.objects.none()
    counties = sorted({p[: SIGNIFICANT["county"]] for p in paths})
    qs = Mediator.objects.filter(path_q("place_path", counties), in_expert_pool=True, is_active=True)
    if specialty:
        qs = qs.filter(specialties__contains=f",{specialty},")
    return qs.select_related("place").order_by("name", "id")


def pool_for(case_or_org: Any) -> QuerySet[Mediator]:
    """Who may be assigned to (or asked for by a party of) a case of an organisation: the current members of it and
    of the organisations above it (a township centre helps its villages' committees), and the county's expert pool."""
    from shanzhi.regions.models import path_prefixes

    org = case_or_org.organisation if isinstance(case_or_org, Case) else case_or_org
    county = org.place_path[: SIGNIFICANT["county"]]
    members = Membership.objects.filter(is_active=True, organisation__is_active=True,
                                        organisation__place_path__in=path_prefixes(org.place_path))
    return Mediator.objects.filter(
        Q(pk__in=members.values("mediator_id")) | Q(in_expert_pool=True, place_path__prefix=county),
        is_active=True).order_by("name", "id")


def adviser_list(*, user: Any) -> QuerySet[LegalAdviser]:
    return LegalAdviser.objects.visible_to(user, Perm.MEDIATION_VIEW).filter(is_active=True).select_related(
        "village", "user").order_by("place_path")


def adviser_for_village(village_path: str) -> LegalAdviser | None:
    """The village's current legal adviser (一村一法律顾问), whose account is active; None if none is assigned."""
    return (LegalAdviser.objects.filter(place_path=village_path, is_active=True, user__is_active=True)
            .select_related("user").order_by("-started_on", "-id").first())


def organisations_for_intake(*, user: Any) -> QuerySet[Organisation]:
    """Organisations whose cases the user may register (mediation.handle at their place)."""
    paths = user.scope_paths(Perm.MEDIATION_HANDLE) if getattr(user, "is_authenticated", False) else []
    if not paths:
        return Organisation.objects.none()
    return Organisation.objects.filter(path_q("place_path", paths), is_active=True).order_by("place_path", "name")


# --- home page ---------------------------------------------------------------------------------------------


def home_items(user: Any) -> list[ActionItem]:
    """Cases waiting for this user's organisation, those near their limit and the overdue ones."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm_anywhere(Perm.MEDIATION_HANDLE):
        return []
    soon = current() + _near()
    counts = Case.objects.filter(handling_q(user)).aggregate(
        apply=Count("id", filter=Q(state=workflow.APPLIED)),
        open=Count("id", filter=Q(state__in=workflow.OPEN_STATES)),
        near=Count("id", filter=Q(state__in=workflow.RUNNING_STATES, limit_at__lte=soon, is_overdue=False)),
        overdue=Count("id", filter=Q(state__in=workflow.RUNNING_STATES, is_overdue=True)))
    url = reverse("mediation_case_list")
    items = []
    if counts["apply"]:
        items.append(ActionItem(title="待受理的调解申请", count=counts["apply"], url=f"{url}?mine=1&state=applied",
                                level="warning"))
    if counts["open"]:
        items.append(ActionItem(title="在办的调解案件", count=counts["open"], url=f"{url}?mine=1"))
    if counts["near"]:
        items.append(ActionItem(title="临近调解期限的案件", count=counts["near"], url=f"{url}?mine=1&near=1",
                                level="warning"))
    if counts["overdue"]:
        items.append(ActionItem(title="超过调解期限的案件", count=counts["overdue"], url=f"{url}?mine=1&overdue=1",
                                level="danger"))
    return items
