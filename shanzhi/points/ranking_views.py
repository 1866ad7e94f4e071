"""Pages of the points results (domain.md P4) and their traceability (issue 4: "every number on a ranking or
balance page can be traced, through the UI, to its entries and their rules"):

- the ranking (积分排名) of a scheme's subjects in a village, villager group or grid for a quarter, a year or
  custom dates, with the grids and groups compared, each score linking to the entries summed into it;
- a subject's results page (honour score, spent, spendable, the period's score and rank, per quarter with its
  stars, per item), each figure linking to its entries;
- the entry list (filtered: exactly the entries behind a figure, with their sum) and an entry's trace page:
  item and category, the village-rules clause, recorder, reviewer, the branch's approval of the quarter,
  evidence photos, what it corrects and what corrected it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.files.selectors import attachment_list
from shanzhi.honours.models import Listing, ListingStatus, Round, RoundKind, StarAward, TitleAward
from shanzhi.web.pagination import paginate

from . import ledger, links, ranking
from .choices import EARNING_KINDS, SPENDING_KINDS, EntryStatus, QuarterStatus
from .models import Entry, Item, Quarter

ZERO = Decimal("0.0")


def _stars_rules(scheme: Any) -> list[tuple[int, Decimal]]:
    from shanzhi.honours.services import star_rules

    try:
        return star_rules(scheme)
    except ValidationFailed:
        return []


def _period(request: HttpRequest) -> tuple[ranking.Period, str]:
    try:
        return ranking.Period.from_query(request.GET, today=ledger.today()), ""
    except ValidationFailed as exc:
        return ranking.Period.quarter(ledger.today()), exc.message


@login_required
def ranking_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_anywhere(Perm.POINTS_VIEW):
        raise NotFound()
    schemes = list(ranking.schemes_visible(user=user)[:200])
    wanted = request.GET.get("scheme")
    if not schemes:
        if wanted:
            raise NotFound()
        return render(request, "points/results/ranking.html", {"schemes": []})
    scheme = next((s for s in schemes if str(s.pk) == wanted), None) if wanted else schemes[0]
    if scheme is None:
        raise NotFound()
    scope = ranking.scope_for(user=user, scheme=scheme, code=request.GET.get("scope"))
    period, error = _period(request)
    page = ranking.ranking_page(request, user=user, scheme=scheme, scope=scope, period=period)
    ids = [a.pk for a in page]
    rules = _stars_rules(scheme)
    rnd = None
    awarded: dict[int, int] = {}
    if period.kind == "quarter":
        rnd = Round.objects.filter(scheme=scheme, kind=RoundKind.STARS, starts_on=period.starts_on).first()
        if rnd is not None:
            awarded = dict(StarAward.objects.filter(round=rnd, account_id__in=ids).values_list("account_id", "stars"))
    listed = set(Listing.objects.filter(account_id__in=ids, status=ListingStatus.LISTED)
                 .values_list("account_id", flat=True))
    # Links and figures prepared here, once per row: the template only prints them (50 rows × 3 links).
    entries_url = reverse("points_results_entries")
    account_url = reverse("points_results_account", args=[0])[:-2]
    span = f"from={period.starts_on:%Y-%m-%d}&to={period.ends_on:%Y-%m-%d}"
    for a in page:
        live = next((s for s, low in rules if a.score >= low), 0)
        a.row = {
            "account_href": f"{account_url}{a.pk}/?{period.query}",
            "score_href": f"{entries_url}?scheme={scheme.pk}&account={a.pk}&{span}&earning=1",
            "earned_href": f"{entries_url}?scheme={scheme.pk}&account={a.pk}&earning=1",
            "score": f"{a.score:.1f}", "earned": f"{a.earned:.1f}", "spendable": f"{a.spendable:.1f}",
            "live_stars": "★" * live, "awarded_stars": "★" * awarded.get(a.pk, 0), "listed": a.pk in listed,
        }
    quarter_row = None
    if period.kind == "quarter":
        quarter_row = Quarter.objects.filter(scheme=scheme, starts_on=period.starts_on).first()
    return render(request, "points/results/ranking.html", {
        "schemes": schemes, "scheme": scheme, "scope": scope, "period": period, "error": error, "page_obj": page,
        "places": ranking.scope_places(user=user, scheme=scheme),
        "units": ranking.unit_ranking(user=user, scheme=scheme, period=period) if scope.path == scheme.place_path
        else None,
        "star_rules": rules, "round": rnd, "quarter_row": quarter_row,
        "may_approve": user.has_perm_at(Perm.POINTS_APPROVE, scheme.place_path),
        "years": range(ledger.today().year, ledger.today().year - 6, -1), "quarters": (1, 2, 3, 4),
    })


@login_required
def account_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A subject's results: every figure links to the entries behind it."""
    user = request.user
    account = ranking.account_detail(user=user, pk=pk)
    scheme = account.scheme
    period, error = _period(request)
    scores = (Entry.objects.filter(period.entry_q(), scheme=scheme).values("account_id")
              .annotate(s=Sum("points")).order_by())
    by_account = {r["account_id"]: r["s"] for r in scores}
    score = by_account.get(account.pk) or ZERO
    rank = 1 + sum(1 for s in by_account.values() if s > score)
    deeds = Entry.objects.filter(period.entry_q(), account=account).count()
    # Per quarter of the period's year and per item of the period: grouped queries, links to the entries.
    year = ranking.Period.year(period.starts_on.year)
    per_quarter = {r["quarter"]: r for r in Entry.objects.filter(year.entry_q(), account=account)
                   .values("quarter").annotate(s=Sum("points"), n=Count("id")).order_by()}
    stars = {s.round.starts_on: s.stars for s in StarAward.objects.filter(account=account).select_related("round")}
    quarter_rows = []
    for q in range(4):
        first = year.starts_on.replace(month=q * 3 + 1)
        row = per_quarter.get(first)
        quarter_rows.append({"period": ranking.Period.quarter(first), "score": row["s"] if row else ZERO,
                         "deeds": row["n"] if row else 0, "stars": stars.get(first)})
    per_item = list(Entry.objects.filter(period.entry_q(), account=account)
                    .values("item_id", "item__code", "item__name", "item__category__name", "kind")
                    .annotate(s=Sum("points"), n=Count("id")).order_by("item__category__order", "item__code", "kind"))
    spend = Entry.objects.filter(account=account, kind__in=SPENDING_KINDS).aggregate(s=Sum("points"), n=Count("id"))
    return render(request, "points/results/account.html", {
        "account": account, "scheme": scheme, "period": period, "error": error, "score": score, "rank": rank,
        "ranked": len(by_account), "deeds": deeds, "quarter_rows": quarter_rows, "per_item": per_item,
        "spend_count": spend["n"],
        "titles": TitleAward.objects.filter(account=account).select_related("round").order_by("-round__starts_on"),
        "listings": Listing.objects.filter(account=account).order_by("-proposed_at"),
        "years": range(ledger.today().year, ledger.today().year - 6, -1), "quarters": (1, 2, 3, 4),
    })


