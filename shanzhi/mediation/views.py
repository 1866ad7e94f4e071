"""Pages of the dispute case (domain.md M2–M5): the staff list (filters, pagination, export), staff intake (from
the counter, a referral, a grid event), the villager's phone application and "my applications", the case page
with the form of the step it waits for, sessions, extension, agreement, return visits, judicial confirmation,
performance, the case file with its checklist, uploads and generated PDFs. Views parse input and call
``services`` / ``selectors``; out of scope is 404, a refusal is shown as a message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import ApplicationError, NotFound
from shanzhi.core.http import act_then_redirect
from shanzhi.imports.xlsx import export_rows, xlsx_response
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate
from shanzhi.workflow import engine
from shanzhi.workflow.models import HistoryKind

from . import documents, pdf, risk, selectors, services, workflow
from .choices import (
    DisputeType,
    DocumentKind,
    JudicialResult,
    PartyRole,
    PerformanceStatus,
    Retention,
    RiskLevel,
    SessionMode,
    Source,
    VisitWay,
)
from .models import Agreement, Case
from .workflow import WORKFLOW

PARTY_ROWS = 2  # rows per side on the intake form


@login_required
def mediation_index(request: HttpRequest) -> HttpResponse:
    if request.user.has_perm_anywhere(Perm.MEDIATION_VIEW):
        return redirect("mediation_case_list")
    if request.user.has_perm_anywhere(Perm.LEGAL_ASK):
        return redirect("mediation_mine")
    raise NotFound()


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


EXPORT_HEADERS = ["案件编号", "案由", "纠纷类型", "来源", "移送单位", "纠纷发生地", "调解组织", "主办调解员", "收案时间",
                  "状态", "调解期限", "结果", "结案时间", "涉及金额（元）", "卷宗号"]


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_anywhere(Perm.MEDIATION_VIEW):
        raise NotFound()
    filters = selectors.CaseFilters.from_query(request.GET)
    qs = selectors.case_list(user=user, filters=filters)
    if request.GET.get("export") == "xlsx":
        rows = ([c.number, c.title, c.get_dispute_type_display(), c.get_source_display(), c.referring_body,
                 c.place.name, c.organisation.name, c.mediator.name if c.mediator else "", _when(c.received_at),
                 WORKFLOW.state_label(c.state), _when(c.limit_at), c.get_result_display(), _when(c.closed_at),
                 c.amount if c.amount is not None else "", c.archive_number]
                for c in export_rows(request, qs, perm=Perm.MEDIATION_VIEW, event="mediation_case_export",
                                     what="纠纷案件"))
        return xlsx_response(f"纠纷案件-{dt.date.today():%Y%m%d}.xlsx", EXPORT_HEADERS, rows, title="纠纷案件")
    return render(request, "mediation/case_list.html", {
        "page_obj": paginate(request, qs), "filters": filters, "states": [(s.name, s.label) for s in WORKFLOW.states],
        "sources": Source.choices, "types": DisputeType.choices, "query": request.GET.urlencode(),
        "can_register": selectors.organisations_for_intake(user=user).exists(),
    })


# --- intake -------------------------------------------------------------------------------------------------


def _parties_from_post(post: Any) -> list[dict[str, Any]]:
    """Party rows of the intake form: a registry person (``person_id``) or an outsider (name + identity);
    rows left empty are skipped."""
    out = []
    for role in (PartyRole.APPLICANT, PartyRole.RESPONDENT):
        for i in range(PARTY_ROWS):
            key = f"{role}{i}"
            row = {f: (post.get(f"{key}_{f}") or "").strip() for f in ("person_id", "name", "id_number", "phone",
                                                                        "address")}
            if any(row.values()):
                out.append({"role": role, **row})
    return out


def _intake_places(org: Any) -> list[Place]:
    return list(Place.objects.filter(path__prefix=org.place_path, is_active=True,
                                     level__in=services.CASE_PLACE_LEVELS).order_by("path")[:300])


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """登记受理: staff intake — counter application, referral (诉调/警调/访调 with body and reference), screening,
    or a grid event (``?event=<id>``: 转为调解案件)."""
    user = request.user
    orgs = list(selectors.organisations_for_intake(user=user)[:200])
    if not orgs:
        raise NotFound()
    data = request.POST if request.method == "POST" else request.GET
    org = next((o for o in orgs if str(o.pk) == data.get("organisation")), orgs[0])
    event = None
    if data.get("event"):
        from shanzhi.events.selectors import event_detail

        event = event_detail(user=user, pk=data.get("event"))
    error = ""
    if request.method == "POST":
        try:
            place = next((p for p in _intake_places(org) if str(p.pk) == request.POST.get("place")), None)
            if place is None and event is None:
                raise services.ValidationFailed("请选择纠纷发生地。", code="case_place")
            common = {"acting_user": user, "organisation": org, "dispute_type": request.POST.get("dispute_type", ""),
                          "title": request.POST.get("title", ""), "facts": request.POST.get("facts", ""),
                          "claims": request.POST.get("claims", ""), "amount": request.POST.get("amount"),
                          "parties": _parties_from_post(request.POST)}
            if event is not None:
                case = services.case_from_event(event_id=event.pk, **common)
            else:
                case = services.case_register(
                    place=place, source=request.POST.get("source", ""),
                    referring_body=request.POST.get("referring_body", ""),
                    referral_reference=request.POST.get("referral_reference", ""),
                    requested_mediator=request.POST.get("requested_mediator") or None,
                    land_parcel=request.POST.get("land_parcel", ""), risk_level=request.POST.get("risk_level", ""),
                    **common)
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"已登记受理，案件编号 {case.number}。")
            return redirect("mediation_case_detail", pk=case.pk)
    return render(request, "mediation/case_new.html", {
        "orgs": orgs, "org": org, "places": _intake_places(org), "event": event, "error": error,
        "form": request.POST if request.method == "POST" else {}, "sources": Source.choices,
        "types": DisputeType.choices, "risks": RiskLevel.choices, "pool": selectors.pool_for(org),
        "rows": [(role, label, [f"{role}{i}" for i in range(PARTY_ROWS)]) for role, label in PartyRole.choices],
    })


@login_required
def person_search(request: HttpRequest) -> JsonResponse:
    """Registry search for the intake form: name (or pinyin initials) or identity number, masked."""
    if not request.user.has_perm_anywhere(Perm.MEDIATION_HANDLE):
        raise NotFound()
    from shanzhi.people.selectors import PersonFilters, person_list

    q = (request.GET.get("q") or "").strip()[:30]
    rows = []
    if q:
        for p in person_list(user=request.user, filters=PersonFilters(q=q)).select_related("household")[:10]:
            rows.append({"id": p.pk, "name": p.name, "id_masked": p.id_number_masked,
                         "address": p.household.address if p.household_id else ""})
    return JsonResponse({"results": rows})


@login_required
@require_http_methods(["GET", "POST"])
def case_apply(request: HttpRequest) -> HttpResponse:
    """申请调解: the villager's phone page."""
    user = request.user
    places = list(Place.objects.visible_to(user, Perm.LEGAL_ASK).filter(
        level__in=("village", "group", "grid", "microgrid"), is_active=True).order_by("path")[:50])
    if not places:
        raise NotFound()
    data = request.POST if request.method == "POST" else request.GET
    place = next((p for p in places if str(p.pk) == data.get("place")), places[0])
    org = services.default_organisation(place)
    error = ""
    if request.method == "POST":
        try:
            case = services.case_apply(
                acting_user=user, place=place, dispute_type=request.POST.get("dispute_type", ""),
                title=request.POST.get("title", ""), facts=request.POST.get("facts", ""),
                claims=request.POST.get("claims", ""), amount=request.POST.get("amount"),
                applicant={"name": request.POST.get("applicant_name", ""),
                           "id_number": request.POST.get("applicant_id_number", ""),
                           "phone": request.POST.get("applicant_phone", ""),
                           "address": request.POST.get("applicant_address", "")},
                respondent={"name": request.POST.get("respondent_name", ""),
                            "id_number": request.POST.get("respondent_id_number", ""),
                            "phone": request.POST.get("respondent_phone", ""),
                            "address": request.POST.get("respondent_address", "")},
                requested_mediator=request.POST.get("requested_mediator") or None)
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"申请已提交，编号 {case.number}，调解组织受理后会通知您。")
            return redirect("mediation_mine_detail", pk=case.pk)
    return render(request, "mediation/apply.html", {
        "places": places, "place": place, "org": org, "error": error, "types": DisputeType.choices,
        "form": request.POST if request.method == "POST" else {"applicant_name": user.full_name},
        "pool": selectors.pool_for(org) if org else [],
    })


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm_anywhere(Perm.LEGAL_ASK) and not selectors.my_applications(user=request.user).exists():
        raise NotFound()
    return render(request, "mediation/mine.html", {
        "page_obj": paginate(request, selectors.my_applications(user=request.user)),
        "can_apply": request.user.has_perm_anywhere(Perm.LEGAL_ASK)})


