"""The report page on a phone with one bar of signal or none (G3 step 1, "前端发现报告"; issue: reports made
offline are queued on the phone and sent when the signal returns, a client key makes retries idempotent).

- ``report_service_worker`` serves ``/events/sw.js``: a service worker, scoped to the report page, that keeps
  the page and its static files so the page opens with no network once visited (cache names carry a version
  made of the worker's template and the files it keeps, so a deploy replaces them).
- ``report_session`` answers the phone, right before it replays its outbox, with a fresh CSRF token and the id
  of the signed-in user: a queued report is sent only by the account that wrote it, with a current token,
  never with one saved when it was queued.
- ``report_created`` / ``report_refused`` are the JSON answers of ``views.event_report`` to ``fetch``/XHR.
- ``report_map`` gives the map-pick data: outlines of the grids the user may report in within the village.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from shanzhi.core.errors import ApplicationError
from shanzhi.regions.models import Place

from .models import Event

# Kept by the worker when it is installed: what the report page needs to open with no network.
SHELL_ASSETS = (
    "vendor/bootstrap/bootstrap.min.css",
    "shanzhi/site.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "events/report.js",
)
# Loaded only when the map is opened (kept by the worker then, for the next time with no network).
MAP_ASSETS = ("vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css")
MAP_GRIDS_MAX = 50
SW_TEMPLATE = "events/sw.js"
SW_SCOPE = "/events/"


def wants_json(request: HttpRequest) -> bool:
    """The page's script asks for JSON; a plain form post (no JavaScript) gets the HTML page as before."""
    return "application/json" in request.headers.get("Accept", "")


def login_required_json() -> JsonResponse:
    return JsonResponse({"code": "login_required", "message": "登录已过期，请重新登录后再发送。"}, status=401)


def report_created(request: HttpRequest, event: Event) -> JsonResponse:
    """200 for a replay the server already had (same event, nothing written), 201 for a new event. A report sent
    while the reporter waits on the page (``X-Report-Foreground``) leaves the usual message for the event page."""
    replayed = bool(getattr(event, "replayed", False))
    if request.headers.get("X-Report-Foreground") == "1":
        messages.success(request, f"已上报，事件编号 {event.number}。")
    return JsonResponse(
        {
            "number": event.number,
            "url": reverse("event_detail", kwargs={"pk": event.pk}),
            "replayed": replayed,
        },
        status=200 if replayed else 201,
    )


def report_refused(exc: ApplicationError) -> JsonResponse:
    """The service's refusal as ``{code, message}`` with its status (4xx): the phone shows the message and
    keeps the draft for editing instead of retrying."""
    return JsonResponse(exc.as_dict(), status=exc.status)


@never_cache
@require_GET
def report_session(request: HttpRequest) -> JsonResponse:
    """A fresh CSRF token and the signed-in user's id, asked for right before a queued report is sent (the
    token in a page saved hours ago may have rotated at a new login; the session may be another account's)."""
    from django.middleware.csrf import get_token

    if not request.user.is_authenticated:
        return login_required_json()
    return JsonResponse({"user": request.user.pk, "csrf": get_token(request)})


def _asset_urls(names: Sequence[str]) -> list[str]:
    return [static(name) for name in names]


@functools.cache
def _sw_version() -> str:
    """Version of the worker's caches: its template and the bytes of the files it keeps. With the manifest
    storage the URLs change with the files too; this also covers development, where they do not."""
    digest = hashlib.sha256()
    template = get_template(SW_TEMPLATE)
    digest.update(template.template.source.encode())  # type: ignore[attr-defined]
    for name in (*SHELL_ASSETS, *MAP_ASSETS):
        digest.update(name.encode())
        found = finders.find(name)
        if isinstance(found, str):
            with open(found, "rb") as fh:
                digest.update(fh.read())
    return digest.hexdigest()[:12]


@require_GET
def report_service_worker(request: HttpRequest) -> HttpResponse:
    """``/events/sw.js``: public (code only, no data), never cached by HTTP caches so an update is seen at once."""
    body = get_template(SW_TEMPLATE).render(
        {
            "version": _sw_version(),
            "page_url": json.dumps(reverse("event_report")),
            "static_prefix": json.dumps(settings.STATIC_URL),
            "shell_assets": json.dumps(_asset_urls(SHELL_ASSETS)),
            # Shown when the page was never kept and there is no network (escaped for HTML, then as JSON).
            "offline_title": json.dumps(escape(_("无网络"))),
            "offline_text": json.dumps(
                escape(_("当前无网络，本机尚未保存上报页面。请在有信号时打开一次上报页面。"))
            ),
        }
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = SW_SCOPE
    response["Cache-Control"] = "no-cache"
    return response


def report_map(*, places: Sequence[Place], place: Place) -> dict[str, Any]:
    """Map-pick data for the report page: the outlines (GeoJSON, WGS-84) of the grids the user may report in
    within the village of ``place`` (domain.md G1 网格电子地图), the tile URL (``MAP_TILE_URL``, empty: plain
    background) and the Leaflet files to load when the map is opened. One query, whatever the number of grids."""
    village_path = place.path[:12]
    grid_ids = [p.pk for p in places if p.level in ("grid", "microgrid") and p.path.startswith(village_path)]
    grids: list[dict[str, Any]] = []
    if grid_ids:
        rows = (
            Place.objects.filter(pk__in=grid_ids[:MAP_GRIDS_MAX], grid_profile__polygon__isnull=False)
            .order_by("path")
            .values_list("code", "name", "grid_profile__polygon")
        )
        grids = [{"code": code, "name": name, "geometry": geometry} for code, name, geometry in rows]
    leaflet_js, leaflet_css = _asset_urls(MAP_ASSETS)
    return {
        "tile_url": settings.MAP_TILE_URL,
        "grids": grids,
        "current": place.code,
        "leaflet_js": leaflet_js,
        "leaflet_css": leaflet_css,
    }
