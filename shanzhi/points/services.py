"""Writes of 积分制 (domain.md P1–P3). Every service validates everything before it writes; a refusal raises
with a Chinese message and leaves nothing behind. Points move only under the account's row lock (``ledger``):
the account first, then its entries — the fixed order everywhere.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.timezone import now

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record, snapshot
from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.core.identity import mask_name
from shanzhi.files.services import attachment_create
from shanzhi.notify.services import notify_users
from shanzhi.people.models import Household, Person, Subject
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place

from . import links
from .choices import (
    EARNING_KINDS,
    CapPeriod,
    EntryKind,
    EntryStatus,
    QuarterStatus,
    ReconsiderationKind,
    ReconsiderationStatus,
    ReviewCadence,
    SchemeKind,
    SchemeStatus,
    SubjectType,
)
from .ledger import (
    ZERO,
    account_for,
    apply_status_change,
    as_points,
    lock_account,
    quarter_end,
    quarter_start,
    refuse_if_locked,
    today,
)
from .models import Account, Category, Entry, Item, Quarter, Reconsideration, Scheme, fmt_points

MAX_PHOTOS = 6
MAX_BATCH = 500


def _require(user: Any, perm: str, path: str) -> None:
    """Out of the user's scope is "not found", never "forbidden"."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_perm_at(perm, path):
        raise NotFound()


def _text(value: Any, label: str, *, limit: int, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        raise ValidationFailed(f"请填写{label}。", code="required")
    if len(value) > limit:
        raise ValidationFailed(f"{label}过长（最多 {limit} 字）。", code="too_long")
    return value


# --- P1 schemes ------------------------------------------------------------------------------------------


@dataclass
class SchemeSpec:
    name: str
    kind: str
    subject_type: str = SubjectType.HOUSEHOLD
    review_cadence: str = ReviewCadence.MONTHLY
    star_thresholds: Any = None
    title_rules: Any = None
    blacklist_below: Any = None
    description: str = ""


def _check_spec(spec: SchemeSpec) -> dict[str, Any]:
    name = _text(spec.name, "方案名称", limit=80)
    if spec.kind not in SchemeKind.values:
        raise ValidationFailed("请选择积分类别。", code="scheme_kind")
    if spec.subject_type not in SubjectType.values:
        raise ValidationFailed("请选择积分主体。", code="scheme_subject")
    if spec.review_cadence not in ReviewCadence.values:
        raise ValidationFailed("请选择评议周期。", code="scheme_cadence")
    stars = spec.star_thresholds or []
    if not isinstance(stars, list):
        raise ValidationFailed("授星标准格式不正确。", code="scheme_stars")
    clean_stars = []
    for row in stars:
        try:
            n, minimum = int(row["stars"]), as_points(row["min"], label="授星分数线")
        except (KeyError, TypeError, ValueError):
            raise ValidationFailed("授星标准每一档须有星级和分数线。", code="scheme_stars")
        if n < 1 or n > 10:
            raise ValidationFailed("星级须在 1 至 10 之间。", code="scheme_stars")
        clean_stars.append({"stars": n, "min": str(minimum)})
    clean_stars.sort(key=lambda r: r["stars"])
    mins = [Decimal(r["min"]) for r in clean_stars]
    if len({r["stars"] for r in clean_stars}) != len(clean_stars) or mins != sorted(mins) or len(set(mins)) != len(mins):
        raise ValidationFailed("授星标准须星级不重复，且星级越高分数线越高。", code="scheme_stars")
    blacklist = None
    if spec.blacklist_below not in (None, ""):
        blacklist = as_points(spec.blacklist_below, label="黑榜线")
    titles = spec.title_rules or []
    if not isinstance(titles, list):
        raise ValidationFailed("评优规则格式不正确。", code="scheme_titles")
    return {"name": name, "kind": spec.kind, "subject_type": spec.subject_type, "review_cadence": spec.review_cadence,
                "star_thresholds": clean_stars, "title_rules": titles, "blacklist_below": blacklist,
                "description": _text(spec.description, "方案说明", limit=4000, required=False)}


@transaction.atomic
def scheme_create(*, acting_user: Any, place: Place, spec: SchemeSpec, is_template: bool = False) -> Scheme:
    """A draft scheme of a village, or (``is_template``) a township's template for its villages to adopt."""
    _require(acting_user, Perm.POINTS_MANAGE, place.path)
    if is_template and place.level != Level.TOWNSHIP:
        raise ValidationFailed("积分方案模板由乡镇（街道）发布。", code="scheme_template_place")
    if not is_template and place.level != Level.VILLAGE:
        raise ValidationFailed("积分方案属于村（社区）。", code="scheme_place")
    data = _check_spec(spec)
    scheme = Scheme.objects.create(place=place, place_path=place.path, is_template=is_template,
                                   created_by=acting_user, **data)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="points.scheme_create", obj=scheme,
                 after=snapshot(scheme, ["name", "kind", "subject_type", "is_template"]))
    return scheme


def _draft(scheme: Scheme) -> None:
    if scheme.status != SchemeStatus.DRAFT:
        raise Conflict(f"方案“{scheme.name}”已{scheme.get_status_display()}，细则不能再修改；"
                       "如需调整，请拟订新方案并重新表决通过。", code="scheme_not_draft")


def _lock_scheme(acting_user: Any, scheme_id: int) -> Scheme:
    scheme = Scheme.objects.select_for_update().filter(pk=scheme_id).first()
    if scheme is None:
        raise NotFound()
    _require(acting_user, Perm.POINTS_MANAGE, scheme.place_path)
    return scheme


