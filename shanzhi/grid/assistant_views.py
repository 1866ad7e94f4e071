"""Pages of village affairs assistants (domain.md G6): the list with the appointment form, editing the published
contact and the term, leaving office, the village's duties "5 + X", the printable service card (HTML and PDF) and
the public micro-grid page its QR code opens (no login, under /grid/public/). Views parse input and call
``assistants`` (writes) and ``assistant_selectors`` (reads)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.core.forms import parse_date
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate

from . import assistant_pdf, assistants
from . import assistant_selectors as selectors
from .grids import require_grid_manage
from .staff_views import _person

MICROGRID_OPTIONS_MAX = 300


def _checked(value: Any) -> bool:
    return value in ("on", "1", "true")


@login_required
@require_http_methods(["GET", "POST"])
def assistant_list(request: HttpRequest) -> HttpResponse:
    error, errors, status = "", {}, 200
    if request.method == "POST":
        post: Any = request.POST
        try:
            microgrid = Place.objects.get_visible(
                request.user, Perm.GRID_MANAGE, code=(post.get("microgrid") or "").strip()[:24]
            )
            user = None
            if post.get("username", "").strip():
                user = (
                    get_user_model().objects.filter(username=post["username"].strip(), is_active=True).first()
                )
                if user is None:
                    raise ValidationFailed("没有找到该用户名。", errors={"person": "未找到"})
            assistant = assistants.assistant_appoint(
                acting_user=request.user,
                microgrid=microgrid,
                person=_person(request, post.get("id_number", "")),
                user=user,
                public_phone=post.get("public_phone", ""),
                phone_consent=_checked(post.get("phone_consent")),
                term_start=parse_date(post.get("term_start", ""), "任期起", required=False),
                term_end=parse_date(post.get("term_end", ""), "任期止", required=False),
            )
        except (ValidationFailed, Conflict) as exc:
            error, errors, status = exc.message, exc.errors or {}, exc.status
        else:
            messages.success(request, f"已聘任{assistant.name}为{microgrid.name}的村务助理。")
            return redirect("assistant_card", pk=assistant.pk)
    current = request.GET.get("all") != "1"
    q = (request.GET.get("q") or "").strip()[:50]
    can_manage = request.user.has_perm_anywhere(Perm.GRID_MANAGE)
    microgrids = (
        (
            Place.objects.visible_to(request.user, Perm.GRID_MANAGE)
            .filter(level="microgrid", is_active=True)
            .order_by("path")[:MICROGRID_OPTIONS_MAX]
        )
        if can_manage
        else []
    )
    villages = (
        (
            Place.objects.visible_to(request.user, Perm.GRID_MANAGE)
            .filter(level="village", is_active=True)
            .order_by("path")[:MICROGRID_OPTIONS_MAX]
        )
        if can_manage
        else []
    )
    return render(
        request,
        "grid/assistants/list.html",
        {
            "page_obj": paginate(request, selectors.assistant_list(user=request.user, current=current, q=q)),
            "current": current,
            "q": q,
            "form": request.POST or None,
            "error": error,
            "errors": errors,
            "can_manage": can_manage,
            "microgrids": microgrids,
            "villages": villages,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assistant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assistant = selectors.assistant_get(user=request.user, pk=pk)
    error, errors = "", {}
    if request.method == "POST":
        try:
            assistants.assistant_update(
                acting_user=request.user,
                assistant=assistant,
                public_phone=request.POST.get("public_phone", ""),
                phone_consent=_checked(request.POST.get("phone_consent")),
                term_end=parse_date(request.POST.get("term_end", ""), "任期止", required=False),
            )
        except ValidationFailed as exc:
            error, errors = exc.message, exc.errors or {}
        else:
            messages.success(request, f"已保存{assistant.name}的信息。")
            return redirect("assistant_card", pk=assistant.pk)
    else:
        require_grid_manage(request.user, assistant.microgrid)
    return render(
        request,
        "grid/assistants/edit.html",
        {
            "a": assistant,
            "form": request.POST or None,
            "error": error,
            "errors": errors,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def assistant_end(request: HttpRequest, pk: int) -> HttpResponse:
    assistant = selectors.assistant_get(user=request.user, pk=pk)
    try:
        assistants.assistant_end(
            acting_user=request.user,
            assistant=assistant,
            ended_on=parse_date(request.POST.get("ended_on", ""), "离任日期", required=False),
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("assistant_edit", pk=assistant.pk)
    messages.success(request, f"{assistant.name}已离任，{assistant.microgrid.name}可以聘任新的村务助理。")
    return redirect("assistant_list")


def _card_assistant(request: HttpRequest, pk: int) -> Any:
    assistant = selectors.assistant_get(user=request.user, pk=pk)
    if assistant.ended_on is not None:
        raise NotFound("该村务助理已离任，服务卡已停用。")
    return assistant


@login_required
@require_GET
def assistant_card(request: HttpRequest, pk: int) -> HttpResponse:
    """服务卡 print view (the PDF has the same content)."""
    assistant = _card_assistant(request, pk)
    return render(
        request,
        "grid/assistants/card.html",
        {
            **selectors.card_data(assistant),
            "can_manage": request.user.has_perm_at(Perm.GRID_MANAGE, assistant.place_path),
        },
    )


@login_required
@require_GET
def assistant_card_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assistant = _card_assistant(request, pk)
    response = HttpResponse(
        assistant_pdf.card_pdf(selectors.card_data(assistant)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="service-card-{assistant.microgrid.code}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def assistant_duties(request: HttpRequest, code: str) -> HttpResponse:
    village = selectors.duties_village(user=request.user, code=code)
    standard, extra, hours = selectors.duties_of(village.path)
    error, errors = "", {}
    if request.method == "POST":
        try:
            assistants.assistant_duties_save(
                acting_user=request.user,
                village=village,
                extra_duties=request.POST.get("extra_duties", "").splitlines(),
                service_hours=request.POST.get("service_hours", ""),
            )
        except ValidationFailed as exc:
            error, errors = exc.message, exc.errors or {}
        else:
            messages.success(request, f"已保存{village.name}村务助理职责。")
            return redirect("assistant_duties", code=village.code)
    return render(
        request,
        "grid/assistants/duties.html",
        {
            "village": village,
            "standard": standard,
            "extra": "\n".join(extra),
            "hours": hours,
            "form": request.POST or None,
            "error": error,
            "errors": errors,
        },
        status=400 if error else 200,
    )


@require_GET
def public_microgrid(request: HttpRequest, code: str) -> HttpResponse:
    """微网格公开页 (public, no login): what the service card's QR code opens — the assistant's name, the contact
    they agreed to publish, duties and hours, and 我要反映 (the report page asks to log in)."""
    microgrid = selectors.public_microgrid(code=code)
    return render(request, "grid/assistants/public.html", selectors.public_page(microgrid))
