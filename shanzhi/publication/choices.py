from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicationKind(models.TextChoices):
    """What is published (domain.md F7). Capabilities add their own kinds: points, finances, decisions."""

    HOUSEHOLD_LIST = "household_list", _("户籍名单")
    EVENT_BULLETIN = "event_bulletin", _("事件办理通报")  # G4: a township's or county's monthly 通报
    POINTS_QUARTER = "points_quarter", _("积分季度公示")  # P3
    POINTS_BLACKLIST = "points_blacklist", _("积分黑榜")  # P4
    POINTS_HONOURS = "points_honours", _("积分星级与表彰")  # P4: stars, titles, awards
    DECISION_RESOLUTION = "decision_resolution", _("决议公开")  # A2
    DECISION_RESULT = "decision_result", _("实施结果公开")  # A2
    TOPIC_RESULT = "topic_result", _("议事结果公示")  # A5: a deliberation's vote and its tasks
    FINANCE_STATEMENT = "finance_statement", _("财务收支月报")  # A3
    FINANCE_BOOK = "finance_book", _("七本账公开")  # A3: 晒 7 本裸账
    POWER_LIST = "power_list", _("小微权力清单")  # A1
    VILLAGE_RULES = "village_rules", _("村规民约")  # A6


class BoardSection(models.TextChoices):
    """The four sections of a village notice board (村务公开栏, domain.md A4)."""

    PARTY = "party", _("党务公开")
    VILLAGE = "village", _("村务公开")
    FINANCE = "finance", _("财务公开")
    AFFAIRS = "affairs", _("事务公开")


# Which board section each kind of publication belongs to (A4).
BOARD_SECTION: dict[str, str] = {
    PublicationKind.HOUSEHOLD_LIST: BoardSection.VILLAGE,
    PublicationKind.EVENT_BULLETIN: BoardSection.AFFAIRS,
    PublicationKind.POINTS_QUARTER: BoardSection.AFFAIRS,
    PublicationKind.POINTS_BLACKLIST: BoardSection.AFFAIRS,
    PublicationKind.POINTS_HONOURS: BoardSection.AFFAIRS,
    PublicationKind.DECISION_RESOLUTION: BoardSection.VILLAGE,
    PublicationKind.DECISION_RESULT: BoardSection.VILLAGE,
    PublicationKind.TOPIC_RESULT: BoardSection.VILLAGE,
    PublicationKind.FINANCE_STATEMENT: BoardSection.FINANCE,
    PublicationKind.FINANCE_BOOK: BoardSection.FINANCE,
    PublicationKind.POWER_LIST: BoardSection.VILLAGE,
    PublicationKind.VILLAGE_RULES: BoardSection.VILLAGE,
}


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
