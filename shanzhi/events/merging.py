"""合并 (domain.md G3: "Possible duplicates … are shown for merging"): the dispatcher folds a duplicate report,
still waiting for triage, into another open event of the same matter. The duplicate ends in the final state
已合并 with ``merged_into`` pointing at the main event; both histories say so; the duplicate's reporter is told and
follows the main event from their own event page.

What a merged reporter may see of the main event (``followed_event``): its number, matter, place, state,
assignee, deadline, result and the dates of its steps — not its reporter, text, photos or the notes of its
history, which may name other people. Staff who can see the main event anyway get its full page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse

from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.notify.services import notify_users
from shanzhi.workflow import engine
from shanzhi.workflow.clock import current
from shanzhi.workflow.models import CaseHistory, HistoryKind

from . import selectors
from .models import Event
from .workflow import EVENT, OPEN_STATES

NOTE_MAX = 400


def merge_target(*, user: Any, ref: Any) -> Event:
    """The event to merge into, by id (the buttons beside the possible duplicates) or by number (typed). A
    missing event and one outside the user's scope get the same answer."""
    ref = str(ref or "").strip()
    if not ref:
        raise ValidationFailed("请选择或填写要合并到的事件编号。", code="event_merge_target")
    qs = selectors.events_visible(user=user).select_related("matter")
    if len(ref) > 24:
        found = None
    elif ref.isdigit():
        found = qs.filter(pk=int(ref)).first() if len(ref) <= 18 else None
    else:
        found = qs.filter(number=ref.upper()).first()
    if found is None:
        raise ValidationFailed(f"找不到事件“{ref[:30]}”，请核对事件编号。", code="event_merge_target")
    return found


def _check(event: Event, into: Event) -> None:
    if into.pk == event.pk:
        raise ValidationFailed("不能把事件合并到它自己。", code="event_merge_self")
    if into.matter_id != event.matter_id:
        raise ValidationFailed(
            f"只能合并同一事项的事件：本事件为“{event.matter.name}”，事件 {into.number} 为"
            f"“{into.matter.name}”。",
            code="event_merge_matter",
        )
    if into.state not in OPEN_STATES or into.merged_into_id is not None:
        raise Conflict(
            f"事件 {into.number} {EVENT.state_label(into.state)}，不能合并到它；请选择仍在办理中的事件。",
            code="event_merge_closed",
        )


def follow_url(event: Event) -> str:
    return reverse("event_follow", args=[event.pk])


def event_merge(
    *, acting_user: Any, event: Event, into: Event, note: str = "", now: dt.datetime | None = None
) -> Event:
    """合并 a duplicate into the main event (G3). The dispatcher of the duplicate's township, while it waits for
    triage; the main event must be visible to them, of the same matter and still open (待分派/待受理/办理中), and
    not the duplicate itself. Events merged earlier into the duplicate follow it to the main event. One
    transaction: both rows locked in id order, the transition (history + audit) on the duplicate, a history row
    and an audit entry on the main event, the reporters told (inbox; SMS after commit)."""
    selectors_visible = selectors.events_visible(user=acting_user)
    if (
        not selectors_visible.filter(pk=event.pk).exists()
        or not selectors_visible.filter(pk=into.pk).exists()
    ):
        raise NotFound()
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(f"合并说明不能超过 {NOTE_MAX} 字。", code="note_too_long")
    _check(event, into)
    at = current(now)
    with transaction.atomic():
        locked = {
            e.pk: e
            for e in Event.objects.select_for_update()
            .select_related("matter")
            .filter(pk__in=[event.pk, into.pk])
            .order_by("pk")
        }
        main = locked[into.pk]
        _check(locked[event.pk], main)  # again under the lock: the main event may have moved meanwhile
        engine.transition(
            event, "merge", acting_user=acting_user, now=at, note=f"合并至事件 {main.number}。{note}".strip()
        )
        event.merged_into = main
        event.save(update_fields=["merged_into"])
        followers = list(Event.objects.filter(merged_into=event).select_related("reporter"))
        Event.objects.filter(merged_into=event).update(merged_into=main)
        ct = ContentType.objects.get_for_model(Event)
        actor_name = getattr(acting_user, "display_name", "")[:150]
        rows = [
            CaseHistory(
                content_type=ct,
                object_id=main.pk,
                workflow=EVENT.name,
                kind=HistoryKind.TRANSITION,
                transition="merge_in",
                label="并入重复上报",
                from_state=main.state,
                to_state=main.state,
                actor=acting_user,
                actor_name=actor_name,
                at=at,
                note=f"事件 {event.number} 与本事件为同一事项，已合并至本事件。{note}".strip()[:500],
                extra={"merged": [event.pk, *[f.pk for f in followers]]},
            )
        ]
        rows += [
            CaseHistory(
                content_type=ct,
                object_id=f.pk,
                workflow=EVENT.name,
                kind=HistoryKind.TRANSITION,
                transition="merge_follow",
                label="随合并转至",
                from_state=f.state,
                to_state=f.state,
                actor=acting_user,
                actor_name=actor_name,
                at=at,
                note=f"所合并到的事件 {event.number} 已合并至事件 {main.number}。",
            )
            for f in followers
        ]
        CaseHistory.objects.bulk_create(rows)
        audit_record(
            actor=acting_user,
            action=AuditAction.TRANSITION,
            event="event.merge_in",
            obj=main,
            after={
                "merged": event.pk,
                "merged_number": event.number,
                "followers": [f.pk for f in followers],
                "note": note,
                "at": at,
            },
        )
        reporters = {event.reporter_id: event.reporter, **{f.reporter_id: f.reporter for f in followers}}
        notify_users(
            users=list(reporters.values()),
            title=f"您上报的事件已合并：{event}",
            body=f"与事件 {main.number}（{main.matter.name}）为同一事项，已合并办理。"
            f"可在“我的上报”中查看办理进展。",
            link=follow_url(main),
            sms=True,
        )
    return event


def followed_event(*, user: Any, pk: Any) -> Event:
    """The main event as a reporter whose own event was merged into it may follow it (see the module
    docstring for what they see); NotFound for anyone else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise NotFound()
    try:
        return (
            Event.objects.filter(pk=int(pk), merged__reporter_id=user.pk)
            .select_related("matter", "place", "assignee_place")
            .distinct()
            .get()
        )
    except (Event.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def my_merged_into(*, user: Any, main: Event) -> list[Event]:
    """The user's own reports that were merged into ``main``."""
    return list(Event.objects.filter(merged_into=main, reporter_id=user.pk).order_by("reported_at", "id"))


def main_event_link(*, user: Any, event: Event) -> str:
    """Where the page of a merged event links to: the main event's full page for those who may see it, else the
    follow page of the reporter."""
    if not event.merged_into_id:
        return ""
    if selectors.events_visible(user=user).filter(pk=event.merged_into_id).exists():
        return reverse("event_detail", args=[event.merged_into_id])
    if event.reporter_id == getattr(user, "pk", None):
        return reverse("event_follow", args=[event.merged_into_id])
    return ""
