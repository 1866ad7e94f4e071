"""The workflow engine (domain.md F6): runs the declared workflows of ``definition.py`` on cases (models
inheriting ``WorkflowCase``).

- ``start`` / ``transition``: check the guard and the state, lock the case row, write the new state and the
  deadline it starts, run the transition's effect, write the history row and the audit entry — one
  transaction, so a refusal or a failing effect changes nothing.
- ``available_transitions``: the buttons this user has now (no query: guards read the cached grants).
- ``system_transition``: the same, taken by the system (no guard; the actor is 系统), e.g. from an
  escalation hook of the sweeper.
- ``urge`` / ``supervise``: 催办 and 督办 from above, recorded in the history (with the assignees) and the audit
  trail; ``note``: a progress note (办理记录) by those the workflow's ``notes`` rule names.
- ``set_due``: a domain moving a deadline (e.g. the matter's limit from acceptance) keeps the warning in step.
- ``sweep_overdue``: the sweeper (Zulip's deliver_scheduled_messages pattern) run by the task worker: select
  due rows FOR UPDATE (SKIP LOCKED where the database has it), warn before the deadline (临期预警), flag them
  overdue at it, escalate where the state says so (and run the escalation's hook), write history and audit.

Domain services call these and check scope first (out of scope is NotFound, decided by the domain's
selector); the engine answers a visible case's wrong role with PermissionDenied and a wrong order with
Conflict, both with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils.module_loading import import_string

from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from shanzhi.notify.services import notify_users

from . import clock
from .calendar import CHINA, add_working_days, end_of_day, working_day_before
from .definition import NEW, Transition, Workflow, for_case, registered
from .models import CaseHistory, HistoryKind, WorkflowCase

logger = logging.getLogger("shanzhi.workflow")

NOTE_MAX = 500
SYSTEM = "系统"


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _history(*, case: WorkflowCase, wf: Workflow, kind: str, label: str, at: dt.datetime, actor: Any = None,
             transition: str = "", from_state: str = "", to_state: str = "", note: str = "",
             extra: dict | None = None) -> CaseHistory:
    real = _actor(actor)
    return CaseHistory(
        content_type=ContentType.objects.get_for_model(case), object_id=case.pk, workflow=wf.name, kind=kind,
        transition=transition, label=label, from_state=from_state, to_state=to_state, actor=real,
        actor_name=(getattr(real, "display_name", "") if real else SYSTEM)[:150], note=note[:NOTE_MAX], extra=extra,
        at=at,
    )


def _clean_note(note: str | None, *, required: bool, label: str) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationFailed(f"{label}须填写理由/意见。", code="note_required")
    if len(note) > NOTE_MAX:
        raise ValidationFailed(f"意见不能超过 {NOTE_MAX} 字。", code="note_too_long")
    return note


def _check_guard(t: Transition, user: Any, case: WorkflowCase) -> None:
    if not t.guard.allows(user, case):
        raise PermissionDenied(f"您无权“{t.label}”：此操作须由{t.guard.who}办理。", code="transition_forbidden")
    if t.not_by and getattr(case, t.not_by, None) == getattr(user, "pk", object()):
        raise PermissionDenied(f"不能对本人发起的事项“{t.label}”。", code="transition_own_case")


def _check_state(wf: Workflow, t: Transition, case: WorkflowCase) -> None:
    if case.state not in t.sources:
        raise Conflict(f"当前状态为“{wf.state_label(case.state)}”，不能“{t.label}”。", code="transition_state")


def _warn_at(wf: Workflow, state: str, due_at: dt.datetime | None) -> dt.datetime | None:
    s = wf.state(state)
    if due_at is None or s is None or s.warn_before_days is None:
        return None
    return min(end_of_day(working_day_before(due_at, s.warn_before_days)), due_at)


def set_due(case: WorkflowCase, due_at: dt.datetime | None, *, now: dt.datetime | None = None) -> list[str]:
    """Move the deadline of the case's current state (a domain's own limit, e.g. counted from acceptance, or an
    agreed extension): the pre-deadline warning moves with it and may be sent again, and a case flagged overdue
    whose new deadline lies ahead is no longer overdue (nor due for escalation). Returns the fields to save."""
    case.due_at = due_at
    case.warn_at = _warn_at(for_case(case), case.state, due_at)
    case.warned_at = None
    fields = ["due_at", "warn_at", "warned_at"]
    if case.is_overdue and due_at is not None and due_at > clock.current(now):
        case.is_overdue, case.overdue_at, case.escalate_at = False, None, None
        fields += ["is_overdue", "overdue_at", "escalate_at"]
    return fields


def _enter(wf: Workflow, case: WorkflowCase, state: str, at: dt.datetime) -> None:
    """Write the state and the deadline it starts; a new state clears the old deadline's flags."""
    s = wf.state(state)
    case.state = state
    case.state_since = at
    case.due_at = add_working_days(at, s.deadline_days) if s and s.deadline_days is not None else None
    case.warn_at = _warn_at(wf, state, case.due_at)
    case.warned_at = None
    case.is_overdue = False
    case.overdue_at = None
    case.escalate_at = None
    case.escalated_at = None
    case.urge_count = 0
    case.last_urged_at = None


