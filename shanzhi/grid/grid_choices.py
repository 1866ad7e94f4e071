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


class HazardKind(models.TextChoices):
    """隐患点类型: what a special grid's monitored point is (G1 "专属网格: e.g. geological hazard points with a
    dedicated monitor"); the geological kinds follow 《地质灾害防治条例》 (滑坡、崩塌、泥石流、地面塌陷)."""

    LANDSLIDE = "landslide", _("滑坡")
    COLLAPSE = "collapse", _("崩塌")
    DEBRIS_FLOW = "debris_flow", _("泥石流")
    SUBSIDENCE = "subsidence", _("地面塌陷")
    FLASH_FLOOD = "flash_flood", _("山洪")
    DANGEROUS_HOUSE = "dangerous_house", _("危房")
    RESERVOIR = "reservoir", _("水库塘坝")
    FOREST_FIRE = "forest_fire", _("森林火险")
    OTHER = "other", _("其他")


HAZARD_COLOUR = "#b91c1c"


# 村务助理的五项基本职责 (G6 "duties 5 + X"): the five every assistant has; a village adds its own X items.
# Written from the seeds' assistant model (圣灯镇: 收、报、录、转、办、反、销, the "七有" standard).
STANDARD_ASSISTANT_DUTIES: tuple[str, ...] = (
    "政策宣传：宣讲惠民政策和村规民约",
    "民情收集：收集群众诉求和意见建议，登记在册",
    "代办服务：帮助群众代办、跑办民生事项",
    "矛盾调处：排查化解邻里矛盾纠纷，小事不出微网格",
    "安全巡查：巡查安全隐患，发现问题及时上报并反馈结果",
)
DEFAULT_SERVICE_HOURS = "每天 8:00—20:00，紧急情况随时联系"
