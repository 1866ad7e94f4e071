"""星级、表彰与黑榜 (domain.md P4 积分结果).

- ``Round``: one assessment of one scheme for one period — the quarter's stars (每季按分授星) or the year's titles
  and awards (年终表彰). Computed from the approved honour score (``points.Account.earned``'s entries, never the
  spendable balance) and frozen: a round's awards are written once, with the score they were given for, and are
  never recomputed; publishing it puts a snapshot on the village board (kind ``points_honours``).
- ``StarAward`` / ``TitleAward``: a subject's stars for the quarter, a subject's title and award (元) for the year.
- ``Listing``: the black list (黑榜) — a subject whose score for the period fell below the scheme's
  ``blacklist_below`` (安家村: below 7), proposed by the system, confirmed by the party branch, with the benefits
  suspended for a cycle, a one-to-one helper (帮扶人), the conditions of the path back, progress notes
  (``ListingNote``) and its removal when they are met — each confirmation and removal published.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scoping import ScopedManager


class RoundKind(models.TextChoices):
    STARS = "stars", _("季度星级")
    TITLES = "titles", _("年度称号与奖励")


class Round(models.Model):
    """评定 (P4): the stars of one quarter or the titles of one year for one scheme, frozen when assessed."""

    SCOPE_FIELD = "place_path"

    scheme = models.ForeignKey("points.Scheme", on_delete=models.PROTECT, related_name="+", verbose_name=_("积分方案"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    kind = models.CharField(_("类别"), max_length=8, choices=RoundKind.choices)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    rules = models.JSONField(_("评定规则"), default=list)  # the thresholds / title rules as they were applied
    subjects = models.PositiveIntegerField(_("参评主体数"), default=0)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("评定人"))
    assessed_at = models.DateTimeField(_("评定时间"))
    publication = models.ForeignKey("publication.Publication", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("公示"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("星级/表彰评定")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["scheme", "kind", "starts_on"], name="honours_round_once")]
        ordering = ["-starts_on", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on:%Y-%m-%d}"

    @property
    def period_label(self) -> str:
        if self.kind == RoundKind.TITLES:
            return f"{self.starts_on.year}年"
        return f"{self.starts_on.year}年第{(self.starts_on.month - 1) // 3 + 1}季度"


class StarAward(models.Model):
    """季度星级: the stars a subject earned in a quarter by its score (the scheme's star thresholds)."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="stars", verbose_name=_("评定"))
    account = models.ForeignKey("points.Account", on_delete=models.PROTECT, related_name="+", verbose_name=_("积分账户"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    name = models.CharField(_("主体"), max_length=100)
    score = models.DecimalField(_("季度得分"), max_digits=9, decimal_places=1)
    stars = models.PositiveSmallIntegerField(_("星级"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("季度星级")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["round", "account"], name="honours_star_once")]
        indexes = [models.Index(fields=["account", "round"], name="honours_star_account")]

    def __str__(self) -> str:
        return f"{self.name} {self.stars}★"


class TitleAward(models.Model):
    """年度称号与奖励 (十星家庭户、创业致富能手、遵纪守法企业、最佳经营土地能手; 100–400 元)."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="titles", verbose_name=_("评定"))
    account = models.ForeignKey("points.Account", on_delete=models.PROTECT, related_name="+", verbose_name=_("积分账户"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    name = models.CharField(_("主体"), max_length=100)
    score = models.DecimalField(_("年度得分"), max_digits=9, decimal_places=1)
    rank = models.PositiveIntegerField(_("名次"))
    title = models.CharField(_("荣誉称号"), max_length=40)
    award = models.DecimalField(_("奖金（元）"), max_digits=8, decimal_places=2)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("年度称号与奖励")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["round", "account", "title"], name="honours_title_once")]
        ordering = ["title", "rank"]

    def __str__(self) -> str:
        return f"{self.name} {self.title}"


class ListingStatus(models.TextChoices):
    PROPOSED = "proposed", _("待支部审核")
    LISTED = "listed", _("已列入黑榜")
    DISMISSED = "dismissed", _("支部未列入")
    REMOVED = "removed", _("已移出黑榜")


class Listing(models.Model):
    """黑榜 (P4; seed 003 安家村: 评议积分低于7分 … 在一个评议周期内暂停其公益岗位资格、优惠补助政策等，并进行黑榜公示
    … 由村干部、党员"1对1"联系帮扶，帮助其转化升级)."""

    SCOPE_FIELD = "place_path"

    scheme = models.ForeignKey("points.Scheme", on_delete=models.PROTECT, related_name="+", verbose_name=_("积分方案"))
    account = models.ForeignKey("points.Account", on_delete=models.PROTECT, related_name="+", verbose_name=_("积分账户"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    name = models.CharField(_("主体"), max_length=100)
    starts_on = models.DateField(_("评议期起"))
    ends_on = models.DateField(_("评议期止"))
    score = models.DecimalField(_("评议期得分"), max_digits=9, decimal_places=1)
    threshold = models.DecimalField(_("黑榜线"), max_digits=7, decimal_places=1)
    status = models.CharField(_("状态"), max_length=10, choices=ListingStatus.choices, default=ListingStatus.PROPOSED,
                              db_index=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("提出人"))
    proposed_at = models.DateTimeField(_("提出时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("审核人"))
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    benefits = models.JSONField(_("暂停的待遇"), default=list)
    suspended_until = models.DateField(_("暂停至"), null=True, blank=True)
    helper = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("帮扶人"))
    conditions = models.TextField(_("移出条件"), max_length=500, blank=True)
    clause_id = models.PositiveIntegerField(_("村规民约条款"), null=True, blank=True)
    publication = models.ForeignKey("publication.Publication", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("黑榜公示"))
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("移出审核人"))
    removed_at = models.DateTimeField(_("移出时间"), null=True, blank=True)
    removal_reason = models.CharField(_("移出理由"), max_length=300, blank=True)
    removal_publication = models.ForeignKey("publication.Publication", null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+", verbose_name=_("移出公示"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("黑榜")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["account", "starts_on", "ends_on"], name="honours_listing_once")]
        indexes = [models.Index(fields=["scheme", "status"], name="honours_listing_status")]
        ordering = ["-proposed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_status_display()}）"


class ListingNote(models.Model):
    """帮扶进展 (the recorded path back): a helper's or cadre's note on a listed subject's progress."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="notes", verbose_name=_("黑榜"))
    text = models.TextField(_("进展"), max_length=1000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("记录人"))
    created_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("帮扶进展")
        verbose_name_plural = verbose_name
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:30]
