"""Choices of grids and grid staff (domain.md G1)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class GridType(models.TextChoices):
    """网格类型 (G1): base grids of about 30 households, special grids around one risk (e.g. a geological-hazard
    point with its monitor), online grids (the grid's WeChat/QQ group)."""

    BASE = "base", _("基础网格")
    SPECIAL = "special", _("专属网格")
    ONLINE = "online", _("线上网格")


# Polygon colours on the map, one per type (also shown in the legend).
GRID_TYPE_COLOURS = {GridType.BASE: "#2563eb", GridType.SPECIAL: "#dc2626", GridType.ONLINE: "#16a34a"}


class StaffPost(models.TextChoices):
    """网格员队伍 (G1): 总网格长 → 网格长 → 副网格长 → 一级网格员 → 二级网格员, and 网格专干 from departments."""

    CHIEF_GENERAL = "chief_general", _("总网格长")
    CHIEF = "chief", _("网格长")
    DEPUTY_CHIEF = "deputy_chief", _("副网格长")
    WORKER_1 = "worker_1", _("一级网格员")
    WORKER_2 = "worker_2", _("二级网格员")
    SPECIALIST = "specialist", _("网格专干")


# The level of place each post is held at: 总网格长 at the township, 网格长 at the village, the others at a grid
# (a 二级网格员 may hold a micro-grid); 网格专干 come from a department and serve a township or village.
POST_LEVELS = {
    StaffPost.CHIEF_GENERAL: {"township"},
    StaffPost.CHIEF: {"village"},
    StaffPost.DEPUTY_CHIEF: {"village", "grid"},
    StaffPost.WORKER_1: {"grid"},
    StaffPost.WORKER_2: {"grid", "microgrid"},
    StaffPost.SPECIALIST: {"township", "village", "grid"},
}
GRID_LEVELS = ("grid", "microgrid")
