"""Writing the grid matter list (domain.md G2): admission (准入), adjustment, exit (退出) and re-admission,
each recorded in the matter's history with date and reason and in the audit trail, in one transaction.

Who: Perm.MATTER_MANAGE at the place that issued the list (a county administrator for the county's list, a
township dispatcher for the township's). Others who can see the matter get PermissionDenied (the list is
read-only to them); those who cannot see it get NotFound, like a missing matter. ``acting_user=None`` is the
system itself (the demo loader)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.timezone import localdate

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record, snapshot
from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.regions.models import Place, path_prefixes

from .choices import (
    OWNER_LEVELS,
    TIME_LIMIT_MAX,
    MatterCategory,
    MatterChangeKind,
    MatterDuty,
    ResponsibleLevel,
)
from .models import Matter, MatterChange

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
AUDIT_FIELDS = ["place_id", "code", "name", "category", "level", "department", "duty", "time_limit_days",
                "grid_can_settle", "description", "is_active", "admitted_on", "exited_on"]


@dataclasses.dataclass(frozen=True)
class MatterSpec:
    """What a matter says: every field an admission sets and an adjustment may change."""

    code: str
    name: str
    category: str
    level: str
    time_limit_days: int
    department: str = ""
    duty: str = MatterDuty.LEAD
    grid_can_settle: bool = False
    description: str = ""

    @classmethod
    def of(cls, matter: Matter) -> MatterSpec:
        return cls(**{f.name: getattr(matter, f.name) for f in dataclasses.fields(cls)})


SPEC_FIELDS = [f.name for f in dataclasses.fields(MatterSpec)]


def _clean(spec: MatterSpec) -> dict[str, Any]:
    """Check every field and report all problems at once (a form shows them together)."""
    errors: dict[str, str] = {}
    code = (spec.code or "").strip().upper()
    name = " ".join((spec.name or "").split())
    department = " ".join((spec.department or "").split())
    description = (spec.description or "").strip()
    if not code:
        errors["code"] = "请填写事项代码。"
    elif not CODE_RE.match(code):
        errors["code"] = "事项代码只能由字母、数字和“-”组成，以字母或数字开头，最长 20 位。"
    if not name:
        errors["name"] = "请填写事项名称。"
    elif len(name) > 100:
        errors["name"] = "事项名称不能超过 100 个字。"
    if spec.category not in MatterCategory.values:
        errors["category"] = f"未知事项类别：{spec.category or '（空）'}。"
    if spec.level not in ResponsibleLevel.values:
        errors["level"] = f"未知责任层级：{spec.level or '（空）'}。"
    if spec.duty not in MatterDuty.values:
        errors["duty"] = f"网格职责应为“主体”或“配合”，不能是：{spec.duty or '（空）'}。"
    limit = spec.time_limit_days
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= TIME_LIMIT_MAX:
        errors["time_limit_days"] = f"办理时限应为 1–{TIME_LIMIT_MAX} 之间的整数（工作日）。"
    if len(department) > 60:
        errors["department"] = "责任部门不能超过 60 个字。"
    elif not department and spec.level in (ResponsibleLevel.TOWNSHIP, ResponsibleLevel.COUNTY):
        errors["department"] = "责任层级为乡镇或县级部门的事项，须写明责任部门。"
    if len(description) > 1000:
        errors["description"] = "说明不能超过 1000 个字。"
    if not isinstance(spec.grid_can_settle, bool):
        errors["grid_can_settle"] = "“网格可自行解决”应为是或否。"
    # 小事一格解决 (G3): a matter whose responsible level is the grid is settled there by definition; one that
    # belongs to a county department is not the grid's to settle (难事提级).
    elif spec.level == ResponsibleLevel.GRID and not spec.grid_can_settle:
        errors["grid_can_settle"] = "责任层级为网格的事项应可由网格自行解决。"
    elif spec.level == ResponsibleLevel.COUNTY and spec.grid_can_settle:
        errors["grid_can_settle"] = "由县级部门办理的事项不能设为网格自行解决。"
    if errors:
        raise ValidationFailed("；".join(errors.values()), code="matter_invalid", errors=errors)
    return {"code": code, "name": name, "category": spec.category, "level": spec.level, "department": department,
            "duty": spec.duty, "time_limit_days": limit, "grid_can_settle": spec.grid_can_settle,
            "description": description}


def _reason(reason: str, label: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(f"请填写{label}。", code="reason_required")
    if len(reason) > 200:
        raise ValidationFailed(f"{label}不能超过 200 个字。", code="reason_too_long")
    return reason


def _date(value: dt.date | None, label: str, *, not_before: dt.date | None = None) -> dt.date:
    today = localdate()
    value = value or today
    if value > today:
        raise ValidationFailed(f"{label}不能晚于今天。", code="date_future")
    if not_before and value < not_before:
        raise ValidationFailed(f"{label}不能早于 {not_before:%Y-%m-%d}。", code="date_order")
    return value


def _require_manage(acting_user: Any, path: str, owner_name: str) -> None:
    if acting_user is None:
        return
    if not getattr(acting_user, "is_authenticated", False):
        raise NotFound()
    if acting_user.has_perm_at(Perm.MATTER_MANAGE, path):
        return
    # Seen (the list of an ancestor, or one within the user's scope) but not theirs to change: 403. Not seen: 404.
    if any(path.startswith(p) or p.startswith(path) for p in acting_user.scope_paths(Perm.MATTER_VIEW)):
        raise PermissionDenied(f"该事项清单由{owner_name}制定和维护，您只能查看。")
    raise NotFound()


def _check_unique(*, place_path: str, code: str, name: str, exclude_pk: int | None = None) -> None:
    """A code is unique on the whole line of lists that apply together (the county's, a township's, the
    lists below), so an event or an Open311 service code names one matter; so is the name of a matter in force."""
    line = Matter.objects.filter(Q(place_path__in=path_prefixes(place_path)) | Q(place_path__prefix=place_path))
    if exclude_pk is not None:
        line = line.exclude(pk=exclude_pk)
    clash = line.filter(code=code).select_related("place").first()
    if clash:
        raise ValidationFailed(f"事项代码 {code} 已被{clash.place.name}的“{clash.name}”使用。", code="code_taken",
                               errors={"code": "代码已被使用"})
    clash = line.filter(name=name, is_active=True).select_related("place").first()
    if clash:
        raise ValidationFailed(f"{clash.place.name}的事项清单中已有“{name}”（{clash.code}）。", code="name_taken",
                               errors={"name": "名称已在清单中"})


def _actor(acting_user: Any) -> tuple[Any, str]:
    if acting_user is None or not getattr(acting_user, "is_authenticated", False):
        return None, "系统"
    return acting_user, getattr(acting_user, "display_name", str(acting_user))


def _history(*, matter: Matter, acting_user: Any, kind: str, date: dt.date, reason: str,
             changes: dict[str, list[Any]] | None = None) -> MatterChange:
    actor, actor_name = _actor(acting_user)
    return MatterChange.objects.create(matter=matter, place_path=matter.place_path, kind=kind, date=date, reason=reason,
                                       changes=changes or {}, actor=actor, actor_name=actor_name[:150])


def _locked(matter: Matter) -> Matter:
    try:
        return Matter.objects.select_for_update().select_related("place").get(pk=matter.pk)
    except Matter.DoesNotExist:
        raise NotFound()


@transaction.atomic
def matter_admit(*, acting_user: Any, place: Place, spec: MatterSpec, reason: str,
                 admitted_on: dt.date | None = None) -> Matter:
    """准入: add a matter to the list issued by ``place`` (a county or township), with the date it takes effect
    and the reason or basis (e.g. the county's document); history and audit in the same transaction."""
    _require_manage(acting_user, place.path, place.name)
    if place.level not in OWNER_LEVELS:
        raise ValidationFailed("网格事项清单由县（市、区）或乡镇（街道）制定，不能建在此层级。", code="owner_level")
    data = _clean(spec)
    reason = _reason(reason, "准入依据或原因")
    admitted_on = _date(admitted_on, "准入日期")
    _check_unique(place_path=place.path, code=data["code"], name=data["name"])
    matter = Matter.objects.create(place=place, place_path=place.path, admitted_on=admitted_on, is_active=True, **data)
    _history(matter=matter, acting_user=acting_user, kind=MatterChangeKind.ADMITTED, date=admitted_on, reason=reason)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="matter_admit", obj=matter,
                 after=snapshot(matter, AUDIT_FIELDS), detail=f"准入：{reason}")
    return matter


