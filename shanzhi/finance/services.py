"""Writes of 村级财务 (domain.md A3). Each service checks the acting user's right at the village, validates every
input before writing, writes in one transaction with the ledger row locked first (entries, approvals and
statements of one village are serialised on it: the fixed lock order is ledger → entry), and records the audit
entry in the same transaction. Notifications go to the inbox in the same transaction (SMS after commit).

Rules implemented here:
- 村账乡代管: a ledger kept by the township is entered by the township's agency bookkeeper (FINANCE_ENTER held at
  the township); otherwise by the village's accountant (FINANCE_ENTER at the village) or the township.
- an expense above the chain threshold is posted (入账) only after every step of the village's approval chain has
  signed, in order, each by its own signer; a return (退回) sends it back to the enterer, who corrects and
  resubmits (a new round; the history keeps every round);
- an expense above the decision threshold is posted only with a passed 四议两公开 decision (affairs, domain.md A2);
- a month whose statement is published is closed: no entry dated in it is created, changed or posted; a correction
  is a new entry in a later month (``correction_of``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.timezone import localdate, now

from shanzhi.access.roles import ROLE_LEVELS, ROLE_PERMS, Perm, Role
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.core.identity import mask_name
from shanzhi.files.choices import AttachmentKind
from shanzhi.files.services import attachment_create
from shanzhi.notify.services import notify_users
from shanzhi.publication.choices import PublicationKind
from shanzhi.publication.services import publication_create
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place

from .choices import (
    ENTRY_BOOK_TAGS,
    OPEN_STATES,
    REGISTER_BOOKS,
    Book,
    CategoryTag,
    DebtDirection,
    DisclosureFrequency,
    EntryKind,
    EntryState,
    HistoryAction,
    StepLevel,
)
from .models import (
    ApprovalChain,
    ApprovalStep,
    BookItem,
    BookPublication,
    Category,
    Entry,
    EntryHistory,
    Ledger,
    Statement,
    month_start,
)

MAX_AMOUNT = Decimal("99999999999.99")
MAX_VOUCHERS = 9
REASON_MAX = 300
DECISION_SOURCE = "finance.expense"

# The standard income and expense categories (村集体经济组织会计制度), seeded into every new ledger; a village
# adds its own or switches off those it does not use.
STANDARD_CATEGORIES: list[tuple[str, str, str]] = [
    (EntryKind.INCOME, "经营收入", CategoryTag.NONE),
    (EntryKind.INCOME, "发包及上交收入", CategoryTag.ASSET_INCOME),
    (EntryKind.INCOME, "补助收入", CategoryTag.GRANT),
    (EntryKind.INCOME, "投资收益", CategoryTag.ASSET_INCOME),
    (EntryKind.INCOME, "其他收入", CategoryTag.NONE),
    (EntryKind.EXPENSE, "经营支出", CategoryTag.NONE),
    (EntryKind.EXPENSE, "管理费用", CategoryTag.NONE),
    (EntryKind.EXPENSE, "干部报酬", CategoryTag.CADRE_PAY),
    (EntryKind.EXPENSE, "公益支出", CategoryTag.NONE),
    (EntryKind.EXPENSE, "项目建设支出", CategoryTag.PROJECT),
    (EntryKind.EXPENSE, "惠农补贴发放", CategoryTag.SUBSIDY),
    (EntryKind.EXPENSE, "其他支出", CategoryTag.NONE),
]


@dataclass(frozen=True)
class StepSpec:
    """One step of an approval chain as configured: a label, the role that signs, held at the village or the
    township, and optionally the one person who must sign."""

    label: str
    role: str
    level: str = StepLevel.VILLAGE
    user_id: int | None = None


# 三堆 逐级审签, with the democratic finance group and the supervisory committee at the village.
DEFAULT_CHAIN: list[StepSpec] = [
    StepSpec("村文书", Role.VILLAGE_CADRE),
    StepSpec("村支书", Role.VILLAGE_CADRE),
    StepSpec("民主理财小组", Role.REVIEWER),
    StepSpec("村务监督委员会", Role.SUPERVISOR),
    StepSpec("包村干部", Role.TOWNSHIP_STAFF, StepLevel.TOWNSHIP),
    StepSpec("镇主要领导", Role.LEADER, StepLevel.TOWNSHIP),
]


# --- permissions -------------------------------------------------------------------------------------------------


def _authenticated(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def may_view(user: Any, ledger: Ledger) -> bool:
    return _authenticated(user) and user.has_perm_at(Perm.FINANCE_VIEW, ledger.place_path)


def may_enter(user: Any, ledger: Ledger) -> bool:
    """村账乡代管: the township's bookkeeper keeps the books; otherwise the village's accountant (or the township)."""
    if not _authenticated(user):
        return False
    if ledger.agency_bookkeeping:
        return user.has_perm_at(Perm.FINANCE_ENTER, ledger.township_path)
    return user.has_perm_at(Perm.FINANCE_ENTER, ledger.place_path)


def may_configure(user: Any, ledger: Ledger) -> bool:
    """The chain, thresholds and categories are set by the township (its bookkeeper or staff), not by the village
    whose expenses they control — except categories, which the village's own accountant may add."""
    return _authenticated(user) and (user.has_perm_at(Perm.FINANCE_ENTER, ledger.township_path)
                                     or user.has_perm_at(Perm.FINANCE_APPROVE, ledger.township_path))


def step_place_path(ledger: Ledger, step: ApprovalStep) -> str:
    return ledger.township_path if step.level == StepLevel.TOWNSHIP else ledger.place_path


def may_sign(user: Any, entry: Entry, step: ApprovalStep | None) -> bool:
    """The step's named person, or (when none is named) whoever holds the step's role at exactly the step's place
    with the finance approval permission."""
    if step is None or not _authenticated(user):
        return False
    if entry.entered_by_id == user.pk:  # separation of duties (domain.md F4): who records does not approve
        return False
    if not user.has_perm_at(Perm.FINANCE_VIEW, entry.place_path) and not user.is_superuser:
        return False
    if step.user_id:
        return step.user_id == user.pk
    path = entry.township_path if step.level == StepLevel.TOWNSHIP else entry.place_path
    return any(role == step.role and place_path == path and Perm.FINANCE_APPROVE in perms
               for role, perms, place_path in user.grants())


def step_signers(entry: Entry, step: ApprovalStep) -> list[Any]:
    if step.user_id:
        return [step.user]
    path = entry.township_path if step.level == StepLevel.TOWNSHIP else entry.place_path
    return list(get_user_model().objects.filter(
        is_active=True, role_assignments__role=step.role, role_assignments__place_path=path,
        role_assignments__is_active=True).exclude(pk=entry.entered_by_id).distinct()[:50])


