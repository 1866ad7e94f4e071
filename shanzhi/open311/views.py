"""Open311 GeoReport v2 endpoints under /open311/v2/ (../shared/specs/open311/georeport-v2.md) and the service
discovery document. Views parse the spec's arguments, call ``selectors`` / ``services`` and render XML or JSON
from the URL's extension; every refusal answers the spec's error document with its HTTP status (400 bad input,
403 missing/invalid api_key or a place the key's account may not report at, 404 unknown jurisdiction, service
code or request).

Access (docs/api.md, "Open311"): discovery, the service list and the service definitions are public; POST needs
an ``api_key``; GET requests answers everyone, but only with an ``api_key`` does it show the description,
address, coordinates, media URL and handling result — and then only for the events the key's account may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from shanzhi.core.errors import ApplicationError, NotFound, PermissionDenied
from shanzhi.events.models import Event
from shanzhi.events.workflow import CLOSED, DONE, EVENT, OPEN_STATES
from shanzhi.grid.choices import MatterCategory, ResponsibleLevel
from shanzhi.grid.models import Matter
from shanzhi.regions.models import Place
from shanzhi.workflow.calendar import CHINA
from shanzhi.workflow.clock import current

from . import selectors, services
from .formats import error, render
from .models import ApiKey

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
STATUS_OF_ERROR = {400: 400, 403: 403, 404: 404, 409: 400}


def open311_view(methods: tuple[str, ...]) -> Callable:
    """Allowed methods, and every ApplicationError answered in the spec's error format."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str = "xml", **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = error(fmt, 405, f"此资源不支持 {request.method} 请求。")
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except ApplicationError as exc:
                return error(fmt, STATUS_OF_ERROR.get(exc.status, 400), exc.message)

        return csrf_exempt(wrapped)

    return decorate


def _arg(request: HttpRequest, name: str) -> str:
    value = request.POST.get(name) if request.method == "POST" else None
    return (value if value is not None else request.GET.get(name)) or ""


def _key(request: HttpRequest, *, required: bool) -> ApiKey | None:
    raw = _arg(request, "api_key")
    if not raw.strip():
        if required:
            raise PermissionDenied("缺少 api_key：提交服务请求须使用接口密钥。", code="open311_key")
        return None
    key = selectors.api_key_for(raw)
    if key is None:
        raise PermissionDenied("api_key 无效或已吊销。", code="open311_key")
    return key


def _w3c(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value, CHINA).isoformat(timespec="seconds") if value else None


# --- representations -------------------------------------------------------------------------------------------


def service_notice(matter: Matter) -> str:
    level = ResponsibleLevel(matter.level).label if matter.level in ResponsibleLevel.values else matter.level
    who = f"{level}（{matter.department}）" if matter.department else str(level)
    return f"由{who}办理，受理后 {matter.time_limit_days} 个工作日内办结。"


def _category(matter: Matter) -> str:
    return (
        str(MatterCategory(matter.category).label)
        if matter.category in MatterCategory.values
        else matter.category
    )


def service_dict(matter: Matter) -> dict[str, Any]:
    level = ResponsibleLevel(matter.level).label if matter.level in ResponsibleLevel.values else matter.level
    keywords = [matter.name, _category(matter), str(level)] + (
        [matter.department] if matter.department else []
    )
    return {
        "service_code": matter.code,
        "service_name": matter.name,
        "description": matter.description or service_notice(matter),
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(keywords),
        "group": _category(matter),
    }


def definition_dict(matter: Matter, villages: list[Place]) -> dict[str, Any]:
    place = {
        "variable": True,
        "code": "place",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "村（社区）区划代码；也可填网格、村民小组的区划代码",
        "order": 1,
        "description": "事发村（社区）。按坐标（lat/long）能定位到网格时可不填，否则必填。",
        "values": [
            {"key": v.code, "name": f"{v.parent.name if v.parent_id else ''} {v.name}".strip()}
            for v in villages
        ],
    }
    notice = {
        "variable": False,
        "code": "notice",
        "datatype": "text",
        "required": False,
        "datatype_description": "",
        "order": 2,
        "description": service_notice(matter),
    }
    return {"service_code": matter.code, "attributes": [place, notice]}


def _status(event: Event) -> str:
    return "closed" if event.state in (CLOSED, DONE) or event.merged_into_id else "open"


