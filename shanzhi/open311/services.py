"""Writing through Open311 (GeoReport v2, ../shared/specs/open311/): API keys (created, revoked — audited) and
POST Service Request, which makes an event through ``events.services.event_report`` acting as the key's account,
so the matter list, the reporting scope, the location and text rules and the audit are the platform's own.

Every check runs before any write; the event, the submission record and the audit entry are one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import secrets
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction

from shanzhi.access.roles import Perm
from shanzhi.audit.models import AuditAction
from shanzhi.audit.services import audit_record
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.events import services as event_services
from shanzhi.events.models import Event
from shanzhi.regions.models import Place
from shanzhi.workflow.clock import current

from . import selectors
from .models import ApiKey, Submission

KEY_PREFIX = "o311_"
NAME_MAX = 100
DESCRIPTION_MAX = 4000  # GeoReport v2: "free form text limited to 4,000 characters" (the event keeps 1,000)


def key_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# --- keys ----------------------------------------------------------------------------------------------------


@transaction.atomic
def api_key_create(
    *, acting_user: Any, user: Any, name: str, now: dt.datetime | None = None
) -> tuple[ApiKey, str]:
    """Issue a key for a client system acting as ``user``. Returns the row and the key, which is shown this once
    and never stored (only its digest is). The account must be active and able to report or read events
    somewhere — a key for an account with no such role would do nothing."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed("请填写客户端系统名称。", code="open311_key_name")
    if len(name) > NAME_MAX:
        raise ValidationFailed(f"客户端系统名称不能超过 {NAME_MAX} 字。", code="open311_key_name")
    if user is None or not user.is_active:
        raise ValidationFailed("接口密钥代表的账号不存在或已停用。", code="open311_key_user")
    if not (user.has_perm_anywhere(Perm.EVENT_REPORT) or user.has_perm_anywhere(Perm.EVENT_VIEW)):
        raise ValidationFailed(
            f"账号“{user.username}”没有上报或查看事件的角色，请先为其分配角色。", code="open311_key_user"
        )
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name,
        prefix=raw[:12],
        key_hash=key_digest(raw),
        user=user,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        created_at=current(now),
    )
    audit_record(
        actor=acting_user,
        action=AuditAction.CREATE,
        event="open311_key_create",
        obj=key,
        after={"name": key.name, "prefix": key.prefix, "user": user.username},
        detail=f"为“{key.name}”创建 Open311 接口密钥，代表账号 {user.username}",
    )
    return key, raw


@transaction.atomic
def api_key_revoke(*, acting_user: Any, key: ApiKey, now: dt.datetime | None = None) -> ApiKey:
    """Revoke a key: from now on every call with it answers 403. Revoking twice is refused (Conflict)."""
    locked = ApiKey.objects.select_for_update().get(pk=key.pk)
    if locked.revoked_at is not None:
        raise Conflict(
            f"密钥 {locked.prefix}… 已于 {locked.revoked_at:%Y-%m-%d %H:%M} 吊销。",
            code="open311_key_revoked",
        )
    locked.revoked_at = current(now)
    locked.revoked_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    locked.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=acting_user,
        action=AuditAction.UPDATE,
        event="open311_key_revoke",
        obj=locked,
        before={"revoked_at": None},
        after={"revoked_at": locked.revoked_at},
        detail=f"吊销“{locked.name}”的 Open311 接口密钥",
    )
    return locked


# --- POST Service Request --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RequestInput:
    """The arguments of POST Service Request (GeoReport v2), as strings the way the form carried them."""

    service_code: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    description: str = ""
    media_url: str = ""
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    device_id: str = ""
    account_id: str = ""
    attributes: dict[str, str] = dataclasses.field(default_factory=dict)


CONTACT_LIMITS = {"phone": 30, "first_name": 50, "last_name": 50, "device_id": 100, "account_id": 100}
CONTACT_LABELS = {
    "phone": "电话",
    "first_name": "名",
    "last_name": "姓",
    "device_id": "设备编号",
    "account_id": "客户端账号",
}


def _clean_extras(data: RequestInput) -> dict[str, str]:
    """The fields kept beside the event: lengths and formats checked, nothing else interpreted."""
    out = {name: " ".join(getattr(data, name).split()) for name in CONTACT_LIMITS}
    for name, limit in CONTACT_LIMITS.items():
        if len(out[name]) > limit:
            raise ValidationFailed(
                f"{CONTACT_LABELS[name]}（{name}）不能超过 {limit} 个字符。", code="open311_field"
            )
    email = data.email.strip()
    if email:
        try:
            EmailValidator()(email)
        except DjangoValidationError:
            raise ValidationFailed("邮箱（email）格式不正确。", code="open311_email")
    media_url = data.media_url.strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except DjangoValidationError:
            raise ValidationFailed("媒体链接（media_url）须为 http 或 https 网址。", code="open311_media_url")
        if len(media_url) > 500:
            raise ValidationFailed("媒体链接（media_url）不能超过 500 个字符。", code="open311_media_url")
    out.update(email=email, media_url=media_url)
    return out


