"""Reads of publications. Staff reads start from the scoped queryset; public reads go by the random public
id and show only what the public page may show (domain.md F7)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound
from shanzhi.core.identity import mask_name
from shanzhi.people.choices import ResidenceStatus
from shanzhi.people.models import Household
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place

from . import clock
from .choices import ObjectionStatus, Phase, PublicationStatus
from .models import Objection, Publication

RECENT_DAYS = 30
LIVE = (PublicationStatus.PUBLISHED, PublicationStatus.CLOSED)


@dataclass
class PublicationFilters:
    q: str = ""
    phase: str = ""
    kind: str = ""
    place_path: str = ""
    pending: bool = False

    @classmethod
    def from_query(cls, data: Any) -> PublicationFilters:
        return cls(q=(data.get("q") or "").strip(), phase=(data.get("phase") or "").strip(),
                   kind=(data.get("kind") or "").strip(), place_path=(data.get("place") or "").strip(),
                   pending=data.get("pending") == "1")


def phase_q(phase: str, today: dt.date) -> Q:
    """The stored status plus the dates give the phase shown to people."""
    live = Q(status__in=LIVE)
    return {
        Phase.SCHEDULED: live & Q(starts_on__gt=today),
        Phase.OPEN: Q(status=PublicationStatus.PUBLISHED, starts_on__lte=today, ends_on__gte=today),
        Phase.ENDED: live & Q(starts_on__lte=today) & (Q(status=PublicationStatus.CLOSED) | Q(ends_on__lt=today)),
        Phase.WITHDRAWN: Q(status=PublicationStatus.WITHDRAWN),
        Phase.SUPERSEDED: Q(status=PublicationStatus.SUPERSEDED),
    }.get(phase, Q())


def publication_list(*, user: Any, filters: PublicationFilters | None = None) -> QuerySet[Publication]:
    f = filters or PublicationFilters()
    qs = Publication.objects.visible_to(user, Perm.PUBLICATION_VIEW)
    if f.place_path:
        qs = qs.filter(place_path__prefix=f.place_path)
    if f.q:
        qs = qs.filter(Q(title__contains=f.q) | Q(public_id=f.q.lower()) | Q(fingerprint__startswith=f.q.lower()))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.phase:
        qs = qs.filter(phase_q(f.phase, clock.today()))
    qs = qs.annotate(pending_count=Count("objections", filter=Q(objections__status=ObjectionStatus.PENDING)))
    if f.pending:
        qs = qs.filter(pending_count__gt=0)
    return qs.select_related("place", "village", "published_by").order_by("-published_at", "-id")


def publication_detail(*, user: Any, pk: int) -> Publication:
    return (Publication.objects.select_related("place", "village", "published_by", "withdrawn_by", "supersedes")
            .get_visible(user, Perm.PUBLICATION_VIEW, pk=pk))


def objection_list(*, publication: Publication) -> QuerySet[Objection]:
    return publication.objections.select_related("handled_by").order_by("status", "-created_at", "-id")


def pending_objection_count(*, user: Any) -> int:
    """Pending objections this user may handle (those at places where they hold the publish permission)."""
    return Objection.objects.visible_to(user, Perm.PUBLISH).filter(status=ObjectionStatus.PENDING).count()


def public_publication(*, public_id: str) -> Publication:
    """A publication by its public id, for the pages without login; unknown ids are simply not found."""
    publication = (Publication.objects.select_related("place", "village", "supersedes").filter(public_id=public_id)
                   .first())
    if publication is None:
        raise NotFound("未找到该公示，请核对二维码或网址。")
    return publication


def superseding(publication: Publication) -> Publication | None:
    return Publication.objects.filter(supersedes=publication).only("public_id", "title").first()


# Kinds whose answered objections are published with them (a villager's question on a finance statement and
# the village's answer, domain.md A3), each with how a row is named when someone questions it ("" = not askable).
_PUBLIC_REPLY_KINDS: dict[str, Callable[[list[str]], str]] = {}


def register_public_replies(kind: str, row_ref: Callable[[list[str]], str] | None = None) -> None:
    """Show the answered objections of publications of ``kind`` on their public page (masked name, question,
    answer) and offer a "question this row" link per row named by ``row_ref(row)`` (default: the first cell).
    Called from a domain app's ``AppConfig.ready``; other kinds keep objections private to the publisher."""
    _PUBLIC_REPLY_KINDS[kind] = row_ref or (lambda row: row[0] if row else "")


def replies_public(publication: Publication) -> bool:
    return publication.kind in _PUBLIC_REPLY_KINDS


def row_refs(publication: Publication) -> list[str]:
    ref = _PUBLIC_REPLY_KINDS.get(publication.kind)
    if ref is None or not publication.is_live:
        return []
    return [ref(list(row)) for row in publication.content.get("rows", [])]


def public_answers(publication: Publication) -> list[Objection]:
    """The answered objections shown publicly with the publication (only for kinds registered above)."""
    if not replies_public(publication):
        return []
    return list(Objection.objects.filter(publication=publication).exclude(status=ObjectionStatus.PENDING)
                .order_by("created_at", "id")[:200])


def public_objection(*, publication: Publication, receipt: str) -> Objection:
    objection = Objection.objects.filter(publication=publication, receipt=receipt).first()
    if objection is None:
        raise NotFound("未找到该回执号对应的异议。")
    return objection


def board_village(*, code: str) -> Place:
    # A township's or county's own board (政务公开栏) too: they publish there (publication_create).
    village = Place.objects.filter(code=code, level__in=(Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY),
                                   is_active=True).first()
    if village is None:
        raise NotFound("未找到该村（社区）的公示栏。")
    return village


def board_publications(*, village: Place, today: dt.date | None = None) -> dict[str, list[Publication]]:
    """The village's public board: what is on it now, what is coming, and what ended in the last 30 days."""
    today = today or clock.today()
    qs = (Publication.objects.filter(village=village, status__in=LIVE, ends_on__gte=today - dt.timedelta(days=RECENT_DAYS))
          .select_related("place").order_by("-starts_on", "-id"))
    board: dict[str, list[Publication]] = {"open": [], "scheduled": [], "ended": []}
    for p in qs:
        board[{Phase.OPEN: "open", Phase.SCHEDULED: "scheduled"}.get(p.phase(today), "ended")].append(p)
    return board


def group_household_rows(*, user: Any, group: Place) -> list[list[str]]:
    """The household list of a villager group, as publication rows (head's name already masked). Members
    who died or moved out are not counted."""
    gone = [ResidenceStatus.DECEASED, ResidenceStatus.MOVED_OUT]
    households = (Household.objects.visible_to(user, Perm.PEOPLE_VIEW).filter(group=group, is_active=True)
                  .annotate(living=Count("members", filter=~Q(members__residence_status__in=gone)))
                  .order_by("number").values_list("number", "head_name", "living", "address"))
    return [[str(n), number, mask_name(head), str(living), address]
            for n, (number, head, living, address) in enumerate(households, start=1)]