@transaction.atomic
def scheme_update(*, acting_user: Any, scheme: Scheme, spec: SchemeSpec) -> Scheme:
    """Edit a scheme's settings. Subject type and items change only while a draft; thresholds (stars, titles,
    black list) may be revised later too (they act on results, not on recorded entries)."""
    locked = _lock_scheme(acting_user, scheme.pk)
    data = _check_spec(spec)
    if locked.status != SchemeStatus.DRAFT and data["subject_type"] != locked.subject_type:
        raise Conflict("方案已施行，积分主体不能再改。", code="scheme_subject_locked")
    before = snapshot(locked, list(data))
    for k, v in data.items():
        setattr(locked, k, v)
    locked.save(update_fields=[*data, "updated_at"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="points.scheme_update", obj=locked,
                 before=before, after=snapshot(locked, list(data)))
    return locked


@transaction.atomic
def category_create(*, acting_user: Any, scheme: Scheme, name: str, order: int | None = None) -> Category:
    locked = _lock_scheme(acting_user, scheme.pk)
    _draft(locked)
    name = _text(name, "类别名称", limit=40)
    if locked.categories.filter(name=name).exists():
        raise ValidationFailed(f"类别“{name}”已存在。", code="category_duplicate")
    if order is None:
        order = locked.categories.count() + 1
    category = Category.objects.create(scheme=locked, name=name, order=order)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="points.category_create", obj=category,
                 place_path=locked.place_path, after={"scheme": locked.pk, "name": name})
    return category


@dataclass
class ItemSpec:
    category_id: int
    code: str
    name: str
    points_min: Any
    points_max: Any
    cap_count: Any = None
    cap_period: str = ""
    evidence_required: bool = False
    rule_clause_id: Any = None
    active: bool = True


def _check_item(scheme: Scheme, spec: ItemSpec, *, item: Item | None) -> dict[str, Any]:
    category = Category.objects.filter(pk=spec.category_id, scheme=scheme).first() if spec.category_id else None
    if category is None:
        raise ValidationFailed("请选择本方案的类别。", code="item_category")
    code = _text(spec.code, "编号", limit=16)
    name = _text(spec.name, "细则内容", limit=200)
    pmin = as_points(spec.points_min, label="最低分")
    pmax = as_points(spec.points_max, label="最高分")
    if pmin > pmax:
        raise ValidationFailed("最低分不能高于最高分。", code="item_range")
    if pmin == 0 and pmax == 0:
        raise ValidationFailed("细则分值不能为 0。", code="item_zero")
    if not (pmin > 0 or pmax < 0):
        raise ValidationFailed("一条细则不能同时含加分和扣分：加分项与负面清单请分开设立。", code="item_sign")
    cap_count = None
    if spec.cap_count not in (None, ""):
        try:
            cap_count = int(spec.cap_count)
        except (TypeError, ValueError):
            raise ValidationFailed("次数上限须是正整数。", code="item_cap")
        if cap_count < 1 or cap_count > 999:
            raise ValidationFailed("次数上限须是 1 至 999 的整数。", code="item_cap")
    cap_period = spec.cap_period or ""
    if cap_period and cap_period not in CapPeriod.values:
        raise ValidationFailed("上限周期无效。", code="item_cap_period")
    if bool(cap_count) != bool(cap_period):
        raise ValidationFailed("次数上限和上限周期须同时填写（或都不填）。", code="item_cap_period")
    clause = None
    if spec.rule_clause_id not in (None, ""):
        try:
            clause = int(spec.rule_clause_id)
        except (TypeError, ValueError):
            raise ValidationFailed("村规民约条款无效。", code="item_clause")
        if clause not in {cid for cid, _label in links.clause_choices(scheme.place)}:
            raise ValidationFailed("所选条款不是本村现行村规民约的条款。", code="item_clause")
    dup = Item.objects.filter(scheme=scheme, code=code)
    if item is not None:
        dup = dup.exclude(pk=item.pk)
    if dup.exists():
        raise ValidationFailed(f"编号“{code}”已被本方案的其他细则使用。", code="item_code_duplicate")
    return {"category": category, "code": code, "name": name, "points_min": pmin, "points_max": pmax, "cap_count": cap_count,
                "cap_period": cap_period, "evidence_required": bool(spec.evidence_required), "rule_clause_id": clause,
                "active": bool(spec.active)}


@transaction.atomic
def item_save(*, acting_user: Any, scheme: Scheme, spec: ItemSpec, item_id: int | None = None) -> Item:
    """Add or edit an item of a draft scheme (min ≤ max, one sign, caps positive and paired with a period, the
    clause from the village's rules in force, code unique in the scheme)."""
    locked = _lock_scheme(acting_user, scheme.pk)
    _draft(locked)
    item = None
    if item_id is not None:
        item = Item.objects.filter(pk=item_id, scheme=locked).first()
        if item is None:
            raise NotFound()
    data = _check_item(locked, spec, item=item)
    fields = ["category", "code", "name", "points_min", "points_max", "cap_count", "cap_period",
              "evidence_required", "rule_clause_id", "active"]
    if item is None:
        item = Item.objects.create(scheme=locked, **data)
        audit_record(actor=acting_user, action=AuditAction.CREATE, event="points.item_create", obj=item,
                     place_path=locked.place_path, after=snapshot(item, fields))
    else:
        before = snapshot(item, fields)
        for k, v in data.items():
            setattr(item, k, v)
        item.save()
        audit_record(actor=acting_user, action=AuditAction.UPDATE, event="points.item_update", obj=item,
                     place_path=locked.place_path, before=before, after=snapshot(item, fields))
    return item


