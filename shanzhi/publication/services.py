"""Writes of the publication kernel (domain.md F7). Each service validates before it writes, writes in
one transaction, and records the audit entry in that transaction."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.timezone import now

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core import context
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.core.identity import check_character, mask_id_number, mask_name, mask_phone, validate_phone
from shanzhi.notify.services import notify_users, sms_send
from shanzhi.people.services import village_of
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place

from . import clock
from .choices import ObjectionStatus, Phase, PublicationKind, PublicationStatus
from .fingerprint import canonical_content, canonical_text, fingerprint_of
from .models import Objection, Publication
from .selectors import group_household_rows

PLACE_LEVELS = {Level.VILLAGE, Level.GROUP, Level.GRID, Level.MICROGRID}
# A township or county publishes on its own board (政务公开栏), e.g. the monthly event bulletin (G4 通报).
OWN_BOARD_LEVELS = {Level.TOWNSHIP, Level.COUNTY}
MAX_COLUMNS = 20
MAX_ROWS = 5000
MAX_CELL = 500
MAX_DAYS = 366
OBJECTION_TEXT_MAX = 1000
# Rate limits of the public objection form (no login): per phone and publication a day, per IP an hour.
OBJECTIONS_PER_PHONE_PER_DAY = 5
OBJECTIONS_PER_IP_PER_HOUR = 20

MASKS: dict[str, Callable[[str | None], str]] = {"name": mask_name, "id_number": mask_id_number, "phone": mask_phone}
TOKEN_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read aloud or typed from paper

_ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE_CANDIDATE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def new_token(length: int = 12) -> str:
    """A random, non-guessable id (12 characters of 31: about 59 bits)."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(length))


