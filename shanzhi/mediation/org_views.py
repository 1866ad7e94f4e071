"""Pages of M1: mediation organisations and their members (with the committee-rule warnings), mediators with
specialties and honours, the expert pool, and the legal adviser of each village."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from shanzhi.access.models import User
from shanzhi.access.roles import Perm, Role
from shanzhi.core.errors import ApplicationError, NotFound
from shanzhi.core.forms import parse_pk
from shanzhi.core.http import act_then_redirect
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate

from . import selectors, services
from .choices import DisputeType, OrgKind, Post, Sex, Trade
from .models import Mediator, Membership


def _need(user: Any, perm: str) -> None:
    if not user.has_perm_anywhere(perm):
        raise NotFound()


def _manage_places(user: Any, levels: tuple[str, ...]) -> list[Place]:
    return list(Place.objects.visible_to(user, Perm.MEDIATION_MANAGE).filter(
        level__in=levels, is_active=True).order_by("path")[:500])


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _need(user, Perm.MEDIATION_VIEW)
    kind = request.GET.get("kind", "")
    page = paginate(request, selectors.organisation_list(user=user, kind=kind, q=request.GET.get("q", "")[:40]))
    for org in page:
        org.warnings = selectors.committee_warnings(org, members=org.members, women=org.women)
    return render(request, "mediation/org_list.html", {
        "page_obj": page, "kinds": OrgKind.choices, "kind": kind, "q": request.GET.get("q", ""),
        "can_manage": user.has_perm_anywhere(Perm.MEDIATION_MANAGE), "query": request.GET.urlencode()})


@login_required
@require_http_methods(["GET", "POST"])
def org_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    places = _manage_places(user, ("county", "township", "village"))
    if not places:
        raise NotFound()
    error = ""
    if request.method == "POST":
        place = next((p for p in places if str(p.pk) == request.POST.get("place")), None)
        try:
            if place is None:
                raise services.ValidationFailed("请选择所在区划。")
            org = services.organisation_create(
                acting_user=user, place=place, name=request.POST.get("name", ""), kind=request.POST.get("kind", ""),
                abbreviation=request.POST.get("abbreviation", ""), trade=request.POST.get("trade", ""),
                address=request.POST.get("address", ""), phone=request.POST.get("phone", ""))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"已设立{org.name}。")
            return redirect("mediation_org_detail", pk=org.pk)
    return render(request, "mediation/org_new.html", {
        "places": places, "kinds": OrgKind.choices, "trades": Trade.choices, "error": error,
        "form": request.POST if request.method == "POST" else {}})


@login_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = selectors.organisation_detail(user=user, pk=pk)
    can_manage = user.has_perm_at(Perm.MEDIATION_MANAGE, org.place_path)
    candidates = []
    if can_manage:
        current = set(org.memberships.filter(is_active=True).values_list("mediator_id", flat=True))
        candidates = [m for m in Mediator.objects.visible_to(user, Perm.MEDIATION_MANAGE).filter(
            is_active=True, place_path__prefix=org.place_path[:6]).order_by("name")[:300] if m.pk not in current]
    return render(request, "mediation/org_detail.html", {
        "org": org, "members": selectors.members(org), "warnings": selectors.committee_warnings(org),
        "can_manage": can_manage, "candidates": candidates, "posts": Post.choices,
        "cases": selectors.case_list(user=user).filter(organisation=org)[:20]})


@login_required
@require_POST
def org_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organisation_detail(user=request.user, pk=pk)
    mediator = Mediator.objects.visible_to(request.user, Perm.MEDIATION_MANAGE).filter(
        pk=parse_pk(request.POST.get("mediator"))).first()

    def act() -> None:
        if mediator is None:
            raise services.ValidationFailed("请选择调解员。")
        services.membership_add(acting_user=request.user, organisation=org, mediator=mediator,
                                post=request.POST.get("post", ""), started_on=request.POST.get("started_on"))

    return act_then_redirect(request, act, success="已增加成员。", to=redirect("mediation_org_detail", pk=org.pk))


@login_required
@require_POST
def org_member_end(request: HttpRequest, pk: int, membership: int) -> HttpResponse:
    org = selectors.organisation_detail(user=request.user, pk=pk)
    m = Membership.objects.filter(pk=membership, organisation=org).first()
    if m is None:
        raise NotFound()
    return act_then_redirect(
        request, lambda: services.membership_end(acting_user=request.user, membership=m,
                                                 ended_on=request.POST.get("ended_on")),
        success="已办理离任。", to=redirect("mediation_org_detail", pk=org.pk))


@login_required
def mediator_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _need(user, Perm.MEDIATION_VIEW)
    specialty = request.GET.get("specialty", "")
    qs = selectors.mediator_list(user=user, q=request.GET.get("q", "")[:40], specialty=specialty,
                                 expert=request.GET.get("expert") == "1", honoured=request.GET.get("honoured") == "1")
    return render(request, "mediation/mediator_list.html", {
        "page_obj": paginate(request, qs), "types": DisputeType.choices, "specialty": specialty,
        "q": request.GET.get("q", ""), "expert": request.GET.get("expert") == "1",
        "honoured": request.GET.get("honoured") == "1", "query": request.GET.urlencode(),
        "can_manage": user.has_perm_anywhere(Perm.MEDIATION_MANAGE)})


@login_required
def expert_pool(request: HttpRequest) -> HttpResponse:
    """专家库: the county's experts a party may ask for, by specialty."""
    user = request.user
    _need(user, Perm.MEDIATION_VIEW)
    specialty = request.GET.get("specialty", "")
    return render(request, "mediation/experts.html", {
        "page_obj": paginate(request, selectors.expert_pool(user=user, specialty=specialty)),
        "types": DisputeType.choices, "specialty": specialty, "query": request.GET.urlencode()})


