"""矛盾纠纷调解 (domain.md M1–M5): mediation organisations and their mediators, the legal adviser of each village,
and the dispute case (纠纷案件) run through the eight steps (八步工作法) by the workflow kernel, with its parties,
sessions, agreement, return visits and case file (一案一卷).

Legal basis: 《中华人民共和国人民调解法》 (art. 9 committee of 3–9 members including a woman; art. 17 a party's refusal;
art. 23–24 rights and duties; art. 26 advice on other routes; art. 29 the agreement; art. 33 judicial confirmation
within 30 days) and 司法部《人民调解工作若干规定》 (case files). Every scoped row carries ``place_path``; the case's
parts (parties, sessions, agreement, visits, documents) are reached only through a case the user may see."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shanzhi.core.identity import mask_id_number, mask_name, mask_phone
from shanzhi.core.scoping import ScopedQuerySet
from shanzhi.workflow.models import WorkflowCase

from .choices import (
    DisputeType,
    DocumentKind,
    JudicialResult,
    OrgKind,
    PartyRole,
    PerformanceStatus,
    Post,
    Result,
    Retention,
    RiskLevel,
    SessionMode,
    Sex,
    Source,
    Trade,
    VisitWay,
)

Scoped = models.Manager.from_queryset(ScopedQuerySet)


class Organisation(models.Model):
    """调解组织 (M1): a village/community mediation committee, a township centre, the county third-party centre, a
    trade committee (行业性专业性调委会, with its trade) or a station at a court, police station or petition office.
    Its ``place`` is where it sits; its cases are handled by mediators holding mediation.handle there.
    ``abbreviation`` goes into the archive number "（2026）济梨林人调字第12号"."""

    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=12, choices=OrgKind.choices)
    trade = models.CharField(_("行业"), max_length=12, choices=Trade.choices, blank=True,
                             help_text=_("行业性专业性调委会的行业"))
    abbreviation = models.CharField(_("简称（卷宗号用）"), max_length=12,
                                    help_text=_("卷宗号“（年）简称人调字第…号”中的简称，如“济梨林”"))
    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = Scoped()

    class Meta:
        verbose_name = _("调解组织")
        verbose_name_plural = _("调解组织")
        ordering = ["place_path", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="mediation_org_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mediation_org_detail", args=[self.pk])


class Mediator(models.Model):
    """人民调解员 (M1): a person who mediates, possibly with an account (``user``) and a registry entry
    (``person``). ``specialties`` holds dispute-type codes between commas (",neighbour,land,") so "who knows land
    disputes" is one indexed-free LIKE on any database; ``honours`` such as 金牌调解员; ``in_expert_pool`` puts
    them in the county's expert pool (专家库) from which a party may ask for a mediator. Scoped by the place of
    their home organisation (``place_path``)."""

    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="mediator", verbose_name=_("系统账号"))
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("人口库人员"))
    specialties = models.CharField(_("擅长领域"), max_length=200, blank=True)
    honours = models.CharField(_("荣誉"), max_length=200, blank=True, help_text=_("如：金牌调解员"))
    in_expert_pool = models.BooleanField(_("入选专家库"), default=False, db_index=True)
    profession = models.CharField(_("职业/专业背景"), max_length=60, blank=True, help_text=_("如：律师、退休法官、医生"))
    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    is_active = models.BooleanField(_("在职"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = Scoped()

    class Meta:
        verbose_name = _("调解员")
        verbose_name_plural = _("调解员")
        ordering = ["place_path", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mediation_mediator_detail", args=[self.pk])

    @property
    def specialty_codes(self) -> list[str]:
        return [c for c in self.specialties.split(",") if c]

    @property
    def specialty_labels(self) -> list[str]:
        labels = dict(DisputeType.choices)
        return [str(labels.get(c, c)) for c in self.specialty_codes]

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Membership(models.Model):
    """组成人员: a mediator's post (主任/副主任/委员/调解员) in an organisation, for a term. One current membership per
    mediator and organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships",
                                     verbose_name=_("调解组织"))
    mediator = models.ForeignKey(Mediator, on_delete=models.PROTECT, related_name="memberships",
                                 verbose_name=_("调解员"))
    post = models.CharField(_("职务"), max_length=12, choices=Post.choices)
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    is_active = models.BooleanField(_("现任"), default=True)

    class Meta:
        verbose_name = _("组成人员")
        verbose_name_plural = _("组成人员")
        ordering = ["organisation", "post", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "mediator"], condition=models.Q(is_active=True),
                                               name="mediation_membership_one_current")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_post_display()} {self.mediator}"


