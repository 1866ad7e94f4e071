"""Reading village affairs assistants (domain.md G6): the scoped list, one assistant, the village's duties "5 + X",
and what the service card and the public micro-grid page show. Staff reads start from
``VillageAssistant.objects.visible_to(user, Perm.GRID_VIEW)`` (404 outside); the public page shows only what the
card prints — the assistant's name, the contact they agreed to publish, the duties and the hours."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound
from shanzhi.people.models import Household
from shanzhi.regions.models import Place

from .grid_choices import DEFAULT_SERVICE_HOURS, STANDARD_ASSISTANT_DUTIES
from .models import AssistantDuties, VillageAssistant


def assistant_list(*, user: Any, current: bool = True, q: str = "") -> QuerySet[VillageAssistant]:
    qs = VillageAssistant.objects.visible_to(user, Perm.GRID_VIEW)
    if current:
        qs = qs.filter(ended_on__isnull=True)
    if q:
        qs = qs.filter(
            Q(name__contains=q) | Q(microgrid__name__contains=q) | Q(microgrid__code__startswith=q)
        )
    return qs.select_related("microgrid__parent__parent").order_by("place_path", "-term_start", "-id")


def assistant_get(*, user: Any, pk: int) -> VillageAssistant:
    return VillageAssistant.objects.select_related("microgrid__parent__parent").get_visible(
        user, Perm.GRID_VIEW, pk=pk
    )


def duties_of(village_path: str) -> tuple[list[str], list[str], str]:
    """(the five standard duties, the village's X items, the service hours) — one query."""
    row = AssistantDuties.objects.filter(place_path=village_path).first()
    if row is None:
        return list(STANDARD_ASSISTANT_DUTIES), [], DEFAULT_SERVICE_HOURS
    return list(STANDARD_ASSISTANT_DUTIES), list(row.extra_duties), row.service_hours


def duties_village(*, user: Any, code: str) -> Place:
    """The village whose duties a user edits (grid.manage there); NotFound for anything else."""
    place = Place.objects.get_visible(user, Perm.GRID_MANAGE, code=code)
    if place.level != "village":
        raise NotFound("村务助理职责按村（社区）制定。")
    return place


def public_url(microgrid: Place) -> str:
    return settings.SITE_URL + reverse("public_microgrid", args=[microgrid.code])


def report_url(microgrid: Place) -> str:
    """The event report page for this micro-grid (login needed there; the page offers the user's own places)."""
    return f"{reverse('event_report')}?place={microgrid.code}"


def card_data(assistant: VillageAssistant) -> dict[str, Any]:
    """服务卡 (G6 "service card with QR code"): village and micro-grid, the assistant's name, the contact they
    agreed to publish (nothing when they did not), households served, duties 5 + X, service hours and the QR code
    to the public page. Three queries (the assistant is loaded with its places)."""
    from shanzhi.publication.pdf import qr_svg_data_uri

    microgrid = assistant.microgrid
    standard, extra, hours = duties_of(microgrid.path[:12])
    url = public_url(microgrid)
    return {
        "assistant": assistant,
        "microgrid": microgrid,
        "grid": microgrid.parent,
        "village": microgrid.parent.parent,
        "phone": assistant.public_phone if assistant.phone_consent else "",
        "households": Household.objects.filter(place_path__prefix=microgrid.path, is_active=True).count(),
        "standard_duties": standard,
        "extra_duties": extra,
        "service_hours": hours,
        "public_url": url,
        "qr": qr_svg_data_uri(url),
        "report_url": report_url(microgrid),
    }


def public_microgrid(*, code: str) -> Place:
    """The micro-grid of a public page (no login); NotFound for anything that is not an active micro-grid."""
    place = (
        Place.objects.select_related("parent__parent")
        .filter(code=(code or "").strip()[:24], level="microgrid", is_active=True)
        .first()
    )
    if place is None:
        raise NotFound("没有找到该微网格。")
    return place


def public_page(microgrid: Place) -> dict[str, Any]:
    """The public page the card's QR code opens: the assistant in office (if any) with the published contact,
    duties and hours, and the way to report (我要反映). Nothing from the population registry."""
    assistant = (
        VillageAssistant.objects.filter(microgrid=microgrid, ended_on__isnull=True)
        .only("name", "public_phone", "phone_consent", "term_start", "term_end")
        .first()
    )
    standard, extra, hours = duties_of(microgrid.path[:12])
    return {
        "microgrid": microgrid,
        "grid": microgrid.parent,
        "village": microgrid.parent.parent,
        "assistant": assistant,
        "phone": assistant.public_phone if assistant and assistant.phone_consent else "",
        "standard_duties": standard,
        "extra_duties": extra,
        "service_hours": hours,
        "report_url": report_url(microgrid),
    }