def request_dict(event: Event, *, full: bool, media_url: str = "") -> dict[str, Any]:
    """One service request. ``full`` (a valid api_key whose account may see the event) adds the description,
    the address, the coordinates, the media URL and the handling result; nothing ever carries the reporter's or
    the requester's name, phone or e-mail."""
    closed = _status(event) == "closed"
    notes = EVENT.state_label(event.state)
    if event.merged_into_id:
        notes = f"重复上报，已并入 {event.merged_into.number}" if event.merged_into else "重复上报，已合并"
    elif full and closed and event.result:
        notes = f"{notes}：{event.result}"
    data: dict[str, Any] = {
        "service_request_id": event.number,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": event.matter.name,
        "service_code": event.matter.code,
        "agency_responsible": event.assignee_label or event.matter.department or None,
        "service_notice": service_notice(event.matter),
        "requested_datetime": _w3c(event.reported_at),
        "updated_datetime": _w3c(
            event.closed_at if closed and event.closed_at else (event.state_since or event.reported_at)
        ),
        "expected_datetime": _w3c(event.due_at) if event.state in OPEN_STATES else None,
    }
    if full:
        data.update(
            {
                "description": event.text,
                "address": event.address or event.place.name,
                "address_id": event.place.code,
                "lat": float(event.latitude) if event.latitude is not None else None,
                "long": float(event.longitude) if event.longitude is not None else None,
                "media_url": media_url or None,
            }
        )
    return {k: v for k, v in data.items() if v is not None}


# --- endpoints -------------------------------------------------------------------------------------------------


@open311_view(("GET",))
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Service Discovery: where the GeoReport v2 endpoint is, its formats, and when the service list last
    changed (``changeset``: clients refresh cached service lists when it moves)."""
    changed = Matter.objects.aggregate(at=Max("updated_at"))["at"]
    changeset = _w3c(changed) or "2026-01-01T00:00:00+08:00"
    contact = getattr(settings, "OPEN311_CONTACT", "") or "请联系本县善治平台管理员。"
    return render(
        fmt,
        "discovery",
        {
            "changeset": changeset,
            "contact": contact,
            "key_service": "接口密钥由平台管理员用 shanzhi open311_key_create 创建，代表一个平台账号。",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": request.build_absolute_uri("/open311/v2/"),
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@open311_view(("GET",))
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    jurisdiction = selectors.jurisdiction_get(_arg(request, "jurisdiction_id"))
    return render(fmt, "services", [service_dict(m) for m in selectors.services_for(jurisdiction)])


@open311_view(("GET",))
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    jurisdiction = selectors.jurisdiction_get(_arg(request, "jurisdiction_id"))
    matter = selectors.service_by_code(jurisdiction=jurisdiction, code=code)
    if matter is None:
        raise NotFound(f"没有服务代码为“{code[:30]}”的服务。")
    return render(
        fmt, "service_definition", definition_dict(matter, selectors.reporting_places(jurisdiction))
    )


@open311_view(("GET", "POST"))
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    key = _key(request, required=False)
    jurisdiction = selectors.jurisdiction_get(_arg(request, "jurisdiction_id"))
    events = selectors.requests_query(jurisdiction=jurisdiction, key=key, params=request.GET, now=current())
    media = selectors.media_urls(events) if key else {}
    return render(
        fmt,
        "service_requests",
        [request_dict(e, full=key is not None, media_url=media.get(e.pk, "")) for e in events],
    )


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    key = _key(request, required=True)
    assert key is not None
    jurisdiction = selectors.jurisdiction_get(_arg(request, "jurisdiction_id"))
    attributes = {
        name[len("attribute[") : -1]: value
        for name, value in request.POST.items()
        if name.startswith("attribute[") and name.endswith("]")
    }
    data = services.RequestInput(
        attributes=attributes,
        **{
            name: request.POST.get(name, "")
            for name in (
                "service_code",
                "lat",
                "long",
                "address_string",
                "address_id",
                "description",
                "media_url",
                "email",
                "phone",
                "first_name",
                "last_name",
                "device_id",
                "account_id",
            )
        },
    )
    event, submission = services.service_request_create(key=key, jurisdiction=jurisdiction, data=data)
    body = {"service_request_id": event.number, "service_notice": service_notice(event.matter)}
    if submission.account_id:
        body["account_id"] = submission.account_id
    return render(fmt, "service_requests", [body])


@open311_view(("GET",))
def request_detail(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    key = _key(request, required=False)
    jurisdiction = selectors.jurisdiction_get(_arg(request, "jurisdiction_id"))
    event = selectors.request_get(jurisdiction=jurisdiction, key=key, number=number)
    media = selectors.media_urls([event]) if key else {}
    return render(
        fmt,
        "service_requests",
        [request_dict(event, full=key is not None, media_url=media.get(event.pk, ""))],
    )


@open311_view(("GET",))
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """Every service is ``realtime``: POST answers the service_request_id itself and never a token."""
    raise NotFound("本接口的服务均为 realtime，提交时直接返回 service_request_id，不发放 token。")


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    fmt = "json" if path.endswith(".json") else "xml"
    return error(fmt, 404, "没有这个 Open311 资源，请查看 /open311/discovery.xml。")
