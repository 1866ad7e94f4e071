"""The points ledger contract (domain.md P1–P5): the only functions other apps (rewards, results) call to move
points, plus ``selectors``.

Rules kept here:
- an account's ``earned`` is the sum of its approved earning entries (the honour score: rankings, stars, black
  list); ``spent`` is the sum of spends minus refunds; ``spendable = earned − spent``;
- every change of either total happens under ``select_for_update`` of the account row, in the same
  transaction as the entry that causes it and its audit entry — so two redemptions racing for the last
  points cannot both succeed;
- entries are append-only once approved; a correction is a new entry.

Callers check the acting user's right to act (a shop keeper, a recycling station); these functions check the
numbers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum

from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.workflow.calendar import local_date
from shanzhi.workflow.clock import current

from .choices import EARNING_KINDS, EntryKind, EntryStatus, QuarterStatus, SchemeStatus, SubjectType
from .models import ZERO, Account, Entry, Item, Quarter, Scheme, fmt_points

MAX_POINTS = Decimal("100000")


def today() -> dt.date:
    """Today in Beijing, from the workflow clock (patchable in tests)."""
    return local_date(current())


def quarter_start(day: dt.date) -> dt.date:
    """The first day of the quarter ``day`` falls in (entries are filed by it)."""
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def quarter_end(start: dt.date) -> dt.date:
    nxt = dt.date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def quarter_label(start: dt.date) -> str:
    return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"


def as_points(value: Any, *, label: str = "分值") -> Decimal:
    """A points value with one decimal; refuses anything else with a Chinese message."""
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(f"{label}须是数字。", code="points_number")
    if not d.is_finite():
        raise ValidationFailed(f"{label}须是数字。", code="points_number")
    if abs(d) >= MAX_POINTS:  # before quantize: a huge value would overflow the decimal context
        raise ValidationFailed(f"{label}超出允许范围。", code="points_range")
    if d != d.quantize(Decimal("0.1")):
        raise ValidationFailed(f"{label}最多保留一位小数。", code="points_precision")
    return d.quantize(Decimal("0.1"))


def quarter_locked(scheme_id: int, day: dt.date) -> bool:
    """Whether the quarter containing ``day`` has been approved by the branch (and perhaps published)."""
    return Quarter.objects.filter(scheme_id=scheme_id, starts_on=quarter_start(day)).exclude(
        status=QuarterStatus.OPEN).exists()


def refuse_if_locked(scheme_id: int, day: dt.date) -> None:
    if quarter_locked(scheme_id, day):
        raise ValidationFailed(f"{quarter_label(quarter_start(day))}已经党支部审核锁定（或已公示），不能再新增或修改该季度的记录；"
                               "如有错误，请通过复议提出更正。", code="points_quarter_locked")


def _subject_fields(household: Any, person: Any, enterprise: Any) -> tuple[str, Any]:
    given = [(k, v) for k, v in (("household", household), ("person", person), ("enterprise", enterprise))
             if v is not None]
    if len(given) != 1:
        raise ValidationFailed("积分账户须且只能对应一个主体（户、个人或企业）。", code="points_subject")
    return given[0]


def subject_name(field: str, subject: Any) -> str:
    if field == "household":
        return subject.head_name or subject.number
    return subject.name


def account_for(*, scheme: Scheme, household: Any = None, person: Any = None, enterprise: Any = None) -> Account:
    """积分账户 of a subject in a scheme, created on first use. The subject must be of the scheme's subject type
    and live in the scheme's village."""
    field, subject = _subject_fields(household, person, enterprise)
    if field != scheme.subject_type:
        raise ValidationFailed(f"方案“{scheme.name}”的积分主体是{SubjectType(scheme.subject_type).label}，"
                               f"不能为{SubjectType(field).label}开设账户。", code="points_subject_type")
    if scheme.is_template or scheme.status == SchemeStatus.RETIRED:
        raise ValidationFailed(f"方案“{scheme.name}”不是施行中的村级方案。", code="points_scheme_inactive")
    if not subject.place_path.startswith(scheme.place_path):
        raise ValidationFailed(f"“{subject_name(field, subject)}”不在方案“{scheme.name}”所属村。",
                               code="points_subject_place")
    found = Account.objects.filter(scheme=scheme, **{field: subject}).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Account.objects.create(scheme=scheme, place_path=subject.place_path,
                                          name=subject_name(field, subject)[:100], **{field: subject})
    except IntegrityError:
        return Account.objects.get(scheme=scheme, **{field: subject})


