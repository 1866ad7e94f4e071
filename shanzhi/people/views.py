from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.imports.xlsx import export_rows, xlsx_response
from shanzhi.web.pagination import paginate

from . import selectors, services
from .choices import PersonTag, PoliticalStatus, Relation, ResidenceStatus, Sex


def _choices_context() -> dict:
    return {"tags": PersonTag.choices, "statuses": ResidenceStatus.choices, "relations": Relation.choices,
            "political": PoliticalStatus.choices, "sexes": Sex.choices}


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.PersonFilters.from_query(request.GET)
    qs = selectors.person_list(user=request.user, filters=filters)
    if request.GET.get("export") == "xlsx":
        return person_export(request, qs)
    page = paginate(request, qs)
    return render(request, "people/person_list.html", {"page_obj": page, "filters": filters, **_choices_context(),
                                                       "can_export": request.user.has_perm_anywhere(Perm.PEOPLE_EXPORT)})


def person_export(request: HttpRequest, qs) -> HttpResponse:
    people = export_rows(request, qs, perm=Perm.PEOPLE_EXPORT, event="person_export", what="人员")
    headers = ["姓名", "身份证号（脱敏）", "性别", "出生年份", "手机号（脱敏）", "户编号", "与户主关系", "居住状态", "政治面貌", "关注标签"]
    rows = (
        [p.name, p.id_number_masked, p.get_sex_display(), p.birth_date.year if p.birth_date else "", p.phone_masked, p.household.number,
         p.get_relation_display(), p.get_residence_status_display(), p.get_political_status_display(), "、".join(p.tag_labels)]
        for p in people
    )
    return xlsx_response(f"人员-{dt.date.today():%Y%m%d}.xlsx", headers, rows, title="人员")


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_detail(user=request.user, pk=pk)
    return render(request, "people/person_detail.html", {
        "person": person, "changes": person.changes.select_related("actor").order_by("-date", "-id")[:50],
        "can_reveal": request.user.has_perm_at(Perm.PEOPLE_REVEAL, person.place_path),
        "can_change": request.user.has_perm_at(Perm.PEOPLE_CHANGE, person.place_path),
    })


@login_required
@require_POST
def person_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    person = selectors.person_detail(user=request.user, pk=pk)
    try:
        value = services.person_reveal(acting_user=request.user, person=person, field=field)
    except PermissionDenied as exc:
        return HttpResponse(f'<span class="text-danger small">{exc.message}</span>', status=403)
    response = render(request, "people/_revealed.html", {"value": value})
    response["Cache-Control"] = "no-store"
    return response


def _person_data(post) -> dict:
    birth = post.get("birth_date") or ""
    data = {k: post.get(k, "") for k in ["name", "id_number", "phone", "relation", "residence_status",
                                         "political_status", "sex", "ethnicity", "note"]}
    data["tags"] = post.getlist("tags")
    if birth:
        try:
            data["birth_date"] = dt.date.fromisoformat(birth)
        except ValueError:
            raise ValidationFailed(f"出生日期“{birth}”格式不正确，应为 年-月-日。")
    else:
        data["birth_date"] = None
    return data


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_detail(user=request.user, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            data = _person_data(request.POST)
            # The form never shows the stored ID number or phone (that would be an unaudited reveal):
            # left blank, they stay as they are.
            for key in ("id_number", "phone", "birth_date"):
                if not data.get(key):
                    data.pop(key, None)
            services.person_update(acting_user=request.user, person=person, data=data)
        except ValidationFailed as exc:
            error = exc.message
        else:
            messages.success(request, "已保存。")
            return redirect("person_detail", pk=person.pk)
    return render(request, "people/person_form.html", {"person": person, "household": person.household, "error": error,
                                                       "form": request.POST or None,
                                                       "form_tags": request.POST.getlist("tags"), **_choices_context()})


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest, household_pk: int) -> HttpResponse:
    household = selectors.household_detail(user=request.user, pk=household_pk)
    error = ""
    if request.method == "POST":
        try:
            data = _person_data(request.POST)
            if request.POST.get("kind") == "birth":
                person = services.person_record_birth(acting_user=request.user, household=household, data=data)
            else:
                person = services.person_create(acting_user=request.user, household=household, data=data)
        except ValidationFailed as exc:
            error = exc.message
        else:
            messages.success(request, f"已登记 {person.name}。")
            return redirect("household_detail", pk=household.pk)
    return render(request, "people/person_form.html", {"person": None, "household": household, "error": error,
                                                       "form": request.POST or None,
                                                       "form_tags": request.POST.getlist("tags"), **_choices_context()})