def _mediator_accounts(user: Any) -> list[User]:
    paths = user.scope_paths(Perm.MEDIATION_MANAGE)
    from shanzhi.core.scoping import path_q

    if not paths:
        return []
    return list(User.objects.filter(path_q("role_assignments__place_path", paths), is_active=True,
                                    role_assignments__role=Role.MEDIATOR, role_assignments__is_active=True,
                                    mediator__isnull=True).distinct().order_by("username")[:300])


@login_required
@require_http_methods(["GET", "POST"])
def mediator_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    places = _manage_places(user, ("county", "township", "village"))
    if not places:
        raise NotFound()
    accounts = _mediator_accounts(user)
    error = ""
    if request.method == "POST":
        place = next((p for p in places if str(p.pk) == request.POST.get("place")), None)
        account = next((a for a in accounts if str(a.pk) == request.POST.get("user")), None)
        try:
            if place is None:
                raise services.ValidationFailed("请选择所在区划。")
            m = services.mediator_create(
                acting_user=user, place=place, name=request.POST.get("name", ""), sex=request.POST.get("sex", ""),
                phone=request.POST.get("phone", ""), user=account, specialties=request.POST.getlist("specialties"),
                honours=request.POST.get("honours", ""), in_expert_pool=request.POST.get("in_expert_pool") == "1",
                profession=request.POST.get("profession", ""))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"已登记调解员{m.name}。")
            return redirect("mediation_mediator_detail", pk=m.pk)
    return render(request, "mediation/mediator_new.html", {
        "places": places, "accounts": accounts, "sexes": Sex.choices, "types": DisputeType.choices, "error": error,
        "form": request.POST if request.method == "POST" else {},
        "chosen": request.POST.getlist("specialties") if request.method == "POST" else []})


@login_required
@require_http_methods(["GET", "POST"])
def mediator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    m = selectors.mediator_detail(user=user, pk=pk)
    can_manage = user.has_perm_at(Perm.MEDIATION_MANAGE, m.place_path)
    if request.method == "POST":
        if not can_manage:
            raise NotFound()
        return act_then_redirect(request, lambda: services.mediator_update(
            acting_user=user, mediator=m, specialties=request.POST.getlist("specialties"),
            honours=request.POST.get("honours", ""), in_expert_pool=request.POST.get("in_expert_pool") == "1",
            phone=request.POST.get("phone", ""), profession=request.POST.get("profession", ""),
            is_active=request.POST.get("is_active") == "1"),
            success="已保存。", to=redirect("mediation_mediator_detail", pk=m.pk))
    return render(request, "mediation/mediator_detail.html", {
        "m": m, "can_manage": can_manage, "types": DisputeType.choices,
        "memberships": m.memberships.select_related("organisation").order_by("-is_active", "-started_on"),
        "cases": selectors.case_list(user=user).filter(mediator=m)[:20]})


def _adviser_accounts(user: Any) -> list[User]:
    """Accounts holding the 法律顾问 role in the counties where the user manages mediation."""
    from shanzhi.core.scoping import path_q

    counties = sorted({p[:6] for p in user.scope_paths(Perm.MEDIATION_MANAGE)})
    return list(User.objects.filter(path_q("role_assignments__place_path", counties), is_active=True,
                                    role_assignments__role=Role.LEGAL_ADVISER, role_assignments__is_active=True)
                .distinct().order_by("username")[:300])


@login_required
@require_http_methods(["GET", "POST"])
def adviser_list(request: HttpRequest) -> HttpResponse:
    """一村一法律顾问: each village's current adviser, and (for managers) the appointment form."""
    user = request.user
    _need(user, Perm.MEDIATION_VIEW)
    villages = _manage_places(user, ("village",))
    advisers = _adviser_accounts(user) if villages else []
    if request.method == "POST":
        village = next((v for v in villages if str(v.pk) == request.POST.get("village")), None)
        account = next((a for a in advisers if str(a.pk) == request.POST.get("user")), None)

        def act() -> None:
            if village is None:
                raise services.ValidationFailed("请选择村（社区）。")
            if account is None:
                raise services.ValidationFailed("请选择法律顾问账号。")
            services.legal_adviser_appoint(acting_user=user, village=village, user=account,
                                           name=request.POST.get("name", ""), firm=request.POST.get("firm", ""),
                                           phone=request.POST.get("phone", ""),
                                           started_on=request.POST.get("started_on"))

        return act_then_redirect(request, act, success="已聘任法律顾问。", to=redirect("mediation_advisers"))
    return render(request, "mediation/advisers.html", {
        "page_obj": paginate(request, selectors.adviser_list(user=user)), "villages": villages, "accounts": advisers,
        "query": request.GET.urlencode()})