def _run_effect(t: Transition, case: WorkflowCase, *, acting_user: Any, note: str, at: dt.datetime) -> None:
    if t.effect is None:
        return
    effect = import_string(t.effect) if isinstance(t.effect, str) else t.effect
    effect(case, acting_user=acting_user, note=note, now=at)


def _audit(*, wf: Workflow, t: Transition, case: WorkflowCase, acting_user: Any, before: str, note: str,
           at: dt.datetime) -> None:
    audit_record(actor=_actor(acting_user), actor_name="" if _actor(acting_user) else SYSTEM,
                 action=AuditAction.TRANSITION, event=f"{wf.name}.{t.name}", obj=case, place_path=t.guard.path(case),
                 before={"state": before}, after={"state": case.state, "due_at": case.due_at, "note": note, "at": at})


def _lookup(wf: Workflow, name: str) -> Transition:
    t = wf.transition(name)
    if t is None:
        raise ValidationFailed(f"“{wf.label}”没有“{name}”这项操作。", code="transition_unknown")
    return t


@transaction.atomic
def start(case: WorkflowCase, name: str, *, acting_user: Any, note: str = "", now: dt.datetime | None = None
          ) -> WorkflowCase:
    """Start an unsaved case with its starting transition ``name`` (one whose sources include NEW): guard,
    initial state and deadline, insert, effect, history, audit."""
    wf = for_case(case)
    t = _lookup(wf, name)
    if case.pk is not None or NEW not in t.sources:
        raise Conflict(f"“{t.label}”只能用于发起新的{wf.label}。", code="transition_state")
    _check_guard(t, acting_user, case)
    note = _clean_note(note, required=t.note_required, label=t.label)
    at = clock.current(now)
    _enter(wf, case, t.target, at)
    case.save(force_insert=True)
    _run_effect(t, case, acting_user=acting_user, note=note, at=at)
    _history(case=case, wf=wf, kind=HistoryKind.START, label=t.label, at=at, actor=acting_user, transition=t.name,
             from_state=NEW, to_state=case.state, note=note, extra={"due_at": case.due_at.isoformat()} if case.due_at
             else None).save()
    _audit(wf=wf, t=t, case=case, acting_user=acting_user, before=NEW, note=note, at=at)
    return case


def _locked(case: WorkflowCase) -> WorkflowCase:
    return type(case)._default_manager.select_for_update().get(pk=case.pk)


def _copy_back(source: WorkflowCase, target: WorkflowCase) -> None:
    if source is not target:
        for f in source._meta.concrete_fields:
            setattr(target, f.attname, getattr(source, f.attname))


