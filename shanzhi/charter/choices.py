from django.db import models
from django.utils.translation import gettext_lazy as _


class RulesStatus(models.TextChoices):
    """Where a version of the village rules stands (domain.md A6: 四议四听, adoption by a decision)."""

    DRAFT = "draft", _("起草中")
    HEARING = "hearing", _("征求意见（四听）")
    ADOPTING = "adopting", _("表决中（四议）")
    IN_FORCE = "in_force", _("现行有效")
    SUPERSEDED = "superseded", _("已废止（被新版本替代）")
    REJECTED = "rejected", _("未获通过")


# Versions whose clauses may still be changed; from ADOPTING on a version is frozen, never edited.
EDITABLE_RULES = (RulesStatus.DRAFT, RulesStatus.HEARING)


class HearingParty(models.TextChoices):
    """四听: whose opinions are heard on a draft of the village rules (domain.md A6)."""

    SAGES = "sages", _("听取乡贤意见")
    DEPUTIES = "deputies", _("听取人大代表、政协委员意见")
    CADRES = "cadres", _("听取驻村干部、党员干部意见")
    REPRESENTATIVES = "representatives", _("听取村民代表意见")


class PowerListKind(models.TextChoices):
    """三清单一流程: the four national lists of what a village (its organisations) may and must do (A1)."""

    AUTONOMY = "autonomy", _("村级组织自治事项清单")
    ASSIST = "assist", _("村级组织协助政府工作事项清单")
    MICRO_POWER = "micro_power", _("小微权力清单")
    PUBLIC_SERVICE = "public_service", _("村级公共服务事项清单")


class DisclosureDuty(models.TextChoices):
    """公开要求 of a power item: when and where its use is disclosed."""

    BEFORE_AND_AFTER = "before_after", _("事前事后公开")
    RESULT = "result", _("结果公开")
    MONTHLY = "monthly", _("按月公开")
    QUARTERLY = "quarterly", _("按季度公开")
    ON_REQUEST = "on_request", _("依申请公开")