def lock_account(account_id: int) -> Account:
    """The account row, locked for the rest of the transaction (the fixed order: account before entries)."""
    try:
        return Account.objects.select_for_update(of=("self",)).select_related("scheme").get(pk=account_id)
    except (Account.DoesNotExist, ValueError, TypeError):
        raise NotFound("没有这个积分账户。")


def apply_status_change(account: Account, entry: Entry, *, old_status: str, old_points: Decimal) -> None:
    """Keep ``account.earned`` equal to the approved earning entries after ``entry`` moved from
    (old_status, old_points) to its present status and points. The account must be locked by the caller."""
    if entry.kind not in EARNING_KINDS:
        return
    delta = ZERO
    if old_status == EntryStatus.APPROVED:
        delta -= old_points
    if entry.status == EntryStatus.APPROVED:
        delta += entry.points
    if delta:
        account.earned = account.earned + delta
        account.save(update_fields=["earned"])


def _reason(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed("请填写事由。", code="points_reason")
    return value[:300]


@transaction.atomic
def account_spend(*, acting_user: Any, account_id: int, points: Any, reason: str, source_ref: str) -> Entry:
    """兑换支出: take ``points`` from the spendable balance (earned − spent). Refused with nothing written when
    the balance is short. The honour score (earned) is not touched."""
    amount = as_points(points)
    if amount <= 0:
        raise ValidationFailed("兑换积分须大于 0。", code="points_spend_positive")
    reason = _reason(reason)
    account = lock_account(account_id)
    if account.spendable < amount:
        raise ValidationFailed(f"积分余额不足：可用 {fmt_points(account.spendable)} 分，需要 {fmt_points(amount)} 分。",
                               code="points_insufficient")
    day = today()
    entry = Entry.objects.create(
        account=account, scheme_id=account.scheme_id, item=None, kind=EntryKind.SPEND, points=-amount,
        deed_date=day, quarter=quarter_start(day), place_path=account.place_path, status=EntryStatus.APPROVED,
        note=reason, recorder=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        source_ref=(source_ref or "")[:80],
    )
    account.spent = account.spent + amount
    account.save(update_fields=["spent"])
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="points.spend", obj=entry,
                 after={"account": account.pk, "points": str(-amount), "source_ref": entry.source_ref,
                        "spendable": str(account.spendable)}, detail=reason)
    return entry


@transaction.atomic
def account_refund(*, acting_user: Any, account_id: int, points: Any, reason: str, source_ref: str) -> Entry:
    """兑换退回: give back points of a cancelled reservation. Never more than was spent — and, when
    ``source_ref`` names the spend, never more than that spend minus what was already refunded for it."""
    amount = as_points(points)
    if amount <= 0:
        raise ValidationFailed("退回积分须大于 0。", code="points_refund_positive")
    reason = _reason(reason)
    account = lock_account(account_id)
    if amount > account.spent:
        raise ValidationFailed(f"退回积分超过该账户已兑换的积分（{fmt_points(account.spent)} 分）。", code="points_refund_excess")
    if source_ref:
        moved = Entry.objects.filter(account=account, source_ref=source_ref,
                                     kind__in=[EntryKind.SPEND, EntryKind.REFUND]).aggregate(s=Sum("points"))["s"]
        outstanding = -(moved or ZERO)
        if amount > outstanding:
            raise ValidationFailed(f"“{source_ref}”可退回的积分只有 {fmt_points(outstanding)} 分。", code="points_refund_excess")
    day = today()
    entry = Entry.objects.create(
        account=account, scheme_id=account.scheme_id, item=None, kind=EntryKind.REFUND, points=amount,
        deed_date=day, quarter=quarter_start(day), place_path=account.place_path, status=EntryStatus.APPROVED,
        note=reason, recorder=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        source_ref=(source_ref or "")[:80],
    )
    account.spent = account.spent - amount
    account.save(update_fields=["spent"])
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="points.refund", obj=entry,
                 after={"account": account.pk, "points": str(amount), "source_ref": entry.source_ref}, detail=reason)
    return entry


