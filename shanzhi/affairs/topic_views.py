"""Pages of 议事协商 (A5): the staff list and topic page (steps, vote settings, meetings, comments, result,
tasks), the villager's phone pages (topics of their village, propose, comment, vote) and the public page of a
topic's outcome and tasks (no login)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ApplicationError, NotFound, ValidationFailed
from shanzhi.core.forms import parse_date, parse_pk
from shanzhi.core.http import act_then_redirect
from shanzhi.publication.pdf import committee_name
from shanzhi.web.pagination import paginate
from shanzhi.workflow import clock, engine
from shanzhi.workflow.calendar import CHINA, local_date

from . import selectors, topics
from .choices import Choice, Eligibility, Participation, TaskStatus, TopicCategory
from .models import Topic, TopicTask
from .workflow import DELIBERATING, TOPIC, TOPIC_STEPS


def _steps(topic: Topic) -> list[dict]:
    current = TOPIC_STEPS.index(topic.state) if topic.state in TOPIC_STEPS else len(TOPIC_STEPS)
    return [{"n": i + 1, "label": TOPIC.state_label(s),
             "status": "done" if i < current else ("current" if i == current else "waiting")}
            for i, s in enumerate(TOPIC_STEPS)]


def _parse_dt(value: str | None, label: str) -> dt.datetime:
    try:
        naive = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationFailed(f"请填写{label}。")
    return naive.replace(tzinfo=CHINA) if naive.tzinfo is None else naive


@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_anywhere(Perm.AFFAIRS_VIEW):
        raise NotFound()
    state = request.GET.get("state", "")
    page = paginate(request, selectors.topic_list(user=user, state=state))
    return render(request, "affairs/topic_list.html", {
        "page_obj": page, "state": state, "states": [(s.name, s.label) for s in TOPIC.states],
        "villages": list(selectors.villages_managed(user, Perm.DECISION_MANAGE)[:500]),
        "categories": TopicCategory.choices,
    })


@login_required
@require_POST
def topic_new(request: HttpRequest) -> HttpResponse:
    villages = list(selectors.villages_managed(request.user, Perm.DECISION_MANAGE)[:500])
    village = next((v for v in villages if v.code == request.POST.get("village")), None)
    if village is None:
        raise NotFound()
    try:
        t = topics.topic_propose(acting_user=request.user, village=village, title=request.POST.get("title", ""),
                                 description=request.POST.get("description", ""),
                                 category=request.POST.get("category", TopicCategory.OTHER),
                                 body_name=request.POST.get("body_name", ""))
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("affairs_topics")
    messages.success(request, "已提出议题。")
    return redirect("affairs_topic", pk=t.pk)


@login_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    t = selectors.topic_detail(user=user, pk=pk)
    manage = user.has_perm_at(Perm.DECISION_MANAGE, t.place_path)
    at = clock.now()
    today = local_date(at)
    meetings = list(t.meetings.prefetch_related("participants__person").order_by("held_on", "id"))
    earliest, fixed = topics.earliest_meeting(t.village, today)
    vote_open = t.state == DELIBERATING and t.vote_opens_at and t.vote_opens_at <= at < t.vote_closes_at
    show_results = bool(t.vote_opens_at) and (t.state != DELIBERATING or at >= t.vote_closes_at)
    return render(request, "affairs/topic_detail.html", {
        "t": t, "state_label": TOPIC.state_label(t.state), "steps": _steps(t), "manage": manage,
        "actions": [a for a in engine.available_transitions(t, user) if a.name in ("accept", "decline", "deliberate", "close")],
        "comments": list(selectors.topic_comments(t)[:500]), "tasks": list(selectors.topic_tasks(t)),
        "meetings": meetings, "earliest": earliest, "fixed_day": fixed, "today": today,
        "results": selectors.topic_results(t) if show_results else None, "voted": t.roll.count(),
        "vote_open": vote_open, "eligibilities": Eligibility.choices, "modes": Participation.choices,
        "villagers": list(selectors.villagers(t.village).order_by("name")[:1000]) if manage and meetings else [],
        "history": engine.history(t), "public_url": topics.public_url(t),
        "default_open": at.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M"),
        "default_close": (at + dt.timedelta(days=7)).astimezone(CHINA).strftime("%Y-%m-%dT%H:%M"),
    })


def _back(t: Topic) -> HttpResponse:
    return redirect("affairs_topic", pk=t.pk)


@login_required
@require_POST
def topic_act(request: HttpRequest, pk: int) -> HttpResponse:
    """The topic page's forms: plain steps, review (vote settings), meetings, result, tasks, to a decision."""
    user = request.user
    t = selectors.topic_detail(user=user, pk=pk)
    what = request.POST.get("what", "")
    p = request.POST

    def act() -> object:
        if what in ("accept", "decline", "close"):
            return topics.topic_step(acting_user=user, topic=t, transition=what, note=p.get("note", ""))
        if what == "review":
            return topics.topic_review(acting_user=user, topic=t, eligibility=p.get("eligibility", ""),
                                       secret=p.get("secret") == "1", vote_opens_at=_parse_dt(p.get("opens"), "投票开始时间"),
                                       vote_closes_at=_parse_dt(p.get("closes"), "投票截止时间"), note=p.get("note", ""))
        if what == "deliberate":
            return topics.topic_deliberate(acting_user=user, topic=t)
        if what == "meeting_call":
            return topics.topic_meeting_call(acting_user=user, topic=t, held_on=parse_date(p.get("held_on"), "会议日期"),
                                             venue=p.get("venue", ""))
        if what == "meeting_record":
            meeting = t.meetings.filter(pk=parse_pk(p.get("meeting"))).first()
            if meeting is None:
                raise NotFound()
            people = [(pid, p.get(f"mode_{pid}", "")) for pid in p.getlist("person")]
            return topics.topic_meeting_record(acting_user=user, meeting=meeting, participants=people,
                                               summary=p.get("summary", ""))
        if what == "publish":
            return topics.topic_publish_result(acting_user=user, topic=t, conclusion=p.get("conclusion", ""))
        if what == "task":
            return topics.task_add(acting_user=user, topic=t, title=p.get("title", ""), owner=p.get("owner", ""),
                                   deadline=parse_date(p.get("deadline"), "完成时限"))
        if what == "progress":
            task = TopicTask.objects.filter(topic=t, pk=parse_pk(p.get("task"))).first()
            if task is None:
                raise NotFound()
            return topics.task_progress(acting_user=user, task=task, text=p.get("text", ""), done=p.get("done") == "1")
        if what == "decision":
            d = topics.topic_to_decision(acting_user=user, topic=t)
            holder["to"] = redirect("affairs_decision", pk=d.pk)
            return d
        if what == "comment":
            return topics.topic_comment(acting_user=user, topic=t, text=p.get("text", ""))
        raise ValidationFailed("没有这项操作。")

    holder: dict[str, HttpResponse] = {}
    response = act_then_redirect(request, act, success="已办理。", to=_back(t))
    return holder.get("to", response)


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_day(request: HttpRequest) -> HttpResponse:
    villages = list(selectors.villages_managed(request.user, Perm.DECISION_MANAGE)[:500])
    village = next((v for v in villages if v.code == request.POST.get("village")), None)
    if village is None:
        raise NotFound()
    return act_then_redirect(request, lambda: topics.deliberation_day_set(
        acting_user=request.user, village=village, day_of_month=request.POST.get("day")),
        success="已设置固定议事日。", to=redirect("affairs_topics"))


