from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicationKind(models.TextChoices):
    """What is published (domain.md F7). Capabilities add their own kinds: points, finances, decisions."""

    HOUSEHOLD_LIST = "household_list", _("户籍名单")
    EVENT_BULLETIN = "event_bulletin", _("事件办理通报")  # G4: a township's or county's monthly 通报


class PublicationStatus(models.TextChoices):
    """A publication is immutable once published; only its status moves, and only forward."""

    PUBLISHED = "published", _("公示中")
    CLOSED = "closed", _("公示期满")
    WITHDRAWN = "withdrawn", _("已撤回")
    SUPERSEDED = "superseded", _("已被更正")


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    UPHELD = "upheld", _("异议成立")
    REJECTED = "rejected", _("异议不成立")


class Phase(models.TextChoices):
    """Where a live publication stands against its period (derived from the dates, never stored)."""

    SCHEDULED = "scheduled", _("尚未开始")
    OPEN = "open", _("公示中")
    ENDED = "ended", _("公示期满")
    WITHDRAWN = "withdrawn", _("已撤回")
    SUPERSEDED = "superseded", _("已被更正")