@transaction.atomic
def scheme_copy_template(*, acting_user: Any, template: Scheme, village: Place, name: str = "") -> Scheme:
    """A village adopts a township template: a draft copy with all categories and items, linked to the
    template, which the village then adapts and votes on."""
    _require(acting_user, Perm.POINTS_MANAGE, village.path)
    if village.level != Level.VILLAGE:
        raise ValidationFailed("请选择村（社区）。", code="scheme_place")
    if not template.is_template or template.status != SchemeStatus.ADOPTED:
        raise ValidationFailed("只能采用已发布的乡镇模板。", code="scheme_template")
    if not village.path.startswith(template.place_path):
        raise NotFound()
    copy = Scheme.objects.create(
        place=village, place_path=village.path, name=_text(name or template.name, "方案名称", limit=80),
        kind=template.kind, subject_type=template.subject_type, review_cadence=template.review_cadence,
        star_thresholds=template.star_thresholds, title_rules=template.title_rules,
        blacklist_below=template.blacklist_below, description=template.description, template=template,
        created_by=acting_user,
    )
    cats = {}
    for cat in template.categories.all():
        cats[cat.pk] = Category.objects.create(scheme=copy, name=cat.name, order=cat.order)
    Item.objects.bulk_create([
        Item(scheme=copy, category=cats[i.category_id], code=i.code, name=i.name, points_min=i.points_min,
             points_max=i.points_max, cap_count=i.cap_count, cap_period=i.cap_period,
             evidence_required=i.evidence_required, active=i.active)
        for i in template.items.all()
    ])
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="points.scheme_copy_template", obj=copy,
                 after={"template": template.pk, "village": village.code, "items": len(cats)})
    return copy


