"""公共法律服务 (domain.md M7, 掌上公共法律服务平台): a villager's question to the village's legal adviser (一村一法律
顾问), legal-aid (法律援助) and notarisation (公证) applications with their simple states, and the library of
exemplary cases (anonymised) and of laws.

Consultations and applications are scoped by the asker's village (``place_path``): the advisers holding
``legal.answer`` there see and answer them; the asker always sees their own. Library entries are readable by
anyone with a legal or mediation permission anywhere; laws are national, cases carry the place that published
them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scoping import ScopedQuerySet

from .anonymise import chinese_numeral
from .choices import ApplicationKind, ApplicationStatus, ConsultationStatus

Scoped = models.Manager.from_queryset(ScopedQuerySet)


class Consultation(models.Model):
    """法律咨询: one question from a villager's phone (text, an optional photo attached through the files kernel)
    to the village's legal adviser, and the adviser's answer, shown on the asker's phone and sent to their
    inbox. ``adviser`` is whom the question went to (mediation's per-village adviser, else the nearest holder of
    the legal-adviser role); any adviser in scope may answer, and ``answered_by`` records who did."""

    asker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("咨询人"))
    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在村"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    question = models.TextField(_("咨询内容"), max_length=1000)
    asked_at = models.DateTimeField(_("咨询时间"))
    adviser = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("法律顾问"))
    status = models.CharField(_("状态"), max_length=10, choices=ConsultationStatus.choices,
                              default=ConsultationStatus.OPEN)
    answer = models.TextField(_("解答"), max_length=2000, blank=True)
    answered_at = models.DateTimeField(_("解答时间"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("解答人"))

    objects = Scoped()

    class Meta:
        verbose_name = _("法律咨询")
        verbose_name_plural = _("法律咨询")
        ordering = ["-asked_at", "-id"]
        indexes = [
            models.Index(fields=["place_path", "status"], name="legal_consult_place_status"),
            models.Index(fields=["asker", "asked_at"], name="legal_consult_asker"),
            models.Index(fields=["asked_at", "id"], name="legal_consult_asked"),
        ]

    def __str__(self) -> str:
        return f"法律咨询 #{self.pk}"


class LegalApplication(models.Model):
    """法律援助 / 公证申请: a villager's application, with its own simple states — submitted → accepted (受理) or
    refused with a reason (不予受理) → done (办结, with the result). Handled by the legal advisers in scope, who
    pass it on to the legal-aid centre or notary office and record the outcome."""

    kind = models.CharField(_("类别"), max_length=8, choices=ApplicationKind.choices)
    number = models.CharField(_("申请编号"), max_length=24, unique=True)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("申请人"))
    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在村"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    matter = models.CharField(_("申请事项"), max_length=60)
    facts = models.TextField(_("事实与理由"), max_length=2000)
    phone = models.CharField(_("联系电话"), max_length=11)
    submitted_at = models.DateTimeField(_("提交时间"))
    status = models.CharField(_("状态"), max_length=10, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("经办人"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    refused_at = models.DateTimeField(_("不予受理时间"), null=True, blank=True)
    refusal_reason = models.CharField(_("不予受理理由"), max_length=400, blank=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    result = models.CharField(_("办理结果"), max_length=400, blank=True)

    objects = Scoped()

    class Meta:
        verbose_name = _("法律援助与公证申请")
        verbose_name_plural = _("法律援助与公证申请")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["place_path", "status"], name="legal_app_place_status"),
            models.Index(fields=["applicant", "submitted_at"], name="legal_app_applicant"),
            models.Index(fields=["submitted_at", "id"], name="legal_app_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}申请 {self.number}"


class ExemplaryCase(models.Model):
    """典型案例: a resolved dispute written up for learning — anonymised (parties as 甲/乙, no ID numbers or phone
    numbers: ``anonymise`` checks and masks before it is kept). ``source_case_id`` names the mediation case it
    was made from, if any."""

    title = models.CharField(_("标题"), max_length=100)
    dispute_type = models.CharField(_("纠纷类型"), max_length=30)
    summary = models.TextField(_("基本案情"), max_length=4000)
    resolution = models.TextField(_("调处结果"), max_length=2000)
    commentary = models.TextField(_("典型意义"), max_length=2000, blank=True)
    laws_cited = models.CharField(_("法律依据"), max_length=300, blank=True)
    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("发布单位区划"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    source_case_id = models.IntegerField(_("来源调解案件"), null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("编写人"))
    created_at = models.DateTimeField(_("发布时间"))

    objects = Scoped()

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class LawArticle(models.Model):
    """法律条文: one article of a law (title, article number, text), searchable by law, number and words."""

    law = models.CharField(_("法律名称"), max_length=60, db_index=True)
    number = models.PositiveIntegerField(_("条号"))
    text = models.TextField(_("条文"), max_length=4000)
    created_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("法律条文")
        verbose_name_plural = _("法律条文")
        ordering = ["law", "number"]
        constraints = [models.UniqueConstraint(fields=["law", "number"], name="legal_article_unique")]

    def __str__(self) -> str:
        return f"《{self.law}》{self.article_label}"

    @property
    def article_label(self) -> str:
        return f"第{chinese_numeral(self.number)}条"