def _require(user: Any, perm: str, path: str) -> None:
    """Out of the user's scope is "not found", never "forbidden" (Zulip's rule)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_perm_at(perm, path):
        raise NotFound()


def unmasked_personal_data(cell: str) -> str:
    """What unmasked personal data a cell seems to hold: a valid 18-digit identity number or a mobile number."""
    for m in _ID_CANDIDATE.finditer(cell):
        if check_character(m.group()[:17]) == m.group()[17].upper():
            return "身份证号"
    if _PHONE_CANDIDATE.search(cell):
        return "手机号"
    return ""


def prepare_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], mask: dict[str, str] | None = None
                 ) -> tuple[list[str], list[list[str]]]:
    """Validate the table, apply the masks of domain.md F7 (``mask``: column label → "name" / "id_number" /
    "phone") and refuse any cell that still holds a full identity number or mobile number."""
    cols = [str(c).strip() for c in columns]
    if not cols or len(cols) > MAX_COLUMNS:
        raise ValidationFailed(f"公示表须有 1 至 {MAX_COLUMNS} 列。", code="columns")
    if any(not c for c in cols) or len(set(cols)) != len(cols):
        raise ValidationFailed("列名不能为空，也不能重复。", code="columns")
    if not rows:
        raise ValidationFailed("公示内容为空，没有可公示的行。", code="rows_empty")
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(f"一次公示最多 {MAX_ROWS} 行。", code="rows_too_many")
    maskers: dict[int, Callable[[str | None], str]] = {}
    for label, how in (mask or {}).items():
        if label not in cols or how not in MASKS:
            raise ValidationFailed(f"脱敏设置无效：{label}", code="mask")
        maskers[cols.index(label)] = MASKS[how]
    out: list[list[str]] = []
    for n, row in enumerate(rows, start=1):
        if len(row) != len(cols):
            raise ValidationFailed(f"第 {n} 行有 {len(row)} 项，应为 {len(cols)} 项。", code="row_width")
        cells = []
        for i, value in enumerate(row):
            cell = "" if value is None else str(value).strip()
            if i in maskers:
                cell = maskers[i](cell)
            if len(cell) > MAX_CELL:
                raise ValidationFailed(f"第 {n} 行“{cols[i]}”过长（最多 {MAX_CELL} 字）。", code="cell_too_long")
            found = unmasked_personal_data(cell)
            if found:
                raise ValidationFailed(f"第 {n} 行“{cols[i]}”含有未脱敏的{found}，不能公示。", code="unmasked")
            cells.append(cell)
        out.append(cells)
    return cols, out


def _check_period(starts_on: dt.date, ends_on: dt.date) -> None:
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        raise ValidationFailed("请填写公示开始和截止日期。", code="period")
    if starts_on < clock.today():
        raise ValidationFailed("公示开始日期不能早于今天。", code="period_past")
    if ends_on < starts_on:
        raise ValidationFailed("公示截止日期不能早于开始日期。", code="period_order")
    if (ends_on - starts_on).days + 1 > MAX_DAYS:
        raise ValidationFailed(f"公示期最长 {MAX_DAYS} 天。", code="period_long")


@transaction.atomic
def publication_create(
    *, acting_user: Any, place: Place, kind: str, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
    starts_on: dt.date, ends_on: dt.date, mask: dict[str, str] | None = None, contact: str = "",
    supersedes: Publication | None = None, reason: str = "",
) -> Publication:
    """Publish a masked snapshot to the village's board for ``starts_on``..``ends_on`` (inclusive), which is
    also the objection window (domain.md F7). The content is frozen with its canonical text and SHA-256
    fingerprint (see ``fingerprint.py``). With ``supersedes`` this is a correction: the old publication,
    same village and kind, is marked superseded and linked, never edited. A township or county publishes on
    its own board: ``village`` (the board) is then the place itself."""
    if place.level not in PLACE_LEVELS | OWN_BOARD_LEVELS:
        raise ValidationFailed("公示范围须为村/社区或其下的村民小组、网格（乡镇、县在本级公开栏公示）。",
                               code="publication_place")
    _require(acting_user, Perm.PUBLISH, place.path)
    if kind not in PublicationKind.values:
        raise ValidationFailed(f"公示类型“{kind}”无效。", code="kind")
    title = (title or "").strip()
    if not title:
        raise ValidationFailed("公示标题不能为空。", code="title_required")
    if len(title) > 200:
        raise ValidationFailed("公示标题过长（最多200字）。", code="title_long")
    _check_period(starts_on, ends_on)
    cols, cells = prepare_rows(columns, rows, mask)
    village = place if place.level in OWN_BOARD_LEVELS else village_of(place)
    old = None
    if supersedes is not None:
        old = Publication.objects.visible_to(acting_user, Perm.PUBLISH).select_for_update().filter(pk=supersedes.pk).first()
        if old is None:
            raise NotFound()
        if old.status not in (PublicationStatus.PUBLISHED, PublicationStatus.CLOSED):
            raise Conflict(f"原公示{old.get_status_display()}，不能再更正。", code="not_live")
        if old.village_id != village.pk or old.kind != kind:
            raise ValidationFailed("更正公示须与原公示属于同一村、同一类型。", code="supersede_mismatch")
        reason = (reason or "").strip()
        if not reason:
            raise ValidationFailed("请填写更正原因。", code="reason_required")
    content = canonical_content(kind=kind, title=title, place_code=place.code, place_name=place.name,
                                starts_on=starts_on, ends_on=ends_on, columns=cols, rows=cells)
    text = canonical_text(content)
    publication = None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                publication = Publication.objects.create(
                    public_id=new_token(), kind=kind, title=title, place=place, place_path=place.path, village=village,
                    columns=cols, rows=cells, canonical_text=text, fingerprint=fingerprint_of(text),
                    starts_on=starts_on, ends_on=ends_on, contact=(contact or "").strip()[:100],
                    published_by=acting_user, published_at=now(), supersedes=old,
                )
            break
        except IntegrityError:  # the astronomically rare clash of two random ids
            continue
    if publication is None:
        raise Conflict("生成公开编号失败，请重试。")
    audit_record(actor=acting_user, action=AuditAction.PUBLISH, event="publication_create", obj=publication,
                 after={"public_id": publication.public_id, "kind": kind, "title": title, "place": place.code,
                        "starts_on": starts_on, "ends_on": ends_on, "rows": len(cells),
                        "fingerprint": publication.fingerprint, "supersedes": old.public_id if old else None})
    if old is not None:
        before = {"status": old.status}
        old.status = PublicationStatus.SUPERSEDED
        old.withdrawn_at, old.withdrawn_by, old.withdraw_reason = now(), acting_user, reason[:200]
        old.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "withdraw_reason"])
        audit_record(actor=acting_user, action=AuditAction.PUBLISH, event="publication_supersede", obj=old,
                     before=before, after={"status": old.status, "by": publication.public_id, "reason": reason})
    return publication


@transaction.atomic
def publication_withdraw(*, acting_user: Any, publication: Publication, reason: str) -> Publication:
    """Take a publication off the board (e.g. published by mistake). Its content is no longer shown; the
    record, its fingerprint and its objections stay."""
    _require(acting_user, Perm.PUBLISH, publication.place_path)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写撤回原因。", code="reason_required")
    locked = Publication.objects.visible_to(acting_user, Perm.PUBLISH).select_for_update().filter(pk=publication.pk).first()
    if locked is None:
        raise NotFound()
    if locked.status not in (PublicationStatus.PUBLISHED, PublicationStatus.CLOSED):
        raise Conflict(f"该公示{locked.get_status_display()}，不能撤回。", code="not_live")
    before = {"status": locked.status}
    locked.status = PublicationStatus.WITHDRAWN
    locked.withdrawn_at, locked.withdrawn_by, locked.withdraw_reason = now(), acting_user, reason[:200]
    locked.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "withdraw_reason"])
    audit_record(actor=acting_user, action=AuditAction.PUBLISH, event="publication_withdraw", obj=locked,
                 before=before, after={"status": locked.status, "reason": reason})
    return locked


@transaction.atomic
def publications_close_ended(*, today: dt.date | None = None) -> int:
    """Sweeper: mark publications whose period has ended as closed (pages already derive it from the dates)."""
    today = today or clock.today()
    due = list(Publication.objects.select_for_update().filter(status=PublicationStatus.PUBLISHED, ends_on__lt=today)
               .order_by("pk"))
    for publication in due:
        publication.status = PublicationStatus.CLOSED
        publication.closed_at = now()
        publication.save(update_fields=["status", "closed_at"])
        audit_record(actor=None, action=AuditAction.UPDATE, event="publication_close", obj=publication,
                     actor_name="系统", before={"status": PublicationStatus.PUBLISHED},
                     after={"status": PublicationStatus.CLOSED})
    return len(due)


def _window_refusal(publication: Publication) -> str:
    phase = publication.phase(clock.today())
    if phase == Phase.SCHEDULED:
        return f"公示期自 {publication.starts_on:%Y年%m月%d日} 开始，届时方可提出异议。"
    if phase == Phase.ENDED:
        return f"公示期已于 {publication.ends_on:%Y年%m月%d日} 截止，不再受理在线异议；如有问题请直接联系村（居）民委员会。"
    if phase in (Phase.WITHDRAWN, Phase.SUPERSEDED):
        return f"该公示{publication.get_status_display()}，不再受理异议。"
    return ""


@transaction.atomic
def objection_file(
    *, acting_user: Any = None, publication: Publication, name: str, phone: str, text: str, ip: str | None = None,
) -> Objection:
    """异议: anyone may object during the publication's window, without an account (domain.md F7). Name and
    a valid mobile number are required so the publisher can answer; identical objections are refused, and
    filing is rate-limited per phone and per address since the form is public."""
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    refusal = _window_refusal(locked)
    if refusal:
        raise ValidationFailed(refusal, code="window_closed")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写您的姓名。", code="name_required")
    if len(name) > 50:
        raise ValidationFailed("姓名过长。", code="name_long")
    phone_value = validate_phone(phone)
    text = re.sub(r"[ \t]+", " ", (text or "").strip())
    if len(text) < 5:
        raise ValidationFailed("请写明异议的内容（至少5个字）。", code="text_required")
    if len(text) > OBJECTION_TEXT_MAX:
        raise ValidationFailed(f"异议内容最多 {OBJECTION_TEXT_MAX} 字。", code="text_long")
    same = Objection.objects.filter(publication=locked, phone=phone_value, text=text).first()
    if same is not None:
        raise ValidationFailed(f"您已提交过相同的异议（回执号 {same.receipt}），请勿重复提交。", code="duplicate")
    since_day = now() - dt.timedelta(days=1)
    if Objection.objects.filter(publication=locked, phone=phone_value, created_at__gte=since_day).count() \
            >= OBJECTIONS_PER_PHONE_PER_DAY:
        raise ValidationFailed("同一手机号对该公示提交过于频繁，请明天再试或直接联系村（居）民委员会。", code="rate_limited")
    ctx = context.current()
    ip = ip or (ctx.ip if ctx else None)
    if ip and Objection.objects.filter(ip=ip, created_at__gte=now() - dt.timedelta(hours=1)).count() \
            >= OBJECTIONS_PER_IP_PER_HOUR:
        raise ValidationFailed("提交过于频繁，请稍后再试。", code="rate_limited")
    objection = Objection.objects.create(publication=locked, place_path=locked.place_path, receipt=new_token(10),
                                         name=name, phone=phone_value, text=text, ip=ip)
    audit_record(actor=acting_user, action=AuditAction.OBJECTION, event="objection_file", obj=objection,
                 actor_name=f"公众 {mask_name(name)}",
                 after={"publication": locked.public_id, "receipt": objection.receipt, "name": mask_name(name),
                        "phone": mask_phone(phone_value)})
    if locked.published_by_id:
        notify_users(users=[locked.published_by], title=f"新异议：{locked.title}",
                     link=reverse("publication_detail", args=[locked.pk]))
    return objection


def may_handle_objections(user: Any, publication: Publication) -> bool:
    """The publisher, or anyone holding the publish permission at the publication's place."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return publication.published_by_id == user.pk or user.has_perm_at(Perm.PUBLISH, publication.place_path)


