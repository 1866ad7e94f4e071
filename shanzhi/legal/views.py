"""Pages of the public legal services (domain.md M7): the villager's phone pages (ask, my questions and
applications, apply) and the adviser's queue, answer page and application pages; the library of exemplary
cases and laws. Views parse input and call ``services`` / ``selectors``; out of scope is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ApplicationError, NotFound
from shanzhi.core.http import act_then_redirect
from shanzhi.core.identity import mask_phone
from shanzhi.files.selectors import attachment_list
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate

from . import selectors, services
from .choices import ApplicationKind, ApplicationStatus, ConsultationStatus


def _may_ask(user) -> bool:
    return user.has_perm_anywhere(Perm.LEGAL_ASK)


def _may_answer(user) -> bool:
    return user.has_perm_anywhere(Perm.LEGAL_ANSWER)


@login_required
def legal_index(request: HttpRequest) -> HttpResponse:
    """法律服务: what this user may do here — ask and apply (villagers), the queue (advisers), the library."""
    user = request.user
    may_ask, may_answer, may_read = _may_ask(user), _may_answer(user), selectors.may_read_library(user)
    if not (may_ask or may_answer or may_read):
        raise NotFound()
    ctx = {"may_ask": may_ask, "may_answer": may_answer, "may_read": may_read}
    if may_ask:
        ctx["recent"] = list(selectors.my_consultations(user=user)[:3])
        ctx["recent_applications"] = list(selectors.my_applications(user=user)[:3])
    if may_answer:
        ctx["open_count"] = selectors.consultations_to_answer(user=user).filter(status=ConsultationStatus.OPEN).count()
        ctx["pending_count"] = selectors.applications_to_handle(user=user).filter(
            status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.ACCEPTED)).count()
    return render(request, "legal/index.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def legal_ask(request: HttpRequest) -> HttpResponse:
    """我要咨询 (phone): the question and up to three photos go to the village's legal adviser."""
    village = services.home_village(request.user)
    error = ""
    if request.method == "POST":
        try:
            consultation = services.consultation_ask(acting_user=request.user, question=request.POST.get("question", ""),
                                                     photos=request.FILES.getlist("photos"))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "已提交，法律顾问解答后会通知您。")
            return redirect("legal_consultation_detail", pk=consultation.pk)
    return render(request, "legal/ask.html", {
        "village": village, "advisers": services.advisers_for(village), "error": error,
        "form": request.POST if request.method == "POST" else None})


@login_required
def legal_mine(request: HttpRequest) -> HttpResponse:
    """我的咨询 (phone)."""
    if not _may_ask(request.user):
        raise NotFound()
    return render(request, "legal/mine.html", {"page_obj": paginate(request, selectors.my_consultations(user=request.user))})


@login_required
def legal_my_applications(request: HttpRequest) -> HttpResponse:
    """我的申请 (phone)."""
    if not _may_ask(request.user):
        raise NotFound()
    return render(request, "legal/my_applications.html",
                  {"page_obj": paginate(request, selectors.my_applications(user=request.user))})


@login_required
def legal_queue(request: HttpRequest) -> HttpResponse:
    """The adviser's queue of questions (dense table, oldest open question first)."""
    if not _may_answer(request.user):
        raise NotFound()
    filters = selectors.QueueFilters.from_query(request.GET)
    return render(request, "legal/queue.html", {
        "page_obj": paginate(request, selectors.consultation_queue(user=request.user, filters=filters)),
        "filters": filters, "statuses": ConsultationStatus.choices})


