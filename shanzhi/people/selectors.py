"""Reads of the registry. They start from the scoped queryset, so a forgotten filter cannot leak
another village's people (conventions: selectors take the user)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet

from shanzhi.access.roles import Perm
from shanzhi.core.identity import mask_id_number
from shanzhi.core.scoping import path_q
from shanzhi.core.text import search_key

from .models import TAG_BITS, Household, Person, RegistryChange, Subject


@dataclass
class PersonFilters:
    q: str = ""
    place_path: str = ""
    tag: str = ""
    residence_status: str = ""
    sex: str = ""

    @classmethod
    def from_query(cls, data: Any) -> PersonFilters:
        return cls(
            q=(data.get("q") or "").strip(),
            place_path=(data.get("place") or "").strip(),
            tag=(data.get("tag") or "").strip(),
            residence_status=(data.get("status") or "").strip(),
            sex=(data.get("sex") or "").strip(),
        )


def name_search_q(query: str, *, name: str = "name", pinyin: str = "pinyin", initials: str = "initials") -> Q:
    """Name contains the text, or full pinyin / initials start with it (张三 ← "zs", "zhangs")."""
    key = search_key(query)
    cond = Q(**{f"{name}__contains": query})
    if key and key.isascii():
        if key.isdigit():
            return Q(pk__in=[])
        cond |= Q(**{f"{initials}__prefix": key}) | Q(**{f"{pinyin}__prefix": key})
    return cond


def _id_number_search(user: Any, number: str) -> Q:
    """Finding a person by full ID number confirms the number, so it is a reveal: only for users who may
    reveal ID numbers there, and audited (otherwise the masked 6 + 4 digits and the birth year would let a
    viewer recover the number by guessing)."""
    from shanzhi.audit.services import AuditAction, audit_record

    audit_record(actor=user, action=AuditAction.REVEAL, event="person_search_id", object_type="people.person",
                 object_repr=mask_id_number(number), detail="按身份证号查询")
    return Q(id_number=number) & path_q("place_path", user.scope_paths(Perm.PEOPLE_REVEAL))


def person_list(*, user: Any, filters: PersonFilters | None = None) -> QuerySet[Person]:
    f = filters or PersonFilters()
    qs = Person.objects.visible_to(user, Perm.PEOPLE_VIEW)
    if f.place_path:
        qs = qs.filter(place_path__prefix=f.place_path)
    if f.q:
        q = f.q.strip()
        if len(q) == 18 and q[:17].isdigit():
            qs = qs.filter(_id_number_search(user, q.upper()))
        else:
            qs = qs.filter(name_search_q(q))
    if f.tag and f.tag in TAG_BITS:
        bit = TAG_BITS[f.tag]
        qs = qs.annotate(_tagged=F("tag_bits").bitand(bit)).filter(_tagged=bit)
    if f.residence_status:
        qs = qs.filter(residence_status=f.residence_status)
    if f.sex:
        qs = qs.filter(sex=f.sex)
    return qs.select_related("household").order_by("place_path", "household_id", "id")


def household_list(*, user: Any, q: str = "", place_path: str = "") -> QuerySet[Household]:
    qs = Household.objects.visible_to(user, Perm.PEOPLE_VIEW).filter(is_active=True)
    if place_path:
        qs = qs.filter(place_path__prefix=place_path)
    if q:
        qs = qs.filter(Q(number__startswith=q) | Q(head_name__contains=q) | Q(address__contains=q))
    return qs.select_related("place", "group").order_by("place_path", "number")


def household_detail(*, user: Any, pk: int) -> Household:
    return Household.objects.select_related("place", "village", "group").get_visible(user, Perm.PEOPLE_VIEW, pk=pk)


def person_detail(*, user: Any, pk: int) -> Person:
    return Person.objects.select_related("household", "household__place").get_visible(user, Perm.PEOPLE_VIEW, pk=pk)


def household_history(*, household: Household) -> QuerySet[RegistryChange]:
    return household.changes.select_related("person", "from_place", "to_place", "actor").order_by("-date", "-id")


def subject_list(*, user: Any, q: str = "", kind: str = "") -> QuerySet[Subject]:
    qs = Subject.objects.visible_to(user, Perm.PEOPLE_VIEW)
    if q:
        qs = qs.filter(name_search_q(q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("place").order_by("place_path", "name")
