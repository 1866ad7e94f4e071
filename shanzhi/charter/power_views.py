"""Staff pages of the power lists (小微权力清单, 三清单一流程, domain.md A1): the lists in scope and the township
templates that apply to it, a list with its items drawn as flows, the item form, adopting a template for a
village, and publishing a village's list on its board. Views parse input and call services/selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ApplicationError, NotFound
from shanzhi.core.http import act_then_redirect
from shanzhi.publication.models import Publication
from shanzhi.web.pagination import paginate

from . import selectors, services
from .choices import DisclosureDuty, PowerListKind
from .models import PowerItem, PowerList

STEP_ROWS = 8


def _can_see(user: Any) -> bool:
    return user.has_perm_anywhere(Perm.AFFAIRS_VIEW) or user.has_perm_anywhere(Perm.CHARTER_MANAGE)


@login_required
@require_GET
def list_index(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _can_see(user):
        raise NotFound()
    kind = request.GET.get("kind", "")
    which = request.GET.get("which", "")
    templates = {"templates": True, "villages": False}.get(which)
    return render(request, "charter/power_lists.html", {
        "page_obj": paginate(request, selectors.power_lists(user=user, kind=kind, templates=templates)),
        "kinds": PowerListKind.choices, "kind": kind, "which": which,
        "can_create": (selectors.charter_villages(user=user).exists()
                       or selectors.template_places(user=user).exists()),
    })


@login_required
@require_http_methods(["GET", "POST"])
def list_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    places = list(selectors.template_places(user=user)[:200]) + list(selectors.charter_villages(user=user)[:500])
    if not places:
        raise NotFound()
    error = ""
    if request.method == "POST":
        place = next((p for p in places if p.code == request.POST.get("place")), None)
        try:
            if place is None:
                raise NotFound()
            power_list = services.power_list_create(acting_user=user, place=place, kind=request.POST.get("kind", ""),
                                                    title=request.POST.get("title", ""))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "清单已创建，请添加事项。")
            return redirect(power_list.get_absolute_url())
    return render(request, "charter/power_list_new.html", {
        "places": places, "kinds": PowerListKind.choices, "error": error,
        "form": request.POST if request.method == "POST" else None}, status=400 if error else 200)


@login_required
@require_GET
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    power_list = selectors.power_list_detail(user=user, pk=pk)
    items = selectors.power_items(power_list)
    can_manage = user.has_perm_at(Perm.CHARTER_MANAGE, power_list.place_path)
    publication = (Publication.objects.filter(pk=power_list.publication_id).only("public_id", "title").first()
                   if power_list.publication_id else None)
    return render(request, "charter/power_list_detail.html", {
        "power_list": power_list,
        "items": [(i, selectors.item_is_adapted(i)) for i in items],
        "can_manage": can_manage,
        "can_publish": can_manage and not power_list.is_template and user.has_perm_at(Perm.PUBLISH,
                                                                                     power_list.place_path),
        "adoptable": selectors.adoptable_villages(user=user, template=power_list) if power_list.is_template else [],
        "publication": publication,
    })


@login_required
@require_POST
def list_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    template = selectors.power_list_detail(user=user, pk=pk)
    village = next((v for v in selectors.adoptable_villages(user=user, template=template)
                    if v.code == request.POST.get("village")), None)
    if village is None:
        messages.error(request, "请选择要采用该模板的村。")
        return redirect(template.get_absolute_url())
    try:
        power_list = services.power_list_adopt(acting_user=user, template=template, village=village)
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(template.get_absolute_url())
    messages.success(request, f"{village.name}已采用该模板，可按本村实际调整。")
    return redirect(power_list.get_absolute_url())


@login_required
@require_POST
def list_publish(request: HttpRequest, pk: int) -> HttpResponse:
    power_list = selectors.power_list_detail(user=request.user, pk=pk)
    return act_then_redirect(request, lambda: services.power_list_publish(acting_user=request.user,
                                                                          power_list=power_list),
                             success="已在村务公开栏公示。", to=redirect(power_list.get_absolute_url()))


def _item_input(data: Any) -> services.ItemInput:
    return services.ItemInput(
        name=data.get("name", ""), legal_basis=data.get("legal_basis", ""),
        responsible_body=data.get("responsible_body", ""), steps=data.getlist("step"),
        disclosure=data.get("disclosure", ""), disclosure_note=data.get("disclosure_note", ""),
        risks=data.get("risks", ""))


def _item_form(request: HttpRequest, power_list: PowerList, item: PowerItem | None) -> HttpResponse:
    user = request.user
    if not user.has_perm_at(Perm.CHARTER_MANAGE, power_list.place_path):
        raise NotFound()
    error = ""
    if request.method == "POST":
        try:
            data = _item_input(request.POST)
            if item is None:
                services.power_item_create(acting_user=user, power_list=power_list, data=data)
            else:
                services.power_item_update(acting_user=user, item=item, data=data)
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "事项已保存。")
            return redirect(power_list.get_absolute_url())
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("name", "legal_basis", "responsible_body", "disclosure",
                                                        "disclosure_note", "risks")}
        steps = list(request.POST.getlist("step"))
    elif item is not None:
        values = {k: getattr(item, k) for k in ("name", "legal_basis", "responsible_body", "disclosure",
                                                 "disclosure_note", "risks")}
        steps = list(item.steps)
    else:
        values, steps = {}, []
    steps = steps + [""] * max(0, STEP_ROWS - len(steps))
    return render(request, "charter/power_item_form.html", {
        "power_list": power_list, "item": item, "values": values, "steps": steps, "error": error,
        "duties": DisclosureDuty.choices}, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_form(request, selectors.power_list_detail(user=request.user, pk=pk), None)


def _item(request: HttpRequest, pk: int) -> PowerItem:
    item = PowerItem.objects.visible_to(request.user, Perm.CHARTER_MANAGE).select_related("power_list").filter(
        pk=pk).first()
    if item is None:
        raise NotFound()
    return item


@login_required
@require_http_methods(["GET", "POST"])
def item_edit_existing(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    return _item_form(request, item.power_list, item)


@login_required
@require_POST
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    power_list = item.power_list
    return act_then_redirect(request, lambda: services.power_item_delete(acting_user=request.user, item=item),
                             success="事项已删除。", to=redirect(power_list.get_absolute_url()))
