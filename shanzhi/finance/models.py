"""村级财务 (domain.md A3): a village's collective account, its income and expense entries with vouchers, the
approval chain an expense runs above a threshold, the monthly statements published on the board, and the registers
behind the seven open books (晒 7 本裸账).

The ledger is append-only in spirit: a posted entry is never edited; a month whose statement is published is closed,
and a correction is a new entry in a later month (conventions.md "Ledgers are append-only")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scoping import ScopedManager

from .choices import (
    Book,
    CategoryTag,
    DebtDirection,
    DisclosureFrequency,
    EntryKind,
    EntryState,
    HistoryAction,
    StepLevel,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class Ledger(models.Model):
    """村集体账: one village's collective account. ``agency_bookkeeping`` is 村账乡代管: the township's agency
    bookkeeper (乡镇代理记账员) keeps the books for the village; the village's accountant enters otherwise."""

    village = models.OneToOneField("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("村"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    township = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    township_path = models.CharField(_("乡镇路径"), max_length=24, db_index=True, editable=False)
    agency_bookkeeping = models.BooleanField(_("村账乡代管"), default=True)
    frequency = models.CharField(_("公开频次"), max_length=12, choices=DisclosureFrequency.choices,
                                 default=DisclosureFrequency.MONTHLY)
    start_month = models.DateField(_("建账月份"), help_text=_("该月1日；月报从此月开始按期公开"))
    opening_balance = models.DecimalField(_("期初余额（元）"), default=Decimal("0"), **MONEY)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("建账人"))
    opened_at = models.DateTimeField(_("建账时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("村集体账")
        verbose_name_plural = _("村集体账")
        ordering = ["place_path"]

    def __str__(self) -> str:
        return f"{self.village.name}村集体账" if not self.village.name.endswith("账") else self.village.name

    def get_absolute_url(self) -> str:
        return reverse("finance_ledger", args=[self.pk])


class Category(models.Model):
    """收支科目: the village's income and expense categories, seeded from a standard list and editable per village.
    ``tag`` says what else the category feeds (grants received, collective asset income, the open books)."""

    ledger = models.ForeignKey(Ledger, on_delete=models.CASCADE, related_name="categories", verbose_name=_("账"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    kind = models.CharField(_("收支"), max_length=8, choices=EntryKind.choices)
    name = models.CharField(_("科目名称"), max_length=40)
    tag = models.CharField(_("归入"), max_length=16, choices=CategoryTag.choices, default=CategoryTag.NONE, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("收支科目")
        verbose_name_plural = _("收支科目")
        ordering = ["kind", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["ledger", "kind", "name"], name="finance_category_unique")]

    def __str__(self) -> str:
        return self.name


class ApprovalChain(models.Model):
    """审批链: the ordered signatures an expense above ``chain_threshold`` needs before it is posted (三堆 逐级审签:
    村文书 → 村支书 → 第一书记 → 包村干部 → 包村领导 → 镇主要领导, with the supervisory committee and the democratic
    finance group); above ``decision_threshold`` it also needs a passed 四议两公开 decision (domain.md A2)."""

    ledger = models.OneToOneField(Ledger, on_delete=models.CASCADE, related_name="chain", verbose_name=_("账"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    chain_threshold = models.DecimalField(_("审批起点（元）"), default=Decimal("1000"), **MONEY,
                                          help_text=_("支出超过此金额须经审批链签批"))
    decision_threshold = models.DecimalField(_("决策起点（元）"), default=Decimal("50000"), **MONEY,
                                             help_text=_("支出超过此金额还须经四议两公开决策通过"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("审批链")
        verbose_name_plural = _("审批链")

    def __str__(self) -> str:
        return f"{self.ledger} 审批链"


class ApprovalStep(models.Model):
    """A step of the chain: who signs — a role held at the village or at its township, and optionally one named
    person (e.g. the 第一书记). Steps are signed in ``position`` order. A step no longer in the chain is kept
    (inactive) so past signatures still name it."""

    chain = models.ForeignKey(ApprovalChain, on_delete=models.CASCADE, related_name="steps", verbose_name=_("审批链"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    position = models.PositiveSmallIntegerField(_("顺序"))
    label = models.CharField(_("签批人"), max_length=40, help_text=_("如：村文书、村支书、第一书记、包村干部"))
    role = models.CharField(_("角色"), max_length=20)
    level = models.CharField(_("所在层级"), max_length=12, choices=StepLevel.choices, default=StepLevel.VILLAGE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("指定人员"))
    is_active = models.BooleanField(_("有效"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("审批步骤")
        verbose_name_plural = _("审批步骤")
        ordering = ["chain", "-is_active", "position", "id"]
        indexes = [models.Index(fields=["role", "level"], name="finance_step_role")]

    def __str__(self) -> str:
        return self.label


class Entry(models.Model):
    """收支记录: one income or expense with its vouchers (photos through the files kernel), entered by the village
    accountant or the township's agency bookkeeper. ``number`` is the voucher number, unique in the ledger
    (``2026-10-003``): it names the entry on the published statement, where villagers can question it."""

    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="entries", verbose_name=_("账"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    township_path = models.CharField(_("乡镇路径"), max_length=24, editable=False)
    number = models.CharField(_("凭证号"), max_length=16)
    date = models.DateField(_("发生日期"))
    month = models.DateField(_("所属月份"), editable=False)
    kind = models.CharField(_("收支"), max_length=8, choices=EntryKind.choices)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("科目"))
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    counterparty = models.CharField(_("收付对象"), max_length=100)
    counterparty_private = models.BooleanField(_("对象为个人（公开时只显示姓氏）"), default=False)
    summary = models.CharField(_("摘要"), max_length=200)
    state = models.CharField(_("状态"), max_length=16, choices=EntryState.choices, default=EntryState.ENTERED,
                             db_index=True)
    needs_chain = models.BooleanField(_("须审批"), default=False)
    needs_decision = models.BooleanField(_("须决策"), default=False)
    decision_id = models.PositiveIntegerField(_("四议两公开决策"), null=True, blank=True)
    round = models.PositiveSmallIntegerField(_("审批轮次"), default=0)
    current_step = models.ForeignKey(ApprovalStep, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("当前审批步骤"))
    correction_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="corrections", verbose_name=_("更正的原记录"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("录入人"))
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    posted_at = models.DateTimeField(_("入账时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("收支记录")
        verbose_name_plural = _("收支记录")
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["ledger", "number"], name="finance_entry_number")]
        indexes = [
            models.Index(fields=["ledger", "month", "state"], name="finance_entry_month"),
            models.Index(fields=["state", "current_step"], name="finance_entry_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.summary}"

    def get_absolute_url(self) -> str:
        return reverse("finance_entry", args=[self.pk])

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.kind == EntryKind.INCOME else -self.amount


class EntryHistory(models.Model):
    """审批记录: every submission, signature, return (with its reason), resubmission (with what changed) and
    posting of an entry, kept across rounds: the entry page shows who signed when."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="history", verbose_name=_("收支记录"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    action = models.CharField(_("操作"), max_length=12, choices=HistoryAction.choices)
    round = models.PositiveSmallIntegerField(_("轮次"), default=0)
    step = models.ForeignKey(ApprovalStep, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("审批步骤"))
    step_label = models.CharField(_("签批人"), max_length=40, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.CharField(_("意见/原因"), max_length=300, blank=True)
    changes = models.JSONField(_("修改内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.entry.number} {self.get_action_display()}"


class Statement(models.Model):
    """财务收支月报: a month's statement published on the village board (publication kind ``finance_statement``).
    Once published the month is closed. The figures are kept beside the publication for the overview pages."""

    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="statements", verbose_name=_("账"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    month = models.DateField(_("月份"))
    publication = models.OneToOneField("publication.Publication", on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("公示"))
    opening = models.DecimalField(_("期初余额"), **MONEY)
    income = models.DecimalField(_("本月收入"), **MONEY)
    expense = models.DecimalField(_("本月支出"), **MONEY)
    closing = models.DecimalField(_("期末余额"), **MONEY)
    entry_count = models.PositiveIntegerField(_("笔数"), default=0)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("发布人"))
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("财务月报")
        verbose_name_plural = _("财务月报")
        ordering = ["ledger", "-month"]
        constraints = [models.UniqueConstraint(fields=["ledger", "month"], name="finance_statement_month")]

    def __str__(self) -> str:
        return f"{self.ledger.village.name} {self.month:%Y年%m月}财务收支公开"

    def get_absolute_url(self) -> str:
        return reverse("finance_month", args=[self.ledger_id, f"{self.month:%Y-%m}"])


class BookItem(models.Model):
    """A line of the registers behind three of the seven open books: 资产账 (collective assets), 资源账 (land,
    forest, water and other resources), 债权债务账 (receivables and payables)."""

    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="book_items", verbose_name=_("账"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    book = models.CharField(_("账本"), max_length=12, choices=Book.choices)
    name = models.CharField(_("名称"), max_length=100)
    quantity = models.CharField(_("数量/面积"), max_length=40, blank=True)
    value = models.DecimalField(_("金额/价值（元）"), default=Decimal("0"), **MONEY)
    direction = models.CharField(_("债权/债务"), max_length=12, choices=DebtDirection.choices, blank=True,
                                 default=DebtDirection.NONE)
    counterparty = models.CharField(_("使用人/对方"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_on = models.DateField(_("登记日期"))
    is_active = models.BooleanField(_("在册"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("登记人"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("账本登记")
        verbose_name_plural = _("账本登记")
        ordering = ["book", "recorded_on", "id"]
        indexes = [models.Index(fields=["ledger", "book", "is_active"], name="finance_bookitem_book")]

    def __str__(self) -> str:
        return self.name


class BookPublication(models.Model):
    """A published open book (publication kind ``finance_book``) for a year up to a month."""

    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="book_publications",
                               verbose_name=_("账"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    book = models.CharField(_("账本"), max_length=12, choices=Book.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    through_month = models.DateField(_("截至月份"))
    publication = models.OneToOneField("publication.Publication", on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("公示"))
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("七本账公开")
        verbose_name_plural = _("七本账公开")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_book_display()} {self.year}"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)
