"""Organisations and posts (domain.md F3). 交叉任职 is allowed: one person may hold posts in several
organisations; the same post twice in one organisation for overlapping terms is refused. County government
departments (``OrgKind.GOV_DEPARTMENT``) are organisations at the county; the accounts working for one are
linked with ``unit_account_add``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record, snapshot
from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.people.models import Person
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place

from .models import Membership, Organisation, OrgKind, Post, UnitAccount


def _require(acting_user: Any, perm: str, path: str) -> None:
    """``acting_user=None`` is the system itself (demo loader, bootstrap commands); anyone else needs ``perm``
    at the place, or the answer is NotFound like any object outside their scope."""
    if acting_user is None:
        return
    if not getattr(acting_user, "is_authenticated", False) or not acting_user.has_perm_at(perm, path):
        raise NotFound()


@transaction.atomic
def organisation_create(*, acting_user: Any, place: Place, kind: str, name: str, parent: Organisation | None = None,
                        purpose: str = "", founded_on: dt.date | None = None) -> Organisation:
    """Create an organisation at a place; a county government department (G3 承办部门) only at a county."""
    _require(acting_user, Perm.ORG_MANAGE, place.path)
    if kind not in OrgKind.values:
        raise ValidationFailed(f"未知组织类型：{kind}。")
    if kind == OrgKind.GOV_DEPARTMENT and place.level != Level.COUNTY:
        raise ValidationFailed("县级政府部门须设在县（市、区）一级。", code="department_level")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("组织名称不能为空。", code="name_required")
    if parent is not None and not place.path.startswith(parent.place_path):
        raise ValidationFailed("上级组织须在本区划或上级区划。", code="parent_place")
    if Organisation.objects.filter(place=place, name=name, is_active=True).exists():
        raise ValidationFailed(f"{place.name}已有名为“{name}”的组织。", code="name_taken")
    org = Organisation.objects.create(kind=kind, name=name, place=place, place_path=place.path, parent=parent,
                                      purpose=purpose.strip()[:200], founded_on=founded_on)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="organisation_create", obj=org,
                 after=snapshot(org, ["kind", "name", "place_id", "parent_id", "purpose"]))
    return org


@transaction.atomic
def unit_account_add(*, acting_user: Any, organisation: Organisation, user: Any) -> UnitAccount:
    """Link an account to the unit it works for (a department's staff act on what is assigned to that
    department). Granting it is like granting a role: it needs user.manage at the unit's place. Idempotent."""
    _require(acting_user, Perm.USER_MANAGE, organisation.place_path)
    if not organisation.is_active:
        raise ValidationFailed(f"“{organisation.name}”已撤销，不能再加入账号。", code="unit_inactive")
    if user is None or not getattr(user, "is_active", False):
        raise ValidationFailed("账号不存在或已停用。", code="unit_user")
    link, created = UnitAccount.objects.select_for_update().get_or_create(
        organisation=organisation, user=user, defaults={"place_path": organisation.place_path})
    if created or not link.is_active:
        if not created:
            link.is_active = True
            link.save(update_fields=["is_active"])
        audit_record(actor=acting_user, action=AuditAction.CREATE, event="unit_account_add", obj=link,
                     place_path=organisation.place_path, after={"organisation": organisation.pk, "user": user.username})
    user.__dict__.pop("_unit_ids_cache", None)
    return link


@transaction.atomic
def unit_account_remove(*, acting_user: Any, organisation: Organisation, user: Any) -> None:
    """End an account's link to a unit (kept inactive for the record)."""
    _require(acting_user, Perm.USER_MANAGE, organisation.place_path)
    link = UnitAccount.objects.select_for_update().filter(organisation=organisation, user=user, is_active=True).first()
    if link is None:
        raise NotFound("该账号不在此单位。")
    link.is_active = False
    link.save(update_fields=["is_active"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="unit_account_remove", obj=link,
                 place_path=organisation.place_path, before={"is_active": True}, after={"is_active": False})
    user.__dict__.pop("_unit_ids_cache", None)


@transaction.atomic
def membership_add(*, acting_user: Any, organisation: Organisation, person: Person, post: str, term_start: dt.date,
                   term_end: dt.date | None = None) -> Membership:
    if not acting_user.has_perm_at(Perm.ORG_MANAGE, organisation.place_path):
        raise NotFound()
    if not acting_user.has_perm_at(Perm.PEOPLE_VIEW, person.place_path):
        raise NotFound("未找到该人员，或您无权查看。")
    if post not in Post.values:
        raise ValidationFailed(f"未知职务：{post}。")
    if term_end and term_end < term_start:
        raise ValidationFailed("任期结束日期不能早于开始日期。", code="term_order")
    overlapping = Membership.objects.filter(organisation=organisation, person=person, post=post).filter(
        Q(term_end__isnull=True) | Q(term_end__gte=term_start))
    if term_end:
        overlapping = overlapping.filter(term_start__lte=term_end)
    if overlapping.exists():
        raise ValidationFailed(f"{person.name}在该组织已有任期重叠的同一职务。", code="term_overlap")
    membership = Membership.objects.create(organisation=organisation, person=person, place_path=organisation.place_path,
                                           post=post, term_start=term_start, term_end=term_end)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="membership_add", obj=membership,
                 after=snapshot(membership, ["organisation_id", "person_id", "post", "term_start", "term_end"]))
    return membership
