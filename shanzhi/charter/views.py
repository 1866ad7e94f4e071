"""Staff pages of the village rules (村规民约, domain.md A6): the list of versions, a version's page with its
clauses, hearings (四听), decision (四议) and publication, the clause editor, and the diff between versions.
Views parse input and call services/selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ApplicationError, NotFound
from shanzhi.core.forms import parse_date
from shanzhi.core.http import act_then_redirect
from shanzhi.publication.models import Publication
from shanzhi.web.pagination import paginate

from . import selectors, services
from .choices import HearingParty, RulesStatus
from .models import RulesVersion

NEW_CLAUSE_ROWS = 3


def _decision_url(decision_id: int | None) -> str:
    if not decision_id:
        return ""
    from shanzhi.affairs import api as affairs

    return affairs.decision_url(decision_id)


def _decision_outcome(decision_id: int | None) -> str:
    if not decision_id:
        return ""
    from shanzhi.affairs import api as affairs

    return affairs.decision_outcome(decision_id)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """权力清单与村规: the village rules in the user's scope, with the way to the power lists and the boards."""
    user = request.user
    if not (user.has_perm_anywhere(Perm.AFFAIRS_VIEW) or user.has_perm_anywhere(Perm.CHARTER_MANAGE)):
        raise NotFound()
    filters = selectors.RulesFilters.from_query(request.GET)
    return render(request, "charter/index.html", {
        "page_obj": paginate(request, selectors.rules_list(user=user, filters=filters)),
        "filters": filters,
        "statuses": RulesStatus.choices,
        "can_create": selectors.charter_villages(user=user).exists(),
    })


rules_list = index


@login_required
@require_http_methods(["GET", "POST"])
def rules_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    villages = list(selectors.charter_villages(user=user)[:500])
    if not villages:
        raise NotFound()
    error = ""
    if request.method == "POST":
        village = next((v for v in villages if v.code == request.POST.get("village")), None)
        try:
            if village is None:
                raise NotFound()
            version = services.rules_version_create(acting_user=user, village=village,
                                                    title=request.POST.get("title", ""),
                                                    preamble=request.POST.get("preamble", ""))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"已创建第{version.number}版草案。")
            return redirect(version.get_absolute_url())
    return render(request, "charter/rules_new.html", {"villages": villages, "error": error,
                                                       "form": request.POST if request.method == "POST" else None},
                  status=400 if error else 200)


@login_required
@require_GET
def rules_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    version = selectors.rules_detail(user=user, pk=pk)
    can_manage = user.has_perm_at(Perm.CHARTER_MANAGE, version.place_path)
    publication = (Publication.objects.filter(pk=version.publication_id).only("public_id", "title").first()
                   if version.publication_id else None)
    return render(request, "charter/rules_detail.html", {
        "version": version,
        "clauses": selectors.rules_clauses(version),
        "hearings": selectors.rules_hearings(version),
        "missing_hearings": services.missing_hearings(version) if version.status == RulesStatus.HEARING else [],
        "versions": selectors.village_versions(version),
        "can_manage": can_manage,
        "can_publish": can_manage and user.has_perm_at(Perm.PUBLISH, version.place_path),
        "parties": HearingParty.choices,
        "decision_url": _decision_url(version.decision_id),
        "decision_outcome": _decision_outcome(version.decision_id) if version.status == RulesStatus.ADOPTING else "",
        "publication": publication,
        "has_open_version": RulesVersion.objects.filter(
            village_id=version.village_id,
            status__in=[RulesStatus.DRAFT, RulesStatus.HEARING, RulesStatus.ADOPTING]).exists(),
    })


def _managed(request: HttpRequest, pk: int) -> RulesVersion:
    version = selectors.rules_detail(user=request.user, pk=pk)
    if not request.user.has_perm_at(Perm.CHARTER_MANAGE, version.place_path):
        raise NotFound()
    return version


@login_required
@require_http_methods(["GET", "POST"])
def rules_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _managed(request, pk)
    error = ""
    if request.method == "POST":
        try:
            services.rules_version_update(acting_user=request.user, version=version,
                                          title=request.POST.get("title", ""), preamble=request.POST.get("preamble", ""))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "已保存。")
            return redirect(version.get_absolute_url())
    return render(request, "charter/rules_edit.html", {"version": version, "error": error,
                                                        "form": request.POST if request.method == "POST" else None},
                  status=400 if error else 200)


