"""Organisations and posts (domain.md F3): party organisations, 村"两委", councils, committees,
collective economic organisations, volunteer teams, county government departments; memberships with post and
term (交叉任职 allowed); the accounts that work for a unit (``UnitAccount``: a department's staff)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scoping import ScopedManager


class OrgKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("党委")
    PARTY_GENERAL_BRANCH = "party_general_branch", _("党总支")
    PARTY_BRANCH = "party_branch", _("党支部")
    PARTY_GROUP = "party_group", _("党小组")
    FUNCTIONAL_PARTY_GROUP = "functional_party_group", _("功能性党小组")
    VILLAGE_COMMITTEE = "village_committee", _("村民委员会")
    SUPERVISORY_COMMITTEE = "supervisory_committee", _("村务监督委员会")
    WEDDING_FUNERAL_COUNCIL = "wedding_funeral_council", _("红白理事会")
    MORAL_COUNCIL = "moral_council", _("道德评议会")
    VILLAGERS_COUNCIL = "villagers_council", _("村民议事会")
    MUTUAL_AID = "mutual_aid", _("邻里互助会")
    ANTI_GAMBLING_DRUGS = "anti_gambling_drugs", _("禁赌禁毒会")
    MEDIATION_COMMITTEE = "mediation_committee", _("人民调解委员会")
    COLLECTIVE_ECONOMY = "collective_economy", _("集体经济组织")
    SOCIAL_ORG = "social_org", _("社会组织")
    VOLUNTEER_TEAM = "volunteer_team", _("志愿服务队")
    REVIEW_GROUP = "review_group", _("评议小组")
    GOV_DEPARTMENT = "gov_department", _("县级政府部门")


class Post(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    DIRECTOR = "director", _("主任")
    DEPUTY_DIRECTOR = "deputy_director", _("副主任")
    CHAIR = "chair", _("会长/组长")
    MEMBER = "member", _("委员/成员")
    CLERK = "clerk", _("文书")
    ACCOUNTANT = "accountant", _("报账员")
    FIRST_SECRETARY = "first_secretary", _("驻村第一书记")


class Organisation(models.Model):
    """组织: an organisation at a place (usually a village or township)."""

    kind = models.CharField(_("类型"), max_length=32, choices=OrgKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, verbose_name=_("所在区划"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级组织"))
    purpose = models.CharField(_("职责/方向"), max_length=200, blank=True, help_text=_("如功能性党小组所依托的产业链或任务"))
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    is_active = models.BooleanField(_("存续"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["place_path", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """任职: a person's post in an organisation for a term; the same person may hold several posts."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("组织"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="memberships", verbose_name=_("人员"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    post = models.CharField(_("职务"), max_length=20, choices=Post.choices, default=Post.MEMBER)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["organisation", "post", "term_start"]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_post_display()}"


class UnitAccount(models.Model):
    """单位账号: a user account that works for an organisation — a county department's staff (县级部门工作人员)
    act only on what is assigned to their own department (domain.md G3 部门限时办理). The role (and so the
    permissions) still comes from the account's role at a place; this row says which unit it acts for.
    Ended links stay inactive, so the audit trail still names the unit."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="accounts",
                                     verbose_name=_("单位"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_accounts",
                             verbose_name=_("账号"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("单位账号")
        verbose_name_plural = _("单位账号")
        ordering = ["organisation", "user"]
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="unit_account_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation}"
