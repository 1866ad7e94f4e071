"""Grid governance (domain.md G1–G6). This module holds G2, the grid matter list (网格事项清单)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scoping import ScopedQuerySet, path_q
from shanzhi.regions.models import path_prefixes

from .choices import MatterCategory, MatterChangeKind, MatterDuty, ResponsibleLevel


def applicable_q(paths: list[str], field: str = "place_path") -> Q:
    """Rows owned at a place on the way up to one of ``paths`` or anywhere below one of them.

    A matter list binds everything under the place that issued it: the county's list applies in all its
    townships and villages, a township's in its villages. So the list seen from a scope is the lists of
    the scope's ancestors (an ``IN`` over at most a handful of prefixes per path) plus those inside it."""
    if "" in paths:
        return Q()
    ancestors = sorted({prefix for p in paths for prefix in path_prefixes(p)})
    return Q(**{f"{field}__in": ancestors}) | path_q(field, paths)


class ApplicableQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any, perm: str) -> ApplicableQuerySet:
        """Scoped like every other model (default deny, 404 outside), but looking up the tree as well as
        down it: a village cadre sees the county's and the township's lists, never another county's."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        paths = user.scope_paths(perm)
        if not paths:
            return self.none()
        return self.filter(applicable_q(paths, getattr(self.model, "SCOPE_FIELD", self.scope_field)))

    def applicable_at(self, path: str) -> ApplicableQuerySet:
        """Matters that apply at the place with ``path`` (lists of the place and its ancestors)."""
        return self.filter(place_path__in=path_prefixes(path))


ApplicableManager = models.Manager.from_queryset(ApplicableQuerySet)


class Matter(models.Model):
    """网格事项: one entry of the grid matter list (domain.md G2) — what grid staff handle, with its category,
    the level and department responsible, whether the grid is 主体 or 配合, the time limit in working days
    and whether the grid may settle it itself (小事一格解决, G3). A list is issued by a county or a township
    and binds every place under it. Matters are admitted (准入) and exited (退出) with date and reason and
    never deleted: events keep pointing at the matter they were reported under (罗江: from 8 to 43 matters)."""

    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("制定单位"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    code = models.CharField(_("事项代码"), max_length=20)
    name = models.CharField(_("事项名称"), max_length=100)
    category = models.CharField(_("事项类别"), max_length=20, choices=MatterCategory.choices)
    level = models.CharField(_("责任层级"), max_length=10, choices=ResponsibleLevel.choices)
    department = models.CharField(_("责任部门"), max_length=60, blank=True)
    duty = models.CharField(_("网格职责"), max_length=10, choices=MatterDuty.choices, default=MatterDuty.LEAD,
                            help_text=_("依法判定：网格承担主体责任，或配合主管部门"))
    time_limit_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    grid_can_settle = models.BooleanField(_("网格可自行解决"), default=False, help_text=_("小事一格解决"))
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("在清单内"), default=True)
    admitted_on = models.DateField(_("准入日期"))
    exited_on = models.DateField(_("退出日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicableManager()

    class Meta:
        verbose_name = _("网格事项")
        verbose_name_plural = _("网格事项")
        ordering = ["place_path", "code"]
        constraints = [
            models.UniqueConstraint(fields=["place", "code"], name="grid_matter_code_unique"),
            models.CheckConstraint(condition=Q(time_limit_days__gte=1), name="grid_matter_time_limit_positive"),
        ]
        indexes = [models.Index(fields=["place_path", "is_active", "code"], name="grid_matter_place_active")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MatterChange(models.Model):
    """事项变更记录: admission, change, exit and re-admission of a matter, with the date it took effect, the
    reason and who recorded it (G2 "准入/退出 is recorded"). Append-only; ``changes`` holds the fields an
    adjustment changed as ``{field: [before, after]}``."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="changes", verbose_name=_("事项"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    kind = models.CharField(_("变更类型"), max_length=12, choices=MatterChangeKind.choices)
    date = models.DateField(_("生效日期"))
    reason = models.CharField(_("原因/依据"), max_length=200)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("经办人"))
    actor_name = models.CharField(_("经办人姓名"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ApplicableManager()

    class Meta:
        verbose_name = _("事项变更记录")
        verbose_name_plural = _("事项变更记录")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"

    def change_lines(self) -> list[str]:
        """The changed fields in words, for the history table ("办理时限（工作日）：5 → 3")."""
        lines = []
        for name, (before, after) in self.changes.items():
            try:
                field = Matter._meta.get_field(name)
            except FieldDoesNotExist:  # a field since removed: show its name
                lines.append(f"{name}：{before} → {after}")
                continue
            lines.append(f"{field.verbose_name}：{_display(field, before)} → {_display(field, after)}")
        return lines


def _display(field: Any, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if field.choices:
        return str(dict(field.choices).get(value, value))
    return "（空）" if value in ("", None) else str(value)


# --- G1 grids, grid staff and red area leaders ----------------------------------------------------------------

from shanzhi.core.scoping import ScopedManager  # noqa: E402

from .grid_choices import GridType, StaffPost  # noqa: E402


class GridProfile(models.Model):
    """网格档案: what a grid or micro-grid Place is (domain.md G1) — its type (基础/专属/线上), for a special grid
    what it watches (e.g. 地质灾害监测点), for an online grid its group name, and its outline on the electronic
    map (网格电子地图) as a GeoJSON Polygon/MultiPolygon in WGS-84 lng/lat, validated by ``grid.grids``."""

    place = models.OneToOneField("regions.Place", on_delete=models.PROTECT, related_name="grid_profile",
                                 verbose_name=_("网格"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    grid_type = models.CharField(_("网格类型"), max_length=10, choices=GridType.choices, default=GridType.BASE)
    special_note = models.CharField(_("专属事项"), max_length=200, blank=True, help_text=_("如：地质灾害监测点"))
    online_group = models.CharField(_("线上群名称"), max_length=100, blank=True)
    polygon = models.JSONField(_("网格边界"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("网格档案")
        verbose_name_plural = _("网格档案")
        ordering = ["place_path"]

    def __str__(self) -> str:
        return f"{self.place} {self.get_grid_type_display()}"


class GridStaffPost(models.Model):
    """网格员任职: a person (from the population registry) or a platform user holding a grid post at a place for
    a term (G1 staff hierarchy). 网格专干 name their department. Ended posts stay (``term_end``) for the record."""

    post = models.CharField(_("职务"), max_length=16, choices=StaffPost.choices)
    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("任职区划/网格"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("人员"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("用户"))
    name = models.CharField(_("姓名"), max_length=50)
    department = models.CharField(_("所属部门"), max_length=60, blank=True)
    term_start = models.DateField(_("任职起"))
    term_end = models.DateField(_("任职止"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("网格员任职")
        verbose_name_plural = _("网格员任职")
        ordering = ["place_path", "post", "id"]
        constraints = [models.CheckConstraint(condition=Q(person__isnull=False) | Q(user__isnull=False),
                                              name="grid_staff_person_or_user")]

    def __str__(self) -> str:
        return f"{self.get_post_display()} {self.name}"


class RedAreaLeader(models.Model):
    """红色片长: a party member leading an area of several grids in a township (G1; 西昌: 191 areas over 988
    grids). Listed publicly with name, duties and contact phone — the seeds require a public contact, so the
    phone is shown unmasked on the public page by design."""

    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("人员"))
    name = models.CharField(_("姓名"), max_length=50)
    area_name = models.CharField(_("片区名称"), max_length=60)
    grids = models.ManyToManyField("regions.Place", related_name="+", verbose_name=_("所辖网格"))
    duties = models.CharField(_("职责"), max_length=300)
    phone = models.CharField(_("联系电话"), max_length=20)
    is_active = models.BooleanField(_("在任"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("红色片长")
        verbose_name_plural = _("红色片长")
        ordering = ["place_path", "area_name", "id"]

    def __str__(self) -> str:
        return f"{self.area_name} {self.name}"


# --- G6 village affairs assistants, G5 hazard points --------------------------------------------------------------

from .grid_choices import DEFAULT_SERVICE_HOURS, HazardKind  # noqa: E402


class VillageAssistant(models.Model):
    """村务助理: one assistant bound to a micro-grid (微网格, households within about a 15-minute walk) for a term
    (domain.md G6). At most one assistant is in office per micro-grid (``ended_on`` empty), enforced by the
    database. The contact on the public service card is ``public_phone``, a number the assistant agreed to
    publish (``phone_consent``) — never the registry's personal phone. Ended terms stay for the record."""

    microgrid = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("微网格"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("人员"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("用户"))
    name = models.CharField(_("姓名"), max_length=50)
    public_phone = models.CharField(_("公开联系电话"), max_length=20, blank=True,
                                    help_text=_("印在服务卡和公开页上，须经本人同意"))
    phone_consent = models.BooleanField(_("本人同意公开联系电话"), default=False)
    term_start = models.DateField(_("任期起"))
    term_end = models.DateField(_("任期止"), null=True, blank=True)
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("村务助理")
        verbose_name_plural = _("村务助理")
        ordering = ["place_path", "-term_start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["microgrid"], condition=Q(ended_on__isnull=True),
                                    name="grid_assistant_one_current"),
            models.CheckConstraint(condition=Q(person__isnull=False) | Q(user__isnull=False),
                                   name="grid_assistant_person_or_user"),
            models.CheckConstraint(condition=Q(phone_consent=True) | Q(public_phone=""),
                                   name="grid_assistant_phone_consented"),
        ]

    def __str__(self) -> str:
        return f"村务助理 {self.name}"

    @property
    def in_office(self) -> bool:
        return self.ended_on is None


class AssistantDuties(models.Model):
    """村务助理职责 "5 + X" of one village (domain.md G6): the five standard duties are fixed in code
    (``grid_choices.STANDARD_ASSISTANT_DUTIES``); ``extra_duties`` are the village's own X items, and
    ``service_hours`` the hours printed on every service card of the village."""

    village = models.OneToOneField("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    extra_duties = models.JSONField(_("本村增加的职责（X 项）"), default=list, blank=True)
    service_hours = models.CharField(_("服务时间"), max_length=100, default=DEFAULT_SERVICE_HOURS)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("村务助理职责")
        verbose_name_plural = _("村务助理职责")
        ordering = ["place_path"]

    def __str__(self) -> str:
        return f"{self.village} 村务助理职责"


class HazardPoint(models.Model):
    """隐患点: a point a (usually special) grid watches — a geological hazard, a flash-flood gully, a dangerous
    house — with its location and its dedicated monitor (domain.md G1 专属网格; listed on the grid risk card of
    G5 and on the grid map). Withdrawn points are deactivated, never deleted."""

    grid = models.ForeignKey("regions.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=20, choices=HazardKind.choices)
    location = models.CharField(_("位置"), max_length=120)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    monitor_name = models.CharField(_("监测人"), max_length=50)
    monitor_phone = models.CharField(_("监测人电话"), max_length=20, blank=True)
    notes = models.TextField(_("备注"), max_length=500, blank=True)
    is_active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("隐患点")
        verbose_name_plural = _("隐患点")
        ordering = ["place_path", "name", "id"]
        indexes = [models.Index(fields=["place_path", "is_active"], name="grid_hazard_path_active")]
        constraints = [models.CheckConstraint(condition=Q(latitude__isnull=True, longitude__isnull=True)
                                              | Q(latitude__isnull=False, longitude__isnull=False),
                                              name="grid_hazard_both_coordinates")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"
