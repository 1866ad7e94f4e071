from django.db import models
from django.utils.translation import gettext_lazy as _


class RedemptionState(models.TextChoices):
    RESERVED = "reserved", _("已预约")
    COLLECTED = "collected", _("已领取")
    REDEEMED = "redeemed", _("已兑换")  # at the counter, at once
    CANCELLED = "cancelled", _("已取消")
    EXPIRED = "expired", _("已过期")


STATE_BADGE = {
    RedemptionState.RESERVED: "warning",
    RedemptionState.COLLECTED: "success",
    RedemptionState.REDEEMED: "success",
    RedemptionState.CANCELLED: "secondary",
    RedemptionState.EXPIRED: "secondary",
}


class RedemptionChannel(models.TextChoices):
    SHOP = "shop", _("超市现场兑换")
    PHONE = "phone", _("手机预约")


class MerchantKind(models.TextChoices):
    SHOP = "shop", _("商户")
    BANK = "bank", _("银行")
    EMPLOYER = "employer", _("用工单位")


PARTNER_KINDS = (MerchantKind.BANK, MerchantKind.EMPLOYER)


class OfferKind(models.TextChoices):
    GOODS = "goods", _("积分兑换商品")
    DISCOUNT = "discount", _("积分抵扣折扣")


class Material(models.TextChoices):
    PAPER = "paper", _("废纸")
    PLASTIC = "plastic", _("塑料")
    METAL = "metal", _("金属")
    GLASS = "glass", _("玻璃")
    TEXTILE = "textile", _("旧衣物")
    BATTERY = "battery", _("废电池")
    PESTICIDE = "pesticide", _("农药包装")
    FILM = "film", _("废旧农膜")


class LookupOutcome(models.TextChoices):
    SHOWN = "shown", _("已显示信用等级")
    REFUSED = "refused", _("未获授权，未显示")
