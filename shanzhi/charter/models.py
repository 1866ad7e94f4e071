"""权力清单与村规民约 (domain.md A1, A6).

村规民约 (A6): a village's rules live in versions. A version is drafted, heard (四听: sages, deputies,
cadres, representatives — each hearing recorded), then put to a decision (四议, the affairs app's
``decision_request``); when that decision passes the version is in force and the previous one is superseded.
From the moment it goes to the vote a version is frozen: a change is a new version, never an edit.

小微权力清单 (A1, 三清单一流程): the four lists of what a village's organisations do, each item with its legal
basis, responsible body, process steps, disclosure duty and risk points. A township keeps template lists; a
village adopts a template (its copy stays linked to the template, item by item) and adapts it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scoping import ScopedManager

from .choices import EDITABLE_RULES, DisclosureDuty, HearingParty, PowerListKind, RulesStatus


class RulesVersion(models.Model):
    """村规民约的一个版本: numbered per village (第1版, 第2版 …). ``based_on`` is the version it was drafted
    from (the diff is against it); ``decision_id`` the affairs Decision that adopted (or rejected) it."""

    village = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    number = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=100)
    preamble = models.TextField(_("序言"), max_length=1000, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=RulesStatus.choices, default=RulesStatus.DRAFT,
                              db_index=True)
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("修订所依据的版本"))
    decision_id = models.PositiveIntegerField(_("表决决策编号"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("起草人"))
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("提交表决人"))
    submitted_at = models.DateTimeField(_("提交表决时间"), null=True, blank=True)
    in_force_from = models.DateTimeField(_("生效时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("废止时间"), null=True, blank=True)
    settled_at = models.DateTimeField(_("表决结果时间"), null=True, blank=True)
    publication_id = models.PositiveIntegerField(_("公示编号"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("村规民约版本")
        verbose_name_plural = _("村规民约版本")
        ordering = ["village_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["village", "number"], name="charter_rules_version_number"),
            # At most one version of a village in force, and at most one being drafted or voted on.
            models.UniqueConstraint(fields=["village"], condition=models.Q(status=RulesStatus.IN_FORCE),
                                    name="charter_rules_one_in_force"),
            models.UniqueConstraint(fields=["village"],
                                    condition=models.Q(status__in=["draft", "hearing", "adopting"]),
                                    name="charter_rules_one_open"),
        ]
        indexes = [models.Index(fields=["place_path", "status"], name="charter_rules_path_status")]

    def __str__(self) -> str:
        return f"{self.title}（第{self.number}版）"

    def get_absolute_url(self) -> str:
        return reverse("charter_rules_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_RULES


class RulesClause(models.Model):
    """一条村规: numbered within its version; ``key`` follows the same clause from version to version (a copy
    keeps it, a new clause gets a new one), so the diff can say added / changed / removed."""

    version = models.ForeignKey(RulesVersion, on_delete=models.CASCADE, related_name="clauses",
                                verbose_name=_("版本"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    number = models.PositiveIntegerField(_("条号"))
    key = models.CharField(_("条目标识"), max_length=16)
    heading = models.CharField(_("章节"), max_length=40, blank=True, help_text=_("如“社会治安”“移风易俗”"))
    text = models.TextField(_("条文"), max_length=500)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("村规民约条款")
        verbose_name_plural = _("村规民约条款")
        ordering = ["version_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="charter_clause_number"),
            models.UniqueConstraint(fields=["version", "key"], name="charter_clause_key"),
        ]

    def __str__(self) -> str:
        return f"第{self.number}条"

    @property
    def anchor(self) -> str:
        return f"clause-{self.number}"


class RulesHearing(models.Model):
    """四听: one hearing of a draft — whose opinions, when, who took part, what they said and how the draft
    answered. A version goes to the vote only after all four parties were heard."""

    version = models.ForeignKey(RulesVersion, on_delete=models.PROTECT, related_name="hearings",
                                verbose_name=_("版本"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    party = models.CharField(_("听取对象"), max_length=16, choices=HearingParty.choices)
    held_on = models.DateField(_("听取日期"))
    participants = models.CharField(_("参加人员"), max_length=300)
    participant_count = models.PositiveIntegerField(_("参加人数"))
    opinions = models.TextField(_("意见建议"), max_length=2000)
    response = models.TextField(_("采纳情况"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("村规民约意见听取")
        verbose_name_plural = _("村规民约意见听取")
        ordering = ["version_id", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_party_display()} {self.held_on}"


class PowerList(models.Model):
    """一份清单 of one of the four kinds, owned by a township (a template, 乡镇模板) or a village. A village's list
    adopted from a template keeps ``template`` (and each item its ``template_item``)."""

    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区划"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    kind = models.CharField(_("清单类别"), max_length=16, choices=PowerListKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    is_template = models.BooleanField(_("乡镇模板"), default=False)
    template = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="copies",
                                 verbose_name=_("所依据的模板"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    publication_id = models.PositiveIntegerField(_("最近公示编号"), null=True, blank=True)
    published_at = models.DateTimeField(_("最近公示时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("权力清单")
        verbose_name_plural = _("权力清单")
        ordering = ["place_path", "kind"]
        constraints = [models.UniqueConstraint(fields=["place", "kind"], name="charter_power_list_place_kind")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("charter_power_list_detail", args=[self.pk])


class PowerItem(models.Model):
    """清单事项: a power or duty with its basis, who exercises it, the steps of its process (drawn as a flow on
    the public page), its disclosure duty and its risk points (廉政风险点) with their controls."""

    power_list = models.ForeignKey(PowerList, on_delete=models.CASCADE, related_name="items",
                                   verbose_name=_("清单"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    number = models.PositiveIntegerField(_("序号"))
    name = models.CharField(_("事项名称"), max_length=100)
    legal_basis = models.TextField(_("法律政策依据"), max_length=400)
    responsible_body = models.CharField(_("责任主体"), max_length=100)
    steps = models.JSONField(_("办理流程"), default=list, help_text=_("按顺序排列的步骤"))
    disclosure = models.CharField(_("公开要求"), max_length=16, choices=DisclosureDuty.choices)
    disclosure_note = models.CharField(_("公开内容与方式"), max_length=200, blank=True)
    risks = models.TextField(_("风险点及防控措施"), max_length=800, blank=True, help_text=_("每行一条"))
    template_item = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                      verbose_name=_("模板事项"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("清单事项")
        verbose_name_plural = _("清单事项")
        ordering = ["power_list_id", "number"]
        constraints = [models.UniqueConstraint(fields=["power_list", "number"], name="charter_power_item_number")]

    def __str__(self) -> str:
        return self.name

    @property
    def risk_lines(self) -> list[str]:
        return [line.strip() for line in self.risks.splitlines() if line.strip()]

    @property
    def anchor(self) -> str:
        return f"item-{self.number}"
