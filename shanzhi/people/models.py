"""人口台账: households, persons and other subjects (domain.md F2; field reference GB/T 31000-2015).

Every row carries ``place_path`` (the path of its grid or village) so scope is one indexed prefix.
Identity numbers and phones are stored in full and shown masked unless revealed (audited).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.identity import mask_id_number, mask_name, mask_phone
from shanzhi.core.scoping import ScopedManager, ScopedQuerySet, path_q
from shanzhi.workflow.models import WorkflowCase

from .choices import ChangeKind, PersonTag, PoliticalStatus, Relation, ResidenceStatus, Sex, SubjectKind


class Household(models.Model):
    """户: a household at a place (its grid, else its village), with its head and address."""

    number = models.CharField(_("户编号"), max_length=32, unique=True)
    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, verbose_name=_("所属网格/村"), related_name="households")
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    village = models.ForeignKey("regions.Place", on_delete=models.PROTECT, verbose_name=_("所属村"), related_name="+")
    group = models.ForeignKey(
        "regions.Place", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("村民小组"), related_name="+"
    )
    address = models.CharField(_("住址"), max_length=200)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    head = models.ForeignKey("Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("户主"))
    head_name = models.CharField(_("户主姓名"), max_length=50, blank=True, db_index=True)
    member_count = models.PositiveSmallIntegerField(_("人数"), default=0)
    is_active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["place_path", "number"]
        indexes = [models.Index(fields=["place_path", "number"], name="household_path_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.head_name}".strip()

    @property
    def head_name_masked(self) -> str:
        return mask_name(self.head_name)


class Person(models.Model):
    """人员: a person in a household; 公民身份号码 validated (GB 11643), birth date and sex derived."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("户"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    pinyin = models.CharField(_("拼音"), max_length=120, blank=True)
    initials = models.CharField(_("拼音首字母"), max_length=20, blank=True)
    id_number = models.CharField(_("公民身份号码"), max_length=18, unique=True, null=True, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True, default="汉族")
    phone = models.CharField(_("手机号"), max_length=11, blank=True)
    relation = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices, default=Relation.OTHER)
    residence_status = models.CharField(
        _("居住状态"), max_length=12, choices=ResidenceStatus.choices, default=ResidenceStatus.RESIDENT, db_index=True
    )
    political_status = models.CharField(_("政治面貌"), max_length=16, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES)
    tags = models.JSONField(_("关注标签"), default=list, blank=True)
    tag_bits = models.PositiveIntegerField(_("标签位"), default=0, db_index=True, editable=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["place_path", "household_id", "id"]
        indexes = [
            models.Index(fields=["place_path", "initials"], name="person_path_initials"),
            models.Index(fields=["initials"], name="person_initials"),
            models.Index(fields=["pinyin"], name="person_pinyin"),
            models.Index(fields=["name"], name="person_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)

    @property
    def tag_labels(self) -> list[str]:
        labels = dict(PersonTag.choices)
        return [str(labels.get(t, t)) for t in self.tags]


TAG_BITS = {tag.value: 1 << i for i, tag in enumerate(PersonTag)}


def tags_to_bits(tags: list[str]) -> int:
    bits = 0
    for t in tags:
        bits |= TAG_BITS.get(t, 0)
    return bits


class Subject(models.Model):
    """其他主体: enterprises, family farms and individual businesses that earn points or sign contracts."""

    kind = models.CharField(_("类型"), max_length=24, choices=SubjectKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    pinyin = models.CharField(_("拼音"), max_length=300, blank=True)
    initials = models.CharField(_("拼音首字母"), max_length=60, blank=True, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    legal_person = models.CharField(_("负责人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=11, blank=True)
    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, verbose_name=_("所在区划"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("存续"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("其他主体")
        verbose_name_plural = _("其他主体")
        ordering = ["place_path", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class RegistryChange(models.Model):
    """台账变动: the history of births, deaths, moves and edits of households and persons."""

    kind = models.CharField(_("变动类型"), max_length=16, choices=ChangeKind.choices)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="changes", verbose_name=_("户"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True, related_name="changes", verbose_name=_("人员"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True)
    from_place = models.ForeignKey("regions.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("原区划"))
    to_place = models.ForeignKey("regions.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("新区划"))
    date = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("经办人"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("台账变动")
        verbose_name_plural = _("台账变动")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


# --- 户迁移 (the household-move case; its workflow is declared in people/workflow.py) ---------------------


class HouseholdMoveQuerySet(ScopedQuerySet):
    def visible_to(self, user, perm):  # type: ignore[no-untyped-def]
        """A move is seen from both villages involved: a role granting ``perm`` over either place."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        paths = user.scope_paths(perm)
        if not paths:
            return self.none()
        return self.filter(path_q("from_path", paths) | path_q("to_path", paths))


class HouseholdMove(WorkflowCase):
    """户迁移: a household moving to another village, requested by the village it leaves (move.request at the
    household's place) and decided by the receiving village (move.approve at the target), within 5 working
    days (domain.md F2, F6). Approval relocates the household and its members in the same transaction.
    The household's number, head and size are copied at request time, so the receiving village sees what it
    is asked to accept without reading the sending village's registry."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="moves", verbose_name=_("户"))
    household_number = models.CharField(_("户编号"), max_length=32)
    head_name = models.CharField(_("户主姓名"), max_length=50, blank=True)
    member_count = models.PositiveSmallIntegerField(_("人数"), default=0)
    from_place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("迁出网格/村"))
    from_village = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("迁出村"))
    from_path = models.CharField(_("迁出区划路径"), max_length=24, db_index=True, editable=False)
    to_place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("迁入网格/村"))
    to_village = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("迁入村"))
    to_path = models.CharField(_("迁入区划路径"), max_length=24, db_index=True, editable=False)
    reason = models.CharField(_("迁移原因"), max_length=200)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("办结人"))
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    decision_note = models.CharField(_("办结意见"), max_length=500, blank=True)

    SCOPE_FIELD = "from_path"
    objects = models.Manager.from_queryset(HouseholdMoveQuerySet)()

    class Meta:
        verbose_name = _("户迁移")
        verbose_name_plural = _("户迁移")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["to_path", "state"], name="household_move_to_state"),
            models.Index(fields=["from_path", "state"], name="household_move_from_state"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=models.Q(state="requested"),
                                    name="household_move_one_open"),
        ]

    def __str__(self) -> str:
        return f"户迁移 {self.household_number} {self.head_name}".strip()

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("move_detail", args=[self.pk])

    @property
    def state_label(self) -> str:
        from shanzhi.workflow.definition import for_case

        return for_case(self).state_label(self.state)