def _ledger_for(user: Any, ledger: Ledger, *, lock: bool = True) -> Ledger:
    qs = Ledger.objects.visible_to(user, Perm.FINANCE_VIEW)
    if lock:
        qs = qs.select_for_update()
    locked = qs.filter(pk=ledger.pk).first()
    if locked is None:
        raise NotFound()
    return locked


def _entry_for(user: Any, entry: Entry) -> tuple[Ledger, Entry]:
    """Lock the ledger, then the entry (the fixed order), both in the user's view scope."""
    ledger = _ledger_for(user, Ledger(pk=entry.ledger_id))
    locked = Entry.objects.select_for_update(of=("self",)).select_related("category", "current_step").filter(
        pk=entry.pk, ledger=ledger).first()
    if locked is None:
        raise NotFound()
    return ledger, locked


# --- value checks ----------------------------------------------------------------------------------------------


def parse_amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("金额须为数字，如 1200 或 356.50。", code="amount")
    if not amount.is_finite():
        raise ValidationFailed("金额须为数字，如 1200 或 356.50。", code="amount")
    if amount <= 0:
        raise ValidationFailed("金额须大于 0。", code="amount_positive")
    if amount > MAX_AMOUNT:  # before quantize: a huge value would overflow the decimal context
        raise ValidationFailed("金额过大。", code="amount_large")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed("金额最多保留两位小数（分）。", code="amount_cents")
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_date(value: Any, label: str = "日期") -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationFailed(f"请填写{label}（格式 2026-10-08）。", code="date")


