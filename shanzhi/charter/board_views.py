"""村务公开栏 (domain.md A4): the village's public board (no login, phone first) in its four sections, with every
current and past publication, search by title and the printable notices; and the township's page of
disclosure frequency per village against the law, listing overdue villages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound
from shanzhi.publication import clock
from shanzhi.publication.choices import BoardSection
from shanzhi.publication.pdf import committee_name
from shanzhi.web.pagination import DEFAULT_PER_PAGE, Page, page_number, paginate

from . import board, selectors

BOARD_PER_PAGE = 20


@require_GET
def board_page(request: HttpRequest, code: str) -> HttpResponse:
    village = selectors.public_village(code=code)
    section = request.GET.get("section", "")
    if section not in BoardSection.values:
        section = ""
    q = (request.GET.get("q") or "").strip()[:50]
    return render(request, "charter/board.html", {
        "village": village, "committee": committee_name(village.name),
        "sections": BoardSection.choices, "section": section, "q": q,
        "page_obj": paginate(request, board.board_publications(village=village, section=section, q=q),
                             per_page=BOARD_PER_PAGE),
        "today": clock.today(),
    })


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_anywhere(Perm.AFFAIRS_VIEW):
        raise NotFound()
    only_overdue = request.GET.get("overdue") == "1"
    q = (request.GET.get("q") or "").strip()
    villages = board.overview_villages(user=user)
    if q:
        villages = villages.filter(name__contains=q)
    today = clock.today()
    states = board.disclosure_states(list(villages.only("id", "code", "name", "path")[:2000]), today=today)
    overdue_count, total = sum(1 for s in states if s.overdue), len(states)
    if only_overdue:
        states = [s for s in states if s.overdue]
    number = page_number(request.GET.get("page"))
    per = DEFAULT_PER_PAGE
    rows = states[(number - 1) * per: number * per]
    page_obj = Page(object_list=rows, number=number, per_page=per, has_next=len(states) > number * per,
                    count=len(states), count_capped=False)
    return render(request, "charter/board_overview.html", {
        "page_obj": page_obj, "only_overdue": only_overdue, "q": q, "overdue_count": overdue_count,
        "total": total, "sections": BoardSection.choices,
        "today": today, "month_due": board.previous_month_start(today),
        "quarter_due": board.previous_quarter_start(today),
    })

