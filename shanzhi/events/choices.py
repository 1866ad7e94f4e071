"""Choices of the event closed loop (domain.md G3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReporterKind(models.TextChoices):
    """报告人类别: who found the event (G3 前端发现报告)."""

    GRID_WORKER = "grid_worker", _("网格员")
    ASSISTANT = "assistant", _("村务助理")
    VILLAGER = "villager", _("村民")
    STAFF = "staff", _("工作人员")


class AssigneeLevel(models.TextChoices):
    """承办层级 (分级分流): 小事一格解决 in the grid; the village; the township; a county department (难事提级)."""

    GRID = "grid", _("网格")
    VILLAGE = "village", _("村（社区）")
    TOWNSHIP = "township", _("乡镇（街道）")
    DEPARTMENT = "department", _("县级部门")


# 提级: each level hands a hard case to the one above it; a county department is the top.
LEVEL_ABOVE = {AssigneeLevel.GRID: AssigneeLevel.VILLAGE, AssigneeLevel.VILLAGE: AssigneeLevel.TOWNSHIP,
               AssigneeLevel.TOWNSHIP: AssigneeLevel.DEPARTMENT}

# The matter list's responsible level (grid.choices.ResponsibleLevel) → the suggested assignee level.
SUGGESTED_LEVEL = {"grid": AssigneeLevel.GRID, "village": AssigneeLevel.VILLAGE, "township": AssigneeLevel.TOWNSHIP,
                   "county": AssigneeLevel.DEPARTMENT}


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    UNSATISFIED = "unsatisfied", _("不满意")
