from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    """The outcome of a 四议两公开 matter, as other capabilities are told it (``api.decision_outcome``)."""

    PENDING = "pending", _("进行中")
    PASSED = "passed", _("已通过")
    REJECTED = "rejected", _("未通过")


class MeetingKind(models.TextChoices):
    """The bodies that meet at the deliberative steps of A2, each with its own quorum rule (``quorum.py``)."""

    TWO_COMMITTEES = "two_committees", _('村"两委"会议')
    PARTY_CONGRESS = "party_congress", _("党员大会")
    REPRESENTATIVES = "representatives", _("村民代表会议")
    VILLAGERS = "villagers", _("村民会议（本村18周岁以上村民）")
    HOUSEHOLDS = "households", _("村民会议（每户派代表）")


class Eligibility(models.TextChoices):
    """Who may vote on a deliberation topic (A5), taken from the registry when a vote is cast."""

    ADULTS = "adults", _("本村18周岁以上村民")
    HOUSEHOLDS = "households", _("每户一票")
    REPRESENTATIVES = "representatives", _("村民代表")


class Choice(models.TextChoices):
    FOR = "for", _("赞成")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


class Participation(models.TextChoices):
    """三村议事 (A5): in person (本地村), remote for villagers away (外地村), online (网上村)."""

    IN_PERSON = "in_person", _("本地村（现场）")
    REMOTE = "remote", _("外地村（远程）")
    ONLINE = "online", _("网上村（线上）")


class ProposerKind(models.TextChoices):
    VILLAGER = "villager", _("村民提出")
    BODY = "body", _("组织提出")


class TopicCategory(models.TextChoices):
    """议事清单 (A5): the kinds of matters put to deliberation."""

    PUBLIC_WORKS = "public_works", _("公益事业与基础设施")
    COLLECTIVE_ASSETS = "collective_assets", _("集体资产资源")
    LAND = "land", _("土地与宅基地")
    WELFARE = "welfare", _("惠民政策与救助")
    ENVIRONMENT = "environment", _("人居环境")
    CUSTOMS = "customs", _("移风易俗与村规民约")
    OTHER = "other", _("其他涉及村民利益的事项")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("落实中")
    DONE = "done", _("已完成")