@transaction.atomic
def matter_update(*, acting_user: Any, matter: Matter, spec: MatterSpec, reason: str,
                  changed_on: dt.date | None = None) -> Matter:
    """调整: change what a matter in force says (its time limit, department, …). Events already accepted keep
    the limit they started with; the history records each changed field with before and after."""
    matter = _locked(matter)
    _require_manage(acting_user, matter.place_path, matter.place.name)
    if not matter.is_active:
        raise ValidationFailed("该事项已退出清单，不能调整；如需恢复请先重新准入。", code="matter_inactive")
    data = _clean(spec)
    reason = _reason(reason, "调整原因")
    changed_on = _date(changed_on, "调整日期", not_before=matter.admitted_on)
    changes = {k: [getattr(matter, k), v] for k, v in data.items() if getattr(matter, k) != v}
    if not changes:
        raise ValidationFailed("没有修改任何内容。", code="no_change")
    _check_unique(place_path=matter.place_path, code=data["code"], name=data["name"], exclude_pk=matter.pk)
    before = snapshot(matter, AUDIT_FIELDS)
    for key, (_old, new) in changes.items():
        setattr(matter, key, new)
    matter.save(update_fields=[*changes, "updated_at"])
    _history(matter=matter, acting_user=acting_user, kind=MatterChangeKind.CHANGED, date=changed_on, reason=reason,
             changes=changes)
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="matter_update", obj=matter, before=before,
                 after=snapshot(matter, AUDIT_FIELDS), detail=f"调整：{reason}")
    return matter


