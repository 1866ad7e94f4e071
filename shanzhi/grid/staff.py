"""Grid staff (domain.md G1): posts of the hierarchy 总网格长 → 网格长 → 副网格长 → 一级网格员 → 二级网格员 and
网格专干 from departments, each bound to a place for a term; red area leaders (红色片长) over several grids of a
township, listed publicly with name, duties and contact.

Who: Perm.GRID_MANAGE at the place of the post (for a red area leader: at the township). Audited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils.timezone import localdate

from shanzhi.audit.services import AuditAction, audit_record, snapshot
from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.core.identity import normalise_phone
from shanzhi.people.models import Person
from shanzhi.regions.models import Place

from .grid_choices import GRID_LEVELS, POST_LEVELS, StaffPost
from .grids import require_grid_manage
from .models import GridStaffPost, RedAreaLeader

LEVEL_NAMES = {"township": "乡镇（街道）", "village": "村（社区）", "grid": "网格", "microgrid": "微网格"}
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def _name_of(person: Person | None, user: Any) -> str:
    if person is not None:
        return person.name
    return getattr(user, "display_name", "") or str(user)


@transaction.atomic
def grid_staff_appoint(*, acting_user: Any, place: Place, post: str, person: Person | None = None, user: Any = None,
                       department: str = "", term_start: dt.date | None = None,
                       term_end: dt.date | None = None) -> GridStaffPost:
    """任命网格员: bind a person or a user to a post at a place of the level the post is held at (总网格长 at the
    township, 网格长 at the village, 网格员 at a grid…). A 网格专干 names the department they come from. The
    person must live inside the township the post serves (grid staff are local)."""
    require_grid_manage(acting_user, place)
    errors: dict[str, str] = {}
    department = " ".join((department or "").split())
    term_start = term_start or localdate()
    if post not in StaffPost.values:
        errors["post"] = f"未知职务：{post or '（空）'}。"
    elif place.level not in POST_LEVELS[StaffPost(post)]:
        levels = "、".join(LEVEL_NAMES[level] for level in sorted(POST_LEVELS[StaffPost(post)], key=list(LEVEL_NAMES).index))
        errors["place"] = f"{StaffPost(post).label}应设在{levels}，不能设在{LEVEL_NAMES.get(place.level, place.level)}。"
    elif post == StaffPost.SPECIALIST and not department:
        errors["department"] = "网格专干须写明所属部门。"
    if len(department) > 60:
        errors["department"] = "所属部门不能超过 60 个字。"
    if (person is None) == (user is None):
        errors["person"] = "请选择一名人员或一个用户（二选一）。"
    elif person is not None and not person.place_path.startswith(place.path[:9]):
        errors["person"] = "网格员应为本乡镇（街道）的常住人员。"
    if term_end is not None and term_end < term_start:
        errors["term_end"] = "任职止不能早于任职起。"
    if errors:
        raise ValidationFailed("；".join(errors.values()), code="staff_invalid", errors=errors)
    staff = GridStaffPost.objects.create(post=post, place=place, place_path=place.path, person=person, user=user,
                                         name=_name_of(person, user)[:50], department=department,
                                         term_start=term_start, term_end=term_end)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="grid_staff_appoint", obj=staff,
                 after=snapshot(staff, ["post", "place_id", "person_id", "user_id", "name", "department"]))
    return staff


@transaction.atomic
def grid_staff_end(*, acting_user: Any, staff: GridStaffPost, term_end: dt.date | None = None) -> GridStaffPost:
    """离任: end a post's term; the row stays for the record."""
    staff = GridStaffPost.objects.select_for_update().select_related("place").get(pk=staff.pk)
    require_grid_manage(acting_user, staff.place)
    term_end = term_end or localdate()
    if staff.term_end is not None:
        raise ValidationFailed("该任职已经结束。", code="staff_ended")
    if term_end < staff.term_start:
        raise ValidationFailed("任职止不能早于任职起。", code="staff_term")
    staff.term_end = term_end
    staff.save(update_fields=["term_end"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="grid_staff_end", obj=staff,
                 after={"term_end": term_end.isoformat()})
    return staff


def contact_phone(value: str) -> str:
    """A public contact number: an 11-digit mobile, or a landline with its area code kept as written."""
    phone = normalise_phone(value)
    if _MOBILE_RE.match(phone):
        return phone
    landline = "".join((value or "").split())
    if _LANDLINE_RE.match(landline):
        return landline  # as written (0391-6612345): it is printed on the public page
    raise ValidationFailed("联系电话应为11位手机号或带区号的固定电话（如 0391-1234567）。", code="phone_format",
                           errors={"phone": "联系电话格式不正确"})


@transaction.atomic
def red_leader_create(*, acting_user: Any, township: Place, name: str, area_name: str, grid_codes: list[str],
                      duties: str, phone: str, person: Person | None = None) -> RedAreaLeader:
    """红色片长: a party member over an area of several grids of ``township``. Name, duties and contact phone are
    published on the township's public page (the seeds require a public contact), so they are required."""
    require_grid_manage(acting_user, township)
    if township.level != "township":
        raise ValidationFailed("红色片长按乡镇（街道）设置。", code="red_leader_level")
    errors: dict[str, str] = {}
    name = " ".join((name or (person.name if person else "")).split())
    area_name = " ".join((area_name or "").split())
    duties = " ".join((duties or "").split())
    if not name or len(name) > 50:
        errors["name"] = "请填写片长姓名（不超过 50 个字）。"
    if not area_name or len(area_name) > 60:
        errors["area_name"] = "请填写片区名称（不超过 60 个字）。"
    if not duties or len(duties) > 300:
        errors["duties"] = "请填写职责（不超过 300 个字），它将公开展示。"
    codes = sorted({c.strip() for c in grid_codes if c and c.strip()})
    grids = list(Place.objects.filter(code__in=codes, level__in=GRID_LEVELS, path__prefix=township.path))
    if not codes:
        errors["grids"] = "请选择片区所辖的网格。"
    elif len(grids) != len(codes):
        missing = sorted(set(codes) - {g.code for g in grids})
        errors["grids"] = f"这些代码不是本乡镇的网格：{'、'.join(missing)}。"
    if person is not None and person.political_status not in ("party_member", "probationary") \
            and "party_member" not in person.tags:
        errors["person"] = "红色片长应由党员担任。"
    try:
        phone = contact_phone(phone)
    except ValidationFailed as exc:
        errors["phone"] = exc.message
    if errors:
        raise ValidationFailed("；".join(errors.values()), code="red_leader_invalid", errors=errors)
    leader = RedAreaLeader.objects.create(place=township, place_path=township.path, person=person, name=name,
                                          area_name=area_name, duties=duties, phone=phone)
    leader.grids.set(grids)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="red_leader_create", obj=leader,
                 after={**snapshot(leader, ["name", "area_name", "duties", "phone"]), "grids": codes})
    return leader


def public_township(*, code: str) -> Place:
    """The township whose red area leaders are listed publicly; NotFound for anything else."""
    place = Place.objects.filter(code=code, level="township", is_active=True).first()
    if place is None:
        raise NotFound("没有找到该乡镇（街道）。")
    return place