@login_required
def entry_list_page(request: HttpRequest) -> HttpResponse:
    """The entries behind a figure: the filters of the link, the rows, and their sum (equal to the figure)."""
    user = request.user
    if not user.has_perm_anywhere(Perm.POINTS_VIEW):
        raise NotFound()
    scheme = ranking.scheme_for(user=user, pk=request.GET.get("scheme"))
    filters = ranking.EntryFilters.from_query(request.GET)
    spending = request.GET.get("spending") in ("1", "on", "true")
    qs = ranking.entry_list(user=user, scheme=scheme, filters=filters)
    if spending:
        qs = qs.filter(kind__in=SPENDING_KINDS)
    account = None
    if filters.account:
        account = ranking.account_detail(user=user, pk=filters.account)
        if account.scheme_id != scheme.pk:
            raise NotFound()
    item = Item.objects.filter(scheme=scheme, pk=filters.item).first() if filters.item else None
    place = ranking.scope_for(user=user, scheme=scheme, code=filters.place) if filters.place else None
    total = qs.order_by().aggregate(s=Sum("points"))["s"] or ZERO
    page = paginate(request, qs)
    return render(request, "points/results/entries.html", {
        "scheme": scheme, "filters": filters, "account": account, "item": item, "place": place, "total": total,
        "page_obj": page, "spending": spending, "statuses": EntryStatus.choices,
        "entry_url": reverse("points_results_entry", args=[0])[:-2],
    })


@login_required
def entry_page(request: HttpRequest, pk: int) -> HttpResponse:
    """An entry traced: the rule, the deed, who recorded and who approved it, the evidence, the corrections."""
    user = request.user
    entry = ranking.entry_detail(user=user, pk=pk)
    quarter_row = (Quarter.objects.filter(scheme_id=entry.scheme_id, starts_on=entry.quarter)
                   .select_related("approved_by", "publication").first())
    clause_id = entry.item.rule_clause_id if entry.item_id else None
    corrections = list(Entry.objects.visible_to(user, Perm.POINTS_VIEW).filter(corrects=entry)
                       .select_related("recorder", "reviewer").order_by("created_at", "pk"))
    counted = entry.status == EntryStatus.APPROVED and entry.kind in EARNING_KINDS
    return render(request, "points/results/entry.html", {
        "entry": entry, "account": entry.account, "scheme": entry.scheme, "quarter_row": quarter_row,
        "quarter_label": ranking.quarter_label(entry.quarter), "approved_quarter": QuarterStatus.OPEN,
        "clause_label": links.clause_label(clause_id), "clause_url": links.clause_url(clause_id),
        "photos": attachment_list(user=user, obj=entry), "corrections": corrections, "counted": counted,
        "reconsiderations": entry.account.reconsiderations.filter(Q(entry=entry) | Q(correction=entry))
        .order_by("-filed_at")[:20],
    })
