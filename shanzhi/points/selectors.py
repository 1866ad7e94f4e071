"""Reads of 积分制 (domain.md P1–P3). Every read starts from ``visible_to(user, perm)``; a villager reads only
their own household's (or person's) accounts through ``own_accounts``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound
from shanzhi.people.models import Household, Person
from shanzhi.people.selectors import name_search_q

from .choices import EntryStatus, ReconsiderationStatus, SchemeStatus, SubjectType
from .models import Account, Entry, Item, Quarter, Reconsideration, Scheme


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _villages_above(user: Any) -> list[str]:
    """Village paths containing a place where the user views or records points below the village (a grid
    worker's grid): they read their village's schemes — the rules they record by."""
    paths = set(user.scope_paths(Perm.POINTS_VIEW)) | set(user.scope_paths(Perm.POINTS_RECORD))
    return sorted({p[:12] for p in paths if len(p) > 12})


def scheme_list(*, user: Any, templates: bool | None = None) -> QuerySet[Scheme]:
    """Schemes and templates a staff user may see: their villages' schemes (also the village of their grid),
    and templates of their townships."""
    qs = Scheme.objects.visible_to(user, Perm.POINTS_VIEW)
    above = _villages_above(user)
    if above:
        qs = qs | Scheme.objects.filter(place_path__in=above, is_template=False)
    if templates is not None:
        qs = qs.filter(is_template=templates)
    return qs.select_related("place", "template").order_by("place_path", "is_template", "kind", "pk")


def templates_available(*, user: Any) -> QuerySet[Scheme]:
    """Published township templates above or inside the places where the user manages points."""
    paths = user.scope_paths(Perm.POINTS_MANAGE)
    if not paths:
        return Scheme.objects.none()
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(place_path__prefix=p) | Q(place_path__in=[p[:n] for n in (2, 4, 6, 9) if n <= len(p)])
    return Scheme.objects.filter(q, is_template=True, status=SchemeStatus.ADOPTED).select_related("place")


def scheme_detail(*, user: Any, pk: Any) -> Scheme:
    scheme = Scheme.objects.select_related("place", "template", "template__place", "created_by").filter(
        pk=_int(pk)).first()
    if scheme is None:
        raise NotFound()
    if user.has_perm_at(Perm.POINTS_VIEW, scheme.place_path) or user.has_perm_at(Perm.POINTS_RECORD,
                                                                                  scheme.place_path):
        return scheme
    if not scheme.is_template and scheme.place_path in _villages_above(user):
        return scheme
    if scheme.is_template and templates_available(user=user).filter(pk=scheme.pk).exists():
        return scheme
    raise NotFound()


def scheme_items(scheme: Scheme) -> QuerySet[Item]:
    return scheme.items.select_related("category").order_by("category__order", "category_id", "code", "pk")


def recordable_schemes(*, user: Any) -> QuerySet[Scheme]:
    """Adopted village schemes where the user may record."""
    return (Scheme.objects.visible_to(user, Perm.POINTS_RECORD)
            .filter(is_template=False, status=SchemeStatus.ADOPTED).select_related("place").order_by("place_path", "kind"))


def recordable_schemes_for_grid_worker(*, user: Any) -> list[Scheme]:
    """Schemes of villages containing the places where the user records (a grid worker's role sits at a grid,
    below the scheme's village)."""
    paths = user.scope_paths(Perm.POINTS_RECORD)
    if not paths:
        return []
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(place_path__prefix=p) | Q(place_path=p[:12])
    return list(Scheme.objects.filter(q, is_template=False, status=SchemeStatus.ADOPTED)
                .select_related("place").order_by("place_path", "kind"))


@dataclass
class Candidate:
    subject_id: int
    label: str
    detail: str


def subject_search(*, user: Any, scheme: Scheme, q: str, perm: str = Perm.POINTS_RECORD, limit: int = 20
                   ) -> list[Candidate]:
    """Pick a household/person by name or pinyin initials (people's search), in the scheme's village and the
    user's recording scope."""
    q = (q or "").strip()
    if not q:
        return []
    persons = (Person.objects.visible_to(user, perm).filter(place_path__prefix=scheme.place_path)
               .filter(name_search_q(q)).select_related("household").order_by("place_path", "household_id", "id"))
    out: list[Candidate] = []
    seen: set[int] = set()
    if scheme.subject_type == SubjectType.HOUSEHOLD:
        for p in persons[: limit * 3]:
            if p.household_id in seen:
                continue
            seen.add(p.household_id)
            h = p.household
            out.append(Candidate(h.pk, f"{h.head_name}户", f"{p.name} · {h.address}"))
            if len(out) >= limit:
                break
    elif scheme.subject_type == SubjectType.PERSON:
        for p in persons[:limit]:
            out.append(Candidate(p.pk, p.name, p.household.address))
    return out


def subject_labels(*, user: Any, scheme: Scheme, subject_ids: list[Any], perm: str = Perm.POINTS_RECORD
                   ) -> list[tuple[str, str]]:
    """(id, label) of the chosen households/persons, in one query, only those in the scheme's village and the
    user's recording scope (an id from elsewhere is dropped, never named)."""
    model = Household if scheme.subject_type == SubjectType.HOUSEHOLD else Person
    ids = [i for i in (_int(s) for s in subject_ids) if i is not None]
    found = {obj.pk: obj for obj in model.objects.visible_to(user, perm).filter(
        place_path__prefix=scheme.place_path, pk__in=ids)} if ids else {}
    return [(str(i), f"{found[i].head_name}户" if model is Household else found[i].name) for i in ids if i in found]


def subject_label(*, user: Any, scheme: Scheme, subject_id: Any) -> str:
    labels = subject_labels(user=user, scheme=scheme, subject_ids=[subject_id])
    return labels[0][1] if labels else ""


@dataclass
class ReviewFilters:
    scheme: int | None = None
    month: str = ""
    place: str = ""
    status: str = EntryStatus.PENDING

    @classmethod
    def from_query(cls, data: Any) -> ReviewFilters:
        status = data.get("status", EntryStatus.PENDING)
        return cls(scheme=_int(data.get("scheme")), month=(data.get("month") or "")[:7], place=(data.get("place") or "")[:24],
                   status=status if status in EntryStatus.values or status == "" else EntryStatus.PENDING)


def _month(value: str) -> tuple[dt.date, dt.date] | None:
    try:
        start = dt.date(int(value[:4]), int(value[5:7]), 1)
    except (TypeError, ValueError):
        return None
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def review_queue(*, user: Any, filters: ReviewFilters) -> QuerySet[Entry]:
    """The monthly review queue (评议小组): entries in the reviewer's scope, pending by default."""
    qs = Entry.objects.visible_to(user, Perm.POINTS_REVIEW).exclude(kind__in=["spend", "refund"])
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.scheme:
        qs = qs.filter(scheme_id=filters.scheme)
    if filters.place:
        qs = qs.filter(place_path__prefix=filters.place)
    span = _month(filters.month) if filters.month else None
    if span:
        qs = qs.filter(deed_date__range=span)
    return (qs.select_related("account", "item", "item__category", "recorder", "reviewer", "scheme")
            .order_by("deed_date", "id"))


def quarter_list(*, user: Any, scheme: Scheme) -> list[dict[str, Any]]:
    """The scheme's quarters with entries: counts by status and the quarter row (approval, publication)."""
    rows = (Entry.objects.filter(scheme=scheme).exclude(kind__in=["spend", "refund"]).values("quarter")
            .annotate(pending=Count("id", filter=Q(status=EntryStatus.PENDING)),
                      approved=Count("id", filter=Q(status=EntryStatus.APPROVED)),
                      rejected=Count("id", filter=Q(status=EntryStatus.REJECTED)))
            .order_by("-quarter"))
    quarters = {q.starts_on: q for q in Quarter.objects.filter(scheme=scheme).select_related("publication")}
    out = []
    for r in rows[:40]:
        out.append({**r, "row": quarters.get(r["quarter"])})
    return out


def quarter_detail(*, user: Any, pk: Any) -> Quarter:
    return Quarter.objects.select_related("scheme", "scheme__place", "publication", "approved_by").get_visible(
        user, Perm.POINTS_VIEW, pk=_int(pk))


def reconsideration_list(*, user: Any, status: str = "") -> QuerySet[Reconsideration]:
    qs = Reconsideration.objects.visible_to(user, Perm.POINTS_VIEW)
    if status == "open":
        qs = qs.filter(status__in=[ReconsiderationStatus.OPEN, ReconsiderationStatus.INVESTIGATING])
    elif status in ReconsiderationStatus.values:
        qs = qs.filter(status=status)
    return qs.select_related("account", "entry", "entry__item", "scheme", "filed_by", "correction").order_by(
        "-filed_at", "-id")


def reconsideration_detail(*, user: Any, pk: Any) -> Reconsideration:
    return Reconsideration.objects.select_related(
        "account", "entry", "entry__item", "entry__recorder", "entry__reviewer", "scheme", "filed_by", "handled_by",
        "correction", "objection").get_visible(user, Perm.POINTS_VIEW, pk=_int(pk))


def own_accounts(*, user: Any) -> list[Account]:
    """The villager's own accounts: their household's in household schemes, their own in person schemes."""
    person = getattr(user, "person", None)
    if person is None:
        return []
    return list(Account.objects.filter(Q(household_id=person.household_id) | Q(person_id=person.pk))
                .select_related("scheme", "scheme__place").order_by("scheme__kind", "scheme_id"))


def account_entries(account: Account) -> QuerySet[Entry]:
    return (account.entries.select_related("item", "item__category", "recorder", "reviewer", "corrects")
            .order_by("-deed_date", "-id"))


def ledger_rows(*, user: Any, place_path: str, month: str) -> QuerySet[Entry]:
    """一网格一档: a grid's (or village's) month of entries for the 台账 export."""
    span = _month(month)
    if span is None:
        raise NotFound()
    return (Entry.objects.visible_to(user, Perm.POINTS_VIEW).filter(place_path__prefix=place_path,
                                                                      deed_date__range=span)
            .select_related("account", "item", "item__category", "recorder", "reviewer", "scheme")
            .order_by("place_path", "deed_date", "id"))


def pending_counts(scheme_ids: list[int]) -> dict[int, int]:
    if not scheme_ids:
        return {}
    return dict(Entry.objects.filter(scheme_id__in=scheme_ids, status=EntryStatus.PENDING).values("scheme_id")
                .annotate(n=Count("id")).values_list("scheme_id", "n"))


def recent_entries(*, user: Any, scheme: Scheme, limit: int = 10) -> list[Entry]:
    """What this recorder wrote lately in the scheme (to see at a glance that the record went in)."""
    return list(Entry.objects.filter(scheme=scheme, recorder=user).select_related("account", "item")
                .order_by("-created_at", "-id")[:limit])


def review_schemes(*, user: Any) -> list[Scheme]:
    return list(Scheme.objects.visible_to(user, Perm.POINTS_REVIEW).filter(is_template=False)
                .order_by("place_path", "kind")[:100])


def review_entry(*, user: Any, pk: Any) -> Entry:
    return Entry.objects.select_related("account", "item", "item__category", "recorder", "reviewer", "scheme",
                                        "corrects").get_visible(user, Perm.POINTS_REVIEW, pk=_int(pk))


def photo_counts(entry_ids: list[int]) -> dict[int, int]:
    if not entry_ids:
        return {}
    from django.contrib.contenttypes.models import ContentType

    from shanzhi.files.models import Attachment

    ct = ContentType.objects.get_for_model(Entry)
    return dict(Attachment.objects.filter(object_type=ct, object_id__in=entry_ids).values("object_id")
                .annotate(n=Count("id")).values_list("object_id", "n"))


def declarable_schemes(*, user: Any) -> list[Scheme]:
    """Adopted schemes of the villager's own village (household or person subjects)."""
    person = getattr(user, "person", None)
    if person is None or not user.has_perm_at(Perm.POINTS_DECLARE, person.place_path):
        return []
    return list(Scheme.objects.filter(place_path=person.place_path[:12], is_template=False,
                                      status=SchemeStatus.ADOPTED,
                                      subject_type__in=[SubjectType.HOUSEHOLD, SubjectType.PERSON])
                .order_by("kind", "pk"))


def neighbour_matches(*, user: Any, scheme: Scheme, name: str) -> list[Candidate]:
    """Villagers of the same village with exactly this name (a villager names the neighbour they recommend);
    shown with the villager group / grid only, never the address."""
    name = (name or "").strip()
    if not name:
        return []
    persons = (Person.objects.filter(place_path__prefix=scheme.place_path, name=name)
               .select_related("household", "household__group", "household__place").order_by("id")[:10])
    out, seen = [], set()
    for p in persons:
        sid = p.household_id if scheme.subject_type == SubjectType.HOUSEHOLD else p.pk
        if sid in seen:
            continue
        seen.add(sid)
        where = p.household.group.name if p.household.group_id else p.household.place.name
        out.append(Candidate(sid, p.name, where))
    return out


def quarter_objections(quarter: Quarter) -> list[Any]:
    """The public objections filed on the quarter's publication, each with its investigation if one exists."""
    if not quarter.publication_id:
        return []
    from shanzhi.publication.models import Objection

    objections = list(Objection.objects.filter(publication_id=quarter.publication_id).order_by("created_at", "id"))
    recs = {r.objection_id: r for r in Reconsideration.objects.filter(objection__in=objections)}
    for o in objections:
        o.investigation = recs.get(o.pk)
    return objections


def entries_visible(user: Any) -> QuerySet[Entry]:
    """Entries whose evidence photos the user may see: staff in scope, and the subject's own villagers."""
    qs = Entry.objects.visible_to(user, Perm.POINTS_VIEW) | Entry.objects.visible_to(user, Perm.POINTS_REVIEW)
    person = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    if person is not None:
        qs = qs | Entry.objects.filter(Q(account__household_id=person.household_id) | Q(account__person_id=person.pk))
    return qs
