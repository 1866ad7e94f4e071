"""Pages of 星级、表彰与黑榜 (domain.md P4): the rounds of a scheme (评定本季星级, 年终评优, publication), a
round's awards, the black list with proposal, the branch's confirmation, progress notes, removal and
publication. Views parse input and call ``services``/``selectors``; refusals show as messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.core.http import act_then_redirect
from shanzhi.points import ledger, links, ranking
from shanzhi.web.pagination import paginate

from . import selectors, services
from .models import ListingStatus, RoundKind


def _scheme(request: HttpRequest, value: Any = None) -> tuple[list[Any], Any]:
    user = request.user
    if not user.has_perm_anywhere(Perm.POINTS_VIEW):
        raise NotFound()
    schemes = list(ranking.schemes_visible(user=user)[:200])
    wanted = value if value is not None else request.GET.get("scheme")
    if not schemes:
        if wanted:
            raise NotFound()
        return [], None
    scheme = next((s for s in schemes if str(s.pk) == str(wanted)), None) if wanted else schemes[0]
    if scheme is None:
        raise NotFound()
    return schemes, scheme


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _window(request: HttpRequest) -> tuple[dt.date | None, dt.date | None]:
    return _date(request.POST.get("starts_on")), _date(request.POST.get("ends_on"))


def _defaults() -> dict[str, Any]:
    today = ledger.today()
    last_quarter = ranking.quarter_start(ranking.quarter_start(today) - dt.timedelta(days=1))
    return {"today": today, "window_end": today + dt.timedelta(days=6), "last_quarter": last_quarter,
            "last_q": (last_quarter.month - 1) // 3 + 1,
            "years": range(today.year, today.year - 6, -1), "quarters": (1, 2, 3, 4)}


@login_required
def honours_index(request: HttpRequest) -> HttpResponse:
    schemes, scheme = _scheme(request)
    ctx: dict[str, Any] = {"schemes": schemes, "scheme": scheme, **_defaults()}
    if scheme is not None:
        ctx.update(page_obj=paginate(request, selectors.round_list(user=request.user, scheme=scheme)),
                   may_approve=request.user.has_perm_at(Perm.POINTS_APPROVE, scheme.place_path),
                   counts=services.listing_counts(scheme=scheme))
    return render(request, "honours/index.html", ctx)


@login_required
def round_page(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = selectors.round_detail(user=request.user, pk=pk)
    awards = (rnd.stars.order_by("-stars", "-score", "name") if rnd.kind == RoundKind.STARS
              else rnd.titles.order_by("title", "rank", "name"))
    return render(request, "honours/round.html", {
        "round": rnd, "scheme": rnd.scheme, "page_obj": paginate(request, awards), **_defaults(),
        "may_approve": request.user.has_perm_at(Perm.POINTS_APPROVE, rnd.place_path),
        "period": ranking.Period("quarter" if rnd.kind == RoundKind.STARS else "year", rnd.starts_on, rnd.ends_on),
    })


@require_POST
@login_required
def stars_assess(request: HttpRequest) -> HttpResponse:
    quarter = _date(request.POST.get("quarter"))
    if quarter is None:
        try:
            year, q = int(request.POST.get("year", "")), int(request.POST.get("q", ""))
            quarter = dt.date(year, (q - 1) * 3 + 1, 1)
        except (TypeError, ValueError):
            quarter = None
    scheme_id = request.POST.get("scheme")
    box: dict[str, Any] = {}

    def act() -> None:
        if quarter is None:
            raise ValidationFailed("请选择季度。")
        box["round"] = services.stars_assess(acting_user=request.user, scheme_id=scheme_id, quarter=quarter)

    response = act_then_redirect(request, act, success="已评定本季星级。",
                                 to=redirect(f"{reverse('honours_index')}?scheme={scheme_id}"))
    return redirect("honours_round", pk=box["round"].pk) if "round" in box else response


@require_POST
@login_required
def titles_assess(request: HttpRequest) -> HttpResponse:
    scheme_id = request.POST.get("scheme")
    box: dict[str, Any] = {}

    def act() -> None:
        try:
            year = int(request.POST.get("year", ""))
        except (TypeError, ValueError):
            raise ValidationFailed("请选择年度。")
        if not 2000 <= year <= 2100:
            raise ValidationFailed("请选择 2000—2100 年之间的年度。")
        box["round"] = services.titles_assess(acting_user=request.user, scheme_id=scheme_id, year=year)

    response = act_then_redirect(request, act, success="已完成年终评优。",
                                 to=redirect(f"{reverse('honours_index')}?scheme={scheme_id}"))
    return redirect("honours_round", pk=box["round"].pk) if "round" in box else response


@require_POST
@login_required
def round_publish(request: HttpRequest, pk: int) -> HttpResponse:
    starts_on, ends_on = _window(request)
    return act_then_redirect(
        request, lambda: services.round_publish(acting_user=request.user, round_id=pk, starts_on=starts_on,
                                                ends_on=ends_on),
        success="已公示。", to=redirect("honours_round", pk=pk))


@login_required
def blacklist_page(request: HttpRequest) -> HttpResponse:
    schemes, scheme = _scheme(request)
    ctx: dict[str, Any] = {"schemes": schemes, "scheme": scheme, **_defaults(), "statuses": ListingStatus.choices}
    if scheme is not None:
        status = request.GET.get("status", "")
        ctx.update(status=status,
                   page_obj=paginate(request, selectors.listing_list(user=request.user, scheme=scheme, status=status)),
                   may_approve=request.user.has_perm_at(Perm.POINTS_APPROVE, scheme.place_path),
                   may_propose=any(request.user.has_perm_at(p, scheme.place_path)
                                   for p in (Perm.POINTS_APPROVE, Perm.POINTS_REVIEW)))
    return render(request, "honours/blacklist.html", ctx)


@require_POST
@login_required
def blacklist_propose(request: HttpRequest) -> HttpResponse:
    scheme_id = request.POST.get("scheme")

    def act() -> None:
        period = ranking.Period.from_query(request.POST, today=ledger.today())
        services.blacklist_propose(acting_user=request.user, scheme_id=scheme_id, period=period)

    return act_then_redirect(request, act, success="已按黑榜线提出名单，待党支部审核。",
                             to=redirect(f"{reverse('honours_blacklist')}?scheme={scheme_id}&status=proposed"))


@require_POST
@login_required
def blacklist_publish(request: HttpRequest) -> HttpResponse:
    scheme_id = request.POST.get("scheme")
    starts_on, ends_on = _window(request)
    return act_then_redirect(
        request, lambda: services.blacklist_publish(acting_user=request.user, scheme_id=scheme_id,
                                                    starts_on=starts_on, ends_on=ends_on),
        success="黑榜已公示。", to=redirect(f"{reverse('honours_blacklist')}?scheme={scheme_id}"))


@login_required
def listing_page(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_detail(user=request.user, pk=pk)
    scheme = listing.scheme
    period = ranking.Period("custom", listing.starts_on, listing.ends_on)
    may_approve = request.user.has_perm_at(Perm.POINTS_APPROVE, scheme.place_path)
    return render(request, "honours/listing.html", {
        "listing": listing, "scheme": scheme, "period": period, "notes": listing.notes.select_related("author"),
        "may_approve": may_approve,
        "may_note": any(request.user.has_perm_at(p, listing.place_path)
                        for p in (Perm.POINTS_APPROVE, Perm.POINTS_RECORD, Perm.POINTS_REVIEW)),
        "helpers": selectors.helper_choices(scheme=scheme) if may_approve and listing.status == "proposed" else [],
        "clauses": links.clause_choices(scheme.place) if may_approve and listing.status == "proposed" else [],
        "clause_label": links.clause_label(listing.clause_id), "clause_url": links.clause_url(listing.clause_id),
        "benefit_choices": services.BENEFITS, **_defaults(),
    })


@require_POST
@login_required
def listing_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    benefits = request.POST.getlist("benefits")
    other = (request.POST.get("benefit_other") or "").strip()
    if other:
        benefits.append(other)
    return act_then_redirect(
        request, lambda: services.listing_confirm(
            acting_user=request.user, listing_id=pk, benefits=benefits, helper_id=request.POST.get("helper"),
            conditions=request.POST.get("conditions", ""), months=request.POST.get("months", 12),
            clause_id=request.POST.get("clause") or None, note=request.POST.get("note", "")),
        success="已列入黑榜。", to=redirect("honours_listing", pk=pk))


@require_POST
@login_required
def listing_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    return act_then_redirect(
        request, lambda: services.listing_dismiss(acting_user=request.user, listing_id=pk,
                                                  note=request.POST.get("note", "")),
        success="已决定不列入黑榜。", to=redirect("honours_listing", pk=pk))


@require_POST
@login_required
def listing_note(request: HttpRequest, pk: int) -> HttpResponse:
    return act_then_redirect(
        request, lambda: services.listing_note_add(acting_user=request.user, listing_id=pk,
                                                   text=request.POST.get("text", "")),
        success="已记录帮扶进展。", to=redirect("honours_listing", pk=pk))


@require_POST
@login_required
def listing_remove(request: HttpRequest, pk: int) -> HttpResponse:
    starts_on, ends_on = _window(request)
    return act_then_redirect(
        request, lambda: services.listing_remove(acting_user=request.user, listing_id=pk,
                                                 reason=request.POST.get("reason", ""), starts_on=starts_on,
                                                 ends_on=ends_on),
        success="已移出黑榜，并已公示。", to=redirect("honours_listing", pk=pk))