def transition(case: WorkflowCase, name: str, *, acting_user: Any, note: str = "", now: dt.datetime | None = None,
               extra: dict | None = None) -> WorkflowCase:
    """Take transition ``name`` on a saved case. The caller's instance is updated only when it succeeds.
    ``extra`` is kept with the history row (e.g. a transfer's from and to)."""
    return _take(case, name, acting_user=acting_user, note=note, now=now, extra=extra, system=False)


def system_transition(case: WorkflowCase, name: str, *, note: str = "", now: dt.datetime | None = None,
                      extra: dict | None = None) -> WorkflowCase:
    """Take transition ``name`` as the system (an escalation hook of the sweeper): no guard, the state must
    still allow it; history and audit name 系统 as the actor."""
    return _take(case, name, acting_user=None, note=note, now=now, extra=extra, system=True)


def _take(case: WorkflowCase, name: str, *, acting_user: Any, note: str, now: dt.datetime | None,
          extra: dict | None, system: bool) -> WorkflowCase:
    wf = for_case(case)
    t = _lookup(wf, name)
    if case.pk is None:
        raise Conflict(f"{wf.label}尚未发起，不能“{t.label}”。", code="transition_state")
    with transaction.atomic():
        locked = _locked(case)
        if not system:
            _check_guard(t, acting_user, locked)
        _check_state(wf, t, locked)
        note = _clean_note(note, required=t.note_required and not system, label=t.label)
        at = clock.current(now)
        before = locked.state
        _enter(wf, locked, t.target, at)
        locked.save(update_fields=WorkflowCase.WORKFLOW_FIELDS)
        _run_effect(t, locked, acting_user=acting_user, note=note, at=at)
        data = {**(extra or {}), **({"due_at": locked.due_at.isoformat()} if locked.due_at else {})}
        if system:
            data["system"] = True
        _history(case=locked, wf=wf, kind=HistoryKind.TRANSITION, label=t.label, at=at, actor=acting_user,
                 transition=t.name, from_state=before, to_state=locked.state, note=note, extra=data or None).save()
        _audit(wf=wf, t=t, case=locked, acting_user=acting_user, before=before, note=note, at=at)
    _copy_back(locked, case)
    return case


def available_transitions(case: WorkflowCase, user: Any) -> list[Transition]:
    """The transitions ``user`` may take on ``case`` now, in declaration order (for buttons and the API)."""
    wf = for_case(case)
    out = []
    for t in wf.outgoing(case.state):
        if NEW in t.sources and case.pk is not None:
            continue
        if t.guard.allows(user, case) and not (t.not_by and getattr(case, t.not_by, None) == user.pk):
            out.append(t)
    return out


def waiting_on(case: WorkflowCase) -> list[str]:
    """Who the case waits for, as the guards' ``who`` labels of the transitions out of its state."""
    wf = for_case(case)
    s = wf.state(case.state)
    if s is None or s.final:
        return []
    return list(dict.fromkeys(t.guard.who for t in wf.assigned(case.state)))


def assignees(case: WorkflowCase) -> list[Any]:
    """Users who can move the case on from its current state (whom an urge or an escalation concerns)."""
    wf = for_case(case)
    seen: dict[int, Any] = {}
    for t in wf.assigned(case.state):
        for user in t.guard.holders(case):
            seen.setdefault(user.pk, user)
    return list(seen.values())


def _tell(users: list[Any], title: str, case: WorkflowCase, body: str = "") -> None:
    """Inbox message (and SMS after commit) to the people a step concerns."""
    if users:
        link = case.get_absolute_url() if hasattr(case, "get_absolute_url") else ""
        notify_users(users=users, title=title, body=body, link=link, sms=True)


def can_urge(case: WorkflowCase, user: Any) -> bool:
    wf = for_case(case)
    s = wf.state(case.state)
    return bool(wf.urge and s and not s.final and s.deadline_days is not None and wf.urge.allows(user, case))