# --- villager phone pages --------------------------------------------------------------------------------------


@login_required
def my_topics(request: HttpRequest) -> HttpResponse:
    village = selectors.user_village(request.user)
    if village is None or not request.user.has_perm_anywhere(Perm.TOPIC_PROPOSE):
        raise NotFound()
    page = paginate(request, selectors.topics_for_villager(user=request.user), per_page=20)
    return render(request, "affairs/phone_topics.html", {"page_obj": page, "village": village, "now": clock.now()})


@login_required
@require_http_methods(["GET", "POST"])
def my_topic_new(request: HttpRequest) -> HttpResponse:
    village = selectors.user_village(request.user)
    if village is None or not request.user.has_perm_anywhere(Perm.TOPIC_PROPOSE):
        raise NotFound()
    error = ""
    if request.method == "POST":
        try:
            t = topics.topic_propose(acting_user=request.user, title=request.POST.get("title", ""),
                                     description=request.POST.get("description", ""),
                                     category=request.POST.get("category", TopicCategory.OTHER))
        except NotFound:
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "议题已提交，村里将研究确定。")
            return redirect("affairs_my_topic", pk=t.pk)
    return render(request, "affairs/phone_propose.html", {"village": village, "categories": TopicCategory.choices,
                                                          "error": error, "form": request.POST or None})


@login_required
@require_http_methods(["GET", "POST"])
def my_topic(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    t = selectors.topic_for_villager(user=user, pk=pk)
    if request.method == "POST":
        what = request.POST.get("what")
        if what == "vote":
            return act_then_redirect(request, lambda: topics.topic_vote(acting_user=user, topic=t,
                                                                        choice=request.POST.get("choice", "")),
                                     success="投票成功，谢谢参与。", to=redirect("affairs_my_topic", pk=t.pk))
        return act_then_redirect(request, lambda: topics.topic_comment(acting_user=user, topic=t,
                                                                       text=request.POST.get("text", "")),
                                 success="意见已发表。", to=redirect("affairs_my_topic", pk=t.pk))
    at = clock.now()
    person = None
    try:
        person = topics.villager_person(user)
    except ApplicationError:
        person = None
    refusal = topics.vote_refusal(t, person, at) if t.vote_opens_at else ""
    show_results = bool(t.vote_opens_at) and (t.state != DELIBERATING or at >= t.vote_closes_at)
    return render(request, "affairs/phone_topic.html", {
        "t": t, "state_label": TOPIC.state_label(t.state), "steps": _steps(t),
        "comments": list(selectors.topic_comments(t)[:200]), "can_comment": t.state in topics.COMMENT_STATES,
        "vote_stage": t.state == DELIBERATING and t.vote_opens_at is not None, "refusal": refusal,
        "choices": Choice.choices, "results": selectors.topic_results(t) if show_results else None,
        "tasks": list(selectors.topic_tasks(t)),
    })


# --- public page ----------------------------------------------------------------------------------------------


def topic_public(request: HttpRequest, public_id: str) -> HttpResponse:
    """议事结果与落实情况 (no login): the published result and each task's owner, deadline and progress."""
    t = Topic.objects.select_related("village", "publication").filter(public_id=public_id).first()
    if t is None or t.publication_id is None or t.publication.status == "withdrawn":
        raise NotFound()
    return render(request, "affairs/topic_public.html", {
        "t": t, "state_label": TOPIC.state_label(t.state), "results": selectors.topic_results(t),
        "tasks": list(selectors.topic_tasks(t)), "done": TaskStatus.DONE,
        "p": t.publication, "committee": committee_name(t.village.name, t.village.level),
    })
