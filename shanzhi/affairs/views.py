"""Pages of 村务决策 (A2): the decisions list, a new matter, the decision page (six steps, meetings with the
quorum arithmetic, supervisory comments, publications, the forms of the current step), the representatives'
roster. Views parse input and call ``services`` / ``selectors``; out of scope is 404, refusals are messages."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ApplicationError, NotFound, ValidationFailed
from shanzhi.core.forms import parse_date, parse_pk
from shanzhi.core.http import act_then_redirect
from shanzhi.files.models import Attachment
from shanzhi.people.models import Person
from shanzhi.web.pagination import paginate
from shanzhi.workflow import engine
from shanzhi.workflow.calendar import local_date

from . import selectors, services
from .choices import MeetingKind
from .models import Meeting, MeetingAttendance
from .workflow import DECISION, DONE, MEETING_STEPS, REJECTED, STEPS


def _today() -> dt.date:
    return local_date(dt.datetime.now(tz=dt.UTC))


@login_required
def decision_index(request: HttpRequest) -> HttpResponse:
    """村务决策: the decisions of the villages in scope (staff); villagers go to the deliberation topics."""
    user = request.user
    if not user.has_perm_anywhere(Perm.AFFAIRS_VIEW):
        if user.has_perm_anywhere(Perm.TOPIC_PROPOSE):
            return redirect("affairs_my_topics")
        raise NotFound()
    state = request.GET.get("state", "")
    q = request.GET.get("q", "")
    village = request.GET.get("village", "")
    villages = list(selectors.villages_managed(user)[:500])
    path = next((v.path for v in villages if v.code == village), "")
    page = paginate(request, selectors.decision_list(user=user, state=state, q=q, place_path=path))
    return render(request, "affairs/decision_list.html", {
        "page_obj": page, "state": state, "q": q, "village": village, "villages": villages,
        "states": [("open", "进行中"), *[(s.name, s.label) for s in DECISION.states]],
        "can_create": bool(list(selectors.villages_managed(user, Perm.DECISION_MANAGE)[:1])),
        "query": request.GET.urlencode(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def decision_new(request: HttpRequest) -> HttpResponse:
    villages = list(selectors.villages_managed(request.user, Perm.DECISION_MANAGE)[:500])
    if not villages:
        raise NotFound()
    error = ""
    if request.method == "POST":
        village = next((v for v in villages if v.code == request.POST.get("village")), None)
        try:
            if village is None:
                raise ValidationFailed("请选择村。")
            d = services.decision_request(acting_user=request.user, place=village, title=request.POST.get("title", ""),
                                          summary=request.POST.get("summary", ""))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "已发起决策事项，请由村党组织提议。")
            return redirect("affairs_decision", pk=d.pk)
    return render(request, "affairs/decision_new.html", {"villages": villages, "error": error,
                                                          "form": request.POST or None})


def _steps(decision) -> list[dict]:
    """The six steps with done / current / waiting (a rejected matter stops at the step it was voted down)."""
    out = []
    if decision.state in STEPS:
        current = STEPS.index(decision.state)
    elif decision.state == DONE:
        current = len(STEPS)
    else:  # rejected: the step of its last meeting
        last = decision.meetings.order_by("-recorded_at", "-id").first()
        current = STEPS.index(last.step) if last else 0
    for i, name in enumerate(STEPS):
        status = "done" if i < current else ("current" if i == current else "waiting")
        if decision.state == REJECTED and i == current:
            status = "failed"
        out.append({"name": name, "label": DECISION.state_label(name), "status": status, "n": i + 1})
    return out


def _meeting_rows(user, decision) -> list[Meeting]:
    meetings = list(selectors.decision_meetings(decision))
    people: dict[int, list[str]] = {}
    rows = MeetingAttendance.objects.filter(meeting__in=meetings).select_related("person", "household").order_by("id")
    for a in rows:
        people.setdefault(a.meeting_id, []).append(a.person.name if a.person_id else f"{a.household.number}（{a.household.head_name}）")
    # Whoever sees the decision sees its meetings' files (files.register_owner in apps.py): one query for all.
    files: dict[int, list] = {}
    if meetings:
        ct = ContentType.objects.get_for_model(Meeting)
        for f in Attachment.objects.filter(object_type=ct, object_id__in=[m.pk for m in meetings]).order_by("id"):
            files.setdefault(f.object_id, []).append(f)
    for m in meetings:
        m.attendee_names = people.get(m.pk, [])
        m.files = files.get(m.pk, [])
    return meetings


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    d = selectors.decision_detail(user=user, pk=pk)
    manage = user.has_perm_at(Perm.DECISION_MANAGE, d.place_path)
    today = _today()
    body_kinds = services.STEP_KINDS.get(d.state, ())
    kind = request.GET.get("kind") or (body_kinds[0] if body_kinds else "")
    if kind not in body_kinds:
        kind = body_kinds[0] if body_kinds else ""
    body = []
    if manage and kind:
        qs = selectors.meeting_body(kind, d.village, today)
        body = list(qs.order_by("pk")[:2000])
    history = list(engine.history(d))
    return render(request, "affairs/decision_detail.html", {
        "d": d, "state_label": DECISION.state_label(d.state), "steps": _steps(d),
        "meetings": _meeting_rows(user, d), "comments": [h for h in history if h.kind == "note"],
        "history": [h for h in history if h.kind != "note"],
        "manage": manage, "can_comment": engine.can_note(d, user),
        "in_meeting_step": d.state in MEETING_STEPS, "body_kinds": [(k, MeetingKind(k).label) for k in body_kinds],
        "kind": kind, "body": body, "households_meeting": kind == MeetingKind.HOUSEHOLDS, "today": today,
        "can_reject": manage and any(t.name == "reject" for t in engine.available_transitions(d, user))
        and _voted_down(d),
    })


def _voted_down(d) -> bool:
    """The latest meeting of the current step met its quorum and voted the matter down (it may be ended)."""
    last = d.meetings.filter(step=d.state).order_by("-recorded_at", "-id").first()
    return bool(last and last.quorum_met and not last.passed)


def _back(d) -> HttpResponse:
    return redirect("affairs_decision", pk=d.pk)


@login_required
@require_POST
def decision_propose(request: HttpRequest, pk: int) -> HttpResponse:
    d = selectors.decision_detail(user=request.user, pk=pk)
    return act_then_redirect(request, lambda: services.decision_propose(
        acting_user=request.user, decision=d, note=request.POST.get("note", "")), success="已由村党组织提议。", to=_back(d))


@login_required
@require_POST
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    d = selectors.decision_detail(user=request.user, pk=pk)
    holder = {}

    def act() -> None:
        held_on = parse_date(request.POST.get("held_on"), "会议日期")
        holder["m"] = services.meeting_record(
            acting_user=request.user, decision=d, kind=request.POST.get("kind", ""), held_on=held_on,
            attendee_ids=request.POST.getlist("attendees"), votes_for=request.POST.get("votes_for") or 0,
            votes_against=request.POST.get("votes_against") or 0, votes_abstain=request.POST.get("votes_abstain") or 0,
            minutes=request.POST.get("minutes", ""), venue=request.POST.get("venue", ""),
            files=request.FILES.getlist("files"))

    try:
        act()
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        m = holder["m"]
        if m.passed:
            messages.success(request, f"会议已记录并通过：{m.explanation}")
        else:
            messages.warning(request, f"会议已记录，但未通过，本步骤不能进入下一步：{m.explanation}")
    return _back(d)


@login_required
@require_POST
def decision_reject(request: HttpRequest, pk: int) -> HttpResponse:
    d = selectors.decision_detail(user=request.user, pk=pk)
    return act_then_redirect(request, lambda: services.decision_reject(
        acting_user=request.user, decision=d, note=request.POST.get("note", "")), success="事项已终止（表决未通过）。",
        to=_back(d))


def _dates(request: HttpRequest) -> tuple[dt.date | None, dt.date | None]:
    return (parse_date(request.POST.get("starts_on"), "公示开始日期", required=False),
            parse_date(request.POST.get("ends_on"), "公示截止日期", required=False))


@login_required
@require_POST
def decision_publish(request: HttpRequest, pk: int) -> HttpResponse:
    d = selectors.decision_detail(user=request.user, pk=pk)
    what = request.POST.get("what")

    def act() -> None:
        starts, ends = _dates(request)
        if what == "result":
            services.decision_publish_result(acting_user=request.user, decision=d, result_text=request.POST.get("text", ""),
                                             starts_on=starts, ends_on=ends)
        else:
            services.decision_publish_resolution(acting_user=request.user, decision=d,
                                                 resolution_text=request.POST.get("text", ""), starts_on=starts, ends_on=ends)

    return act_then_redirect(request, act, success="已发布公示。", to=_back(d))


@login_required
@require_POST
def decision_comment(request: HttpRequest, pk: int) -> HttpResponse:
    d = selectors.decision_detail(user=request.user, pk=pk)
    return act_then_redirect(request, lambda: services.decision_comment(
        acting_user=request.user, decision=d, text=request.POST.get("text", "")), success="已添加监督意见。", to=_back(d))


# --- representatives ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def representatives(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_anywhere(Perm.AFFAIRS_VIEW):
        raise NotFound()
    villages = list(selectors.villages_managed(user)[:500])
    code = request.GET.get("village") or request.POST.get("village") or (villages[0].code if villages else "")
    village = next((v for v in villages if v.code == code), None)
    manage = bool(village and user.has_perm_at(Perm.DECISION_MANAGE, village.path))
    if request.method == "POST":
        if not manage:
            raise NotFound()

        def act() -> None:
            person = selectors.villagers(village).filter(pk=parse_pk(request.POST.get("person"))).first()
            if person is None:
                raise ValidationFailed("请选择本村在册村民。")
            services.representative_add(acting_user=user, village=village, person=person,
                                        term_start=parse_date(request.POST.get("term_start"), "任期开始"),
                                        term_end=parse_date(request.POST.get("term_end"), "任期结束"))

        return act_then_redirect(request, act, success="已登记村民代表。",
                                 to=redirect(f"{request.path}?village={village.code}"))
    today = _today()
    qs = selectors.representative_list(user=user, village=village) if village else selectors.representative_list(user=user)
    page = paginate(request, qs)
    candidates: list[Person] = []
    if manage:
        taken = selectors.representatives(village, today).values("pk")
        candidates = list(selectors.adults(village, today).exclude(pk__in=taken).order_by("name")[:1000])
    return render(request, "affairs/representatives.html", {
        "page_obj": page, "villages": villages, "village": village, "manage": manage, "candidates": candidates,
        "today": today, "term_end": today.replace(year=today.year + 5) if not (today.month == 2 and today.day == 29)
        else today.replace(year=today.year + 5, day=28),
    })