def _posted_clauses(data: Any) -> list[services.ClauseInput]:
    """Rows of the clause editor: existing clauses (by key) and new rows, ordered by the 序号 typed beside each;
    a row marked 删除 or left empty (a new one) is dropped."""
    rows: list[tuple[float, int, services.ClauseInput]] = []
    keys = data.getlist("key")
    headings, texts, orders = data.getlist("heading"), data.getlist("text"), data.getlist("order")
    deleted = set(data.getlist("delete"))
    for i, key in enumerate(keys):
        heading = headings[i] if i < len(headings) else ""
        text = texts[i] if i < len(texts) else ""
        if key and key in deleted:
            continue
        if not key and not text.strip() and not heading.strip():
            continue
        try:
            order = float(orders[i]) if i < len(orders) and orders[i].strip() else float(i + 1)
        except ValueError:
            order = float(i + 1)
        rows.append((order, i, services.ClauseInput(heading=heading, text=text, key=key)))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in rows]


@login_required
@require_http_methods(["GET", "POST"])
def rules_clauses(request: HttpRequest, pk: int) -> HttpResponse:
    version = _managed(request, pk)
    error = ""
    if request.method == "POST":
        try:
            services.rules_clauses_set(acting_user=request.user, version=version,
                                       clauses=_posted_clauses(request.POST))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "条文已保存。")
            return redirect(version.get_absolute_url())
    clauses = selectors.rules_clauses(version)
    return render(request, "charter/rules_clauses.html", {
        "version": version, "clauses": clauses, "error": error,
        "new_rows": range(len(clauses) + 1, len(clauses) + 1 + NEW_CLAUSE_ROWS),
    }, status=400 if error else 200)


@login_required
@require_POST
def rules_hearing(request: HttpRequest, pk: int) -> HttpResponse:
    version = _managed(request, pk)

    def record() -> None:
        services.rules_hearing_record(
            acting_user=request.user, version=version, party=request.POST.get("party", ""),
            held_on=parse_date(request.POST.get("held_on"), "听取日期"),
            participants=request.POST.get("participants", ""),
            participant_count=request.POST.get("participant_count", ""),
            opinions=request.POST.get("opinions", ""), response=request.POST.get("response", ""))

    return act_then_redirect(request, record, success="已记录听取意见。", to=redirect(version.get_absolute_url()))


ACTIONS = {
    "open_hearing": (services.rules_hearing_open, "已进入征求意见阶段，请分别听取乡贤、人大代表、驻村干部和村民代表意见。"),
    "submit": (services.rules_submit, "已提交村级决策程序（四议两公开），决议通过后自动生效。"),
    "in_force": (services.rules_put_in_force, "该版本已生效，原版本同时废止。"),
    "publish": (services.rules_publish, "已在村务公开栏公示。"),
}


@login_required
@require_POST
def rules_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    version = _managed(request, pk)
    if action == "revise":
        try:
            new = services.rules_version_create(acting_user=request.user, village=version.village,
                                                title=version.title, preamble=version.preamble)
        except NotFound:
            raise
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(version.get_absolute_url())
        messages.success(request, f"已以现行版本为基础起草第{new.number}版。")
        return redirect(new.get_absolute_url())
    if action not in ACTIONS:
        raise NotFound()
    service, success = ACTIONS[action]
    return act_then_redirect(request, lambda: service(acting_user=request.user, version=version), success=success,
                             to=redirect(version.get_absolute_url()))


@login_required
@require_GET
def rules_diff(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    version = selectors.rules_detail(user=user, pk=pk)
    against = None
    raw = request.GET.get("against", "")
    if raw.isdigit():
        against = selectors.rules_detail(user=user, pk=int(raw))
        if against.village_id != version.village_id:
            raise NotFound()
    else:
        against = version.based_on or (RulesVersion.objects.filter(village_id=version.village_id,
                                                                   number__lt=version.number)
                                       .order_by("-number").first())
    rows = selectors.rules_diff(against, version)
    return render(request, "charter/rules_diff.html", {
        "version": version, "against": against, "rows": rows, "counts": selectors.diff_counts(rows),
        "versions": [v for v in selectors.village_versions(version) if v.pk != version.pk],
        "only_changes": request.GET.get("changes") == "1",
    })