@transaction.atomic
def matter_exit(*, acting_user: Any, matter: Matter, reason: str, exited_on: dt.date | None = None) -> Matter:
    """退出: take a matter off the list. The row stays (inactive), so past events and assessments still name it."""
    matter = _locked(matter)
    _require_manage(acting_user, matter.place_path, matter.place.name)
    if not matter.is_active:
        raise ValidationFailed("该事项已经退出清单。", code="matter_inactive")
    reason = _reason(reason, "退出原因")
    exited_on = _date(exited_on, "退出日期", not_before=matter.admitted_on)
    before = snapshot(matter, AUDIT_FIELDS)
    matter.is_active, matter.exited_on = False, exited_on
    matter.save(update_fields=["is_active", "exited_on", "updated_at"])
    _history(matter=matter, acting_user=acting_user, kind=MatterChangeKind.EXITED, date=exited_on, reason=reason)
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="matter_exit", obj=matter, before=before,
                 after=snapshot(matter, AUDIT_FIELDS), detail=f"退出：{reason}")
    return matter


@transaction.atomic
def matter_readmit(*, acting_user: Any, matter: Matter, reason: str, readmitted_on: dt.date | None = None) -> Matter:
    """重新准入: bring an exited matter back into force (a new admission date; the earlier spells stay in the
    history)."""
    matter = _locked(matter)
    _require_manage(acting_user, matter.place_path, matter.place.name)
    if matter.is_active:
        raise ValidationFailed("该事项在清单内，无需重新准入。", code="matter_active")
    reason = _reason(reason, "重新准入的依据或原因")
    readmitted_on = _date(readmitted_on, "重新准入日期", not_before=matter.exited_on)
    _check_unique(place_path=matter.place_path, code=matter.code, name=matter.name, exclude_pk=matter.pk)
    before = snapshot(matter, AUDIT_FIELDS)
    matter.is_active, matter.admitted_on, matter.exited_on = True, readmitted_on, None
    matter.save(update_fields=["is_active", "admitted_on", "exited_on", "updated_at"])
    _history(matter=matter, acting_user=acting_user, kind=MatterChangeKind.READMITTED, date=readmitted_on,
             reason=reason)
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="matter_readmit", obj=matter, before=before,
                 after=snapshot(matter, AUDIT_FIELDS), detail=f"重新准入：{reason}")
    return matter


@dataclasses.dataclass
class DemoMattersResult:
    created: int
    present: int


DEMO_REASON = "演示数据：网格事项清单初始准入（参照罗江全科网格事项清单）"


@transaction.atomic
def load_demo_matters(place: Place, *, acting_user: Any = None) -> DemoMattersResult:
    """Load the demo catalogue (``grid/demo_matters.py``) into the list issued by ``place``; idempotent: a code
    already on the list — in force or exited — is left as it is, so running it again adds nothing and never
    undoes an exit."""
    from .demo_matters import DEMO_MATTERS

    present = set(Matter.objects.filter(place=place).values_list("code", flat=True))
    created = 0
    for spec in DEMO_MATTERS:
        if spec.code in present:
            continue
        matter_admit(acting_user=acting_user, place=place, spec=spec, reason=DEMO_REASON)
        created += 1
    return DemoMattersResult(created=created, present=len(DEMO_MATTERS) - created)