@transaction.atomic
def urge(case: WorkflowCase, *, acting_user: Any, note: str = "", now: dt.datetime | None = None) -> WorkflowCase:
    """催办: remind the assignees of a case waiting in a state with a deadline. At most once per the
    workflow's ``urge_interval``; recorded in the history (with the assignees' ids, for the inbox) and audited."""
    wf = for_case(case)
    locked = _locked(case)
    s = wf.state(locked.state)
    if wf.urge is None or s is None or s.final or s.deadline_days is None:
        raise Conflict(f"当前状态为“{wf.state_label(locked.state)}”，无需催办。", code="urge_state")
    if not wf.urge.allows(acting_user, locked):
        raise PermissionDenied(f"催办须由{wf.urge.who}发起。", code="urge_forbidden")
    note = _clean_note(note, required=False, label="催办")
    at = clock.current(now)
    if locked.last_urged_at and at - locked.last_urged_at < wf.urge_interval:
        minutes = int(wf.urge_interval.total_seconds() // 60)
        raise Conflict(f"刚刚已催办过（{minutes} 分钟内只能催办一次），请稍后再试。", code="urge_too_soon")
    people = assignees(locked)
    locked.urge_count += 1
    locked.last_urged_at = at
    locked.save(update_fields=["urge_count", "last_urged_at"])
    _history(case=locked, wf=wf, kind=HistoryKind.URGE, label="催办", at=at, actor=acting_user,
             from_state=locked.state, to_state=locked.state, note=note,
             extra={"assignees": [u.pk for u in people], "count": locked.urge_count}).save()
    _tell(people, f"催办：{locked}", locked, body=note)
    audit_record(actor=acting_user, action=AuditAction.TRANSITION, event=f"{wf.name}.urge", obj=locked,
                 place_path=wf.urge.path(locked), after={"note": note, "count": locked.urge_count,
                                                         "assignees": [u.pk for u in people]})
    _copy_back(locked, case)
    return case


@transaction.atomic
def supervise(case: WorkflowCase, *, acting_user: Any, note: str, now: dt.datetime | None = None) -> WorkflowCase:
    """督办: a formal instruction from above (the workflow's ``urge`` guard) on a case waiting in a state with a
    deadline, with the requirement in ``note`` (required). Recorded in the history with the assignees, sent to
    them (inbox and SMS) and audited. Not rate-limited: each instruction is a separate record."""
    wf = for_case(case)
    locked = _locked(case)
    s = wf.state(locked.state)
    if wf.urge is None or s is None or s.final or s.deadline_days is None:
        raise Conflict(f"当前状态为“{wf.state_label(locked.state)}”，无需督办。", code="supervise_state")
    if not wf.urge.allows(acting_user, locked):
        raise PermissionDenied(f"督办须由{wf.urge.who}发起。", code="supervise_forbidden")
    note = _clean_note(note, required=True, label="督办")
    at = clock.current(now)
    people = assignees(locked)
    _history(case=locked, wf=wf, kind=HistoryKind.SUPERVISE, label="督办", at=at, actor=acting_user,
             from_state=locked.state, to_state=locked.state, note=note,
             extra={"assignees": [u.pk for u in people]}).save()
    _tell(people, f"督办：{locked}", locked, body=note)
    audit_record(actor=acting_user, action=AuditAction.TRANSITION, event=f"{wf.name}.supervise", obj=locked,
                 place_path=wf.urge.path(locked), after={"note": note, "assignees": [u.pk for u in people]})
    _copy_back(locked, case)
    return case


def can_note(case: WorkflowCase, user: Any) -> bool:
    wf = for_case(case)
    return bool(wf.notes and case.state in wf.notes.states and wf.notes.by.allows(user, case))


def check_note(case: WorkflowCase, user: Any) -> None:
    """Refuse a progress note ``user`` may not add now (for a domain to ask before it stores photos)."""
    wf = for_case(case)
    rule = wf.notes
    if rule is None:
        raise ValidationFailed(f"“{wf.label}”不能添加办理记录。", code="note_unsupported")
    if not rule.by.allows(user, case):
        raise PermissionDenied(f"您无权添加{rule.label}：须由{rule.by.who}填写。", code="note_forbidden")
    if case.state not in rule.states:
        raise Conflict(f"当前状态为“{wf.state_label(case.state)}”，不能添加{rule.label}。", code="note_state")


@transaction.atomic
def note(case: WorkflowCase, *, acting_user: Any, note: str, extra: dict | None = None,
         now: dt.datetime | None = None) -> CaseHistory:
    """办理记录: a progress note on a case, by those the workflow's ``notes`` rule names, in its states. The
    state does not change; ``extra`` keeps what the domain attaches (e.g. the ids of photos). History row and
    audit entry in the caller's transaction."""
    wf = for_case(case)
    locked = _locked(case)
    check_note(locked, acting_user)
    rule = wf.notes
    assert rule is not None
    note = _clean_note(note, required=True, label=rule.label)
    at = clock.current(now)
    row = _history(case=locked, wf=wf, kind=HistoryKind.NOTE, label=rule.label, at=at, actor=acting_user,
                   from_state=locked.state, to_state=locked.state, note=note, extra=extra or None)
    row.save()
    audit_record(actor=acting_user, action=AuditAction.CREATE, event=f"{wf.name}.note", obj=locked,
                 place_path=rule.by.path(locked), after={"note": note, **(extra or {})})
    return row


def history(case: WorkflowCase) -> models.QuerySet[CaseHistory]:
    return CaseHistory.objects.filter(content_type=ContentType.objects.get_for_model(case),
                                      object_id=case.pk).select_related("actor").order_by("at", "id")


def _for_update(qs: models.QuerySet) -> models.QuerySet:
    skip = connection.features.has_select_for_update_skip_locked
    return qs.select_for_update(skip_locked=skip)


def _sweep_warn_batch(wf: Workflow, at: dt.datetime, batch: int) -> int:
    """临期预警: cases whose warning time has come and whose deadline has not yet passed (those are flagged
    overdue instead) — warned once, to the assignees."""
    states = wf.warning_states()
    if not states:
        return 0
    model = wf.model_class()
    with transaction.atomic():
        rows = list(_for_update(model._default_manager.filter(
            state__in=states, is_overdue=False, warned_at__isnull=True, warn_at__lte=at, due_at__gt=at,
        ).order_by("warn_at", "pk"))[:batch])
        for case in rows:
            case.warned_at = at
            case.save(update_fields=["warned_at"])
            due = f"{case.due_at.astimezone(CHINA):%Y-%m-%d %H:%M}"
            people = assignees(case)
            _history(case=case, wf=wf, kind=HistoryKind.WARN, label="临期预警", at=at, from_state=case.state,
                     to_state=case.state, note=f"即将到期：办理期限 {due}。",
                     extra={"due_at": case.due_at.isoformat(), "assignees": [u.pk for u in people]}).save()
            _tell(people, f"临期预警：{case}（{due} 到期）", case)
            audit_record(actor=None, actor_name=SYSTEM, action=AuditAction.TRANSITION, event=f"{wf.name}.warn",
                         obj=case, after={"warned_at": at, "due_at": case.due_at})
    return len(rows)


def _sweep_overdue_batch(wf: Workflow, at: dt.datetime, batch: int) -> int:
    model = wf.model_class()
    with transaction.atomic():
        rows = list(_for_update(model._default_manager.filter(
            state__in=wf.deadline_states(), is_overdue=False, due_at__lte=at,
        ).order_by("due_at", "pk"))[:batch])
        for case in rows:
            s = wf.state(case.state)
            case.is_overdue = True
            case.overdue_at = at
            if s.escalation is not None:
                case.escalate_at = max(at, add_working_days(case.due_at, s.escalation.after_days)) \
                    if s.escalation.after_days else at
            case.save(update_fields=["is_overdue", "overdue_at", "escalate_at"])
            _history(case=case, wf=wf, kind=HistoryKind.OVERDUE, label="超期", at=at, from_state=case.state,
                     to_state=case.state, note=f"已超过办理期限（{case.due_at.astimezone(CHINA):%Y-%m-%d %H:%M}）。",
                     extra={"waiting_on": waiting_on(case)}).save()
            _tell(list(assignees(case)), f"已超期：{case}", case)
            audit_record(actor=None, actor_name=SYSTEM, action=AuditAction.TRANSITION, event=f"{wf.name}.overdue",
                         obj=case, after={"is_overdue": True, "due_at": case.due_at, "at": at})
    return len(rows)


def _sweep_escalate_batch(wf: Workflow, at: dt.datetime, batch: int) -> int:
    states = wf.escalating_states()
    if not states:
        return 0
    model = wf.model_class()
    with transaction.atomic():
        rows = list(_for_update(model._default_manager.filter(
            state__in=states, is_overdue=True, escalated_at__isnull=True, escalate_at__lte=at,
        ).order_by("escalate_at", "pk"))[:batch])
        for case in rows:
            esc = wf.state(case.state).escalation
            supervisors = list(esc.to.holders(case))
            case.escalated_at = at
            case.save(update_fields=["escalated_at"])
            _history(case=case, wf=wf, kind=HistoryKind.ESCALATE, label="提级督办", at=at, from_state=case.state,
                     to_state=case.state, note=f"超期未办理，提请{esc.to.who}督办。",
                     extra={"supervisors": [u.pk for u in supervisors]}).save()
            _tell(supervisors, f"超期提级督办：{case}", case)
            audit_record(actor=None, actor_name=SYSTEM, action=AuditAction.TRANSITION, event=f"{wf.name}.escalate",
                         obj=case, place_path=esc.to.path(case),
                         after={"escalated_at": at, "supervisors": [u.pk for u in supervisors]})
            if esc.effect is not None:
                _run_escalation_effect(wf, esc.effect, case, at)
    return len(rows)


def _run_escalation_effect(wf: Workflow, effect: Any, case: WorkflowCase, at: dt.datetime) -> None:
    """The escalation's domain hook, in a savepoint: what it refuses (an ApplicationError) is undone and noted
    in the history, and the sweep goes on with the other cases."""
    hook = import_string(effect) if isinstance(effect, str) else effect
    try:
        with transaction.atomic():
            hook(case, now=at)
    except ApplicationError as exc:
        logger.warning("escalation hook of %s %s refused: %s", wf.name, case.pk, exc.message)
        _history(case=case, wf=wf, kind=HistoryKind.ESCALATE, label="自动提级未完成", at=at, from_state=case.state,
                 to_state=case.state, note=exc.message[:NOTE_MAX]).save()
    except Exception:  # a fault in one case must not roll back the batch and stall every case behind it
        logger.exception("escalation hook of %s %s failed", wf.name, case.pk)
        _history(case=case, wf=wf, kind=HistoryKind.ESCALATE, label="自动提级未完成", at=at, from_state=case.state,
                 to_state=case.state, note="系统错误，自动提级未完成，请人工处理。").save()


def sweep_overdue(*, now: dt.datetime | None = None, batch: int = 200, max_batches: int = 50) -> dict[str, int]:
    """Warn before the deadline, flag overdue and escalate, for every registered workflow. Idempotent; each batch is one transaction
    whose rows are locked (skipped when another worker holds them), so several workers may run side by side."""
    at = clock.current(now)
    counts = {"warned": 0, "overdue": 0, "escalated": 0}
    for wf in registered():
        if not wf.deadline_states():
            continue
        for key, step in (("warned", _sweep_warn_batch), ("overdue", _sweep_overdue_batch),
                          ("escalated", _sweep_escalate_batch)):
            for _i in range(max_batches):
                n = step(wf, at, batch)
                counts[key] += n
                if n < batch:
                    break
    if any(counts.values()):
        logger.info("workflow sweep: %(warned)d warned, %(overdue)d overdue, %(escalated)d escalated", counts)
    return counts
