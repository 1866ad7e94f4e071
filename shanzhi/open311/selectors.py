"""Reading for Open311 GeoReport v2 (../shared/specs/open311/georeport-v2.md).

- Jurisdiction: a county (``jurisdiction_id`` = its 6-digit code; the 12-digit place code is accepted too). The
  endpoint serves the counties that have villages on the platform; with one such county the argument may be left
  out, as the spec allows.
- Services: the grid matter list in force for the county (``grid.selectors.matters_applicable``, domain.md G2).
- Requests: events (G3). With an API key, the events the key's account may see (``events.selectors`` — the
  account's scope, its own reports included); without a key, every event of the jurisdiction but only the
  fields that say nothing about a person or a place (see ``representation``).
- Where a point lies: the grid whose GeoJSON outline contains it (``grid.grids.point_in_geometry``, G1), read-only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Substr

from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.events.models import Event
from shanzhi.events.selectors import events_visible
from shanzhi.events.services import EVENT_PLACE_LEVELS
from shanzhi.events.workflow import CLOSED, DONE, OPEN_STATES
from shanzhi.grid.grids import point_in_geometry
from shanzhi.grid.models import GridProfile, Matter
from shanzhi.grid.selectors import matters_applicable
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place

from .models import ApiKey, Submission

DEFAULT_DAYS = 90  # "the range defaults to most recent 90 days"; a range "may not span more than 90 days"
LIMIT = 1000  # "first 1000 requests returned"
IDS_MAX = 1000


class JurisdictionMissing(ValidationFailed):
    """The endpoint serves several counties and the request named none (the spec's 400)."""


# --- keys ------------------------------------------------------------------------------------------------------


def api_key_for(raw: str) -> ApiKey | None:
    """The active key with this value whose account is active, or None (missing, unknown, revoked, disabled)."""
    from .services import key_digest

    raw = (raw or "").strip()
    if not raw or len(raw) > 200:
        return None
    key = (
        ApiKey.objects.select_related("user")
        .filter(key_hash=key_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if key is None or not key.user.is_active:
        return None
    return key


def api_key_list() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("user", "created_by").order_by("-created_at", "-id")


# --- jurisdiction ----------------------------------------------------------------------------------------------


def served_counties(limit: int = 50) -> list[Place]:
    """Counties with at least one active village on the platform (the national tree stops at townships, so a
    county with villages is one that uses the platform)."""
    paths = (
        Place.objects.filter(level=Level.VILLAGE, is_active=True)
        .annotate(county=Substr("path", 1, 6))
        .values_list("county", flat=True)
        .distinct()
        .order_by("county")[:limit]
    )
    return list(Place.objects.filter(level=Level.COUNTY, path__in=list(paths)).order_by("path"))


def jurisdiction_get(jurisdiction_id: str) -> Place:
    value = (jurisdiction_id or "").strip()
    if not value:
        counties = served_counties(limit=2)
        if len(counties) == 1:
            return counties[0]
        if not counties:
            raise NotFound("本平台尚未开通任何辖区。", code="open311_jurisdiction")
        raise JurisdictionMissing(
            "本接口服务多个辖区，请提供 jurisdiction_id（县级区划代码，如 419001）。",
            code="open311_jurisdiction",
        )
    path = value[:6] if len(value) == 12 and value.isdigit() and value.endswith("000000") else value
    county = next((c for c in served_counties() if c.path == path), None)
    if county is None:
        raise NotFound(
            f"未找到辖区“{value[:30]}”（jurisdiction_id 为县级区划代码）。", code="open311_jurisdiction"
        )
    return county


# --- services (the matter list) --------------------------------------------------------------------------------


def services_for(jurisdiction: Place) -> list[Matter]:
    """The matters in force across the jurisdiction, one per code: the county's list over any list above it."""
    by_code: dict[str, Matter] = {}
    for matter in matters_applicable(place=jurisdiction):  # ordered by place_path: deeper lists come later
        by_code[matter.code] = matter
    return sorted(by_code.values(), key=lambda m: (m.category, m.code))


def service_by_code(*, jurisdiction: Place, code: str) -> Matter | None:
    return next((m for m in services_for(jurisdiction) if m.code == code), None)


def reporting_places(jurisdiction: Place) -> list[Place]:
    """The villages (communities) of the jurisdiction: the values of the ``place`` attribute."""
    return list(
        Place.objects.filter(path__prefix=jurisdiction.path, level=Level.VILLAGE, is_active=True)
        .select_related("parent")
        .order_by("path")
    )


def reporting_place(*, jurisdiction: Place, code: str) -> Place | None:
    """A village, villager group, grid or micro-grid of the jurisdiction, by its code."""
    return Place.objects.filter(
        code=code, path__prefix=jurisdiction.path, level__in=EVENT_PLACE_LEVELS, is_active=True
    ).first()


def grid_at_point(*, jurisdiction: Place, lat: float, lng: float) -> Place | None:
    """The grid or micro-grid of the jurisdiction whose outline contains the point, the deepest one first (a
    micro-grid before its grid, as ``grid.grids.households_assign_by_polygon`` decides)."""
    profiles = list(
        GridProfile.objects.filter(
            place_path__prefix=jurisdiction.path, polygon__isnull=False, place__is_active=True
        ).select_related("place")
    )
    profiles.sort(key=lambda p: (-len(p.place_path), p.place_path))
    return next((p.place for p in profiles if point_in_geometry(lng, lat, p.polygon)), None)


# --- requests (events) -----------------------------------------------------------------------------------------

RELATED = ("matter", "place", "assignee_place", "merged_into")


def requests_base(*, jurisdiction: Place, key: ApiKey | None) -> QuerySet[Event]:
    """The events a caller may list: the key's account's (its scope, its own reports), or — without a key — the
    jurisdiction's, of which only the non-personal fields are shown."""
    qs = events_visible(user=key.user) if key is not None else Event.objects.all()
    return qs.filter(place_path__prefix=jurisdiction.path).select_related(*RELATED)


def _parse_when(value: str, name: str) -> dt.datetime:
    from django.utils.dateparse import parse_date, parse_datetime

    from shanzhi.workflow.calendar import CHINA

    text = value.strip()
    try:
        parsed = parse_datetime(text)
        if parsed is None and (day := parse_date(text)) is not None:
            parsed = dt.datetime.combine(day, dt.time(), tzinfo=CHINA)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationFailed(
            f"{name} 须为带时区的 W3C 日期时间，如 2026-01-01T00:00:00+08:00 或 2026-01-01T00:00:00Z。",
            code="open311_date",
        )
    return parsed


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def requests_query(*, jurisdiction: Place, key: ApiKey | None, params: Any, now: dt.datetime) -> list[Event]:
    """GET Service Requests with the standard filters: ``service_request_id`` (comma list; overrides the others),
    ``service_code`` and ``status`` (comma lists), ``start_date``/``end_date`` on the requested time (default
    the last 90 days; a range longer than 90 days is refused); newest first, at most 1,000."""
    qs = requests_base(jurisdiction=jurisdiction, key=key)
    ids = _split(params.get("service_request_id", ""))
    if ids:
        if len(ids) > IDS_MAX:
            raise ValidationFailed(f"service_request_id 一次最多 {IDS_MAX} 个。", code="open311_ids")
        return list(qs.filter(number__in=ids).order_by("-reported_at", "-id")[:LIMIT])
    start_text, end_text = params.get("start_date", ""), params.get("end_date", "")
    start = _parse_when(start_text, "start_date") if start_text.strip() else None
    end = _parse_when(end_text, "end_date") if end_text.strip() else None
    span = dt.timedelta(days=DEFAULT_DAYS)
    if start is None and end is None:
        start, end = now - span, now
    elif start is None:
        start = end - span
    elif end is None:
        end = start + span
    if end < start:
        raise ValidationFailed("end_date 不能早于 start_date。", code="open311_date")
    if end - start > span:
        raise ValidationFailed(f"start_date 到 end_date 不能超过 {DEFAULT_DAYS} 天。", code="open311_date")
    qs = qs.filter(reported_at__gte=start, reported_at__lte=end)
    codes = _split(params.get("service_code", ""))
    if codes:
        qs = qs.filter(matter_id__in=[m.pk for m in services_for(jurisdiction) if m.code in codes])
    statuses = set(_split(params.get("status", "")))
    if statuses - {"open", "closed"}:
        raise ValidationFailed("status 只能是 open 或 closed（可用逗号分隔）。", code="open311_status")
    if statuses == {"open"}:
        qs = qs.filter(state__in=OPEN_STATES, merged_into__isnull=True)
    elif statuses == {"closed"}:
        qs = qs.filter(Q(state__in=(CLOSED, DONE)) | Q(merged_into__isnull=False))
    return list(qs.order_by("-reported_at", "-id")[:LIMIT])


def request_get(*, jurisdiction: Place, key: ApiKey | None, number: str) -> Event:
    event = requests_base(jurisdiction=jurisdiction, key=key).filter(number=number).first()
    if event is None:
        raise NotFound(f"没有编号为“{number[:30]}”的服务请求，或您无权查看。", code="open311_request")
    return event


def media_urls(events: list[Event]) -> dict[int, str]:
    """The media URL each event's client sent (one query for the whole page)."""
    rows = Submission.objects.filter(event_id__in=[e.pk for e in events]).exclude(media_url="")
    return dict(rows.values_list("event_id", "media_url"))