@login_required
@require_POST
def person_status(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_detail(user=request.user, pk=pk)
    action = request.POST.get("action")
    try:
        try:
            date = dt.date.fromisoformat(request.POST.get("date") or "")
        except ValueError:
            raise ValidationFailed("请填写正确的日期（年-月-日）。")
        if action == "death":
            services.person_record_death(acting_user=request.user, person=person, date=date, note=request.POST.get("note", ""))
        elif action == "move_out":
            services.person_record_move_out(acting_user=request.user, person=person, date=date, note=request.POST.get("note", ""))
        else:
            raise ValidationFailed("未知操作。")
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已登记。")
    return redirect("person_detail", pk=person.pk)


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()
    place = (request.GET.get("place") or "").strip()
    qs = selectors.household_list(user=request.user, q=q, place_path=place)
    if request.GET.get("export") == "xlsx":
        rows = ([h.number, h.head_name, h.address, h.place.name, h.group.name if h.group else "", h.member_count]
                for h in export_rows(request, qs, perm=Perm.PEOPLE_EXPORT, event="household_export", what="户"))
        return xlsx_response(f"户-{dt.date.today():%Y%m%d}.xlsx", ["户编号", "户主", "住址", "网格/村", "村民小组", "人数"], rows, title="户")
    return render(request, "people/household_list.html", {"page_obj": paginate(request, qs), "q": q, "place": place,
                                                          "can_export": request.user.has_perm_anywhere(Perm.PEOPLE_EXPORT)})


@login_required
@require_POST
def household_move_grid(request: HttpRequest, pk: int) -> HttpResponse:
    from shanzhi.regions.models import Place

    household = selectors.household_detail(user=request.user, pk=pk)
    try:
        place = Place.objects.get_visible(request.user, Perm.PEOPLE_CHANGE, code=request.POST.get("place", ""))
        services.household_move_grid(acting_user=request.user, household=household, place=place,
                                     note=request.POST.get("note", ""))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已调整到 {place.name}。")
    return redirect("household_detail", pk=household.pk)


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from shanzhi.people.moves import target_places

    household = selectors.household_detail(user=request.user, pk=pk)
    can_change = request.user.has_perm_at(Perm.PEOPLE_CHANGE, household.place_path)
    grid_choices = [p for p in target_places(village=household.village) if p.pk != household.place_id
                    and request.user.has_perm_at(Perm.PEOPLE_CHANGE, p.path)] if can_change else []
    return render(request, "people/household_detail.html", {
        "grid_choices": grid_choices,
        "household": household, "members": household.members.order_by("id"),
        "history": selectors.household_history(household=household)[:50],
        "can_change": request.user.has_perm_at(Perm.PEOPLE_CHANGE, household.place_path),
    })




@login_required
def person_pick(request: HttpRequest) -> HttpResponse:
    """Person picker for forms (htmx): up to 10 matches in scope, as radio buttons named ``person``."""
    q = (request.GET.get("q") or "").strip()
    people = list(selectors.person_list(user=request.user, filters=selectors.PersonFilters(q=q))[:10]) if q else []
    return render(request, "people/_pick.html", {"people": people})


@login_required
@require_http_methods(["GET", "POST"])
def subject_list(request: HttpRequest) -> HttpResponse:
    from shanzhi.regions.models import Place

    from .choices import SubjectKind

    q, kind = (request.GET.get("q") or "").strip(), request.GET.get("kind", "")
    qs = selectors.subject_list(user=request.user, q=q, kind=kind)
    if request.GET.get("export") == "xlsx":
        rows = ([s.name, s.get_kind_display(), s.credit_code, s.legal_person, s.phone_masked, s.place.name, s.address]
                for s in export_rows(request, qs, perm=Perm.PEOPLE_EXPORT, event="subject_export", what="其他主体"))
        return xlsx_response(f"其他主体-{dt.date.today():%Y%m%d}.xlsx",
                             ["名称", "类型", "统一社会信用代码", "负责人", "联系电话（脱敏）", "区划", "地址"], rows, title="其他主体")
    if request.method == "POST":
        try:
            place = Place.objects.get_visible(request.user, Perm.PEOPLE_CHANGE, code=request.POST.get("place", ""))
            services.subject_create(acting_user=request.user, place=place, kind=request.POST.get("kind", ""),
                                    name=request.POST.get("name", ""), credit_code=request.POST.get("credit_code", ""),
                                    legal_person=request.POST.get("legal_person", ""), phone=request.POST.get("phone", ""),
                                    address=request.POST.get("address", ""))
        except ValidationFailed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已登记。")
            return redirect("subject_list")
    places = Place.objects.visible_to(request.user, Perm.PEOPLE_CHANGE).filter(level="village")[:300]
    return render(request, "people/subject_list.html", {"page_obj": paginate(request, qs), "q": q, "kind": kind,
                                                        "kinds": SubjectKind.choices, "places": places,
                                                        "can_export": request.user.has_perm_anywhere(Perm.PEOPLE_EXPORT)})
