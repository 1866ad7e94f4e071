"""积分兑换与信用 (domain.md P5–P6): the points supermarket (积分超市/爱心超市), partner merchants confirming by
QR, recyclables weighed into points, and credit tiers shown to partner banks and employers with consent.

Points never move here: every spend, refund or credit goes through the points ledger contract
(``shanzhi.points.ledger``), which locks the account row; rows here record what was bought, reserved,
weighed or looked up, and point at the ledger entry that paid for it. Spending lowers the spendable balance
(``Account.spent``), never the honour score (``Account.earned``) used for ranking and credit tiers.

Every row carries ``place_path`` (the shop's, merchant's or scheme's place) so scope is one indexed prefix."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.identity import mask_name
from shanzhi.core.scoping import ScopedManager

from .choices import LookupOutcome, Material, MerchantKind, OfferKind, RedemptionChannel, RedemptionState


class Shop(models.Model):
    """积分超市: a village's (or a township's) points supermarket. Its keepers (管理员) run the counter: goods,
    stock, in-shop redemption, collecting phone reservations and weighing recyclables when the shop is also a
    recycling station (再生资源回收点). It takes the points of villagers under its place."""

    name = models.CharField(_("名称"), max_length=100)
    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, verbose_name=_("所在村/镇"), related_name="+")
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    opening_hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    keepers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="kept_shops", verbose_name=_("管理员"))
    reservation_days = models.PositiveSmallIntegerField(_("预约保留天数"), default=7)
    is_recycling_station = models.BooleanField(_("兼作回收点"), default=False)
    is_active = models.BooleanField(_("营业中"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("积分超市")
        verbose_name_plural = _("积分超市")
        ordering = ["place_path", "name"]

    def __str__(self) -> str:
        return self.name


class Goods(models.Model):
    """商品: a good with a point price (below its market price), stock, photo; inactive goods are not offered."""

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="goods", verbose_name=_("积分超市"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    name = models.CharField(_("名称"), max_length=100)
    unit = models.CharField(_("单位"), max_length=10, default="件")
    photo = models.ForeignKey("files.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("照片"))
    price_points = models.DecimalField(_("所需积分"), max_digits=7, decimal_places=1)
    market_price = models.DecimalField(_("市场价（元）"), max_digits=9, decimal_places=2, null=True, blank=True)
    stock = models.PositiveIntegerField(_("库存"), default=0)
    is_active = models.BooleanField(_("上架"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("商品")
        verbose_name_plural = _("商品")
        ordering = ["shop_id", "price_points", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "name"], name="goods_shop_name"),
            models.CheckConstraint(condition=models.Q(price_points__gt=0), name="goods_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    """兑换记录: ``qty`` of a good for ``points`` of an account. Redeemed at the counter at once, or reserved on
    the phone (stock and points held) and then collected at the shop with the code or QR, cancelled (refund,
    stock back) or expired after the shop's reservation days (the same)."""

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("积分超市"))
    goods = models.ForeignKey(Goods, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("商品"))
    account = models.ForeignKey("points.Account", on_delete=models.PROTECT, related_name="redemptions",
                                verbose_name=_("积分账户"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    goods_name = models.CharField(_("商品名称"), max_length=100)
    account_name = models.CharField(_("兑换人"), max_length=100)
    qty = models.PositiveIntegerField(_("数量"))
    unit_points = models.DecimalField(_("单价（积分）"), max_digits=7, decimal_places=1)
    points = models.DecimalField(_("积分"), max_digits=8, decimal_places=1)
    channel = models.CharField(_("方式"), max_length=8, choices=RedemptionChannel.choices)
    state = models.CharField(_("状态"), max_length=10, choices=RedemptionState.choices, db_index=True)
    code = models.CharField(_("取货码"), max_length=8, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("预约截止"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("领取/取消经办人"))
    closed_at = models.DateTimeField(_("领取/取消时间"), null=True, blank=True)
    spend_entry = models.ForeignKey("points.Entry", on_delete=models.PROTECT, related_name="+", verbose_name=_("扣分记录"))
    refund_entry = models.ForeignKey("points.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("退分记录"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("兑换记录")
        verbose_name_plural = _("兑换记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["shop", "-created_at"], name="redemption_shop_time"),
            models.Index(fields=["account", "-created_at"], name="redemption_account_time"),
            models.Index(fields=["state", "expires_at"], name="redemption_state_expiry"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(qty__gt=0), name="redemption_qty_positive")]

    def __str__(self) -> str:
        return f"{self.code} {self.goods_name}×{self.qty}"

    @property
    def account_name_masked(self) -> str:
        return mask_name(self.account_name)

    @property
    def source_ref(self) -> str:
        return f"rewards.redemption:{self.pk}"


class Merchant(models.Model):
    """合作商户: a partner shop (discounts or goods for points), bank (道德积分 + 贷款) or employer. Its staff are
    users holding the MERCHANT role, linked here; they confirm redemptions by scanning a villager's QR code, and
    banks and employers look up consenting villagers' credit tiers."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=MerchantKind.choices, default=MerchantKind.SHOP)
    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, verbose_name=_("服务区划"), related_name="+")
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="merchants", verbose_name=_("商户账号"))
    is_active = models.BooleanField(_("合作中"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("合作商户")
        verbose_name_plural = _("合作商户")
        ordering = ["place_path", "name"]

    def __str__(self) -> str:
        return self.name


class MerchantOffer(models.Model):
    """商户优惠: goods for points, or a discount bought with points (e.g. 10 积分抵 5 元)."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="offers", verbose_name=_("合作商户"))
    kind = models.CharField(_("类型"), max_length=10, choices=OfferKind.choices)
    title = models.CharField(_("内容"), max_length=100)
    points = models.DecimalField(_("所需积分"), max_digits=7, decimal_places=1)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("商户优惠")
        verbose_name_plural = _("商户优惠")
        ordering = ["merchant_id", "points", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(points__gt=0), name="offer_points_positive")]

    def __str__(self) -> str:
        return self.title


class PayToken(models.Model):
    """付款码: a one-time code a villager's phone shows (as a signed QR token, or 8 digits to type) so a merchant
    can spend points of that account. It expires after a few minutes and is used at most once."""

    account = models.ForeignKey("points.Account", on_delete=models.CASCADE, related_name="+", verbose_name=_("积分账户"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("出示人"))
    code = models.CharField(_("码号"), max_length=8, unique=True)
    issued_at = models.DateTimeField(_("生成时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("付款码")
        verbose_name_plural = _("付款码")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.code


class MerchantRedemption(models.Model):
    """商户核销: a merchant confirmed an offer for a villager who showed a one-time QR code. One per pay token (a
    one-to-one link), so a replayed code is refused by the database as well as by the service."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("合作商户"))
    offer = models.ForeignKey(MerchantOffer, on_delete=models.PROTECT, related_name="+", verbose_name=_("优惠"))
    account = models.ForeignKey("points.Account", on_delete=models.PROTECT, related_name="merchant_redemptions",
                                verbose_name=_("积分账户"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    title = models.CharField(_("内容"), max_length=100)
    account_name = models.CharField(_("兑换人"), max_length=100)
    points = models.DecimalField(_("积分"), max_digits=8, decimal_places=1)
    token = models.OneToOneField(PayToken, on_delete=models.PROTECT, related_name="redemption", verbose_name=_("付款码"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("核销人"))
    confirmed_at = models.DateTimeField(_("核销时间"), auto_now_add=True)
    spend_entry = models.ForeignKey("points.Entry", on_delete=models.PROTECT, related_name="+", verbose_name=_("扣分记录"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("商户核销")
        verbose_name_plural = _("商户核销")
        ordering = ["-confirmed_at", "-id"]
        indexes = [models.Index(fields=["merchant", "-confirmed_at"], name="merchant_redemption_time")]

    def __str__(self) -> str:
        return f"{self.merchant} {self.title}"

    @property
    def account_name_masked(self) -> str:
        return mask_name(self.account_name)


class RecyclingRate(models.Model):
    """回收价目: points per kg of a material at a village's stations, in force from ``effective_from`` until a
    later rate for the same material; old rates are kept (history), never edited. Public per village."""

    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, verbose_name=_("村"), related_name="+")
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    scheme = models.ForeignKey("points.Scheme", on_delete=models.PROTECT, related_name="+", verbose_name=_("计入积分方案"))
    material = models.CharField(_("品类"), max_length=12, choices=Material.choices)
    points_per_kg = models.DecimalField(_("每公斤积分"), max_digits=6, decimal_places=2)
    effective_from = models.DateField(_("执行日期"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("发布人"))
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("回收价目")
        verbose_name_plural = _("回收价目")
        ordering = ["place_path", "material", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["place", "material", "effective_from"], name="recycling_rate_day"),
            models.CheckConstraint(condition=models.Q(points_per_kg__gt=0), name="recycling_rate_positive"),
        ]
        indexes = [models.Index(fields=["place", "material", "-effective_from"], name="recycling_rate_lookup")]

    def __str__(self) -> str:
        return f"{self.get_material_display()} {self.points_per_kg}/kg"


class RecyclingWeighing(models.Model):
    """回收称重: the station keeper weighed ``kg`` of a material for an account; ``points`` = kg × the rate in
    force that day, credited through the ledger (kind recycling, approved at once: the rate is published)."""

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="weighings", verbose_name=_("回收点"))
    rate = models.ForeignKey(RecyclingRate, on_delete=models.PROTECT, related_name="weighings", verbose_name=_("价目"))
    account = models.ForeignKey("points.Account", on_delete=models.PROTECT, related_name="weighings",
                                verbose_name=_("积分账户"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    account_name = models.CharField(_("交售人"), max_length=100)
    material = models.CharField(_("品类"), max_length=12, choices=Material.choices)
    kg = models.DecimalField(_("重量（公斤）"), max_digits=7, decimal_places=2)
    points = models.DecimalField(_("积分"), max_digits=7, decimal_places=1)
    weighed_on = models.DateField(_("称重日期"))
    weighed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("称重人"))
    created_at = models.DateTimeField(auto_now_add=True)
    entry = models.ForeignKey("points.Entry", on_delete=models.PROTECT, related_name="+", verbose_name=_("积分记录"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("回收称重")
        verbose_name_plural = _("回收称重")
        ordering = ["-weighed_on", "-id"]
        indexes = [models.Index(fields=["shop", "-weighed_on"], name="weighing_shop_day")]

    def __str__(self) -> str:
        return f"{self.get_material_display()} {self.kg}kg"

    @property
    def account_name_masked(self) -> str:
        return mask_name(self.account_name)


class CreditTier(models.Model):
    """信用等级: an honour-score threshold of a scheme and what the tier means to partners (a bank's rate
    discount, an employer's preference). An account's tier is the highest whose ``min_points`` ≤ its honour
    score (``earned``; spending does not lower it)."""

    scheme = models.ForeignKey("points.Scheme", on_delete=models.CASCADE, related_name="+", verbose_name=_("积分方案"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    name = models.CharField(_("等级名称"), max_length=30)
    min_points = models.DecimalField(_("积分下限"), max_digits=8, decimal_places=1)
    benefits = models.CharField(_("合作方权益"), max_length=300, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("信用等级")
        verbose_name_plural = _("信用等级")
        ordering = ["scheme_id", "-min_points"]
        constraints = [models.UniqueConstraint(fields=["scheme", "min_points"], name="credit_tier_threshold")]

    def __str__(self) -> str:
        return self.name


class CreditConsent(models.Model):
    """信用查询授权: a villager's recorded consent that partner banks and employers may see their credit tier,
    dated, valid until ``valid_until`` and revocable at any time (revocation is kept, not deleted)."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("村民"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("授权账号"))
    given_at = models.DateTimeField(_("授权时间"))
    valid_until = models.DateField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("信用查询授权")
        verbose_name_plural = _("信用查询授权")
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["person", "-given_at"], name="credit_consent_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.given_at:%Y-%m-%d}"


class CreditLookup(models.Model):
    """信用查询记录: a partner looked up a villager — who, for which partner, when, why, and whether the tier was
    shown (consent current) or refused. Listed to the villager on their own page; audited as well."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="lookups", verbose_name=_("查询单位"))
    looked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("查询人"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("被查询人"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    purpose = models.CharField(_("查询事由"), max_length=100)
    outcome = models.CharField(_("结果"), max_length=10, choices=LookupOutcome.choices)
    tier_name = models.CharField(_("显示的等级"), max_length=100, blank=True)
    at = models.DateTimeField(_("查询时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("信用查询记录")
        verbose_name_plural = _("信用查询记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="credit_lookup_person")]

    def __str__(self) -> str:
        return f"{self.merchant} {self.at:%Y-%m-%d}"