@login_required
@require_http_methods(["GET", "POST"])
def legal_consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The question, its photos and the answer; an adviser in scope answers an open question here."""
    consultation = selectors.consultation_detail(user=request.user, pk=pk)
    can_answer = (consultation.status == ConsultationStatus.OPEN
                  and request.user.has_perm_at(Perm.LEGAL_ANSWER, consultation.place_path))
    error = ""
    if request.method == "POST":
        try:
            services.consultation_answer(acting_user=request.user, consultation=consultation,
                                         answer=request.POST.get("answer", ""))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "已解答，咨询人会收到通知。")
            return redirect("legal_consultation_detail", pk=pk)
    return render(request, "legal/consultation.html", {
        "c": consultation, "can_answer": can_answer, "error": error,
        "photos": attachment_list(user=request.user, obj=consultation), "mine": consultation.asker_id == request.user.pk,
        "form": request.POST if request.method == "POST" else None})


@login_required
@require_http_methods(["GET", "POST"])
def legal_apply(request: HttpRequest, kind: str) -> HttpResponse:
    """申请法律援助 / 申请公证 (phone)."""
    if kind not in ApplicationKind.values:
        raise NotFound()
    village = services.home_village(request.user)
    error = ""
    if request.method == "POST":
        try:
            application = services.application_submit(
                acting_user=request.user, kind=kind, matter=request.POST.get("matter", ""),
                facts=request.POST.get("facts", ""), phone=request.POST.get("phone", ""))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"已提交，申请编号 {application.number}。")
            return redirect("legal_application_detail", pk=application.pk)
    form = request.POST if request.method == "POST" else {"phone": request.user.phone or ""}
    return render(request, "legal/apply.html", {
        "kind": kind, "kind_label": ApplicationKind(kind).label, "matters": services.MATTERS[ApplicationKind(kind)],
        "village": village, "error": error, "form": form})


@login_required
def legal_applications(request: HttpRequest) -> HttpResponse:
    if not _may_answer(request.user):
        raise NotFound()
    filters = selectors.ApplicationFilters.from_query(request.GET)
    return render(request, "legal/applications.html", {
        "page_obj": paginate(request, selectors.application_list(user=request.user, filters=filters)),
        "filters": filters, "kinds": ApplicationKind.choices, "statuses": ApplicationStatus.choices})


@login_required
def legal_application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_detail(user=request.user, pk=pk)
    can_handle = request.user.has_perm_at(Perm.LEGAL_ANSWER, application.place_path)
    mine = application.applicant_id == request.user.pk
    phone = application.phone if mine else mask_phone(application.phone)
    revealed = False
    if request.GET.get("reveal") == "phone" and can_handle and not mine:
        phone, revealed = services.application_reveal_phone(acting_user=request.user, application=application), True
    return render(request, "legal/application.html", {
        "a": application, "can_handle": can_handle, "mine": mine, "phone": phone, "revealed": revealed})


@login_required
@require_POST
def legal_application_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    application = selectors.application_detail(user=request.user, pk=pk)
    calls = {
        "accept": (lambda: services.application_accept(acting_user=request.user, application=application), "已受理。"),
        "refuse": (lambda: services.application_refuse(acting_user=request.user, application=application,
                                                       reason=request.POST.get("reason", "")), "已决定不予受理。"),
        "done": (lambda: services.application_done(acting_user=request.user, application=application,
                                                   result=request.POST.get("result", "")), "已办结。"),
    }
    if action not in calls:
        raise NotFound()
    call, success = calls[action]
    return act_then_redirect(request, call, success=success, to=redirect("legal_application_detail", pk=pk))


# --- the library -------------------------------------------------------------------------------------------


@login_required
def legal_cases(request: HttpRequest) -> HttpResponse:
    if not selectors.may_read_library(request.user):
        raise NotFound()
    q, dispute_type = (request.GET.get("q") or "").strip()[:50], (request.GET.get("type") or "").strip()[:30]
    return render(request, "legal/cases.html", {
        "page_obj": paginate(request, selectors.exemplary_cases(user=request.user, q=q, dispute_type=dispute_type),
                             per_page=20),
        "q": q, "type": dispute_type, "types": selectors.dispute_types(user=request.user),
        "may_write": selectors.may_write_library(request.user)})


@login_required
def legal_case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "legal/case.html", {"case": selectors.exemplary_case_detail(user=request.user, pk=pk)})


def _library_places(user) -> list[Place]:
    q = Place.objects.visible_to(user, Perm.LEGAL_ANSWER) | Place.objects.visible_to(user, Perm.MEDIATION_MANAGE)
    return list(q.filter(level__in=("county", "township", "village"), is_active=True).order_by("path")[:300])


@login_required
@require_http_methods(["GET", "POST"])
def legal_case_new(request: HttpRequest) -> HttpResponse:
    """Write an exemplary case by hand (parties' names given are replaced by 甲方/乙方; ID and phone numbers
    refused)."""
    if not selectors.may_write_library(request.user):
        raise NotFound()
    places = _library_places(request.user)
    if not places:
        raise NotFound()
    error = ""
    if request.method == "POST":
        place = next((p for p in places if p.code == request.POST.get("place")), places[0])
        names = list((request.POST.get("party_names") or "").replace("，", ",").replace("、", ",").split(","))
        try:
            case = services.exemplary_case_create(
                acting_user=request.user, place=place, title=request.POST.get("title", ""),
                dispute_type=request.POST.get("dispute_type", ""), summary=request.POST.get("summary", ""),
                resolution=request.POST.get("resolution", ""), commentary=request.POST.get("commentary", ""),
                laws_cited=request.POST.get("laws_cited", ""), party_names=names)
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "典型案例已发布。")
            return redirect("legal_case_detail", pk=case.pk)
    return render(request, "legal/case_form.html", {
        "places": places, "error": error, "form": request.POST if request.method == "POST" else None})


@login_required
def legal_laws(request: HttpRequest) -> HttpResponse:
    if not selectors.may_read_library(request.user):
        raise NotFound()
    q, law = (request.GET.get("q") or "").strip()[:50], (request.GET.get("law") or "").strip()[:60]
    return render(request, "legal/laws.html", {
        "page_obj": paginate(request, selectors.law_articles(user=request.user, q=q, law=law), per_page=30),
        "q": q, "law": law, "laws": selectors.laws(user=request.user),
        "may_write": selectors.may_write_library(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def legal_law_new(request: HttpRequest) -> HttpResponse:
    if not selectors.may_write_library(request.user):
        raise NotFound()
    error = ""
    if request.method == "POST":
        try:
            article = services.law_article_save(acting_user=request.user, law=request.POST.get("law", ""),
                                                number=request.POST.get("number"), text=request.POST.get("text", ""))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"已保存{article}。")
            return redirect(f"{reverse('legal_laws')}?{urlencode({'law': article.law})}")
    return render(request, "legal/law_form.html", {
        "error": error, "form": request.POST if request.method == "POST" else None,
        "laws": selectors.laws(user=request.user)})
