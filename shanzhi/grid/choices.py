"""Choices of the grid matter list (domain.md G2)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MatterCategory(models.TextChoices):
    """事项类别: the kinds of matter a grid worker meets in a village (seeds 001–004)."""

    DISPUTE = "dispute", _("矛盾纠纷")
    SECURITY = "security", _("社会治安")
    SAFETY = "safety", _("安全隐患")
    ENVIRONMENT = "environment", _("环境卫生")
    LIVELIHOOD = "livelihood", _("民生服务")
    SPECIAL_GROUPS = "special_groups", _("特殊人群关爱")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    CONSTRUCTION = "construction", _("规划建设与土地")
    AGRICULTURE = "agriculture", _("农业农村")
    POLICY = "policy", _("政策咨询")
    OTHER = "other", _("其他")


class ResponsibleLevel(models.TextChoices):
    """责任层级: where a matter is handled when it is not settled on the spot (G3 分级分流)."""

    GRID = "grid", _("网格")
    VILLAGE = "village", _("村（社区）")
    TOWNSHIP = "township", _("乡镇（街道）")
    COUNTY = "county", _("县级部门")


class MatterDuty(models.TextChoices):
    """网格职责: whether the grid holds the primary duty for the matter or assists the competent department
    (罗江, seed 003: "依法判定'主体'和'配合'职责")."""

    LEAD = "lead", _("主体")
    ASSIST = "assist", _("配合")


class MatterChangeKind(models.TextChoices):
    ADMITTED = "admitted", _("准入")
    CHANGED = "changed", _("调整")
    EXITED = "exited", _("退出")
    READMITTED = "readmitted", _("重新准入")


# Levels of the administrative tree that may own a matter list.
OWNER_LEVELS = ("county", "township")
TIME_LIMIT_MAX = 180