class LegalAdviser(models.Model):
    """村法律顾问 (一村一法律顾问, M1): the lawyer or legal worker (an account holding the 法律顾问 role) serving a
    village for a term. One current adviser per village."""

    village = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("村(社区)"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("法律顾问账号"))
    name = models.CharField(_("姓名"), max_length=50)
    firm = models.CharField(_("执业机构"), max_length=80, blank=True, help_text=_("律师事务所或法律服务所"))
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    started_on = models.DateField(_("聘任日期"))
    ended_on = models.DateField(_("解聘日期"), null=True, blank=True)
    is_active = models.BooleanField(_("现任"), default=True)

    objects = Scoped()

    class Meta:
        verbose_name = _("村法律顾问")
        verbose_name_plural = _("村法律顾问")
        ordering = ["place_path", "-started_on"]
        constraints = [models.UniqueConstraint(fields=["village"], condition=models.Q(is_active=True),
                                               name="mediation_adviser_one_per_village")]

    def __str__(self) -> str:
        return f"{self.name}（{self.firm}）" if self.firm else self.name


class Case(WorkflowCase):
    """纠纷案件 (M2–M5): one dispute, from intake through the eight steps to its case file.

    ``place_path`` is where the dispute arose (scope: who sees it); ``org_path`` is the handling organisation's
    place (guards: who acts on it). ``limit_at`` is the one-month time limit (人民调解 "一般在一个月内调结") counted
    from acceptance, moved by recorded extensions; every step keeps the kernel's ``due_at`` at it. ``event_id``
    names the grid event (events.Event) the case was made from. ``risk_level`` is the petition-risk grade
    (信访风险评估, M6)."""

    number = models.CharField(_("案件编号"), max_length=24, unique=True, null=True, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases",
                                     verbose_name=_("调解组织"))
    org_path = models.CharField(_("调解组织区划路径"), max_length=24, db_index=True, editable=False)
    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("纠纷发生地"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    source = models.CharField(_("案件来源"), max_length=12, choices=Source.choices)
    referring_body = models.CharField(_("移送单位"), max_length=80, blank=True,
                                      help_text=_("诉调、警调、访调对接时的移送法院、派出所或信访部门"))
    referral_reference = models.CharField(_("移送文号"), max_length=60, blank=True)
    dispute_type = models.CharField(_("纠纷类型"), max_length=16, choices=DisputeType.choices)
    title = models.CharField(_("案由"), max_length=80)
    amount = models.DecimalField(_("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    facts = models.TextField(_("纠纷事实"), max_length=3000)
    claims = models.TextField(_("当事人请求"), max_length=2000, blank=True)
    land_parcel = models.CharField(_("涉及地块/宅基地"), max_length=120, blank=True,
                                   help_text=_("土地、宅基地纠纷的地块编号或四至，用于发现同一地块的重复纠纷"))
    event_id = models.PositiveBigIntegerField(_("来源事件"), null=True, blank=True, db_index=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("网上申请人账号"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("登记人"))
    received_at = models.DateTimeField(_("收案时间"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    limit_at = models.DateTimeField(_("调解期限"), null=True, blank=True)
    requested_mediator = models.ForeignKey(Mediator, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+", verbose_name=_("当事人选定的调解员"))
    mediator = models.ForeignKey(Mediator, null=True, blank=True, on_delete=models.PROTECT, related_name="cases",
                                 verbose_name=_("主办调解员"))
    co_mediator = models.ForeignKey(Mediator, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("协办调解员"))
    investigation = models.TextField(_("调查核实情况"), max_length=3000, blank=True)
    investigated_at = models.DateTimeField(_("调查核实时间"), null=True, blank=True)
    informed_at = models.DateTimeField(_("告知权利义务时间"), null=True, blank=True)
    settled = models.BooleanField(_("调解成功"), default=False, db_index=True)
    result = models.CharField(_("结果"), max_length=12, choices=Result.choices, blank=True)
    result_note = models.TextField(_("结案说明"), max_length=1000, blank=True,
                                   help_text=_("调解不成时告知当事人的其他解决途径（人民调解法第二十六条）"))
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True, db_index=True)
    court_reported_at = models.DateTimeField(_("反馈法院时间"), null=True, blank=True)
    court_report_note = models.CharField(_("反馈法院情况"), max_length=500, blank=True)
    risk_level = models.CharField(_("信访风险等级"), max_length=8, choices=RiskLevel.choices, blank=True)
    risk_note = models.CharField(_("风险评估说明"), max_length=500, blank=True)
    risk_assessed_at = models.DateTimeField(_("风险评估时间"), null=True, blank=True)
    archive_number = models.CharField(_("卷宗号"), max_length=60, blank=True)
    archive_year = models.PositiveSmallIntegerField(_("立卷年度"), null=True, blank=True)
    archive_seq = models.PositiveIntegerField(_("卷内序号"), null=True, blank=True)
    retention = models.CharField(_("保管期限"), max_length=12, choices=Retention.choices, blank=True)
    archived_at = models.DateTimeField(_("立卷时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = Scoped()

    class Meta:
        verbose_name = _("纠纷案件")
        verbose_name_plural = _("纠纷案件")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["place_path", "received_at"], name="med_case_place_received"),
            models.Index(fields=["org_path", "state"], name="med_case_org_state"),
            models.Index(fields=["organisation", "received_at"], name="med_case_org_received"),
            models.Index(fields=["mediator", "received_at"], name="med_case_mediator_received"),
            models.Index(fields=["received_at", "id"], name="med_case_received"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "archive_year", "archive_seq"],
                                    condition=models.Q(archive_seq__isnull=False), name="mediation_archive_seq"),
        ]

    def __str__(self) -> str:
        return f"纠纷案件 {self.number or '（新）'}"

    def get_absolute_url(self) -> str:
        return reverse("mediation_case_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_referral(self) -> bool:
        return self.source in (Source.COURT, Source.POLICE, Source.PETITION)


class Party(models.Model):
    """当事人 (M2): an applicant or respondent, a person from the registry (``person``) or an outsider with name
    and identity number (checked against GB 11643; stored, shown masked). A refusal to mediate (art. 17) is
    recorded here with its date and statement and ends the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties", verbose_name=_("案件"))
    role = models.CharField(_("当事人地位"), max_length=12, choices=PartyRole.choices)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("人口库人员"))
    household_id = models.PositiveBigIntegerField(_("户"), null=True, blank=True, db_index=True)
    name = models.CharField(_("姓名/名称"), max_length=80)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = models.CharField(_("公民身份号码"), max_length=18, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    refused_on = models.DateField(_("拒绝调解日期"), null=True, blank=True)
    refusal_statement = models.CharField(_("拒绝调解的表示"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["case", "role", "id"]
        indexes = [models.Index(fields=["id_number"], name="med_party_id_number")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)


class Session(models.Model):
    """调解记录 (M3 开展调解): one sitting, on site or online, with who attended and the minutes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("案件"))
    held_at = models.DateTimeField(_("调解时间"))
    mode = models.CharField(_("方式"), max_length=8, choices=SessionMode.choices)
    location = models.CharField(_("地点/平台"), max_length=120)
    attendance = models.CharField(_("参加人员"), max_length=300)
    minutes = models.TextField(_("调解记录"), max_length=5000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")
        ordering = ["case", "held_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.held_at:%Y-%m-%d}"


class Agreement(models.Model):
    """调解协议书 (M4, 人民调解法 art. 29): the matters in dispute, the facts and responsibilities, what was agreed and
    how and when it is performed; signed by the parties and the mediator and sealed by the committee, one copy for
    each party and one for the archive (``copies``). Judicial confirmation (art. 33: applied for jointly within 30
    days of the agreement taking effect) and performance are tracked here."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="agreement", verbose_name=_("案件"))
    disputed_matters = models.TextField(_("纠纷主要事实、争议事项"), max_length=3000)
    responsibilities = models.TextField(_("各方当事人的责任"), max_length=2000)
    content = models.TextField(_("达成协议的内容"), max_length=3000)
    performance_manner = models.CharField(_("履行方式"), max_length=300)
    performance_deadline = models.DateField(_("履行期限"))
    copies = models.PositiveSmallIntegerField(_("份数"))
    made_at = models.DateTimeField(_("制作时间"))
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("制作人"))
    signed_on = models.DateField(_("签署日期"), null=True, blank=True)
    performance_status = models.CharField(_("履行情况"), max_length=12, choices=PerformanceStatus.choices,
                                          default=PerformanceStatus.PENDING)
    performance_note = models.CharField(_("履行说明"), max_length=500, blank=True)
    performed_on = models.DateField(_("履行完毕日期"), null=True, blank=True)
    judicial_applied_on = models.DateField(_("申请司法确认日期"), null=True, blank=True)
    judicial_court = models.CharField(_("受理法院"), max_length=80, blank=True)
    judicial_result = models.CharField(_("司法确认结果"), max_length=12, choices=JudicialResult.choices, blank=True)
    judicial_decided_on = models.DateField(_("裁定日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("调解协议书")
        verbose_name_plural = _("调解协议书")

    def __str__(self) -> str:
        return f"{self.case} 调解协议书"


class ReturnVisit(models.Model):
    """回访记录 (M3 回访): how the agreement is being performed and what the parties say."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits", verbose_name=_("案件"))
    visited_on = models.DateField(_("回访日期"))
    way = models.CharField(_("回访方式"), max_length=8, choices=VisitWay.choices)
    visited_party = models.CharField(_("回访对象"), max_length=100)
    performance = models.CharField(_("协议履行情况"), max_length=12, choices=PerformanceStatus.choices)
    feedback = models.TextField(_("当事人意见"), max_length=1000)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("回访人"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["case", "visited_on", "id"]

    def __str__(self) -> str:
        return f"{self.case} 回访 {self.visited_on:%Y-%m-%d}"


class Extension(models.Model):
    """延长调解期限: recorded only with both parties' consent (each side named), moving ``Case.limit_at``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("案件"))
    days = models.PositiveSmallIntegerField(_("延长天数"))
    reason = models.CharField(_("延长理由"), max_length=300)
    applicant_consent = models.CharField(_("申请人同意情况"), max_length=200)
    respondent_consent = models.CharField(_("被申请人同意情况"), max_length=200)
    old_limit_at = models.DateTimeField(_("原期限"))
    new_limit_at = models.DateTimeField(_("新期限"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("延长调解期限")
        verbose_name_plural = _("延长调解期限")
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} 延长 {self.days} 天"


class CaseDocument(models.Model):
    """卷内材料 (M5): an uploaded scan (signed agreement, identity papers, evidence, performance receipts, judicial
    confirmation papers …) filed under its kind; the attachment itself lives in the files kernel. Generated forms
    are rendered from the case data and need no row."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents", verbose_name=_("案件"))
    kind = models.CharField(_("材料类别"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("材料名称"), max_length=100)
    attachment = models.ForeignKey("files.Attachment", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("文件"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("上传人"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("卷内材料")
        verbose_name_plural = _("卷内材料")
        ordering = ["case", "kind", "id"]
        indexes = [models.Index(fields=["case", "kind"], name="med_doc_case_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"
