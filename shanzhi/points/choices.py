"""Choices of 积分制 (domain.md P1–P3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SchemeKind(models.TextChoices):
    """积分方案类别: the schemes a village may run side by side (P1)."""

    MORAL = "moral", _("道德积分")
    VILLAGER = "villager", _("村民积分")
    CIVILITY = "civility", _("文明新风积分")
    PARTY = "party", _("党员先锋指数")
    ASSISTANT = "assistant", _("村务助理积分")
    GARBAGE = "garbage", _("垃圾分类积分")


class SubjectType(models.TextChoices):
    """积分主体: who holds an account in the scheme."""

    HOUSEHOLD = "household", _("户")
    PERSON = "person", _("个人")
    ENTERPRISE = "enterprise", _("企业/经营主体")


class ReviewCadence(models.TextChoices):
    """评议周期 (P3: 月评议、季审核)."""

    MONTHLY = "monthly", _("按月评议")
    QUARTERLY = "quarterly", _("按季评议")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草案")
    ADOPTED = "adopted", _("已通过施行")
    RETIRED = "retired", _("已停用")


class CapPeriod(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季")
    YEAR = "year", _("每年")


class EntryKind(models.TextChoices):
    """积分记录来源."""

    DEED = "deed", _("网格员记录")
    DECLARED = "declared", _("群众申报")
    NEIGHBOUR = "neighbour", _("邻里推荐")
    BATCH = "batch", _("活动批量记录")
    RECYCLING = "recycling", _("回收物兑换")
    CORRECTION = "correction", _("更正")
    SPEND = "spend", _("兑换支出")
    REFUND = "refund", _("兑换退回")


# Kinds that add to the honour score (earned) when approved; spend/refund move only ``spent``.
EARNING_KINDS = (EntryKind.DEED, EntryKind.DECLARED, EntryKind.NEIGHBOUR, EntryKind.BATCH, EntryKind.RECYCLING,
                 EntryKind.CORRECTION)
SPENDING_KINDS = (EntryKind.SPEND, EntryKind.REFUND)


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("待评议")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")


class QuarterStatus(models.TextChoices):
    """季度状态: open → approved by the party branch (locked) → published (公示)."""

    OPEN = "open", _("记录评议中")
    APPROVED = "approved", _("支部已审核")
    PUBLISHED = "published", _("已公示")


class ReconsiderationKind(models.TextChoices):
    OBJECTION = "objection", _("公示异议")
    RECONSIDERATION = "reconsideration", _("积分复议")


class ReconsiderationStatus(models.TextChoices):
    OPEN = "open", _("待调查")
    INVESTIGATING = "investigating", _("调查中")
    UPHELD = "upheld", _("成立，已更正")
    DISMISSED = "dismissed", _("不成立")