@login_required
def my_case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.my_applications(user=request.user).filter(pk=pk).first()
    if case is None:
        raise NotFound()
    # The applicant follows the steps, not the mediators' internal work: no work notes, urges or supervision, and
    # not the investigation's findings (they may name witnesses or weigh the other party's account).
    history = [h for h in engine.history(case) if h.kind in (HistoryKind.START, HistoryKind.TRANSITION)]
    for h in history:
        if h.transition == "investigate":
            h.note = ""
    return render(request, "mediation/mine_detail.html", {
        "case": case, "state_label": WORKFLOW.state_label(case.state), "history": history,
        "parties": list(case.parties.all())})


# --- the case page -----------------------------------------------------------------------------------------

# Steps with their own form on the case page; the rest use the kernel's generic buttons (note only).
OWN_FORMS = {"register", "apply", "assign", "investigate", "agree", "visit", "archive", "refuse"}


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    case = selectors.case_detail(user=user, pk=pk)
    if not user.has_perm_anywhere(Perm.MEDIATION_VIEW):  # an applicant follows their case on the phone page
        return redirect("mediation_mine_detail", pk=case.pk)
    actions = engine.available_transitions(case, user)
    names = {t.name for t in actions}
    handler = selectors.can_handle(user, case)
    agreement = Agreement.objects.filter(case=case).first()
    reveal = request.GET.get("reveal") == "1" and handler
    parties = list(case.parties.select_related("person"))
    if reveal:
        audit_record(actor=user, action=AuditAction.REVEAL, event="mediation.party_reveal", obj=case,
                     place_path=case.place_path, after={"parties": [p.pk for p in parties]})
    docs = list(case.documents.select_related("attachment", "uploaded_by"))
    return render(request, "mediation/case_detail.html", {
        "case": case, "state_label": WORKFLOW.state_label(case.state), "waiting_on": engine.waiting_on(case),
        "actions": [t for t in actions if t.name not in OWN_FORMS], "steps": names, "handler": handler,
        "can_urge": engine.can_urge(case, user), "can_note": engine.can_note(case, user),
        "history": engine.history(case), "parties": parties, "reveal": reveal,
        "sessions": list(case.sessions.select_related("recorded_by")), "agreement": agreement,
        "visits": list(case.visits.select_related("visitor")), "extensions": list(case.extensions.all()),
        "documents": docs, "checklist": documents.checklist(case), "forms": pdf.available(case),
        "pool": selectors.pool_for(case) if "assign" in names else [],
        "judicial_window": services.judicial_window(agreement) if agreement else None,
        "step_path": [(label, target, _step_done(case, target)) for _name, label, target in workflow.STEPS],
        "modes": SessionMode.choices, "ways": VisitWay.choices, "performances": PerformanceStatus.choices,
        "judicial_results": JudicialResult.choices, "retentions": Retention.choices, "kinds": DocumentKind.choices,
        "risks": RiskLevel.choices, "running": case.state in workflow.RUNNING_STATES,
        "mediating": case.state == workflow.MEDIATING, "now": timezone.localtime(),
        "can_report_court": handler and case.source == Source.COURT and case.result in ("settled", "failed")
        and not case.court_reported_at,
    })


