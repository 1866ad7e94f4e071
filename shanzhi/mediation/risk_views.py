"""Risk pages (domain.md M6): the open high- and medium-risk disputes of a place, the repeated disputes, and a
case's risk page (grade with reason and its history, repeats, the linked early warning). Out of scope is 404."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.timezone import now
from django.views.decorators.http import require_http_methods

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ApplicationError, NotFound
from shanzhi.regions.models import Place
from shanzhi.web.pagination import Page, page_number, paginate

from . import risk, selectors
from .choices import RiskLevel

PER_PAGE = 30


def _place(request: HttpRequest) -> tuple[Place, list[Place]]:
    if not request.user.has_perm_anywhere(Perm.MEDIATION_VIEW):
        raise NotFound()
    places = list(Place.objects.visible_to(request.user, Perm.MEDIATION_VIEW)
                  .filter(level__in=("county", "township", "village"), is_active=True).order_by("path")[:400])
    if not places:
        raise NotFound()
    code = (request.GET.get("place") or "").strip()[:12]
    if not code:
        return places[0], places
    place = Place.objects.visible_to(request.user, Perm.MEDIATION_VIEW).filter(code=code).first()
    if place is None:
        raise NotFound()
    return place, places


@login_required
def risk_index(request: HttpRequest) -> HttpResponse:
    place, places = _place(request)
    return render(request, "mediation/stats/risk.html", {
        "place": place, "places": places,
        "page_obj": paginate(request, risk.high_risk_cases(user=request.user, place=place), per_page=PER_PAGE)})


@login_required
def risk_repeats(request: HttpRequest) -> HttpResponse:
    """Repeated disputes under the place in the last three years, newest group first (paginated by group)."""
    place, places = _place(request)
    since = now() - dt.timedelta(days=365 * risk.REPEAT_YEARS)
    groups = risk.repeat_groups(user=request.user, place=place, since=since)
    number = page_number(request.GET.get("page"))
    chunk = groups[(number - 1) * PER_PAGE: number * PER_PAGE]
    page = Page(object_list=chunk, number=number, per_page=PER_PAGE, has_next=len(groups) > number * PER_PAGE,
                count=len(groups), count_capped=False)
    return render(request, "mediation/stats/repeats.html", {"place": place, "places": places, "page_obj": page})


def _history(case) -> list[dict]:
    labels = dict(RiskLevel.choices)
    return [{"at": e.at, "by": e.actor_name, "before": labels.get((e.before or {}).get("risk_level"), "—"),
             "after": labels.get((e.after or {}).get("risk_level"), ""), "reason": (e.after or {}).get("note", "")}
            for e in risk.risk_history(case)]


@login_required
@require_http_methods(["GET", "POST"])
def risk_case(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_detail(user=request.user, pk=pk)
    if not request.user.has_perm_at(Perm.MEDIATION_VIEW, case.place_path):
        raise NotFound()  # the applicant sees the case on the phone, never the internal risk assessment
    error = ""
    if request.method == "POST":
        try:
            outcome = risk.risk_grade(acting_user=request.user, case=case, level=request.POST.get("level", ""),
                                      reason=request.POST.get("reason", ""))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            said = {"raised": "，并已发布橙色预警", "linked": "，已关联该地生效中的预警",
                    "notified": "，已提请乡镇研判发布预警"}.get(outcome.warning_action, "")
            messages.success(request, f"已评定信访风险为“{outcome.case.get_risk_level_display()}”{said}。")
            return redirect("mediation_risk_case", pk=pk)
    from shanzhi.warning.selectors import current_warning

    return render(request, "mediation/stats/risk_case.html", {
        "case": case, "error": error, "levels": RiskLevel.choices,
        "can_grade": selectors.can_handle(request.user, case) and case.closed_at is None,
        "history": _history(case),
        "repeats": risk.repeats_for(user=request.user, case=case),
        "warning": current_warning(case.place, user=request.user),
        "form": request.POST if request.method == "POST" else None})