@transaction.atomic
def scheme_adopt(*, acting_user: Any, scheme: Scheme, adopted_on: dt.date | None = None,
                 decision_id: int | None = None, decision_note: str = "") -> Scheme:
    """Put a scheme in force. A village scheme records the decision that adopted it (四议两公开): a passed
    decision of village affairs when that capability is present, or the meeting in words. A township template is
    published for villages to adopt."""
    locked = _lock_scheme(acting_user, scheme.pk)
    if locked.status != SchemeStatus.DRAFT:
        raise Conflict(f"方案已{locked.get_status_display()}。", code="scheme_not_draft")
    if not locked.items.filter(active=True).exists():
        raise ValidationFailed("方案还没有启用的细则，不能通过施行。", code="scheme_empty")
    adopted_on = adopted_on or today()
    if adopted_on > today():
        raise ValidationFailed("通过日期不能晚于今天。", code="scheme_date")
    note = _text(decision_note, "通过会议", limit=300, required=False)
    if not locked.is_template:
        if decision_id:
            if decision_id not in {d for d, _ in links.decision_choices(acting_user, locked.place)}:
                raise ValidationFailed("所选村务决策不是本村已通过的决策。", code="scheme_decision")
            if not links.decision_passed(decision_id):
                raise ValidationFailed("所选村务决策未获通过。", code="scheme_decision")
        elif not note:
            raise ValidationFailed("请选择通过本方案的村务决策，或写明通过本方案的会议（四议两公开）。",
                                   code="scheme_decision_required")
    locked.status, locked.adopted_on = SchemeStatus.ADOPTED, adopted_on
    locked.decision_id, locked.decision_note = (decision_id or None), note
    locked.save(update_fields=["status", "adopted_on", "decision_id", "decision_note", "updated_at"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="points.scheme_adopt", obj=locked,
                 before={"status": SchemeStatus.DRAFT},
                 after={"status": locked.status, "adopted_on": adopted_on, "decision_id": decision_id, "note": note})
    return locked


@transaction.atomic
def scheme_retire(*, acting_user: Any, scheme: Scheme, reason: str) -> Scheme:
    locked = _lock_scheme(acting_user, scheme.pk)
    reason = _text(reason, "停用原因", limit=200)
    if locked.status == SchemeStatus.RETIRED:
        raise Conflict("方案已停用。", code="scheme_retired")
    before = {"status": locked.status}
    locked.status = SchemeStatus.RETIRED
    locked.save(update_fields=["status", "updated_at"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="points.scheme_retire", obj=locked,
                 before=before, after={"status": locked.status}, detail=reason)
    return locked


# --- P2 recording ----------------------------------------------------------------------------------------


def _subject(scheme: Scheme, subject_id: Any) -> Household | Person | Subject:
    model = {SubjectType.HOUSEHOLD: Household, SubjectType.PERSON: Person, SubjectType.ENTERPRISE: Subject}[
        scheme.subject_type]
    try:
        obj = model.objects.filter(pk=int(subject_id)).first()
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        raise ValidationFailed(f"请选择要记分的{SubjectType(scheme.subject_type).label}。", code="entry_subject")
    return obj


def _item(item_id: Any) -> Item:
    try:
        item = Item.objects.select_related("scheme", "scheme__place").filter(pk=int(item_id)).first()
    except (TypeError, ValueError):
        item = None
    if item is None:
        raise ValidationFailed("请选择积分细则。", code="entry_item")
    return item


def _period(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    if period == CapPeriod.MONTH:
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return start, end
    if period == CapPeriod.QUARTER:
        start = quarter_start(day)
        return start, quarter_end(start)
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


def _check_deed(item: Item, subject: Any, points: Any, deed_date: Any, *, photos: Sequence[Any],
                batch_seen: set[int] | None = None) -> tuple[Account, Decimal, dt.date]:
    """The checks of an entry before anything is written (P2: caught at entry)."""
    scheme = item.scheme
    if scheme.is_template or scheme.status != SchemeStatus.ADOPTED:
        raise ValidationFailed(f"方案“{scheme.name}”未施行，不能记分。", code="entry_scheme_inactive")
    if not item.active:
        raise ValidationFailed(f"细则“{item.name}”已停用。", code="entry_item_inactive")
    if not subject.place_path.startswith(scheme.place_path):
        raise ValidationFailed(f"细则“{item.name}”属于其他村的积分方案（{scheme.name}），不能用于本村。",
                               code="entry_item_other_village")
    if not isinstance(deed_date, dt.date):
        raise ValidationFailed("请填写事迹日期。", code="entry_date")
    if deed_date > today():
        raise ValidationFailed("事迹日期不能晚于今天。", code="entry_future")
    if scheme.adopted_on and deed_date < scheme.adopted_on:
        raise ValidationFailed(f"事迹日期早于方案施行日期（{scheme.adopted_on:%Y-%m-%d}）。", code="entry_before_scheme")
    amount = as_points(points)
    if not (item.points_min <= amount <= item.points_max):
        raise ValidationFailed(f"分值 {fmt_points(amount)} 超出细则“{item.name}”的范围（{item.points_label} 分）。",
                               code="entry_out_of_range")
    if item.evidence_required and not photos:
        raise ValidationFailed(f"细则“{item.name}”须附佐证照片。", code="entry_evidence")
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(f"照片最多 {MAX_PHOTOS} 张。", code="entry_photos")
    refuse_if_locked(scheme.pk, deed_date)
    account = account_for(scheme=scheme, **{scheme.subject_type: subject})
    # The account's row lock makes the duplicate and cap checks below hold against a second recorder (or a double
    # tap) at the same moment: the other waits here and then sees this entry.
    account = lock_account(account.pk)
    if batch_seen is not None:
        if account.pk in batch_seen:
            raise ValidationFailed(f"“{account.name}”在本批中重复。", code="entry_batch_duplicate")
        batch_seen.add(account.pk)
    live = Entry.objects.filter(account=account, item=item).exclude(status=EntryStatus.REJECTED)
    if live.filter(deed_date=deed_date).exists():
        raise ValidationFailed(f"“{account.name}”在 {deed_date:%Y-%m-%d} 已有“{item.name}”的记录，不能重复记录。",
                               code="entry_duplicate")
    if item.cap_count:
        start, end = _period(deed_date, item.cap_period)
        used = live.filter(deed_date__range=(start, end)).count()
        if used >= item.cap_count:
            raise ValidationFailed(
                f"“{account.name}”的“{item.name}”{CapPeriod(item.cap_period).label}最多 {item.cap_count} 次，已记 {used} 次。",
                code="entry_cap")
    return account, amount, deed_date


def _attach(acting_user: Any, entry: Entry, photos: Iterable[Any]) -> None:
    for f in photos:
        attachment_create(acting_user=acting_user, file=f, place_path=entry.place_path, obj=entry, kinds=("image",))


def _create_entry(*, acting_user: Any, account: Account, item: Item, amount: Decimal, deed_date: dt.date,
                  kind: str, note: str, batch_key: str = "", source_ref: str = "") -> Entry:
    entry = Entry.objects.create(
        account=account, scheme_id=account.scheme_id, item=item, kind=kind, points=amount, claimed_points=amount,
        deed_date=deed_date, quarter=quarter_start(deed_date), place_path=account.place_path,
        status=EntryStatus.PENDING, note=note, recorder=acting_user, batch_key=batch_key, source_ref=source_ref,
    )
    audit_record(actor=acting_user, action=AuditAction.CREATE, event=f"points.entry_{kind}", obj=entry,
                 after={"account": account.pk, "item": item.code, "points": str(amount), "deed_date": deed_date,
                        "batch": batch_key})
    return entry


@transaction.atomic
def entry_record(*, acting_user: Any, item_id: Any, subject_id: Any, points: Any, deed_date: Any, note: str = "",
                 photos: Sequence[Any] = ()) -> Entry:
    """一事一记: a grid worker records one deed of a subject in their scope; pending the monthly review."""
    item = _item(item_id)
    subject = _subject(item.scheme, subject_id)
    _require(acting_user, Perm.POINTS_RECORD, subject.place_path)
    note = _text(note, "事迹说明", limit=300, required=False)
    account, amount, day = _check_deed(item, subject, points, deed_date, photos=photos)
    entry = _create_entry(acting_user=acting_user, account=account, item=item, amount=amount, deed_date=day,
                          kind=EntryKind.DEED, note=note)
    _attach(acting_user, entry, photos)
    return entry


@transaction.atomic
def entries_record_batch(*, acting_user: Any, item_id: Any, subject_ids: Sequence[Any], points: Any, deed_date: Any,
                         note: str, photos: Sequence[Any] = ()) -> list[Entry]:
    """活动批量记录: one item for everyone at an activity (a clean-up). All or nothing: one refused subject
    refuses the batch, naming them. The photos are attached to every entry."""
    item = _item(item_id)
    ids = [s for s in subject_ids if str(s).strip()]
    if not ids:
        raise ValidationFailed("请至少选择一个参加活动的对象。", code="batch_empty")
    if len(ids) > MAX_BATCH:
        raise ValidationFailed(f"一批最多 {MAX_BATCH} 个对象。", code="batch_too_many")
    note = _text(note, "活动名称/说明", limit=300)
    seen: set[int] = set()
    checked = []
    # Accounts are locked one by one below; in the subjects' id order, so two batches never wait on each other.
    ids.sort(key=lambda s: (len(str(s).strip()), str(s).strip()))
    for sid in ids:
        subject = _subject(item.scheme, sid)
        _require(acting_user, Perm.POINTS_RECORD, subject.place_path)
        checked.append(_check_deed(item, subject, points, deed_date, photos=photos, batch_seen=seen))
    batch_key = uuid.uuid4().hex[:20]
    entries = []
    for account, amount, day in checked:
        entry = _create_entry(acting_user=acting_user, account=account, item=item, amount=amount, deed_date=day,
                              kind=EntryKind.BATCH, note=note, batch_key=batch_key)
        entries.append(entry)
    photo_data = [(getattr(f, "name", "photo.jpg"), f.read()) for f in photos]
    for entry in entries:
        from django.core.files.uploadedfile import SimpleUploadedFile

        _attach(acting_user, entry, [SimpleUploadedFile(n, d) for n, d in photo_data])
    return entries


def own_subject(user: Any, scheme: Scheme) -> Household | Person | None:
    """The villager's own household (or person) for ``scheme``: through the account's link to a person."""
    person = getattr(user, "person", None)
    if person is None:
        return None
    if scheme.subject_type == SubjectType.HOUSEHOLD:
        return person.household
    if scheme.subject_type == SubjectType.PERSON:
        return person
    return None


@transaction.atomic
def entry_declare(*, acting_user: Any, item_id: Any, points: Any, deed_date: Any, note: str,
                  photos: Sequence[Any] = (), neighbour_id: Any = None) -> Entry:
    """群众申报: a villager declares their own household's deed with a photo; or reports a neighbour's good deed
    (邻里推荐, ``neighbour_id`` — a household or person of the same village). Both wait for the review group."""
    if acting_user is None or not getattr(acting_user, "is_authenticated", False):
        raise NotFound()
    item = _item(item_id)
    scheme = item.scheme
    own = own_subject(acting_user, scheme)
    if own is None:
        raise ValidationFailed("您的账号还没有关联本村的户籍信息，请联系村委会。", code="declare_no_person")
    _require(acting_user, Perm.POINTS_DECLARE, own.place_path)
    if item.is_negative:
        raise ValidationFailed("群众申报只能申报加分事项。", code="declare_negative")
    note = _text(note, "事迹说明", limit=300)
    if neighbour_id not in (None, ""):
        subject = _subject(scheme, neighbour_id)
        if subject.pk == own.pk:
            raise ValidationFailed("为自家申报请使用“我要申报”。", code="declare_self")
        if not subject.place_path.startswith(scheme.place_path):
            raise ValidationFailed("只能推荐本村村民的好人好事。", code="declare_other_village")
        kind = EntryKind.NEIGHBOUR
    else:
        subject = own
        kind = EntryKind.DECLARED
        if not photos:
            raise ValidationFailed("群众申报须附照片。", code="declare_photo")
    account, amount, day = _check_deed(item, subject, points, deed_date, photos=photos)
    entry = _create_entry(acting_user=acting_user, account=account, item=item, amount=amount, deed_date=day,
                          kind=kind, note=note)
    _attach(acting_user, entry, photos)
    return entry


# --- P3 review -------------------------------------------------------------------------------------------


class Decision:
    APPROVE = "approve"
    REJECT = "reject"


@transaction.atomic
def entry_review(*, acting_user: Any, entry_id: Any, decision: str, points: Any = None, note: str = "") -> Entry:
    """月评议: the review group approves (optionally adjusting the points within the item's range) or rejects
    with a reason. The recorder can never review their own record; a locked quarter cannot be reviewed."""
    found = Entry.objects.visible_to(acting_user, Perm.POINTS_REVIEW).filter(pk=entry_id).values(
        "account_id").first() if str(entry_id).isdigit() else None
    if found is None:
        raise NotFound()
    account = lock_account(found["account_id"])
    entry = Entry.objects.select_for_update(of=("self",)).select_related("item").get(pk=entry_id)
    if entry.status != EntryStatus.PENDING:
        raise Conflict(f"该记录已{entry.get_status_display()}，不能重复评议。", code="review_done")
    if entry.recorder_id == acting_user.pk:
        raise ValidationFailed("不能评议自己录入或申报的记录。", code="review_own")
    refuse_if_locked(entry.scheme_id, entry.deed_date)
    note = _text(note, "评议意见", limit=300, required=False)
    old_status, old_points = entry.status, entry.points
    if decision == Decision.APPROVE:
        if points not in (None, ""):
            amount = as_points(points)
            if entry.item and not (entry.item.points_min <= amount <= entry.item.points_max):
                raise ValidationFailed(f"调整后的分值 {fmt_points(amount)} 超出细则范围（{entry.item.points_label} 分）。",
                                       code="review_out_of_range")
            if amount != entry.points and not note:
                raise ValidationFailed("调整分值请写明理由。", code="review_adjust_reason")
            entry.points = amount
        entry.status = EntryStatus.APPROVED
    elif decision == Decision.REJECT:
        if not note:
            raise ValidationFailed("不予通过请写明理由。", code="review_reason")
        entry.status = EntryStatus.REJECTED
    else:
        raise ValidationFailed("请选择通过或不通过。", code="review_decision")
    entry.reviewer, entry.reviewed_at, entry.review_note = acting_user, now(), note
    entry.save(update_fields=["status", "points", "reviewer", "reviewed_at", "review_note"])
    apply_status_change(account, entry, old_status=old_status, old_points=old_points)
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="points.entry_review", obj=entry,
                 before={"status": old_status, "points": str(old_points)},
                 after={"status": entry.status, "points": str(entry.points), "note": note})
    if entry.recorder_id and entry.kind in (EntryKind.DECLARED, EntryKind.NEIGHBOUR):
        recorder = entry.recorder
        title = f"您申报的“{entry.item.name if entry.item else ''}”{entry.get_status_display()}"
        transaction.on_commit(lambda: notify_users(users=[recorder], title=title, body=note,
                                                   link=reverse("points_mine")))
    return entry


@transaction.atomic
def entries_review_bulk(*, acting_user: Any, entry_ids: Sequence[Any], note: str = "") -> int:
    """Approve several pending entries at once as recorded; all or nothing (one own record refuses all)."""
    ids = [i for i in entry_ids if str(i).isdigit()]
    if not ids:
        raise ValidationFailed("请勾选要通过的记录。", code="review_none")
    for pk in sorted({int(i) for i in ids}):
        entry_review(acting_user=acting_user, entry_id=pk, decision=Decision.APPROVE, note=note)
    return len(set(ids))


def quarter_get(scheme: Scheme, starts_on: dt.date) -> Quarter:
    try:
        with transaction.atomic():
            quarter, _ = Quarter.objects.get_or_create(scheme=scheme, starts_on=starts_on,
                                                       defaults={"place_path": scheme.place_path})
    except IntegrityError:
        quarter = Quarter.objects.get(scheme=scheme, starts_on=starts_on)
    return quarter


@transaction.atomic
def quarter_approve(*, acting_user: Any, scheme: Scheme, starts_on: dt.date, note: str = "") -> Quarter:
    """季审核 by the party branch: every record of the quarter reviewed, then the quarter locks — no record,
    review or edit of entries dated in it afterwards (a correction is a new entry, through 复议)."""
    _require(acting_user, Perm.POINTS_APPROVE, scheme.place_path)
    if scheme.is_template or scheme.status == SchemeStatus.DRAFT:
        raise ValidationFailed("方案未施行。", code="quarter_scheme")
    if starts_on != quarter_start(starts_on):
        raise ValidationFailed("季度无效。", code="quarter_start")
    if starts_on > today():
        raise ValidationFailed("该季度尚未开始。", code="quarter_future")
    quarter = quarter_get(scheme, starts_on)
    quarter = Quarter.objects.select_for_update().get(pk=quarter.pk)
    if quarter.status != QuarterStatus.OPEN:
        raise Conflict(f"{quarter.label}已{quarter.get_status_display()}。", code="quarter_done")
    pending = Entry.objects.filter(scheme=scheme, quarter=starts_on, status=EntryStatus.PENDING).count()
    if pending:
        raise ValidationFailed(f"{quarter.label}还有 {pending} 条记录未评议，评议完毕后才能审核。",
                               code="quarter_pending")
    quarter.status, quarter.approved_by, quarter.approved_at = QuarterStatus.APPROVED, acting_user, now()
    quarter.approval_note = _text(note, "审核意见", limit=300, required=False)
    quarter.save(update_fields=["status", "approved_by", "approved_at", "approval_note"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="points.quarter_approve", obj=quarter,
                 before={"status": QuarterStatus.OPEN}, after={"status": quarter.status, "note": quarter.approval_note})
    return quarter


QUARTER_COLUMNS = ["序号", "名称", "所在网格/小组", "本季度积分", "累计积分"]


def quarter_rows(quarter: Quarter) -> list[list[str]]:
    """Every subject's points for the publication: names masked unless the subject consented to their name being
    shown (``Account.name_public``)."""
    sums = dict(
        Entry.objects.filter(scheme_id=quarter.scheme_id, quarter=quarter.starts_on, status=EntryStatus.APPROVED,
                             kind__in=EARNING_KINDS)
        .values("account_id").annotate(s=Sum("points")).values_list("account_id", "s")
    )
    end = quarter_end(quarter.starts_on)
    to_date = dict(
        Entry.objects.filter(scheme_id=quarter.scheme_id, deed_date__lte=end, status=EntryStatus.APPROVED,
                             kind__in=EARNING_KINDS)
        .values("account_id").annotate(s=Sum("points")).values_list("account_id", "s")
    )
    paths = set(Account.objects.filter(scheme_id=quarter.scheme_id).values_list("place_path", flat=True))
    names = dict(Place.objects.filter(path__in=paths).values_list("path", "name"))
    rows = []
    accounts = Account.objects.filter(scheme_id=quarter.scheme_id).order_by("place_path", "name", "id")
    for n, acc in enumerate(accounts.only("id", "name", "place_path", "name_public", "enterprise_id"), start=1):
        name = acc.name if (acc.name_public or acc.enterprise_id) else mask_name(acc.name)
        rows.append([str(n), name, names.get(acc.place_path, ""), f"{fmt_points(sums.get(acc.pk) or ZERO)}",
                     f"{fmt_points(to_date.get(acc.pk) or ZERO)}"])
    return rows


@transaction.atomic
def quarter_publish(*, acting_user: Any, quarter_id: int, starts_on: dt.date, ends_on: dt.date,
                    contact: str = "") -> Quarter:
    """季度公示 through the publication kernel (public page, PDF with QR and fingerprint, objections in the
    window). Only after the branch's approval."""
    from shanzhi.publication.choices import PublicationKind
    from shanzhi.publication.services import publication_create

    quarter = Quarter.objects.select_for_update(of=("self",)).select_related("scheme", "scheme__place").filter(pk=quarter_id).first()
    if quarter is None:
        raise NotFound()
    _require(acting_user, Perm.POINTS_APPROVE, quarter.place_path)
    if quarter.status == QuarterStatus.OPEN:
        raise ValidationFailed("党支部审核后才能公示。", code="quarter_not_approved")
    if quarter.status == QuarterStatus.PUBLISHED:
        raise Conflict(f"{quarter.label}已公示。", code="quarter_published")
    rows = quarter_rows(quarter)
    if not rows:
        raise ValidationFailed("该方案还没有积分账户，没有可公示的内容。", code="quarter_empty")
    scheme = quarter.scheme
    publication = publication_create(
        acting_user=acting_user, place=scheme.place, kind=PublicationKind.POINTS_QUARTER,
        title=f"{scheme.place.name}{scheme.name}{quarter.label}积分公示", columns=QUARTER_COLUMNS, rows=rows,
        starts_on=starts_on, ends_on=ends_on, contact=contact,
    )
    quarter.status, quarter.publication = QuarterStatus.PUBLISHED, publication
    quarter.save(update_fields=["status", "publication"])
    audit_record(actor=acting_user, action=AuditAction.PUBLISH, event="points.quarter_publish", obj=quarter,
                 after={"publication": publication.public_id, "rows": len(rows)})
    return quarter


@transaction.atomic
def account_consent(*, acting_user: Any, account_id: int, name_public: bool) -> Account:
    """Record the subject's consent to show their name in publications (or withdraw it): the villager on their
    own page, or a cadre recording a signed form."""
    account = lock_account(account_id)
    own = own_subject(acting_user, account.scheme)
    is_own = own is not None and getattr(account, f"{account.scheme.subject_type}_id") == own.pk
    if not is_own:
        _require(acting_user, Perm.POINTS_MANAGE, account.place_path)
    before = {"name_public": account.name_public}
    account.name_public = bool(name_public)
    account.consent_recorded_at, account.consent_recorded_by = now(), acting_user
    account.save(update_fields=["name_public", "consent_recorded_at", "consent_recorded_by"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="points.account_consent", obj=account,
                 before=before, after={"name_public": account.name_public})
    return account


# --- objections and 复议 ----------------------------------------------------------------------------------


def _may_see_account(user: Any, account: Account) -> bool:
    if user.has_perm_at(Perm.POINTS_VIEW, account.place_path):
        return True
    own = own_subject(user, account.scheme)
    return own is not None and getattr(account, f"{account.scheme.subject_type}_id") == own.pk


@transaction.atomic
def reconsideration_file(*, acting_user: Any, account_id: Any, reason: str, entry_id: Any = None) -> Reconsideration:
    """积分复议 at any time: the subject (or staff on their behalf) asks for an account or one entry to be
    reconsidered. It is investigated by the village; upheld leads to a correcting entry."""
    if acting_user is None or not getattr(acting_user, "is_authenticated", False):
        raise NotFound()
    account = Account.objects.select_related("scheme").filter(pk=account_id).first() if str(account_id).isdigit() \
        else None
    if account is None or not _may_see_account(acting_user, account):
        raise NotFound()
    entry = None
    if entry_id not in (None, ""):
        entry = Entry.objects.filter(pk=entry_id, account=account).first() if str(entry_id).isdigit() else None
        if entry is None:
            raise ValidationFailed("所涉记录不属于该账户。", code="reconsider_entry")
    reason = _text(reason, "复议理由", limit=1000)
    if len(reason) < 5:
        raise ValidationFailed("请写明复议理由（至少5个字）。", code="reconsider_reason")
    open_same = Reconsideration.objects.filter(account=account, entry=entry, status__in=[
        ReconsiderationStatus.OPEN, ReconsiderationStatus.INVESTIGATING]).exists()
    if open_same:
        raise ValidationFailed("已有相同的复议正在处理，请等待结果。", code="reconsider_duplicate")
    rec = Reconsideration.objects.create(scheme=account.scheme, account=account, entry=entry,
                                         place_path=account.place_path, kind=ReconsiderationKind.RECONSIDERATION,
                                         filed_by=acting_user, reason=reason)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="points.reconsideration_file", obj=rec,
                 after={"account": account.pk, "entry": entry.pk if entry else None})
    return rec


@transaction.atomic
def reconsideration_from_objection(*, acting_user: Any, objection_id: Any, account_id: Any,
                                   entry_id: Any = None) -> Reconsideration:
    """A public objection to a quarter's publication becomes an investigation of one account."""
    from shanzhi.publication.models import Objection
    from shanzhi.publication.services import may_handle_objections

    objection = Objection.objects.select_related("publication").filter(pk=objection_id).first() \
        if str(objection_id).isdigit() else None
    if objection is None or not may_handle_objections(acting_user, objection.publication):
        raise NotFound()
    quarter = Quarter.objects.filter(publication=objection.publication).select_related("scheme").first()
    if quarter is None:
        raise ValidationFailed("该异议不是积分季度公示的异议。", code="objection_kind")
    _require(acting_user, Perm.POINTS_APPROVE, quarter.place_path)
    if Reconsideration.objects.filter(objection=objection).exists():
        raise Conflict("该异议已立案调查。", code="objection_taken")
    account = Account.objects.filter(pk=account_id, scheme=quarter.scheme).first() if str(account_id).isdigit() \
        else None
    if account is None:
        raise ValidationFailed("请选择异议所涉的积分账户（本方案）。", code="objection_account")
    entry = None
    if entry_id not in (None, ""):
        entry = Entry.objects.filter(pk=entry_id, account=account).first() if str(entry_id).isdigit() else None
        if entry is None:
            raise ValidationFailed("所涉记录不属于该账户。", code="reconsider_entry")
    rec = Reconsideration.objects.create(
        scheme=quarter.scheme, account=account, entry=entry, place_path=account.place_path,
        kind=ReconsiderationKind.OBJECTION, objection=objection, filed_by=None,
        reason=f"公示异议（回执号 {objection.receipt}，{mask_name(objection.name)}）：{objection.text}"[:1000],
        status=ReconsiderationStatus.INVESTIGATING,
    )
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="points.objection_investigate", obj=rec,
                 after={"objection": objection.receipt, "account": account.pk})
    return rec


@transaction.atomic
def reconsideration_decide(*, acting_user: Any, reconsideration_id: Any, upheld: bool, investigation: str,
                           points: Any = None, item_id: Any = None, entry_id: Any = None) -> Reconsideration:
    """The result of the investigation. Upheld: a correcting entry (kind correction, ``corrects`` the entry in
    question), approved by the deciding cadre and dated today — never an edit of the old entry. A linked public
    objection is answered through the publication kernel in the same transaction."""
    from shanzhi.publication.choices import ObjectionStatus
    from shanzhi.publication.services import objection_handle

    found = Reconsideration.objects.visible_to(acting_user, Perm.POINTS_APPROVE).filter(
        pk=reconsideration_id).values("account_id").first() if str(reconsideration_id).isdigit() else None
    if found is None:
        raise NotFound()
    account = lock_account(found["account_id"])
    rec = Reconsideration.objects.select_for_update(of=("self",)).select_related("entry", "entry__item", "objection").get(
        pk=reconsideration_id)
    if rec.status not in (ReconsiderationStatus.OPEN, ReconsiderationStatus.INVESTIGATING):
        raise Conflict("该复议已处理。", code="reconsider_done")
    # No one decides their own case: not the cadre who filed it, nor one whose own account it is.
    own = own_subject(acting_user, account.scheme)
    if rec.filed_by_id == acting_user.pk or (
            own is not None and getattr(account, f"{account.scheme.subject_type}_id") == own.pk):
        raise ValidationFailed("本人提出或涉及本人（本户）的复议，须由其他评议人员调查决定。", code="reconsider_own")
    investigation = _text(investigation, "调查情况", limit=2000)
    if rec.entry is None and entry_id not in (None, ""):
        # An objection names a person, not a record: the investigation finds the record in question.
        rec.entry = (Entry.objects.select_related("item").filter(pk=entry_id, account=account).first()
                     if str(entry_id).isdigit() else None)
        if rec.entry is None:
            raise ValidationFailed("所涉记录不属于该账户。", code="reconsider_entry")
    correction = None
    if upheld:
        amount = as_points(points, label="更正分值")
        if amount == 0:
            raise ValidationFailed("复议成立须给出更正分值（加分为正、减分为负）。", code="reconsider_points")
        item = rec.entry.item if rec.entry else None
        if item_id not in (None, ""):
            item = Item.objects.filter(pk=item_id, scheme_id=account.scheme_id).first() if str(item_id).isdigit() \
                else None
            if item is None:
                raise ValidationFailed("更正所依细则不属于本方案。", code="reconsider_item")
        if item is None:
            raise ValidationFailed("复议成立须选择更正所依的积分细则。", code="reconsider_item")
        # A correction is bounded by the rule it relies on: no more (in either direction) than the item's widest
        # score, so an upheld case cannot mint points beyond what the scheme allows for the deed.
        widest = max(abs(item.points_min), abs(item.points_max))
        if abs(amount) > widest:
            raise ValidationFailed(f"更正分值超出细则「{item.name}」的分值范围（不超过 {fmt_points(widest)} 分）。",
                                   code="reconsider_range")
        if rec.entry and rec.entry.is_earning and rec.entry.status == EntryStatus.APPROVED \
                and rec.entry.points + amount < min(ZERO, rec.entry.points):
            raise ValidationFailed("更正后该记录的分值不能低于 0 分（扣分记录除外）。", code="reconsider_too_much")
        # A correction is the one way to change a locked (approved, published) quarter: it is dated today, approved
        # by the deciding branch member and traced to the reconsideration — the published snapshot stays as it was.
        day = today()
        correction = Entry.objects.create(
            account=account, scheme_id=account.scheme_id, item=item, kind=EntryKind.CORRECTION, points=amount,
            deed_date=day, quarter=quarter_start(day), place_path=account.place_path, status=EntryStatus.APPROVED,
            note=f"复议更正：{investigation}"[:300], recorder=acting_user, reviewer=acting_user, reviewed_at=now(),
            review_note="复议成立", corrects=rec.entry, source_ref=f"points.reconsideration:{rec.pk}",
        )
        apply_status_change(account, correction, old_status=EntryStatus.PENDING, old_points=ZERO)
        audit_record(actor=acting_user, action=AuditAction.CREATE, event="points.entry_correction", obj=correction,
                     after={"account": account.pk, "points": str(amount), "corrects": rec.entry_id,
                            "reconsideration": rec.pk})
    rec.status = ReconsiderationStatus.UPHELD if upheld else ReconsiderationStatus.DISMISSED
    rec.investigation, rec.handled_by, rec.handled_at, rec.correction = investigation, acting_user, now(), correction
    rec.save(update_fields=["status", "investigation", "handled_by", "handled_at", "correction", "entry"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="points.reconsideration_decide", obj=rec,
                 after={"status": rec.status, "correction": correction.pk if correction else None})
    if rec.objection is not None and rec.objection.status == ObjectionStatus.PENDING:
        objection_handle(acting_user=acting_user, objection=rec.objection,
                         decision=ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED,
                         reply=investigation[:500])
    if rec.filed_by_id:
        filer = rec.filed_by
        title = f"您的积分复议{rec.get_status_display()}"
        transaction.on_commit(lambda: notify_users(users=[filer], title=title, body=investigation[:200],
                                                   link=reverse("points_mine")))
    return rec


__all__ = [
    "Decision", "ItemSpec", "SchemeSpec", "account_consent", "category_create", "entries_record_batch",
    "entries_review_bulk", "entry_declare", "entry_record", "entry_review", "item_save", "quarter_approve",
    "quarter_get", "quarter_publish", "quarter_rows", "reconsideration_decide", "reconsideration_file",
    "reconsideration_from_objection", "scheme_adopt", "scheme_copy_template", "scheme_create", "scheme_retire",
    "scheme_update"
]
