"""积分制 (domain.md P1–P3): schemes with categories and items, one account per (scheme, subject), and the
append-only ledger of entries (积分记录) with review, quarterly approval and publication.

Every point is traceable: an entry names its item (the rule, and through the item the village-rules clause),
the deed date, the recorder, the reviewer and — for corrections — the entry it corrects. Balances are cached
on the account beside the entries (``earned`` = sum of approved earning entries, ``spent`` = spends − refunds)
and kept equal to the ledger by the services in ``ledger.py`` under a row lock on the account.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shanzhi.core.identity import mask_name
from shanzhi.core.scoping import ScopedManager

from .choices import (
    CapPeriod,
    EntryKind,
    EntryStatus,
    QuarterStatus,
    ReconsiderationKind,
    ReconsiderationStatus,
    ReviewCadence,
    SchemeKind,
    SchemeStatus,
    SubjectType,
)

ZERO = Decimal("0.0")


def fmt_points(value: Decimal | None, *, sign: bool = False) -> str:
    """Points as people write them: 2, 0.5, -5 (never 2.0 or 1E+1); with ``sign`` a plus on positives."""
    d = (value or ZERO).normalize()
    text = format(d, "f")
    return f"+{text}" if sign and d > 0 else text


class Scheme(models.Model):
    """积分方案: a village's points scheme (P1), or a township's template (``is_template``) that villages adopt
    and adapt. Adoption by democratic procedure (四议两公开) is recorded: the decision (affairs) or the meeting."""

    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属村/乡镇"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    name = models.CharField(_("方案名称"), max_length=80)
    kind = models.CharField(_("积分类别"), max_length=12, choices=SchemeKind.choices)
    subject_type = models.CharField(_("积分主体"), max_length=12, choices=SubjectType.choices,
                                    default=SubjectType.HOUSEHOLD)
    review_cadence = models.CharField(_("评议周期"), max_length=12, choices=ReviewCadence.choices,
                                      default=ReviewCadence.MONTHLY)
    star_thresholds = models.JSONField(_("授星标准"), default=list, blank=True,
                                       help_text=_('如 [{"stars": 1, "min": 10}, {"stars": 2, "min": 20}]'))
    title_rules = models.JSONField(_("评优规则"), default=list, blank=True)
    blacklist_below = models.DecimalField(_("黑榜线（低于）"), max_digits=7, decimal_places=1, null=True, blank=True)
    description = models.TextField(_("方案说明"), blank=True, max_length=4000)
    status = models.CharField(_("状态"), max_length=12, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT,
                              db_index=True)
    is_template = models.BooleanField(_("乡镇模板"), default=False)
    template = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="adoptions",
                                 verbose_name=_("所依模板"))
    adopted_on = models.DateField(_("通过日期"), null=True, blank=True)
    decision_id = models.PositiveIntegerField(_("村务决策编号"), null=True, blank=True)
    decision_note = models.CharField(_("通过会议"), max_length=300, blank=True,
                                     help_text=_("如：2024年3月5日村民代表大会（四议两公开）表决通过"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("积分方案")
        verbose_name_plural = _("积分方案")
        ordering = ["place_path", "kind", "id"]
        indexes = [models.Index(fields=["place_path", "status"], name="points_scheme_path_status")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("points_scheme", args=[self.pk])


class Category(models.Model):
    """积分类别 (e.g. 积孝、积善…): a group of items in a scheme."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="categories", verbose_name=_("方案"))
    name = models.CharField(_("类别名称"), max_length=40)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("积分类别")
        verbose_name_plural = _("积分类别")
        ordering = ["scheme_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "name"], name="points_category_unique_name")]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """积分细则: one rule. ``points_min == points_max`` is a fixed score; a negative range is the 负面清单.
    ``cap_count`` per ``cap_period`` limits how often a subject earns it; ``rule_clause_id`` names the village-
    rules clause (charter) it rests on."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items", verbose_name=_("方案"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items", verbose_name=_("类别"))
    code = models.CharField(_("编号"), max_length=16)
    name = models.CharField(_("细则"), max_length=200)
    points_min = models.DecimalField(_("最低分"), max_digits=6, decimal_places=1)
    points_max = models.DecimalField(_("最高分"), max_digits=6, decimal_places=1)
    cap_count = models.PositiveSmallIntegerField(_("次数上限"), null=True, blank=True)
    cap_period = models.CharField(_("上限周期"), max_length=8, choices=CapPeriod.choices, blank=True)
    evidence_required = models.BooleanField(_("须附佐证"), default=False)
    rule_clause_id = models.PositiveIntegerField(_("村规民约条款"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("积分细则")
        verbose_name_plural = _("积分细则")
        ordering = ["scheme_id", "category__order", "category_id", "code", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="points_item_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_fixed(self) -> bool:
        return self.points_min == self.points_max

    @property
    def is_negative(self) -> bool:
        return self.points_max < 0

    @property
    def points_label(self) -> str:
        if self.is_fixed:
            return fmt_points(self.points_min, sign=True)
        return f"{fmt_points(self.points_min, sign=True)}～{fmt_points(self.points_max, sign=True)}"


class Account(models.Model):
    """积分账户: one per (scheme, subject). ``earned`` is the honour score (sum of approved earning entries, used
    for rankings, stars and the black list); ``spent`` is what redemptions took (spends − refunds). Spending
    never lowers the honour score."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("方案"))
    household = models.ForeignKey("people.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("户"))
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("个人"))
    enterprise = models.ForeignKey("people.Subject", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("企业/经营主体"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    earned = models.DecimalField(_("荣誉积分"), max_digits=9, decimal_places=1, default=ZERO)
    spent = models.DecimalField(_("已兑换"), max_digits=9, decimal_places=1, default=ZERO)
    name_public = models.BooleanField(_("同意公示姓名"), default=False,
                                      help_text=_("未登记同意的，公示时姓名脱敏"))
    consent_recorded_at = models.DateTimeField(_("同意登记时间"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        ordering = ["scheme_id", "place_path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "household"], name="points_account_unique_household"),
            models.UniqueConstraint(fields=["scheme", "person"], name="points_account_unique_person"),
            models.UniqueConstraint(fields=["scheme", "enterprise"], name="points_account_unique_enterprise"),
            models.CheckConstraint(
                condition=(
                    models.Q(household__isnull=False, person__isnull=True, enterprise__isnull=True)
                    | models.Q(household__isnull=True, person__isnull=False, enterprise__isnull=True)
                    | models.Q(household__isnull=True, person__isnull=True, enterprise__isnull=False)
                ),
                name="points_account_one_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["scheme", "place_path"], name="points_account_scheme_path"),
            models.Index(fields=["scheme", "earned"], name="points_account_scheme_earned"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.scheme.name}）" if self.scheme_id else self.name

    def get_absolute_url(self) -> str:
        return reverse("points_results_account", args=[self.pk])

    @property
    def spendable(self) -> Decimal:
        return self.earned - self.spent

    @property
    def name_masked(self) -> str:
        return self.name if self.enterprise_id else mask_name(self.name)

    @property
    def subject_type(self) -> str:
        return (SubjectType.HOUSEHOLD if self.household_id else SubjectType.PERSON if self.person_id
                else SubjectType.ENTERPRISE)


class Entry(models.Model):
    """积分记录: one line of the append-only ledger. Approval, rejection and adjustment during the monthly review
    change ``status``/``points`` of a pending entry only; once approved an entry is never edited — a correction
    is a new entry (kind ``correction``, ``corrects`` set). Spends are negative and approved at once."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("账户"))
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("方案"))
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="entries",
                             verbose_name=_("细则"))
    kind = models.CharField(_("来源"), max_length=12, choices=EntryKind.choices)
    points = models.DecimalField(_("分值"), max_digits=7, decimal_places=1)
    claimed_points = models.DecimalField(_("申报分值"), max_digits=7, decimal_places=1, null=True, blank=True)
    deed_date = models.DateField(_("事迹日期"))
    quarter = models.DateField(_("季度"), help_text=_("事迹所在季度的第一天"))
    place_path = models.CharField(_("区划路径"), max_length=24, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.PENDING)
    note = models.CharField(_("事迹说明"), max_length=300, blank=True)
    recorder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("记录人"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("评议人"))
    reviewed_at = models.DateTimeField(_("评议时间"), null=True, blank=True)
    review_note = models.CharField(_("评议意见"), max_length=300, blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections",
                                 verbose_name=_("更正的记录"))
    batch_key = models.CharField(_("批次"), max_length=40, blank=True, db_index=True)
    source_ref = models.CharField(_("来源单据"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    SCOPE_FIELD = "place_path"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-deed_date", "-id"]
        indexes = [
            models.Index(fields=["account", "deed_date", "id"], name="points_entry_account"),
            models.Index(fields=["account", "item", "deed_date"], name="points_entry_account_item"),
            models.Index(fields=["scheme", "quarter", "status", "account"], name="points_entry_quarter"),
            models.Index(fields=["place_path", "deed_date"], name="points_entry_grid_month"),
            models.Index(fields=["scheme", "status", "deed_date"], name="points_entry_review"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {fmt_points(self.points, sign=True)}"

    def get_absolute_url(self) -> str:
        return reverse("points_results_entry", args=[self.pk])

    @property
    def is_earning(self) -> bool:
        return self.kind not in (EntryKind.SPEND, EntryKind.REFUND)


class Quarter(models.Model):
    """季度: a scheme's quarter. The party branch's approval (季审核) locks it — no record, review or edit of
    entries dated in it afterwards; publication (公示, kernel ``publication``) follows. Corrections after that
    are new entries dated in the open quarter."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="quarters", verbose_name=_("方案"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    starts_on = models.DateField(_("季度起始日"))
    status = models.CharField(_("状态"), max_length=10, choices=QuarterStatus.choices, default=QuarterStatus.OPEN)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("审核人"))
    approved_at = models.DateTimeField(_("支部审核时间"), null=True, blank=True)
    approval_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    publication = models.ForeignKey("publication.Publication", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("公示"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("积分季度")
        verbose_name_plural = _("积分季度")
        ordering = ["scheme_id", "-starts_on"]
        constraints = [models.UniqueConstraint(fields=["scheme", "starts_on"], name="points_quarter_unique")]

    def __str__(self) -> str:
        return f"{self.starts_on.year}年第{(self.starts_on.month - 1) // 3 + 1}季度"

    @property
    def label(self) -> str:
        return str(self)

    @property
    def is_locked(self) -> bool:
        return self.status != QuarterStatus.OPEN


class Reconsideration(models.Model):
    """积分异议/复议: an objection filed during the quarter's publication window (through the publication
    kernel) or a reconsideration (复议) at any time. It is investigated; if upheld a correcting entry is written
    (never an edit of the old one)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("方案"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="reconsiderations",
                                verbose_name=_("账户"))
    entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("所涉记录"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    kind = models.CharField(_("类型"), max_length=16, choices=ReconsiderationKind.choices)
    objection = models.OneToOneField("publication.Objection", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("公示异议"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("提出人"))
    filed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    reason = models.TextField(_("理由"), max_length=1000)
    status = models.CharField(_("状态"), max_length=14, choices=ReconsiderationStatus.choices,
                              default=ReconsiderationStatus.OPEN, db_index=True)
    investigation = models.TextField(_("调查情况"), max_length=2000, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("处理人"))
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    correction = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("更正记录"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("积分复议")
        verbose_name_plural = _("积分复议")
        ordering = ["-filed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("points_reconsideration", args=[self.pk])
