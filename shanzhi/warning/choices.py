"""Choices of early warnings and the zero-report (domain.md G5)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WarningLevel(models.TextChoices):
    """三级预警 (G5): yellow, orange, red — rising seriousness of a stability risk."""

    YELLOW = "yellow", _("黄色预警")
    ORANGE = "orange", _("橙色预警")
    RED = "red", _("红色预警")


# Order of seriousness: a change to a higher rank is an upgrade (升级), to a lower one a downgrade (降级).
LEVEL_RANK = {WarningLevel.YELLOW: 1, WarningLevel.ORANGE: 2, WarningLevel.RED: 3}
# Badge colours (background, text) for each level; Bootstrap has no orange.
LEVEL_COLOURS = {
    WarningLevel.YELLOW: ("#facc15", "#1f2937"),
    WarningLevel.ORANGE: ("#f97316", "#ffffff"),
    WarningLevel.RED: ("#dc2626", "#ffffff"),
}


class WarningKind(models.TextChoices):
    """What a warning is raised on: one event (事件) or a place (区划或网格)."""

    EVENT = "event", _("事件")
    PLACE = "place", _("区划/网格")


class WarningAction(models.TextChoices):
    """The steps of a warning's history; each is a new row, never an edit."""

    RAISE = "raise", _("发布")
    UPGRADE = "upgrade", _("升级")
    DOWNGRADE = "downgrade", _("降级")
    LIFT = "lift", _("解除")


class DayStatus(models.TextChoices):
    """A grid's zero-report status for one working day of a sensitive period (零报告, G5)."""

    FILED = "filed", _("已报无情况")
    BY_EVENT = "by_event", _("已报事件")
    LATE = "late", _("迟报")
    PENDING = "pending", _("待报")
    MISSING = "missing", _("未报")


STATUS_BADGE = {
    DayStatus.FILED: "text-bg-success",
    DayStatus.BY_EVENT: "text-bg-primary",
    DayStatus.LATE: "text-bg-warning",
    DayStatus.PENDING: "text-bg-secondary",
    DayStatus.MISSING: "text-bg-danger",
}