def objection_phone_reveal(*, acting_user: Any, objection: Objection) -> str:
    """Show an objector's full mobile number to those who may handle the objection; every reveal is
    audited, and so is a refused one (not wrapped in a transaction on purpose, as ``person_reveal``)."""
    _require(acting_user, Perm.PUBLICATION_VIEW, objection.place_path)
    if not may_handle_objections(acting_user, objection.publication):
        audit_record(actor=acting_user, action=AuditAction.REVEAL, event="objection_phone_reveal", obj=objection,
                     success=False, detail="无权查看异议人完整手机号")
        raise PermissionDenied("只有公示发布人或有发布权限的人员可以查看异议人的完整手机号。")
    audit_record(actor=acting_user, action=AuditAction.REVEAL, event="objection_phone_reveal", obj=objection,
                 detail="查看异议人完整手机号", after={"field": "phone", "receipt": objection.receipt})
    return objection.phone


@transaction.atomic
def objection_handle(*, acting_user: Any, objection: Objection, decision: str, reply: str) -> Objection:
    """Answer an objection: upheld (异议成立 — then publish a correction) or rejected, always with a reply.
    Allowed to the publisher and to anyone holding the publish permission at the publication's place."""
    if acting_user is None or not getattr(acting_user, "is_authenticated", False):
        raise NotFound()
    locked = Objection.objects.select_for_update().select_related("publication").filter(pk=objection.pk).first()
    if locked is None:
        raise NotFound()
    publication = locked.publication
    if not may_handle_objections(acting_user, publication):
        raise NotFound()
    if locked.status != ObjectionStatus.PENDING:
        raise Conflict("该异议已处理，不能重复处理。", code="already_handled")
    if decision not in (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED):
        raise ValidationFailed("请选择“异议成立”或“异议不成立”。", code="decision")
    reply = (reply or "").strip()
    if len(reply) < 2:
        raise ValidationFailed("请填写给异议人的答复。", code="reply_required")
    if len(reply) > OBJECTION_TEXT_MAX:
        raise ValidationFailed(f"答复最多 {OBJECTION_TEXT_MAX} 字。", code="reply_long")
    locked.status, locked.reply, locked.handled_by, locked.handled_at = decision, reply, acting_user, now()
    locked.save(update_fields=["status", "reply", "handled_by", "handled_at"])
    audit_record(actor=acting_user, action=AuditAction.OBJECTION, event="objection_handle", obj=locked,
                 before={"status": ObjectionStatus.PENDING}, after={"status": decision, "reply": reply})
    sms_send(phones=[locked.phone], title=f"您对“{publication.title}”的异议已答复，回执号{locked.receipt}")
    return locked


