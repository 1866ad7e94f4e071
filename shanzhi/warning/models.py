"""预警与零报告 (domain.md G5, stability early warning).

- ``EarlyWarning``: a three-level warning (三级预警) on an event or a place, with who raised it and why. Its current
  level is kept on the row for lists; every step (raise, upgrade, downgrade, lift) is a ``WarningChange`` row,
  never an edit of an earlier one, so the history reads as it happened.
- ``ZeroReportPeriod``: a sensitive period (零报告期) declared by a county or township over its subtree; on every
  working day of it each grid reports "nothing" (``ZeroReport``) or what it found (an event reported in the grid
  that day counts). ``ZeroReportReminder`` records the once-a-day reminder after the cut-off.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scoping import ScopedManager, ScopedQuerySet, path_q
from shanzhi.regions.models import path_prefixes

from .choices import LEVEL_COLOURS, WarningAction, WarningKind, WarningLevel


class EarlyWarning(models.Model):
    """预警 (G5 三级预警): a yellow/orange/red warning on one event or one place, scoped by the place's path.

    At most one warning per object is in force (``is_active``); lifting it ends it, and a later warning on the
    same object is a new row. Level changes go through ``services`` and are recorded in ``WarningChange``."""

    kind = models.CharField(_("预警对象"), max_length=8, choices=WarningKind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    target_label = models.CharField(_("对象"), max_length=200)
    place = models.ForeignKey(
        "regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    level = models.CharField(_("预警等级"), max_length=8, choices=WarningLevel.choices)
    reason = models.TextField(_("预警原因"), max_length=500)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    raised_at = models.DateTimeField(_("发布时间"))
    changed_at = models.DateTimeField(_("最近调整时间"))
    is_active = models.BooleanField(_("生效中"), default=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("解除人"),
    )
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    lift_reason = models.CharField(_("解除原因"), max_length=500, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(is_active=True),
                name="warning_one_active_per_object",
            )
        ]
        indexes = [
            models.Index(fields=["place_path", "is_active"], name="warning_place_active"),
            models.Index(fields=["content_type", "object_id"], name="warning_object"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.target_label}"

    def get_absolute_url(self) -> str:
        return reverse("warning_detail", args=[self.pk])

    @property
    def colours(self) -> tuple[str, str]:
        return LEVEL_COLOURS[WarningLevel(self.level)]

    @property
    def target_url(self) -> str:
        if self.kind == WarningKind.EVENT:
            return reverse("event_detail", args=[self.object_id])
        return reverse("warning_place", args=[self.place.code])


class WarningChange(models.Model):
    """预警记录: one step of a warning — raised, upgraded, downgraded or lifted — with who, when and why.
    Append-only: services only ever add rows."""

    warning = models.ForeignKey(
        EarlyWarning, on_delete=models.PROTECT, related_name="changes", verbose_name=_("预警")
    )
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    action = models.CharField(_("操作"), max_length=10, choices=WarningAction.choices)
    from_level = models.CharField(_("原等级"), max_length=8, choices=WarningLevel.choices, blank=True)
    to_level = models.CharField(_("新等级"), max_length=8, choices=WarningLevel.choices, blank=True)
    reason = models.CharField(_("理由"), max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("预警记录")
        verbose_name_plural = _("预警记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.warning_id}"


class AppliesDownQuerySet(ScopedQuerySet):
    """A period declared at a township binds every grid below it, so a village's staff see the periods of the
    places above their scope as well as those inside it (never another township's)."""

    def visible_to(self, user: Any, perm: str) -> AppliesDownQuerySet:
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        paths = user.scope_paths(perm)
        if not paths:
            return self.none()
        if "" in paths:
            return self.all()
        ancestors = sorted({prefix for p in paths for prefix in path_prefixes(p)})
        return self.filter(Q(place_path__in=ancestors) | path_q("place_path", paths))

    def covering(self, path: str) -> AppliesDownQuerySet:
        """Periods declared at the place with ``path`` or above it."""
        return self.filter(place_path__in=path_prefixes(path))


class ZeroReportPeriod(models.Model):
    """零报告期 (G5): a sensitive period declared by a county or township, covering its subtree from
    ``starts_on`` to ``ends_on`` inclusive. On each working day of it (``workflow.calendar``: weekends and
    public holidays skipped, 调休 make-up workdays counted) every grid below must report by the cut-off.
    Periods of the same place may not overlap (``services.zero_period_declare``)."""

    place = models.ForeignKey(
        "regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("设立单位")
    )
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    reason = models.CharField(_("事由"), max_length=200)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("设立人")
    )
    declared_at = models.DateTimeField(_("设立时间"))

    objects = models.Manager.from_queryset(AppliesDownQuerySet)()

    class Meta:
        verbose_name = _("零报告期")
        verbose_name_plural = _("零报告期")
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["place_path", "starts_on", "ends_on"], name="zero_period_place_dates")
        ]

    def __str__(self) -> str:
        return f"{self.place.name} {self.starts_on:%Y-%m-%d}至{self.ends_on:%Y-%m-%d} {self.reason}"

    def get_absolute_url(self) -> str:
        return reverse("zero_sheet", args=[self.pk])


class ZeroReport(models.Model):
    """零报告: a grid's "无情况" (nothing to report) for one working day of a sensitive period, filed by a grid
    worker or grid chief of that grid. One per grid and day (filing again returns the first); filed after the
    day's cut-off it is kept and marked late (迟报)."""

    grid = models.ForeignKey(
        "regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("网格")
    )
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    date = models.DateField(_("报告日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )
    filed_at = models.DateTimeField(_("填报时间"))
    is_late = models.BooleanField(_("迟报"), default=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("零报告")
        verbose_name_plural = _("零报告")
        ordering = ["-date", "place_path"]
        constraints = [models.UniqueConstraint(fields=["grid", "date"], name="zero_report_one_per_grid_day")]
        indexes = [models.Index(fields=["date", "place_path"], name="zero_report_date_place")]

    def __str__(self) -> str:
        return f"零报告 {self.date:%Y-%m-%d} {self.place_path}"


class ZeroReportReminder(models.Model):
    """零报告催报: the reminder sent after the cut-off about one place's missing report on one day — to a grid's
    staff (``place`` is the grid) or to a township's dispatchers (``place`` is the township, ``missing`` grids
    named in the message). Unique per place and day, so the reminder goes out once however often the task runs."""

    place = models.ForeignKey(
        "regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划/网格")
    )
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    date = models.DateField(_("日期"))
    missing = models.PositiveIntegerField(_("未报网格数"), default=1)
    recipients = models.PositiveIntegerField(_("提醒人数"), default=0)
    created_at = models.DateTimeField(_("提醒时间"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("零报告催报")
        verbose_name_plural = _("零报告催报")
        ordering = ["-date", "place_path"]
        constraints = [models.UniqueConstraint(fields=["place", "date"], name="zero_reminder_once_per_day")]

    def __str__(self) -> str:
        return f"催报 {self.date:%Y-%m-%d} {self.place_path}"