_ORDER = [target for _n, _l, target in workflow.STEPS]


def _step_done(case: Case, target: str) -> str:
    """For the step bar: "done", "current" (the step the case waits for) or ""."""
    if case.state in _ORDER:
        i = _ORDER.index(case.state)
        j = _ORDER.index(target)
        return "done" if j <= i else ("current" if j == i + 1 else "")
    if case.state == workflow.FAILED:
        return "done" if _ORDER.index(target) <= _ORDER.index(workflow.MEDIATING) else ""
    if case.state == workflow.APPLIED:
        return "current" if target == workflow.ACCEPTED else ""
    return ""


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Every step and record on the case page posts here with ``step``."""
    user = request.user
    case = selectors.case_detail(user=user, pk=pk)
    p = request.POST
    step = p.get("step") or p.get("transition") or ""
    note = p.get("note", "")
    steps: dict[str, tuple[Any, str]] = {
        "accept": (lambda: services.case_accept(acting_user=user, case=case, note=note), "已受理。"),
        "reject": (lambda: services.case_reject(acting_user=user, case=case, reason=note), "已决定不予受理。"),
        "assign": (lambda: services.case_assign(acting_user=user, case=case, mediator=p.get("mediator"),
                                                co_mediator=p.get("co_mediator") or None, note=note), "已确定调解人员。"),
        "investigate": (lambda: services.case_investigate(acting_user=user, case=case, findings=p.get("findings", "")),
                        "已记录调查核实情况。"),
        "inform": (lambda: services.case_inform(acting_user=user, case=case, note=note), "已告知权利义务。"),
        "mediate": (lambda: services.case_start_mediation(acting_user=user, case=case, note=note), "已开展调解。"),
        "session": (lambda: services.session_record(
            acting_user=user, case=case, held_at=p.get("held_at", ""), mode=p.get("mode", ""),
            location=p.get("location", ""), attendance=p.get("attendance", ""), minutes=p.get("minutes", "")),
            "已记录本次调解。"),
        "extend": (lambda: services.case_extend(
            acting_user=user, case=case, days=p.get("days"), reason=p.get("reason", ""),
            applicant_consent=p.get("applicant_consent", ""), respondent_consent=p.get("respondent_consent", "")),
            "已延长调解期限。"),
        "agree": (lambda: services.case_agree(
            acting_user=user, case=case, disputed_matters=p.get("disputed_matters", ""),
            responsibilities=p.get("responsibilities", ""), content=p.get("content", ""),
            performance_manner=p.get("performance_manner", ""), performance_deadline=p.get("performance_deadline"),
            copies=p.get("copies")), "已制作调解协议书。"),
        "fail": (lambda: services.case_fail(acting_user=user, case=case, advice=p.get("advice", "") or note),
                 "已终止调解，并记录告知的其他解决途径。"),
        "refuse": (lambda: services.party_refuse(acting_user=user, case=case, party_id=p.get("party"),
                                                 refused_on=p.get("refused_on"), statement=p.get("statement", "")),
                   "已记录当事人拒绝调解，案件终结。"),
        "withdraw": (lambda: services.case_withdraw(acting_user=user, case=case, reason=note), "已撤回。"),
        "visit": (lambda: services.visit_record(
            acting_user=user, case=case, visited_on=p.get("visited_on"), way=p.get("way", ""),
            visited_party=p.get("visited_party", ""), performance=p.get("performance", ""),
            feedback=p.get("feedback", "")), "已记录回访。"),
        "performance": (lambda: services.performance_update(
            acting_user=user, case=case, status=p.get("status", ""), note=note,
            performed_on=p.get("performed_on")), "已更新履行情况。"),
        "judicial_apply": (lambda: services.judicial_apply(acting_user=user, case=case, applied_on=p.get("applied_on"),
                                                           court=p.get("court", "")), "已记录司法确认申请。"),
        "judicial_decide": (lambda: services.judicial_decide(acting_user=user, case=case, result=p.get("result", ""),
                                                             decided_on=p.get("decided_on")), "已记录司法确认结果。"),
        "court_report": (lambda: services.court_report(acting_user=user, case=case, note=note), "已记录反馈法院。"),
        "upload": (lambda: services.document_upload(acting_user=user, case=case, kind=p.get("kind", ""),
                                                    title=p.get("title", ""), file=request.FILES.get("file"),
                                                    signed_on=p.get("signed_on")),
                   "材料已上传。"),
        "archive": (lambda: services.case_archive(acting_user=user, case=case, retention=p.get("retention", "")),
                    "已整理卷宗，归档。"),
        "note": (lambda: services.case_note(acting_user=user, case=case, note=note), "已添加工作记录。"),
        "urge": (lambda: services.case_urge(acting_user=user, case=case, note=note), "已催办。"),
        # the same rules as the risk page: a reason for every grade, and a high grade raises or asks for a warning
        "risk": (lambda: risk.risk_grade(acting_user=user, case=case, level=p.get("level", ""), reason=note),
                 "已评估信访风险。"),
    }
    if step not in steps:
        messages.error(request, "没有这项操作。")
        return redirect("mediation_case_detail", pk=case.pk)
    action, success = steps[step]
    return act_then_redirect(request, action, success=success, to=redirect("mediation_case_detail", pk=case.pk))


@login_required
def case_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """A generated form of the case (full particulars: handlers only, audited as an export)."""
    case = selectors.case_detail(user=request.user, pk=pk)
    if not selectors.can_handle(request.user, case) and not request.user.has_perm_at(Perm.MEDIATION_MANAGE,
                                                                                     case.org_path):
        raise NotFound()
    if kind not in pdf.FORMS:
        raise NotFound()
    data = pdf.form_pdf(case, kind)
    audit_record(actor=request.user, action=AuditAction.EXPORT, event="mediation.form_pdf", obj=case,
                 place_path=case.place_path, after={"form": kind})
    response = HttpResponse(data, content_type="application/pdf")
    from urllib.parse import quote

    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(pdf.form_filename(case, kind))}"
    return response


@login_required
@require_POST
def case_urge(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_detail(user=request.user, pk=pk)
    return act_then_redirect(
        request, lambda: services.case_urge(acting_user=request.user, case=case, note=request.POST.get("note", "")),
        success="已催办。", to=redirect("mediation_case_detail", pk=case.pk))