HOUSEHOLD_LIST_COLUMNS = ["序号", "户编号", "户主", "人数", "住址"]
HOUSEHOLD_LIST_MASK = {"户主": "name"}


def household_list_title(group: Place, village: Place) -> str:
    name = group.name if group.name.startswith(village.name) else f"{village.name}{group.name}"
    return f"{name}户籍名单公示"


def group_household_list_publish(
    *, acting_user: Any, group: Place, starts_on: dt.date, ends_on: dt.date, title: str = "", contact: str = "",
    supersedes: Publication | None = None, reason: str = "",
) -> Publication:
    """Publish the household list of a villager group (村民小组) from the registry (domain.md F2 → F7):
    household number, masked head's name, number of living, not-moved-out members, address."""
    if group.level != Level.GROUP:
        raise ValidationFailed("户籍名单按村民小组公示，请选择一个村民小组。", code="not_group")
    _require(acting_user, Perm.PUBLISH, group.path)
    rows = group_household_rows(user=acting_user, group=group)
    if not rows:
        raise ValidationFailed(f"{group.name}暂无在册户，没有可公示的名单。", code="rows_empty")
    return publication_create(
        acting_user=acting_user, place=group, kind=PublicationKind.HOUSEHOLD_LIST,
        title=(title or "").strip() or household_list_title(group, village_of(group)),
        columns=HOUSEHOLD_LIST_COLUMNS, rows=rows, mask=HOUSEHOLD_LIST_MASK, starts_on=starts_on, ends_on=ends_on,
        contact=contact, supersedes=supersedes, reason=reason,
    )
