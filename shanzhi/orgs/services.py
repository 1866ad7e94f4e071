"""Organisations and posts (domain.md F3). 交叉任职 is allowed: one person may hold posts in several
organisations; the same post twice in one organisation for overlapping terms is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record, snapshot
from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.people.models import Person
from shanzhi.regions.models import Place

from .models import Membership, Organisation, OrgKind, Post


@transaction.atomic
def organisation_create(*, acting_user: Any, place: Place, kind: str, name: str, parent: Organisation | None = None,
                        purpose: str = "", founded_on: dt.date | None = None) -> Organisation:
    if not acting_user.has_perm_at(Perm.ORG_MANAGE, place.path):
        raise NotFound()
    if kind not in OrgKind.values:
        raise ValidationFailed(f"未知组织类型：{kind}。")
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