def _coordinate(value: str, label: str, limit: int) -> float:
    try:
        number = float(value.strip())
    except ValueError:
        raise ValidationFailed(f"{label}格式不正确。", code="open311_location")
    if not math.isfinite(number) or abs(number) > limit:
        raise ValidationFailed(f"{label}超出范围。", code="open311_location")
    return number


def _place_for(data: RequestInput, jurisdiction: Place, key: ApiKey) -> Place:
    """Where it happened: the grid whose outline contains lat/long (a micro-grid before its grid); else the place
    named by ``attribute[place]`` (or ``address_id``) — a village, villager group, grid or micro-grid code of
    the jurisdiction; else a 400 that says what to send."""
    place = None
    if data.lat and data.long:
        lat, lng = _coordinate(data.lat, "纬度（lat）", 90), _coordinate(data.long, "经度（long）", 180)
        place = selectors.grid_at_point(jurisdiction=jurisdiction, lat=lat, lng=lng)
    if place is None:
        code = (data.attributes.get("place") or data.address_id or "").strip()
        if code:
            place = selectors.reporting_place(jurisdiction=jurisdiction, code=code)
            if place is None:
                raise ValidationFailed(
                    f"区划代码“{code[:30]}”不是本辖区内的村（社区）或网格。", code="open311_place"
                )
    if place is None:
        raise ValidationFailed(
            "无法确定事发地点：坐标不在任何网格内（或未提供坐标），请在 attribute[place] 中填写"
            "村（社区）或网格的区划代码（见服务定义）。",
            code="open311_location",
        )
    if not key.user.has_perm_at(Perm.EVENT_REPORT, place.path):
        raise PermissionDenied("该接口密钥代表的账号不能在此地点上报事件。", code="open311_scope")
    return place


def service_request_create(
    *, key: ApiKey, jurisdiction: Place, data: RequestInput, now: dt.datetime | None = None
) -> tuple[Event, Submission]:
    """POST Service Request → 前端发现报告 (G3 step 1), by the key's account. The service code is a matter of the
    jurisdiction's list (unknown → NotFound, the spec's 404); a location is required (lat & long, or
    address_string, or address_id); the description becomes the event's text and the address is kept. The
    requester's contact and the media URL go into the submission record, never into the event text.

    Open311 has no idempotency key: a client that retries a POST makes a second event (staff merge duplicates)."""
    if key.revoked_at is not None or not key.user.is_active:
        raise PermissionDenied("接口密钥无效或已吊销。", code="open311_key")
    code = data.service_code.strip()
    if not code:
        raise ValidationFailed("缺少 service_code（服务代码）。", code="open311_service_code")
    matter = selectors.service_by_code(jurisdiction=jurisdiction, code=code)
    if matter is None:
        raise NotFound(f"没有服务代码为“{code[:30]}”的服务。", code="open311_service_code")
    has_point = bool(data.lat.strip() and data.long.strip())
    if bool(data.lat.strip()) != bool(data.long.strip()):
        raise ValidationFailed("lat 和 long 须同时提供。", code="open311_location")
    if not (has_point or data.address_string.strip() or data.address_id.strip()):
        raise ValidationFailed(
            "请提供事发位置：lat 和 long，或 address_string，或 address_id。", code="open311_location"
        )
    description = (data.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(
            f"描述（description）不能超过 {DESCRIPTION_MAX} 字。", code="open311_description"
        )
    extras = _clean_extras(data)
    place = _place_for(data, jurisdiction, key)
    address = " ".join(data.address_string.split())
    at = current(now)
    with transaction.atomic():
        try:
            event = event_services.event_report(
                acting_user=key.user,
                place=place,
                matter_id=matter.pk,
                text=description,
                latitude=data.lat.strip() or None,
                longitude=data.long.strip() or None,
                address=address or ("" if has_point else place.name),
                now=at,
            )
        except NotFound:
            raise PermissionDenied("该接口密钥代表的账号不能在此地点上报事件。", code="open311_scope")
        submission = Submission.objects.create(
            event=event, api_key=key, place_path=event.place_path, created_at=at, **extras
        )
        audit_record(
            actor=key.user,
            action=AuditAction.CREATE,
            event="open311_request_create",
            obj=event,
            after={
                "api_key": key.prefix,
                "service_code": code,
                "number": event.number,
                "media_url": extras["media_url"],
            },
            detail=f"经 Open311 客户端“{key.name}”上报",
        )
    return event, submission
