"""Staff pages of the publication kernel: the list in scope, a publication with its objections, the
household-list publish form of a villager group. They parse input and call services (conventions)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.views.decorators.http import require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.core.forms import parse_date
from shanzhi.imports.xlsx import export_rows, xlsx_response
from shanzhi.people.services import village_of
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate

from . import clock, selectors, services
from .choices import ObjectionStatus, Phase, PublicationKind
from .models import Objection, Publication

DEFAULT_DAYS = 7


@login_required
def publication_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.PublicationFilters.from_query(request.GET)
    qs = selectors.publication_list(user=request.user, filters=filters)
    if request.GET.get("export") == "xlsx":
        rows = ([p.title, p.get_kind_display(), p.place.name, p.starts_on, p.ends_on, p.get_status_display(), p.fingerprint,
                 p.public_id]
                for p in export_rows(request, qs.select_related("place"), perm=Perm.PUBLICATION_VIEW,
                                     event="publication_export", what="公示", narrow=False))
        return xlsx_response(f"公示-{dt.date.today():%Y%m%d}.xlsx",
                             ["标题", "类型", "区划", "开始日期", "截止日期", "状态", "内容指纹", "公开编号"], rows, title="公示")
    page = paginate(request, qs)
    return render(request, "publication/list.html", {"page_obj": page, "filters": filters, "phases": Phase.choices,
                                                     "kinds": PublicationKind.choices})


@login_required
def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication = selectors.publication_detail(user=request.user, pk=pk)
    can_publish = request.user.has_perm_at(Perm.PUBLISH, publication.place_path)
    return render(request, "publication/detail.html", {
        "p": publication, "objections": selectors.objection_list(publication=publication),
        "superseded_by": selectors.superseding(publication),
        "can_publish": can_publish and publication.is_live,
        "can_handle": services.may_handle_objections(request.user, publication),
        "can_correct": can_publish and publication.is_live and publication.kind == PublicationKind.HOUSEHOLD_LIST
        and publication.place.level == Level.GROUP,
        "decisions": [(ObjectionStatus.REJECTED, ObjectionStatus.REJECTED.label),
                      (ObjectionStatus.UPHELD, ObjectionStatus.UPHELD.label)],
    })


@login_required
@require_POST
def publication_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    publication = selectors.publication_detail(user=request.user, pk=pk)
    try:
        services.publication_withdraw(acting_user=request.user, publication=publication,
                                      reason=request.POST.get("reason", ""))
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已撤回该公示。")
    return redirect("publication_detail", pk=publication.pk)


@login_required
@require_POST
def objection_handle(request: HttpRequest, pk: int) -> HttpResponse:
    objection = Objection.objects.select_related("publication").get_visible(request.user, Perm.PUBLICATION_VIEW, pk=pk)
    try:
        services.objection_handle(acting_user=request.user, objection=objection,
                                  decision=request.POST.get("decision", ""), reply=request.POST.get("reply", ""))
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已答复异议 {objection.receipt}。")
    return redirect("publication_detail", pk=objection.publication_id)


@login_required
@require_POST
def objection_phone_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the objector's full phone number in place of the masked one (audited by the service)."""
    objection = Objection.objects.select_related("publication").get_visible(request.user, Perm.PUBLICATION_VIEW, pk=pk)
    try:
        value = services.objection_phone_reveal(acting_user=request.user, objection=objection)
    except PermissionDenied as exc:
        return HttpResponse(f'<span class="text-danger small">{escape(exc.message)}</span>', status=403)
    return render(request, "people/_revealed.html", {"value": value})


@login_required
@require_http_methods(["GET", "POST"])
def group_publish(request: HttpRequest, code: str) -> HttpResponse:
    """公示本组户籍名单: preview exactly what will be shown, choose the period, publish."""
    group = Place.objects.get_visible(request.user, Perm.PUBLISH, code=code)
    if group.level != Level.GROUP:
        raise NotFound()
    village = village_of(group)
    supersedes: Publication | None = None
    supersedes_pk = request.POST.get("supersedes") or request.GET.get("supersedes")
    if supersedes_pk:
        supersedes = Publication.objects.get_visible(request.user, Perm.PUBLISH, pk=supersedes_pk)
    today = clock.today()
    form = {"title": services.household_list_title(group, village), "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat(), "contact": "", "reason": ""}
    error = ""
    if request.method == "POST":
        form.update({k: request.POST.get(k, "") for k in form})
        try:
            publication = services.group_household_list_publish(
                acting_user=request.user, group=group, title=form["title"], contact=form["contact"],
                starts_on=parse_date(form["starts_on"], "开始日期"), ends_on=parse_date(form["ends_on"], "截止日期"),
                supersedes=supersedes, reason=form["reason"])
        except (ValidationFailed, Conflict) as exc:
            error = exc.message
        else:
            messages.success(request, f"已发布公示，公开编号 {publication.public_id}。")
            return redirect("publication_detail", pk=publication.pk)
    rows = selectors.group_household_rows(user=request.user, group=group)
    return render(request, "publication/group_publish.html", {
        "group": group, "village": village, "form": form, "error": error, "supersedes": supersedes,
        "columns": services.HOUSEHOLD_LIST_COLUMNS, "rows": rows,
    })