@transaction.atomic
def entry_credit_system(*, acting_user: Any, account_id: int, item_id: int | None, points: Any, kind: str,
                        deed_date: dt.date, source_ref: str, note: str = "") -> Entry:
    """Points that need no review (recyclables weighed at a published rate): an approved entry, ``earned`` raised
    under the account lock. The item, when given, must belong to the account's scheme and the points lie in its
    range; the deed's quarter must still be open."""
    if kind not in (EntryKind.RECYCLING, EntryKind.BATCH, EntryKind.DEED):
        raise ValidationFailed("该来源的积分须经评议，不能直接入账。", code="points_kind")
    amount = as_points(points)
    if amount == 0:
        raise ValidationFailed("分值不能为 0。", code="points_zero")
    if deed_date > today():
        raise ValidationFailed("事迹日期不能晚于今天。", code="points_future")
    account = lock_account(account_id)
    item = None
    if item_id is not None:
        item = Item.objects.filter(pk=item_id, scheme_id=account.scheme_id).first()
        if item is None:
            raise ValidationFailed("该细则不属于此账户的积分方案。", code="points_item_scheme")
        if not (item.points_min <= amount <= item.points_max):
            raise ValidationFailed(f"分值 {fmt_points(amount)} 超出细则“{item.name}”的范围（{item.points_label}）。",
                                   code="points_out_of_range")
    refuse_if_locked(account.scheme_id, deed_date)
    entry = Entry.objects.create(
        account=account, scheme_id=account.scheme_id, item=item, kind=kind, points=amount, deed_date=deed_date,
        quarter=quarter_start(deed_date), place_path=account.place_path, status=EntryStatus.APPROVED,
        note=(note or "")[:300], recorder=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        reviewer=None, source_ref=(source_ref or "")[:80],
    )
    apply_status_change(account, entry, old_status=EntryStatus.PENDING, old_points=ZERO)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="points.credit", obj=entry,
                 after={"account": account.pk, "points": str(amount), "kind": kind, "source_ref": entry.source_ref})
    return entry


def ledger_totals(account_id: int) -> tuple[Decimal, Decimal]:
    """(earned, spent) recomputed from the entries — what the cached totals must equal."""
    agg = Entry.objects.filter(account_id=account_id).aggregate(
        earned=Sum("points", filter=Q(status=EntryStatus.APPROVED, kind__in=EARNING_KINDS)),
        spent=Sum("points", filter=Q(kind__in=[EntryKind.SPEND, EntryKind.REFUND])),
    )
    return (agg["earned"] or ZERO), -(agg["spent"] or ZERO)


def ledger_mismatches(scheme_id: int | None = None) -> list[tuple[int, Decimal, Decimal, Decimal, Decimal]]:
    """Accounts whose cached totals differ from their entries: (id, earned, ledger earned, spent, ledger spent)."""
    accounts = Account.objects.all()
    if scheme_id is not None:
        accounts = accounts.filter(scheme_id=scheme_id)
    sums = {
        row["account_id"]: row
        for row in Entry.objects.filter(account__in=accounts).values("account_id").annotate(
            earned=Sum("points", filter=Q(status=EntryStatus.APPROVED, kind__in=EARNING_KINDS)),
            spent=Sum("points", filter=Q(kind__in=[EntryKind.SPEND, EntryKind.REFUND])),
        )
    }
    out = []
    for acc in accounts.only("id", "earned", "spent"):
        row = sums.get(acc.pk, {})
        earned, spent = row.get("earned") or ZERO, -(row.get("spent") or ZERO)
        if earned != acc.earned or spent != acc.spent:
            out.append((acc.pk, acc.earned, earned, acc.spent, spent))
    return out
