"""事件 (domain.md G3, the five-step closed loop): an event found in the field, reported with matter, text,
photos and location, triaged to a level, accepted and handled within the matter's working-day limit, closed
with a result and rated by the reporter. The workflow is declared in ``workflow.py`` and run by the kernel."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scoping import ScopedQuerySet
from shanzhi.workflow.models import WorkflowCase

from .choices import AssigneeLevel, ReporterKind, Satisfaction


class Event(WorkflowCase):
    """事件: one report of the closed loop (G3: 前端发现报告 → 分级分流 → 限时办理 → 跟踪督办 → 办结回访).

    Scoped by the place where it happened (``place_path``): staff holding event.view there see it; the
    reporter always sees their own (``selectors``). ``client_key`` is generated on the phone, so a retried or
    double-tapped submission finds the event it already made instead of making another. The deadline of the
    handling state is the matter's working-day limit, counted from acceptance (受理即起算). A county
    department is a named unit (``assignee_org``, an orgs.Organisation of kind 县级政府部门); only the accounts
    working for it act on the event; ``assignee_department`` keeps its name as it was when assigned."""

    number = models.CharField(_("事件编号"), max_length=24, unique=True, null=True, blank=True)
    matter = models.ForeignKey("grid.Matter", on_delete=models.PROTECT, related_name="+", verbose_name=_("事项"))
    text = models.TextField(_("事件描述"), max_length=1000)
    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("事发地"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("报告人"))
    reporter_kind = models.CharField(_("报告人类别"), max_length=12, choices=ReporterKind.choices)
    reported_at = models.DateTimeField(_("报告时间"))
    client_key = models.CharField(_("提交编号"), max_length=64, unique=True,
                                  help_text=_("手机端生成，重复提交不会重复建事件"))
    assignee_level = models.CharField(_("承办层级"), max_length=12, choices=AssigneeLevel.choices, blank=True)
    assignee_department = models.CharField(_("承办部门"), max_length=60, blank=True,
                                           help_text=_("承办部门名称（分派时的名称，留作记录）"))
    assignee_org = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("承办部门（单位）"),
                                     help_text=_("县级部门承办时：该部门，只有其工作人员可以受理、办理"))
    assignee_place = models.ForeignKey("regions.Place", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("承办单位所在区划"))
    assignee_path = models.CharField(_("承办区划路径"), max_length=24, blank=True, db_index=True, editable=False)
    assigned_at = models.DateTimeField(_("分派时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("办结人"))
    result = models.TextField(_("办理结果"), max_length=500, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    satisfaction_reason = models.CharField(_("不满意原因"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("评价人"))
    reopen_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged",
                                    verbose_name=_("合并至"), help_text=_("重复上报合并到的事件"))

    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["place_path", "state"], name="event_place_state"),
            models.Index(fields=["assignee_path", "state"], name="event_assignee_state"),
            models.Index(fields=["reporter", "reported_at"], name="event_reporter"),
            models.Index(fields=["reported_at", "id"], name="event_reported"),
        ]

    def __str__(self) -> str:
        return f"事件 {self.number or '（新）'}"

    def get_absolute_url(self) -> str:
        return reverse("event_detail", args=[self.pk])

    @property
    def assignee_label(self) -> str:
        if not self.assignee_level:
            return ""
        if self.assignee_level == AssigneeLevel.DEPARTMENT:
            return self.assignee_department or str(AssigneeLevel.DEPARTMENT.label)
        name = self.assignee_place.name if self.assignee_place_id else ""
        return f"{name}（{self.get_assignee_level_display()}）"


# 承办责任记录 (G4 assessment facts) live in their own module; imported here so the app registers the model.
from .assessment_models import EventDuty  # noqa: E402, F401
