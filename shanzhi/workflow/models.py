"""Workflow kernel tables (domain.md F6): the working-day calendar, the generic case history, and the
abstract case fields a domain model inherits to be run by the engine (``engine.py``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假")
    WORKDAY = "workday", _("调休上班")


class CalendarDay(models.Model):
    """工作日历特殊日: a date that departs from the Monday–Friday rule. ``holiday`` is a day off (法定节假日 and
    the days joined to it by 调休); ``workday`` is a weekend day worked instead (调休上班). Every other date is a
    working day from Monday to Friday and a rest day on Saturday and Sunday. Source: the yearly 国务院办公厅关于
    ××年部分节假日安排的通知; years not yet published fall back to the weekday rule."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=40, help_text=_("如：春节、国庆节"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("工作日历特殊日")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"


class HistoryKind(models.TextChoices):
    START = "start", _("发起")
    TRANSITION = "transition", _("办理")
    URGE = "urge", _("催办")
    OVERDUE = "overdue", _("超期")
    ESCALATE = "escalate", _("提级督办")
    NOTE = "note", _("办理记录")
    WARN = "warn", _("临期预警")
    SUPERVISE = "supervise", _("督办")


class CaseHistory(models.Model):
    """流程记录: one row per step of any case (start, transition, urge, supervision, progress note, pre-deadline
    warning, overdue, escalation), pointing at the case by content type and id so every domain shares one
    history table and one way to show it."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("案件类型"))
    object_id = models.PositiveBigIntegerField(_("案件编号"))
    workflow = models.CharField(_("流程"), max_length=40)
    kind = models.CharField(_("类别"), max_length=12, choices=HistoryKind.choices)
    transition = models.CharField(_("操作"), max_length=40, blank=True)
    label = models.CharField(_("操作名称"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=32, blank=True)
    to_state = models.CharField(_("新状态"), max_length=32, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("操作人"))
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True, help_text=_("空为系统"))
    note = models.CharField(_("意见/说明"), max_length=500, blank=True)
    extra = models.JSONField(_("附加信息"), null=True, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("流程记录")
        verbose_name_plural = _("流程记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="case_history_case")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.label}"


class WorkflowCase(models.Model):
    """Fields every case carries so the kernel can run it: the state, when it was entered, the deadline the
    state started (indexed, the sweeper's key), the pre-deadline warning (``warn_at``, set with the deadline
    from the state's ``warn_before_days``; ``warned_at`` once sent), the overdue flag and escalation, and
    urging. Domain models inherit this and declare their workflow in their app's ``workflow.py``."""

    state = models.CharField(_("状态"), max_length=32, blank=True, db_index=True)
    state_since = models.DateTimeField(_("进入状态时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(_("临期预警时间"), null=True, blank=True, db_index=True)
    warned_at = models.DateTimeField(_("已预警时间"), null=True, blank=True)
    is_overdue = models.BooleanField(_("已超期"), default=False, db_index=True)
    overdue_at = models.DateTimeField(_("标记超期时间"), null=True, blank=True)
    escalate_at = models.DateTimeField(_("应提级时间"), null=True, blank=True, db_index=True)
    escalated_at = models.DateTimeField(_("提级时间"), null=True, blank=True)
    urge_count = models.PositiveSmallIntegerField(_("催办次数"), default=0)
    last_urged_at = models.DateTimeField(_("最近催办"), null=True, blank=True)

    class Meta:
        abstract = True

    WORKFLOW_FIELDS = ["state", "state_since", "due_at", "warn_at", "warned_at", "is_overdue", "overdue_at",
                       "escalate_at", "escalated_at", "urge_count", "last_urged_at"]