def parse_month(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return month_start(value)
    try:
        year, month = str(value or "").strip().split("-")[:2]
        return dt.date(int(year), int(month), 1)
    except (TypeError, ValueError):
        raise ValidationFailed("月份格式应为 2026-10。", code="month")


def _text(value: Any, label: str, max_len: int, *, required: bool = True) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationFailed(f"请填写{label}。", code="required")
    if len(text) > max_len:
        raise ValidationFailed(f"{label}最多 {max_len} 字。", code="too_long")
    return text


def month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def month_end(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def add_months(month: dt.date, n: int) -> dt.date:
    total = month.year * 12 + month.month - 1 + n
    return dt.date(total // 12, total % 12 + 1, 1)


def month_closed(ledger: Ledger, month: dt.date) -> bool:
    return Statement.objects.filter(ledger=ledger, month=month).exists()


def _check_open_month(ledger: Ledger, day: dt.date) -> None:
    month = month_start(day)
    if month < ledger.start_month:
        raise ValidationFailed(f"日期早于建账月份（{month_label(ledger.start_month)}）。", code="before_start")
    if month_closed(ledger, month):
        raise Conflict(f"{month_label(month)}的财务收支已公开，该月已结账，不能再录入或修改；更正请在以后月份录入更正记录。",
                       code="month_closed")


def _category(ledger: Ledger, category: Any, kind: str) -> Category:
    pk = getattr(category, "pk", category)
    try:
        found = Category.objects.filter(ledger=ledger, pk=int(pk)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise ValidationFailed("请选择本村的收支科目。", code="category")
    if not found.is_active:
        raise ValidationFailed(f"科目“{found.name}”已停用。", code="category_inactive")
    if found.kind != kind:
        raise ValidationFailed(f"科目“{found.name}”是{found.get_kind_display()}科目，与所填收支类型不符。",
                               code="category_kind")
    return found


def _audit(user: Any, event: str, obj: Any, *, action: str = AuditAction.UPDATE, before: dict | None = None,
           after: dict | None = None) -> None:
    audit_record(actor=user, action=action, event=event, obj=obj, before=before, after=after)


# --- ledgers, categories, chains -------------------------------------------------------------------------------


@transaction.atomic
def ledger_open(
    *, acting_user: Any, village: Place, start_month: Any, agency_bookkeeping: bool = True,
    opening_balance: Any = "0", frequency: str = DisclosureFrequency.MONTHLY,
    chain_threshold: Any = "1000", decision_threshold: Any = "50000",
) -> Ledger:
    """建账: open a village's collective account with the standard categories and the default chain (三堆). Opened by
    whoever may enter the books there (the village accountant or the township's bookkeeper)."""
    if village is None or village.level != Level.VILLAGE:
        raise ValidationFailed("村集体账须开设在村/社区。", code="not_village")
    if not _authenticated(acting_user) or not acting_user.has_perm_at(Perm.FINANCE_ENTER, village.path):
        raise NotFound()
    start = parse_month(start_month)
    if start > month_start(localdate()):
        raise ValidationFailed("建账月份不能晚于本月。", code="start_future")
    balance = Decimal("0") if str(opening_balance or "").strip() in ("", "0") else _balance(opening_balance)
    if frequency not in DisclosureFrequency.values:
        raise ValidationFailed("公开频次无效。", code="frequency")
    low, high = parse_amount(chain_threshold), parse_amount(decision_threshold)
    if high < low:
        raise ValidationFailed("决策起点不能低于审批起点。", code="thresholds")
    Place.objects.select_for_update().filter(pk=village.pk).first()
    if Ledger.objects.filter(village=village).exists():
        raise Conflict(f"{village.name}已开设村集体账。", code="ledger_exists")
    township = village.parent
    ledger = Ledger.objects.create(
        village=village, place_path=village.path, township=township, township_path=township.path,
        agency_bookkeeping=bool(agency_bookkeeping), frequency=frequency, start_month=start,
        opening_balance=balance, opened_by=acting_user)
    Category.objects.bulk_create([
        Category(ledger=ledger, place_path=ledger.place_path, kind=kind, name=name, tag=tag, position=i)
        for i, (kind, name, tag) in enumerate(STANDARD_CATEGORIES)])
    chain = ApprovalChain.objects.create(ledger=ledger, place_path=ledger.place_path, chain_threshold=low,
                                         decision_threshold=high)
    ApprovalStep.objects.bulk_create([
        ApprovalStep(chain=chain, place_path=ledger.place_path, position=i + 1, label=s.label, role=s.role,
                     level=s.level) for i, s in enumerate(DEFAULT_CHAIN)])
    _audit(acting_user, "ledger_open", ledger, action=AuditAction.CREATE,
           after={"village": village.code, "start_month": start, "agency_bookkeeping": ledger.agency_bookkeeping,
                  "opening_balance": balance, "chain_threshold": low, "decision_threshold": high})
    return ledger


def _balance(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("期初余额须为数字。", code="balance")
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed("期初余额须为数字，最多两位小数。", code="balance")
    return amount


@transaction.atomic
def category_create(*, acting_user: Any, ledger: Ledger, kind: str, name: str, tag: str = "") -> Category:
    """A village adds its own category (editable list, domain.md A3)."""
    ledger = _ledger_for(acting_user, ledger)
    if not (may_enter(acting_user, ledger) or may_configure(acting_user, ledger)):
        raise NotFound()
    if kind not in EntryKind.values:
        raise ValidationFailed("请选择收入或支出。", code="kind")
    name = _text(name, "科目名称", 40)
    if tag not in CategoryTag.values:
        raise ValidationFailed("科目归入无效。", code="tag")
    if Category.objects.filter(ledger=ledger, kind=kind, name=name).exists():
        raise Conflict(f"已有科目“{name}”。", code="category_exists")
    position = (Category.objects.filter(ledger=ledger, kind=kind).aggregate(m=Max("position"))["m"] or 0) + 1
    category = Category.objects.create(ledger=ledger, place_path=ledger.place_path, kind=kind, name=name, tag=tag,
                                       position=position)
    _audit(acting_user, "category_create", category, action=AuditAction.CREATE,
           after={"kind": kind, "name": name, "tag": tag})
    return category


@transaction.atomic
def category_set_active(*, acting_user: Any, category: Category, active: bool) -> Category:
    ledger = _ledger_for(acting_user, Ledger(pk=category.ledger_id))
    if not (may_enter(acting_user, ledger) or may_configure(acting_user, ledger)):
        raise NotFound()
    locked = Category.objects.select_for_update().get(pk=category.pk, ledger=ledger)
    before = {"is_active": locked.is_active}
    locked.is_active = bool(active)
    locked.save(update_fields=["is_active"])
    _audit(acting_user, "category_set_active", locked, before=before, after={"is_active": locked.is_active})
    return locked


APPROVER_ROLES = [r for r in Role.values if Perm.FINANCE_APPROVE in ROLE_PERMS.get(r, frozenset())]


@transaction.atomic
def chain_configure(*, acting_user: Any, ledger: Ledger, chain_threshold: Any, decision_threshold: Any,
                    steps: Sequence[StepSpec]) -> ApprovalChain:
    """Set a village's approval chain and its two thresholds (the township's decision). Refused while an expense
    is in approval, so no entry is signed against a chain that changed under it. Old steps are kept inactive:
    past signatures still name them."""
    ledger = _ledger_for(acting_user, ledger)
    if not may_configure(acting_user, ledger):
        raise NotFound()
    low, high = parse_amount(chain_threshold), parse_amount(decision_threshold)
    if high < low:
        raise ValidationFailed("决策起点不能低于审批起点。", code="thresholds")
    if not steps:
        raise ValidationFailed("审批链至少要有一个签批步骤。", code="steps_empty")
    if len(steps) > 12:
        raise ValidationFailed("审批链最多 12 步。", code="steps_many")
    User = get_user_model()
    clean: list[StepSpec] = []
    for n, spec in enumerate(steps, start=1):
        label = _text(spec.label, f"第 {n} 步的签批人名称", 40)
        if spec.role not in APPROVER_ROLES:
            raise ValidationFailed(f"第 {n} 步：角色无效（须为有财务审批权的角色）。", code="step_role")
        if spec.level not in StepLevel.values or spec.level not in ROLE_LEVELS.get(spec.role, set()):
            raise ValidationFailed(f"第 {n} 步：{Role(spec.role).label}不在{StepLevel(spec.level).label if spec.level in StepLevel.values else spec.level}任职。",
                                   code="step_level")
        if spec.user_id:
            path = ledger.township_path if spec.level == StepLevel.TOWNSHIP else ledger.place_path
            if not User.objects.filter(pk=spec.user_id, is_active=True, role_assignments__role=spec.role,
                                       role_assignments__place_path=path, role_assignments__is_active=True).exists():
                raise ValidationFailed(f"第 {n} 步：指定人员不在该处担任{Role(spec.role).label}。", code="step_user")
        clean.append(StepSpec(label, spec.role, spec.level, spec.user_id or None))
    busy = Entry.objects.filter(ledger=ledger, state=EntryState.IN_APPROVAL).count()
    if busy:
        raise Conflict(f"有 {busy} 笔支出正在审批中，待其审批完成或退回后再修改审批链。", code="chain_busy")
    chain = ApprovalChain.objects.select_for_update().get(ledger=ledger)
    before = {"chain_threshold": chain.chain_threshold, "decision_threshold": chain.decision_threshold,
              "steps": [f"{s.label}:{s.role}@{s.level}:{s.user_id or ''}" for s in chain.steps.filter(is_active=True)]}
    chain.steps.filter(is_active=True).update(is_active=False)
    ApprovalStep.objects.bulk_create([
        ApprovalStep(chain=chain, place_path=ledger.place_path, position=i + 1, label=s.label, role=s.role,
                     level=s.level, user_id=s.user_id) for i, s in enumerate(clean)])
    chain.chain_threshold, chain.decision_threshold = low, high
    chain.save(update_fields=["chain_threshold", "decision_threshold", "updated_at"])
    _audit(acting_user, "chain_configure", chain, before=before,
           after={"chain_threshold": low, "decision_threshold": high,
                  "steps": [f"{s.label}:{s.role}@{s.level}:{s.user_id or ''}" for s in clean]})
    return chain


def active_steps(ledger: Ledger) -> list[ApprovalStep]:
    return list(ApprovalStep.objects.filter(chain__ledger=ledger, is_active=True).select_related("user")
                .order_by("position", "id"))


# --- entries ---------------------------------------------------------------------------------------------------


def _vouchers(files: Iterable[Any]) -> list[Any]:
    files = [f for f in files or () if f]
    if len(files) > MAX_VOUCHERS:
        raise ValidationFailed(f"凭证照片最多 {MAX_VOUCHERS} 张。", code="vouchers_many")
    return files


def _attach(user: Any, entry: Entry, files: list[Any]) -> None:
    for f in files:
        attachment_create(acting_user=user, file=f, place_path=entry.place_path, obj=entry,
                          kinds=(AttachmentKind.IMAGE,))


def _next_number(ledger: Ledger, month: dt.date) -> str:
    prefix = f"{month:%Y-%m}-"
    taken = Entry.objects.filter(ledger=ledger, number__startswith=prefix).count()
    return f"{prefix}{taken + 1:03d}"


def _start_round(user: Any, entry: Entry, steps: list[ApprovalStep], action: str, *, reason: str = "",
                 changes: dict | None = None) -> None:
    entry.round += 1
    entry.state = EntryState.IN_APPROVAL
    entry.current_step = steps[0]
    EntryHistory.objects.create(entry=entry, place_path=entry.place_path, action=action, round=entry.round,
                                actor=user, reason=reason, changes=changes or {})
    _tell_signers(entry, steps[0])


def _tell_signers(entry: Entry, step: ApprovalStep) -> None:
    people = step_signers(entry, step)
    if people:
        notify_users(users=people, title=f"待您审批（{step.label}）：{entry.number} {entry.summary} {entry.amount}元",
                     link=entry.get_absolute_url())


@transaction.atomic
def entry_create(
    *, acting_user: Any, ledger: Ledger, date: Any, kind: str, category: Any, amount: Any, counterparty: str,
    summary: str, vouchers: Iterable[Any] = (), counterparty_private: bool = False, decision_id: int | None = None,
    correction_of: Entry | None = None,
) -> Entry:
    """记账: an income or expense with its voucher photos. An expense above the village's chain threshold goes
    straight into its approval chain; anything else waits to be posted. Refused in a month already published."""
    ledger = _ledger_for(acting_user, ledger)
    if not may_enter(acting_user, ledger):
        if ledger.agency_bookkeeping and may_view(acting_user, ledger):
            raise ValidationFailed("本村实行村账乡代管，由乡镇代理记账员记账；请将原始凭证交乡镇代理记账员。",
                                   code="agency_bookkeeping")
        raise NotFound()
    if kind not in EntryKind.values:
        raise ValidationFailed("请选择收入或支出。", code="kind")
    day = parse_date(date, "发生日期")
    if day > localdate():
        raise ValidationFailed("发生日期不能晚于今天。", code="date_future")
    _check_open_month(ledger, day)
    cat = _category(ledger, category, kind)
    value = parse_amount(amount)
    party = _text(counterparty, "收付对象", 100)
    text = _text(summary, "摘要", 200)
    files = _vouchers(vouchers)
    if not files:
        raise ValidationFailed("请上传原始凭证照片（发票、收据、领款单等），至少一张。", code="vouchers_required")
    original = None
    if correction_of is not None:
        original = Entry.objects.filter(pk=getattr(correction_of, "pk", correction_of), ledger=ledger,
                                        state=EntryState.POSTED).first()
        if original is None:
            raise ValidationFailed("被更正的记录须是本村已入账的记录。", code="correction_of")
    chain = ApprovalChain.objects.get(ledger=ledger)
    needs_chain = kind == EntryKind.EXPENSE and value > chain.chain_threshold
    needs_decision = kind == EntryKind.EXPENSE and value > chain.decision_threshold
    steps = active_steps(ledger) if needs_chain else []
    if needs_chain and not steps:
        raise ValidationFailed("本村审批链尚未设置签批步骤，请联系乡镇设置后再录入大额支出。", code="chain_empty")
    month = month_start(day)
    entry = Entry.objects.create(
        ledger=ledger, place_path=ledger.place_path, township_path=ledger.township_path,
        number=_next_number(ledger, month), date=day, month=month, kind=kind, category=cat, amount=value,
        counterparty=party, counterparty_private=bool(counterparty_private), summary=text,
        needs_chain=needs_chain, needs_decision=needs_decision, decision_id=decision_id or None,
        correction_of=original, entered_by=acting_user)
    _attach(acting_user, entry, files)
    if needs_chain:
        _start_round(acting_user, entry, steps, HistoryAction.SUBMIT)
        entry.save(update_fields=["round", "state", "current_step"])
    _audit(acting_user, "entry_create", entry, action=AuditAction.CREATE,
           after={"number": entry.number, "date": day, "kind": kind, "category": cat.name, "amount": value,
                  "counterparty": party, "summary": text, "vouchers": len(files), "state": entry.state,
                  "needs_chain": needs_chain, "needs_decision": needs_decision,
                  "correction_of": original.number if original else None})
    return entry


def _signed_this_round(entry: Entry, user: Any) -> bool:
    return EntryHistory.objects.filter(entry=entry, round=entry.round, action=HistoryAction.APPROVE,
                                       actor=user).exists()


def _signature_check(user: Any, entry: Entry) -> ApprovalStep:
    if entry.state != EntryState.IN_APPROVAL or entry.current_step is None:
        raise Conflict(f"该记录{entry.get_state_display()}，不在审批中。", code="not_in_approval")
    step = entry.current_step
    if entry.entered_by_id == getattr(user, "pk", None):
        raise ValidationFailed("不能签批自己录入的记录（记账与审批须分离）。", code="sign_own")
    if not may_sign(user, entry, step):
        raise ValidationFailed(f"当前应由“{step.label}”签批，您不是该步骤的签批人；审批须按顺序逐级进行。",
                               code="not_signer")
    if _signed_this_round(entry, user):
        raise ValidationFailed("同一人在同一轮审批中只能签批一步。", code="signed_twice")
    return step


@transaction.atomic
def entry_approve(*, acting_user: Any, entry: Entry, reason: str = "") -> Entry:
    """签批同意: the current step's signer signs; the entry moves to the next step, or is approved after the last."""
    ledger, locked = _entry_for(acting_user, entry)
    step = _signature_check(acting_user, locked)
    note = _text(reason, "意见", REASON_MAX, required=False)
    EntryHistory.objects.create(entry=locked, place_path=locked.place_path, action=HistoryAction.APPROVE,
                                round=locked.round, step=step, step_label=step.label, actor=acting_user, reason=note)
    later = [s for s in active_steps(ledger) if (s.position, s.pk) > (step.position, step.pk)]
    if later:
        locked.current_step = later[0]
        _tell_signers(locked, later[0])
    else:
        locked.current_step = None
        locked.state = EntryState.APPROVED
        notify_users(users=[locked.entered_by], title=f"审批通过，可以入账：{locked.number} {locked.summary}",
                     link=locked.get_absolute_url())
    locked.save(update_fields=["current_step", "state"])
    _audit(acting_user, "entry_approve", locked, action=AuditAction.TRANSITION,
           after={"step": step.label, "round": locked.round, "state": locked.state, "reason": note})
    return locked


@transaction.atomic
def entry_reject(*, acting_user: Any, entry: Entry, reason: str) -> Entry:
    """退回: the current step's signer sends the expense back to the enterer with a reason."""
    ledger, locked = _entry_for(acting_user, entry)
    step = _signature_check(acting_user, locked)
    note = _text(reason, "退回原因", REASON_MAX)
    EntryHistory.objects.create(entry=locked, place_path=locked.place_path, action=HistoryAction.REJECT,
                                round=locked.round, step=step, step_label=step.label, actor=acting_user, reason=note)
    locked.state, locked.current_step = EntryState.RETURNED, None
    locked.save(update_fields=["state", "current_step"])
    notify_users(users=[locked.entered_by], title=f"被退回（{step.label}）：{locked.number} {locked.summary}",
                 body=note, link=locked.get_absolute_url())
    _audit(acting_user, "entry_reject", locked, action=AuditAction.TRANSITION,
           after={"step": step.label, "round": locked.round, "state": locked.state, "reason": note})
    return locked


EDITABLE = ("date", "category", "amount", "counterparty", "summary")


@transaction.atomic
def entry_resubmit(*, acting_user: Any, entry: Entry, reason: str, date: Any = None, category: Any = None,
                   amount: Any = None, counterparty: str | None = None, summary: str | None = None,
                   vouchers: Iterable[Any] = ()) -> Entry:
    """修改后重新提交: the enterer corrects a returned expense (within the same month) and sends it round the chain
    again from the first step; what changed is kept in the history."""
    ledger, locked = _entry_for(acting_user, entry)
    if not may_enter(acting_user, ledger):
        raise NotFound()
    if locked.state != EntryState.RETURNED:
        raise Conflict(f"该记录{locked.get_state_display()}，只有被退回的记录才能修改后重新提交。", code="not_returned")
    if locked.entered_by_id != acting_user.pk:
        # Whoever resubmits could otherwise sign the next round (may_sign only excludes the enterer).
        raise ValidationFailed("被退回的记录只能由原录入人修改后重新提交。", code="resubmit_not_enterer")
    note = _text(reason, "修改说明", REASON_MAX)
    new_date = parse_date(date, "发生日期") if date not in (None, "") else locked.date
    if month_start(new_date) != locked.month:
        raise ValidationFailed("修改后的日期须在原月份内；跨月请作废本记录后重新录入。", code="month_changed")
    if new_date > localdate():
        raise ValidationFailed("发生日期不能晚于今天。", code="date_future")
    _check_open_month(ledger, new_date)
    new_cat = _category(ledger, category, locked.kind) if category not in (None, "") else locked.category
    new_amount = parse_amount(amount) if amount not in (None, "") else locked.amount
    new_party = _text(counterparty, "收付对象", 100) if counterparty is not None else locked.counterparty
    new_summary = _text(summary, "摘要", 200) if summary is not None else locked.summary
    files = _vouchers(vouchers)
    chain = ApprovalChain.objects.get(ledger=ledger)
    needs_chain = locked.kind == EntryKind.EXPENSE and new_amount > chain.chain_threshold
    steps = active_steps(ledger) if needs_chain else []
    if needs_chain and not steps:
        raise ValidationFailed("本村审批链尚未设置签批步骤。", code="chain_empty")
    locked_amount_before = locked.amount
    changes: dict[str, list[str]] = {}
    for field, old, new in (("date", locked.date, new_date), ("category", locked.category.name, new_cat.name),
                            ("amount", locked.amount, new_amount), ("counterparty", locked.counterparty, new_party),
                            ("summary", locked.summary, new_summary)):
        if old != new:
            changes[field] = [str(old), str(new)]
    if files:
        changes["vouchers"] = ["", f"+{len(files)}"]
    locked.date, locked.category, locked.amount = new_date, new_cat, new_amount
    locked.counterparty, locked.summary = new_party, new_summary
    locked.needs_chain = needs_chain
    locked.needs_decision = locked.kind == EntryKind.EXPENSE and new_amount > chain.decision_threshold
    if new_amount != locked_amount_before and locked.decision_id:
        # The decision was taken on the old amount: a changed amount needs the village to decide again.
        changes["decision"] = [str(locked.decision_id), ""]
        locked.decision_id = None
    _attach(acting_user, locked, files)
    if needs_chain:
        _start_round(acting_user, locked, steps, HistoryAction.RESUBMIT, reason=note, changes=changes)
    else:
        locked.state, locked.current_step = EntryState.ENTERED, None
        EntryHistory.objects.create(entry=locked, place_path=locked.place_path, action=HistoryAction.RESUBMIT,
                                    round=locked.round, actor=acting_user, reason=note, changes=changes)
    locked.save(update_fields=["date", "category", "amount", "counterparty", "summary", "needs_chain",
                               "needs_decision", "decision_id", "round", "state", "current_step"])
    _audit(acting_user, "entry_resubmit", locked, action=AuditAction.UPDATE,
           before={k: v[0] for k, v in changes.items()}, after={**{k: v[1] for k, v in changes.items()},
                                                                  "state": locked.state, "round": locked.round})
    return locked


def decision_state(entry: Entry) -> str:
    """"none" (no decision linked), or the affairs outcome: "pending" | "passed" | "rejected"."""
    if not entry.decision_id:
        return "none"
    from shanzhi.affairs import api as affairs

    return affairs.decision_outcome(entry.decision_id)


def post_refusal(entry: Entry) -> str:
    """Why this entry cannot be posted now ("" when it can)."""
    if entry.state == EntryState.POSTED:
        return "该记录已入账。"
    if entry.state == EntryState.CANCELLED:
        return "该记录已作废。"
    chain = entry.ledger.chain
    if entry.needs_chain and entry.state != EntryState.APPROVED:
        where = {EntryState.IN_APPROVAL: f"当前等待“{entry.current_step.label}”签批" if entry.current_step else "",
                 EntryState.RETURNED: "已被退回，须修改后重新提交"}.get(entry.state, "")
        return (f"该笔支出 {entry.amount} 元超过审批起点 {chain.chain_threshold} 元，须经审批链全部签批后方可入账"
                + (f"（{where}）" if where else "") + "。")
    if entry.needs_decision:
        state = decision_state(entry)
        if state != "passed":
            why = {"none": "尚未关联决策", "pending": "决策尚在进行中", "rejected": "决策未获通过"}.get(state, state)
            return (f"该笔支出 {entry.amount} 元超过 {chain.decision_threshold} 元，须经“四议两公开”决策通过后方可入账"
                    f"（{why}）。")
    return ""


@transaction.atomic
def entry_post(*, acting_user: Any, entry: Entry) -> Entry:
    """入账: the entry becomes part of the books. Refused for an expense whose approvals (or decision) are missing."""
    ledger, locked = _entry_for(acting_user, entry)
    if not may_enter(acting_user, ledger):
        raise NotFound()
    _check_open_month(ledger, locked.date)
    refusal = post_refusal(locked)
    if refusal:
        raise ValidationFailed(refusal, code="post_refused")
    locked.state, locked.posted_at = EntryState.POSTED, now()
    locked.save(update_fields=["state", "posted_at"])
    EntryHistory.objects.create(entry=locked, place_path=locked.place_path, action=HistoryAction.POST,
                                round=locked.round, actor=acting_user)
    _audit(acting_user, "entry_post", locked, action=AuditAction.TRANSITION,
           after={"state": locked.state, "amount": locked.amount, "decision": locked.decision_id})
    return locked


@transaction.atomic
def entry_cancel(*, acting_user: Any, entry: Entry, reason: str) -> Entry:
    """作废: an entry not yet posted is withdrawn (a posted one is corrected by a new entry instead)."""
    ledger, locked = _entry_for(acting_user, entry)
    if not may_enter(acting_user, ledger):
        raise NotFound()
    if locked.state not in OPEN_STATES:
        raise Conflict(f"该记录{locked.get_state_display()}，不能作废；已入账的记录请录入更正记录。", code="not_open")
    _check_open_month(ledger, locked.date)
    note = _text(reason, "作废原因", REASON_MAX)
    before = {"state": locked.state}
    locked.state, locked.current_step = EntryState.CANCELLED, None
    locked.save(update_fields=["state", "current_step"])
    EntryHistory.objects.create(entry=locked, place_path=locked.place_path, action=HistoryAction.CANCEL,
                                round=locked.round, actor=acting_user, reason=note)
    _audit(acting_user, "entry_cancel", locked, before=before, after={"state": locked.state, "reason": note})
    return locked


@transaction.atomic
def entry_decision_request(*, acting_user: Any, entry: Entry) -> Entry:
    """Open a 四议两公开 matter for a large expense (affairs decides; ``on_decided`` records the outcome here)."""
    from shanzhi.affairs import api as affairs

    ledger, locked = _entry_for(acting_user, entry)
    if not (may_enter(acting_user, ledger) or acting_user.has_perm_at(Perm.DECISION_MANAGE, ledger.place_path)):
        raise NotFound()
    if not locked.needs_decision:
        raise ValidationFailed("该笔金额未超过决策起点，无须四议两公开决策。", code="no_decision_needed")
    if locked.state in (EntryState.POSTED, EntryState.CANCELLED):
        raise Conflict(f"该记录{locked.get_state_display()}。", code="not_open")
    if locked.decision_id and affairs.decision_outcome(locked.decision_id) != "rejected":
        raise Conflict("该记录已关联决策。", code="decision_linked")
    decision = affairs.decision_request(
        acting_user=acting_user, place=ledger.village, title=f"大额支出：{locked.summary}（{locked.amount}元）",
        summary=f"凭证号 {locked.number}，{locked.category.name}，收款方 {locked.counterparty}，金额 {locked.amount} 元。",
        source=DECISION_SOURCE, source_ref=str(locked.pk), source_url=locked.get_absolute_url())
    locked.decision_id = decision.pk
    locked.save(update_fields=["decision_id"])
    EntryHistory.objects.create(entry=locked, place_path=locked.place_path, action=HistoryAction.DECISION,
                                round=locked.round, actor=acting_user, reason=f"发起四议两公开决策 #{decision.pk}")
    _audit(acting_user, "entry_decision_request", locked, after={"decision": decision.pk})
    return locked


def linkable_decisions(user: Any, ledger: Ledger, entry: Entry) -> Any:
    """The passed decisions that may stand behind ``entry``: one the village took up itself (a project, no other
    capability asked for it) or the one asked for this very expense — never one taken on the village rules, a
    points scheme or another expense."""
    from django.db.models import Q

    from shanzhi.affairs import api as affairs

    return affairs.decisions_passed(user=user, place=ledger.village).filter(
        Q(source="") | Q(source=DECISION_SOURCE, source_ref=str(entry.pk)))


@transaction.atomic
def entry_decision_link(*, acting_user: Any, entry: Entry, decision_id: Any) -> Entry:
    """Link a large expense to a decision the village has already passed: the one asked for this expense, or a
    project the village decided itself (its several payments may each stand on it); see ``linkable_decisions``."""
    ledger, locked = _entry_for(acting_user, entry)
    if not may_enter(acting_user, ledger):
        raise NotFound()
    if locked.state in (EntryState.POSTED, EntryState.CANCELLED):
        raise Conflict(f"该记录{locked.get_state_display()}。", code="not_open")
    try:
        pk = int(decision_id)
    except (TypeError, ValueError):
        raise ValidationFailed("请选择一项已通过的决策。", code="decision")
    if not linkable_decisions(acting_user, ledger, locked).filter(pk=pk).exists():
        raise ValidationFailed("请选择本村一项已通过、且针对本笔支出（或本村自行提议的项目）的四议两公开决策。",
                               code="decision")
    locked.decision_id = pk
    locked.save(update_fields=["decision_id"])
    EntryHistory.objects.create(entry=locked, place_path=locked.place_path, action=HistoryAction.DECISION,
                                round=locked.round, actor=acting_user, reason=f"关联已通过的决策 #{pk}")
    _audit(acting_user, "entry_decision_link", locked, after={"decision": pk})
    return locked


def on_decision_settled(decision: Any) -> None:
    """affairs ``on_decided`` handler: tell the enterers of the expenses waiting for this decision."""
    for entry in Entry.objects.filter(decision_id=decision.pk).exclude(
            state__in=(EntryState.POSTED, EntryState.CANCELLED)).select_related("entered_by"):
        from shanzhi.affairs import api as affairs

        outcome = affairs.decision_outcome(decision.pk)
        word = "已通过" if outcome == "passed" else "未通过"
        notify_users(users=[entry.entered_by], title=f"四议两公开决策{word}：{entry.number} {entry.summary}",
                     link=entry.get_absolute_url())


# --- monthly statements ----------------------------------------------------------------------------------------


def statement_due(ledger: Ledger, month: dt.date) -> dt.date:
    """The day by which a month must be published: the 10th of the next month (monthly), or of the month after its
    quarter (quarterly) (村民委员会组织法 art. 30)."""
    day = getattr(settings, "FINANCE_STATEMENT_DUE_DAY", 10)
    if ledger.frequency == DisclosureFrequency.QUARTERLY:
        quarter_last = dt.date(month.year, ((month.month - 1) // 3) * 3 + 3, 1)
        return add_months(quarter_last, 1).replace(day=day)
    return add_months(month, 1).replace(day=day)


STATEMENT_COLUMNS = ["凭证号", "日期", "收支", "科目", "金额（元）", "收付对象", "摘要"]
SUMMARY_MARK = "汇总"


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def month_figures(ledger: Ledger, month: dt.date) -> dict[str, Any]:
    """Income, expense and balance by category for a month, from its posted entries (a closed month only has
    those), with the grants received and the collective asset income."""
    before = Entry.objects.filter(ledger=ledger, state=EntryState.POSTED, month__lt=month)
    totals = {k: v or Decimal("0") for k, v in before.values("kind").annotate(s=Sum("amount")).values_list("kind", "s")}
    opening = ledger.opening_balance + totals.get(EntryKind.INCOME, Decimal("0")) - totals.get(
        EntryKind.EXPENSE, Decimal("0"))
    entries = list(Entry.objects.filter(ledger=ledger, state=EntryState.POSTED, month=month)
                   .select_related("category", "correction_of").order_by("date", "number"))
    by_category: dict[tuple[str, str], Decimal] = {}
    income = expense = grants = asset_income = Decimal("0")
    for e in entries:
        key = (e.kind, e.category.name)
        by_category[key] = by_category.get(key, Decimal("0")) + e.amount
        if e.kind == EntryKind.INCOME:
            income += e.amount
            grants += e.amount if e.category.tag == CategoryTag.GRANT else 0
            asset_income += e.amount if e.category.tag == CategoryTag.ASSET_INCOME else 0
        else:
            expense += e.amount
    return {"month": month, "opening": opening, "income": income, "expense": expense,
            "closing": opening + income - expense, "grants": grants, "asset_income": asset_income,
            "entries": entries, "by_category": sorted(by_category.items())}


def statement_rows(figures: dict[str, Any]) -> list[list[str]]:
    rows: list[list[str]] = []
    for e in figures["entries"]:
        party = mask_name(e.counterparty) if e.counterparty_private else e.counterparty
        rows.append([e.number, f"{e.date:%m-%d}", e.get_kind_display(), e.category.name, _money(e.amount), party,
                     e.summary + (f"（更正 {e.correction_of.number}）" if e.correction_of_id else "")])
    kinds = dict(EntryKind.choices)
    for (kind, name), amount in figures["by_category"]:
        rows.append([SUMMARY_MARK, "", str(kinds[kind]), name, _money(amount), "", "科目小计"])
    rows += [
        [SUMMARY_MARK, "", "", "上月结余（期初余额）", _money(figures["opening"]), "", ""],
        [SUMMARY_MARK, "", "收入", "本月收入合计", _money(figures["income"]), "", ""],
        [SUMMARY_MARK, "", "收入", "其中：上级补助收入", _money(figures["grants"]), "", ""],
        [SUMMARY_MARK, "", "收入", "其中：集体资产收益", _money(figures["asset_income"]), "", ""],
        [SUMMARY_MARK, "", "支出", "本月支出合计", _money(figures["expense"]), "", ""],
        [SUMMARY_MARK, "", "", "本月结余（期末余额）", _money(figures["closing"]), "", ""],
    ]
    return rows


def statement_blockers(ledger: Ledger, month: dt.date, today: dt.date | None = None) -> list[str]:
    """Why this month cannot be published now (empty when it can)."""
    today = today or localdate()
    if month < ledger.start_month:
        return [f"{month_label(month)}早于建账月份。"]
    if Statement.objects.filter(ledger=ledger, month=month).exists():
        return [f"{month_label(month)}的财务收支已公开。"]
    problems = []
    if month_end(month) >= today:
        problems.append(f"{month_label(month)}尚未结束，月末之后方可公开。")
    if month > ledger.start_month and not Statement.objects.filter(ledger=ledger, month=add_months(month, -1)).exists():
        problems.append(f"请先公开{month_label(add_months(month, -1))}的财务收支（逐月公开，结余逐月结转）。")
    open_numbers = list(Entry.objects.filter(ledger=ledger, month=month, state__in=OPEN_STATES)
                        .order_by("number").values_list("number", flat=True)[:20])
    if open_numbers:
        problems.append(f"该月还有未入账的记录（{'、'.join(open_numbers)}），须全部审批入账或作废后方可公开。")
    return problems


@transaction.atomic
def statement_publish(*, acting_user: Any, ledger: Ledger, month: Any, contact: str = "",
                      days: int | None = None) -> Statement:
    """财务收支月报: publish a month's income, expense and balance by category, grants and collective asset income,
    and every posted entry (named by its voucher number, so villagers can question it) on the village board
    through the publication kernel. The month is closed from then on."""
    ledger = _ledger_for(acting_user, ledger)
    the_month = parse_month(month)
    problems = statement_blockers(ledger, the_month)
    if problems:
        raise ValidationFailed(" ".join(problems), code="statement_blocked")
    figures = month_figures(ledger, the_month)
    today = localdate()
    span = days or getattr(settings, "FINANCE_STATEMENT_DAYS", 30)
    publication = publication_create(
        acting_user=acting_user, place=ledger.village, kind=PublicationKind.FINANCE_STATEMENT,
        title=f"{ledger.village.name}{month_label(the_month)}财务收支公开", columns=STATEMENT_COLUMNS,
        rows=statement_rows(figures), starts_on=today, ends_on=today + dt.timedelta(days=span - 1), contact=contact)
    statement = Statement.objects.create(
        ledger=ledger, place_path=ledger.place_path, month=the_month, publication=publication,
        opening=figures["opening"], income=figures["income"], expense=figures["expense"], closing=figures["closing"],
        entry_count=len(figures["entries"]), published_by=acting_user)
    _audit(acting_user, "statement_publish", statement, action=AuditAction.PUBLISH,
           after={"month": the_month, "publication": publication.public_id, "income": figures["income"],
                  "expense": figures["expense"], "closing": figures["closing"]})
    return statement


# --- the seven open books ---------------------------------------------------------------------------------------


@transaction.atomic
def book_item_add(*, acting_user: Any, ledger: Ledger, book: str, name: str, value: Any = "0", quantity: str = "",
                  direction: str = "", counterparty: str = "", note: str = "", recorded_on: Any = None) -> BookItem:
    """Register a collective asset, a resource, or a receivable / payable (the registers behind three books)."""
    ledger = _ledger_for(acting_user, ledger)
    if not may_enter(acting_user, ledger):
        raise NotFound()
    if book not in REGISTER_BOOKS:
        raise ValidationFailed("只有资产账、资源账、债权债务账按登记项目记载。", code="book")
    if book == Book.DEBTS and direction not in (DebtDirection.RECEIVABLE, DebtDirection.PAYABLE):
        raise ValidationFailed("请选择债权（应收）或债务（应付）。", code="direction")
    if book != Book.DEBTS:
        direction = DebtDirection.NONE
    amount = _balance(value or "0")
    if amount < 0:
        raise ValidationFailed("金额不能为负数。", code="value")
    day = parse_date(recorded_on, "登记日期") if recorded_on else localdate()
    item = BookItem.objects.create(
        ledger=ledger, place_path=ledger.place_path, book=book, name=_text(name, "名称", 100),
        quantity=_text(quantity, "数量/面积", 40, required=False), value=amount, direction=direction,
        counterparty=_text(counterparty, "使用人/对方", 100, required=book == Book.DEBTS),
        note=_text(note, "说明", 200, required=False), recorded_on=day, created_by=acting_user)
    _audit(acting_user, "book_item_add", item, action=AuditAction.CREATE,
           after={"book": book, "name": item.name, "value": amount, "direction": direction})
    return item


@transaction.atomic
def book_item_retire(*, acting_user: Any, item: BookItem, reason: str) -> BookItem:
    ledger = _ledger_for(acting_user, Ledger(pk=item.ledger_id))
    if not may_enter(acting_user, ledger):
        raise NotFound()
    note = _text(reason, "注销原因", 200)
    locked = BookItem.objects.select_for_update().get(pk=item.pk, ledger=ledger)
    if not locked.is_active:
        raise Conflict("该项目已注销。", code="retired")
    locked.is_active = False
    locked.note = (f"{locked.note}；" if locked.note else "") + f"注销：{note}"
    locked.save(update_fields=["is_active", "note"])
    _audit(acting_user, "book_item_retire", locked, before={"is_active": True}, after={"is_active": False,
                                                                                          "reason": note})
    return locked


def book_table(ledger: Ledger, book: str, year: int, through: dt.date | None) -> tuple[list[str], list[list[str]]]:
    """The columns and rows of one open book: entry books over the year's published (closed) months; register
    books as they stand."""
    if book in REGISTER_BOOKS:
        items = BookItem.objects.filter(ledger=ledger, book=book, is_active=True).order_by("recorded_on", "id")
        if book == Book.DEBTS:
            cols = ["序号", "类别", "对方", "事项", "金额（元）", "登记日期", "说明"]
            rows = [[str(i), it.get_direction_display(), it.counterparty, it.name, _money(it.value),
                     f"{it.recorded_on:%Y-%m-%d}", it.note] for i, it in enumerate(items, start=1)]
            receivable = sum((it.value for it in items if it.direction == DebtDirection.RECEIVABLE), Decimal("0"))
            payable = sum((it.value for it in items if it.direction == DebtDirection.PAYABLE), Decimal("0"))
            if rows:
                rows += [["合计", "债权（应收）", "", "", _money(receivable), "", ""],
                         ["合计", "债务（应付）", "", "", _money(payable), "", ""]]
            return cols, rows
        cols = ["序号", "名称", "数量/面积", "价值（元）", "使用人/经营方", "登记日期", "说明"]
        rows = [[str(i), it.name, it.quantity, _money(it.value), it.counterparty, f"{it.recorded_on:%Y-%m-%d}",
                 it.note] for i, it in enumerate(items, start=1)]
        if rows:
            rows.append(["合计", "", "", _money(sum((it.value for it in items), Decimal("0"))), "", "", ""])
        return cols, rows
    cols = ["凭证号", "日期", "收支", "科目", "金额（元）", "收付对象", "摘要"]
    if through is None:
        return cols, []
    qs = Entry.objects.filter(ledger=ledger, state=EntryState.POSTED, month__gte=dt.date(year, 1, 1),
                              month__lte=through).select_related("category").order_by("date", "number")
    tags = ENTRY_BOOK_TAGS[book]
    if tags is not None:
        qs = qs.filter(category__tag__in=tags)
    entries = list(qs)
    rows = [[e.number, f"{e.date:%Y-%m-%d}", e.get_kind_display(), e.category.name, _money(e.amount),
             mask_name(e.counterparty) if e.counterparty_private else e.counterparty, e.summary] for e in entries]
    if rows:
        income = sum((e.amount for e in entries if e.kind == EntryKind.INCOME), Decimal("0"))
        expense = sum((e.amount for e in entries if e.kind == EntryKind.EXPENSE), Decimal("0"))
        rows += [["合计", "", "收入", "", _money(income), "", ""], ["合计", "", "支出", "", _money(expense), "", ""]]
    return cols, rows


def book_through_month(ledger: Ledger, year: int) -> dt.date | None:
    """The last published month of the year (entry books cover only closed months)."""
    return Statement.objects.filter(ledger=ledger, month__year=year).aggregate(m=Max("month"))["m"]


@transaction.atomic
def book_publish(*, acting_user: Any, ledger: Ledger, book: str, year: int, contact: str = "",
                 days: int | None = None) -> BookPublication:
    """晒账: publish one of the seven open books for a year (entry books through its last published month) on the
    village board (publication kind ``finance_book``)."""
    ledger = _ledger_for(acting_user, ledger)
    if book not in Book.values:
        raise ValidationFailed("账本无效。", code="book")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed("年度无效。", code="year")
    through = book_through_month(ledger, year)
    if book not in REGISTER_BOOKS and through is None:
        raise ValidationFailed(f"{year}年尚无已公开的月份，{Book(book).label}无可公开的内容。", code="book_empty")
    cols, rows = book_table(ledger, book, year, through)
    if not rows:
        raise ValidationFailed(f"{Book(book).label}没有可公开的内容。", code="book_empty")
    today = localdate()
    label = str(Book(book).label)
    suffix = f"（截至{through.month}月）" if book not in REGISTER_BOOKS and through else ""
    publication = publication_create(
        acting_user=acting_user, place=ledger.village, kind=PublicationKind.FINANCE_BOOK,
        title=f"{ledger.village.name}{year}年{label}{suffix}", columns=cols, rows=rows, starts_on=today,
        ends_on=today + dt.timedelta(days=(days or getattr(settings, "FINANCE_STATEMENT_DAYS", 30)) - 1),
        contact=contact)
    record = BookPublication.objects.create(ledger=ledger, place_path=ledger.place_path, book=book, year=year,
                                            through_month=through or month_start(today), publication=publication)
    _audit(acting_user, "book_publish", record, action=AuditAction.PUBLISH,
           after={"book": book, "year": year, "publication": publication.public_id, "rows": len(rows)})
    return record
