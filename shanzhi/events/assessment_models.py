"""承办责任记录 (domain.md G4 assessment): the per-step facts the assessment aggregates in SQL.

Imported by ``models.py`` so Django registers the model with the events app. Rows are written only by
``assessment.py`` (called from the event services inside each step's transaction); every figure they give can be
recomputed from the workflow history alone (``assessment.recompute_from_history``, command
``shanzhi events_assessment_check``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scoping import ScopedQuerySet

from .choices import AssigneeLevel


class DutyKind(models.TextChoices):
    """受理: the unit must accept within ``ACCEPT_DAYS`` working days of the assignment; 办理: the handling clock
    (from acceptance, or from a 返工) up to the matter's working-day limit."""

    ACCEPT = "accept", _("受理")
    HANDLE = "handle", _("办理")


class DutyOutcome(models.TextChoices):
    """How a duty ended; blank while the unit still holds it."""

    ACCEPTED = "accepted", _("已受理")
    RETURNED = "returned", _("已退回")
    HANDED_ON = "handed_on", _("已移交（提级/转办）")
    CLOSED = "closed", _("已办结")


UNIT_FIELDS = ["unit_level", "unit_path", "unit_department"]


class EventDuty(models.Model):
    """承办责任: one deadline an event put on one unit — accept it (受理) after an assignment, or handle it
    (办理) after acceptance or a rework. The unit is the one that held the event at that step (G4: "attribute to
    the unit that held it": escalation and transfer start a new duty for the new unit). ``place_path`` is the
    event's place (the area filter and the scope); ``due_at`` is the deadline, so "what fell due in the period"
    (G4's denominator) is an indexed range."""

    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="duties", verbose_name=_("事件")
    )
    place_path = models.CharField(_("事发地区划路径"), max_length=24, db_index=True, editable=False)
    kind = models.CharField(_("类别"), max_length=8, choices=DutyKind.choices)
    unit_level = models.CharField(_("承办层级"), max_length=12, choices=AssigneeLevel.choices)
    unit_department = models.CharField(_("承办部门"), max_length=60, blank=True)
    unit_path = models.CharField(_("承办单位区划路径"), max_length=24)
    started_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("期限"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=12, choices=DutyOutcome.choices, blank=True)
    done_at = models.DateTimeField(_("受理/办结时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("受理/办结人"),
    )
    handling_seconds = models.PositiveIntegerField(_("办理用时（秒）"), null=True, blank=True)
    rework = models.BooleanField(_("返工"), default=False)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    satisfied = models.BooleanField(_("满意"), null=True, blank=True)

    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("承办责任记录")
        verbose_name_plural = _("承办责任记录")
        ordering = ["event_id", "started_at", "id"]
        # Covering indexes: each of the assessment's GROUP BY queries reads one date range of one index and
        # never the table (a county month is ~17,000 duties per query; benchmarks in assessment.py).
        indexes = [
            models.Index(
                fields=["kind", "due_at", "place_path", *UNIT_FIELDS, "done_at", "ended_at", "outcome"],
                name="duty_kind_due",
            ),
            models.Index(
                fields=[
                    "kind",
                    "done_at",
                    "place_path",
                    *UNIT_FIELDS,
                    "done_by",
                    "due_at",
                    "satisfied",
                    "handling_seconds",
                ],
                name="duty_kind_done",
            ),
            models.Index(
                fields=["kind", "rated_at", "place_path", *UNIT_FIELDS, "done_by", "satisfied"],
                name="duty_kind_rated",
            ),
            models.Index(fields=["event", "ended_at"], name="duty_event_open"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit_department or self.unit_path} {self.due_at:%Y-%m-%d}"
