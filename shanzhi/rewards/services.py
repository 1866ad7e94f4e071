"""Writing 积分兑换与信用 (domain.md P5–P6). Points move only through the ledger contract
(``shanzhi.points.ledger``: ``account_spend``, ``account_refund``, ``entry_credit_system``), which locks the
account row and checks the balance; these services decide who may act, check everything else first, and
write what was bought, reserved, weighed or looked up in the same transaction, with its audit entry.

Lock order, the same everywhere, so that two transactions can never wait on each other in a cycle:
  Redemption (cancel, expire, collect)  →  Account (inside the ledger call)  →  Goods.
A new redemption locks the Account first (``account_spend``), then the Goods row, and checks the stock under
that lock; two redemptions racing for the last item or the last points — exactly one wins, the other is
refused with a Chinese message and, because the whole service is one transaction, nothing of it remains."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction

from shanzhi.access.roles import Perm, Role
from shanzhi.audit.services import AuditAction, audit_record, snapshot
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.core.identity import mask_name, normalise_id_number
from shanzhi.files.services import attachment_create
from shanzhi.notify.services import notify_users
from shanzhi.points import ledger
from shanzhi.points.choices import EntryKind
from shanzhi.points.models import Account, Scheme
from shanzhi.regions.models import Place
from shanzhi.workflow.calendar import local_date
from shanzhi.workflow.clock import current

from . import selectors
from .choices import (
    PARTNER_KINDS,
    LookupOutcome,
    Material,
    MerchantKind,
    OfferKind,
    RedemptionChannel,
    RedemptionState,
)
from .models import (
    CreditConsent,
    CreditLookup,
    CreditTier,
    Goods,
    Merchant,
    MerchantOffer,
    MerchantRedemption,
    PayToken,
    RecyclingRate,
    RecyclingWeighing,
    Redemption,
    Shop,
)

NAME_MAX = 100
QTY_MAX = 99
STOCK_MAX = 100_000
KG_MAX = Decimal("10000")
PAY_TOKEN_MINUTES = 5
PAY_TOKEN_SALT = "shanzhi.rewards.pay"
PICKUP_SALT = "shanzhi.rewards.pickup"
CONSENT_DAYS_MAX = 3 * 366
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed at a counter


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or current()


def _text(value: Any, label: str, *, max_len: int = NAME_MAX, required: bool = True) -> str:
    value = (str(value) if value is not None else "").strip()
    if required and not value:
        raise ValidationFailed(f"请填写{label}。")
    if len(value) > max_len:
        raise ValidationFailed(f"{label}不能超过 {max_len} 个字。")
    return value


def _int(value: Any, label: str, *, low: int, high: int) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(f"{label}须是整数。")
    if not low <= n <= high:
        raise ValidationFailed(f"{label}须在 {low} 到 {high} 之间。")
    return n


def _decimal(value: Any, label: str, *, places: str, low: Decimal, high: Decimal, required: bool = True) -> Decimal | None:
    raw = (str(value) if value is not None else "").strip()
    if not raw:
        if required:
            raise ValidationFailed(f"请填写{label}。")
        return None
    try:
        d = Decimal(raw)
    except InvalidOperation:
        raise ValidationFailed(f"{label}须是数字。")
    if not d.is_finite():
        raise ValidationFailed(f"{label}须是数字。")
    if not low <= d <= high:  # before quantize: a huge value would overflow the decimal context
        raise ValidationFailed(f"{label}须在 {low:g} 到 {high:g} 之间。")
    if d != d.quantize(Decimal(places)):
        raise ValidationFailed(f"{label}最多保留 {len(places.split('.')[1])} 位小数。")
    return d.quantize(Decimal(places))


def _code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


# --- shops and goods -------------------------------------------------------------------------------------------


def _require_manage(user: Any, path: str) -> None:
    if not user.has_perm_at(Perm.SHOP_MANAGE, path):
        raise NotFound()


@transaction.atomic
def shop_create(*, acting_user: Any, place: Place, name: str, address: str = "", opening_hours: str = "",
                reservation_days: Any = 7, is_recycling_station: bool = False) -> Shop:
    """开设积分超市 at a village or township (domain.md P5), by whoever manages shops there."""
    _require_manage(acting_user, place.path)
    if place.level not in ("village", "township"):
        raise ValidationFailed("积分超市须设在村（社区）或乡镇（街道）。")
    name = _text(name, "超市名称")
    days = _int(reservation_days, "预约保留天数", low=1, high=30)
    if Shop.objects.filter(place=place, name=name).exists():
        raise ValidationFailed(f"“{place.name}”已有名为“{name}”的积分超市。")
    shop = Shop.objects.create(name=name, place=place, place_path=place.path,
                               address=_text(address, "地址", max_len=200, required=False),
                               opening_hours=_text(opening_hours, "开放时间", required=False),
                               reservation_days=days, is_recycling_station=bool(is_recycling_station))
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="rewards.shop_create", obj=shop,
                 after=snapshot(shop, ["name", "place_id", "reservation_days", "is_recycling_station"]))
    return shop


@transaction.atomic
def shop_keeper_add(*, acting_user: Any, shop: Shop, user: Any) -> Shop:
    """Name a keeper (超市管理员) who runs the counter; a keeper needs no other role."""
    _require_manage(acting_user, shop.place_path)
    if not getattr(user, "is_active", False):
        raise ValidationFailed("该账号已停用。")
    shop.keepers.add(user)
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="rewards.shop_keeper_add", obj=shop,
                 after={"keeper": user.pk})
    return shop


def _require_keeper(user: Any, shop: Shop) -> None:
    """Keepers of the shop and shop managers over its place run its counter; anyone else: not found."""
    if not selectors.can_keep(user, shop):
        raise NotFound()


def _photo(acting_user: Any, goods: Goods, photo: Any) -> None:
    if photo:
        goods.photo = attachment_create(acting_user=acting_user, file=photo, place_path=goods.place_path, obj=goods,
                                        kinds=("image",))
        goods.save(update_fields=["photo"])


@transaction.atomic
def goods_create(*, acting_user: Any, shop: Shop, name: str, price_points: Any, stock: Any, unit: str = "件",
                 market_price: Any = None, photo: Any = None) -> Goods:
    """上架商品: a good with a point price, its market price (for the villagers' comparison) and opening stock."""
    _require_keeper(acting_user, shop)
    name = _text(name, "商品名称")
    price = _decimal(price_points, "所需积分", places="0.1", low=Decimal("0.1"), high=Decimal("99999"))
    market = _decimal(market_price, "市场价", places="0.01", low=Decimal("0"), high=Decimal("9999999"), required=False)
    qty = _int(stock, "库存", low=0, high=STOCK_MAX)
    unit = _text(unit or "件", "单位", max_len=10)
    if Goods.objects.filter(shop=shop, name=name).exists():
        raise ValidationFailed(f"本超市已有商品“{name}”，请修改原商品。")
    goods = Goods.objects.create(shop=shop, place_path=shop.place_path, name=name, unit=unit, price_points=price,
                                 market_price=market, stock=qty)
    _photo(acting_user, goods, photo)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="rewards.goods_create", obj=goods,
                 after=snapshot(goods, ["name", "price_points", "market_price", "stock", "shop_id"]))
    return goods


@transaction.atomic
def goods_update(*, acting_user: Any, goods_id: int, name: str, price_points: Any, unit: str = "件",
                 market_price: Any = None, is_active: bool = True, photo: Any = None) -> Goods:
    """修改商品: name, prices, shelf state, photo. A price change applies to new redemptions only (each
    redemption keeps the points it took)."""
    goods = _goods(goods_id)
    _require_keeper(acting_user, goods.shop)
    name = _text(name, "商品名称")
    price = _decimal(price_points, "所需积分", places="0.1", low=Decimal("0.1"), high=Decimal("99999"))
    market = _decimal(market_price, "市场价", places="0.01", low=Decimal("0"), high=Decimal("9999999"), required=False)
    unit = _text(unit or "件", "单位", max_len=10)
    if Goods.objects.filter(shop=goods.shop, name=name).exclude(pk=goods.pk).exists():
        raise ValidationFailed(f"本超市已有商品“{name}”。")
    goods = Goods.objects.select_for_update().get(pk=goods.pk)
    before = snapshot(goods, ["name", "price_points", "market_price", "unit", "is_active"])
    goods.name, goods.price_points, goods.market_price, goods.unit = name, price, market, unit
    goods.is_active = bool(is_active)
    goods.save(update_fields=["name", "price_points", "market_price", "unit", "is_active", "updated_at"])
    _photo(acting_user, goods, photo)
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="rewards.goods_update", obj=goods, before=before,
                 after=snapshot(goods, ["name", "price_points", "market_price", "unit", "is_active"]))
    return goods


def _goods(goods_id: Any) -> Goods:
    try:
        return Goods.objects.select_related("shop").get(pk=goods_id)
    except (Goods.DoesNotExist, ValueError, TypeError):
        raise NotFound("没有这件商品。")


@transaction.atomic
def goods_restock(*, acting_user: Any, goods_id: int, change: Any, reason: str) -> Goods:
    """入库/盘点: add stock (positive) or write off (negative, e.g. spoiled), never below zero; audited with the
    reason, since stock is what reservations hold."""
    goods = _goods(goods_id)
    _require_keeper(acting_user, goods.shop)
    delta = _int(change, "数量变动", low=-STOCK_MAX, high=STOCK_MAX)
    if delta == 0:
        raise ValidationFailed("数量变动不能为 0。")
    reason = _text(reason, "变动原因", max_len=200)
    goods = Goods.objects.select_for_update().get(pk=goods.pk)
    if goods.stock + delta < 0:
        raise ValidationFailed(f"库存不足：现有 {goods.stock}{goods.unit}，不能减少 {-delta}{goods.unit}。")
    before = goods.stock
    goods.stock += delta
    goods.save(update_fields=["stock", "updated_at"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="rewards.goods_restock", obj=goods,
                 before={"stock": before}, after={"stock": goods.stock}, detail=reason)
    return goods


# --- redemption ------------------------------------------------------------------------------------------------


def _account(account_id: Any) -> Account:
    try:
        return Account.objects.select_related("scheme").get(pk=account_id)
    except (Account.DoesNotExist, ValueError, TypeError):
        raise NotFound("没有这个积分账户。")


def _new_redemption_code() -> str:
    for _ in range(20):
        code = _code(6)
        if not Redemption.objects.filter(code=code).exists():
            return code
    raise Conflict("取货码生成失败，请重试。")


@transaction.atomic
def redemption_create(*, acting_user: Any, goods_id: Any, account_id: Any, qty: Any, channel: str,
                      now: dt.datetime | None = None) -> Redemption:
    """兑换 (domain.md P5): at the counter by a keeper (``shop``: redeemed at once) or reserved by the villager on
    the phone (``phone``: points and stock held until collected, cancelled or expired). Points are spent
    through ``account_spend`` (locks the account, checks the balance), then the goods row is locked and its
    stock checked; any refusal rolls the whole redemption back."""
    at = _now(now)
    if channel not in RedemptionChannel.values:
        raise ValidationFailed("兑换方式不正确。")
    goods = _goods(goods_id)
    shop = goods.shop
    account = _account(account_id)
    if channel == RedemptionChannel.SHOP:
        _require_keeper(acting_user, shop)
    elif not selectors.my_accounts(user=acting_user).filter(pk=account.pk).exists():
        raise NotFound("没有这个积分账户。")
    qty = _int(qty, "数量", low=1, high=QTY_MAX)
    if not shop.is_active:
        raise ValidationFailed(f"“{shop.name}”暂停营业。")
    if not goods.is_active:
        raise ValidationFailed(f"“{goods.name}”已下架。")
    if not account.place_path.startswith(shop.place_path):
        raise ValidationFailed(f"“{mask_name(account.name)}”不在“{shop.name}”的服务范围内。")
    points = goods.price_points * qty
    if goods.stock < qty:  # a quick answer; the authoritative check is under the goods lock below
        raise ValidationFailed(f"“{goods.name}”库存不足：剩 {goods.stock}{goods.unit}。", code="rewards_stock")
    if account.spendable < points:
        raise ValidationFailed(f"积分余额不足：可用 {account.spendable:g} 分，需要 {points:g} 分。",
                               code="points_insufficient")
    code = _new_redemption_code()
    reserve = channel == RedemptionChannel.PHONE
    entry = ledger.account_spend(acting_user=acting_user, account_id=account.pk, points=points,
                                 reason=f"兑换 {goods.name}×{qty}（{shop.name}）", source_ref=f"rewards.redemption:{code}")
    locked = Goods.objects.select_for_update().get(pk=goods.pk)
    if not locked.is_active:
        raise ValidationFailed(f"“{locked.name}”已下架。")
    if locked.price_points != goods.price_points:
        raise Conflict(f"“{locked.name}”的积分价格刚刚调整，请刷新后重试。")
    if locked.stock < qty:
        raise ValidationFailed(f"“{locked.name}”库存不足：剩 {locked.stock}{locked.unit}，已被他人兑换。", code="rewards_stock")
    locked.stock -= qty
    locked.save(update_fields=["stock", "updated_at"])
    redemption = Redemption.objects.create(
        shop=shop, goods=locked, account=account, place_path=shop.place_path, goods_name=locked.name,
        account_name=account.name, qty=qty, unit_points=locked.price_points, points=points, channel=channel,
        state=RedemptionState.RESERVED if reserve else RedemptionState.REDEEMED, code=code, created_by=acting_user,
        expires_at=at + dt.timedelta(days=shop.reservation_days) if reserve else None,
        closed_by=None if reserve else acting_user, closed_at=None if reserve else at, spend_entry=entry,
    )
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="rewards.redemption_create", obj=redemption,
                 after={"goods": locked.pk, "qty": qty, "points": str(points), "account": account.pk,
                        "channel": channel, "state": redemption.state, "stock": locked.stock})
    if reserve:
        notify_users(users=shop.keepers.all(), title=f"{shop.name}：新的兑换预约 {locked.name}×{qty}（取货码 {code}）",
                     link=f"/rewards/shop/{shop.pk}/")
    return redemption


def pickup_token(redemption: Redemption) -> str:
    """The signed content of a reservation's QR code (the keeper scans it to collect)."""
    return signing.Signer(salt=PICKUP_SALT).sign(redemption.code)


def _lock_redemption(pk: int) -> Redemption:
    try:
        return Redemption.objects.select_for_update().select_related("shop", "goods").get(pk=pk)
    except (Redemption.DoesNotExist, ValueError, TypeError):
        raise NotFound()


@transaction.atomic
def redemption_collect(*, acting_user: Any, shop: Shop, code: str = "", token: str = "",
                       now: dt.datetime | None = None) -> Redemption:
    """领取: the keeper enters the pickup code (or scans its QR) and hands over the goods."""
    _require_keeper(acting_user, shop)
    at = _now(now)
    if token:
        try:
            code = signing.Signer(salt=PICKUP_SALT).unsign(token.strip())
        except signing.BadSignature:
            raise ValidationFailed("二维码无效。", code="rewards_pickup_token")
    code = (code or "").strip().upper()
    if not code:
        raise ValidationFailed("请输入取货码。")
    found = Redemption.objects.filter(shop=shop, code=code).values_list("pk", flat=True).first()
    if found is None:
        raise ValidationFailed(f"本超市没有取货码为“{code}”的预约。", code="rewards_pickup_code")
    redemption = _lock_redemption(found)
    if redemption.state != RedemptionState.RESERVED:
        raise Conflict(f"取货码 {code} 的兑换{redemption.get_state_display()}，不能再次领取。")
    if redemption.expires_at and redemption.expires_at <= at:
        raise Conflict(f"取货码 {code} 的预约已过期。")
    redemption.state, redemption.closed_by, redemption.closed_at = RedemptionState.COLLECTED, acting_user, at
    redemption.save(update_fields=["state", "closed_by", "closed_at"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="rewards.redemption_collect", obj=redemption,
                 before={"state": RedemptionState.RESERVED}, after={"state": redemption.state})
    return redemption


def _release(redemption: Redemption, *, acting_user: Any, state: str, reason: str, at: dt.datetime) -> Redemption:
    """Give the points back (``account_refund``) and the goods back to stock, in the lock order
    redemption → account → goods. The redemption is locked by the caller."""
    refund = ledger.account_refund(acting_user=acting_user, account_id=redemption.account_id, points=redemption.points,
                                   reason=reason, source_ref=f"rewards.redemption:{redemption.code}")
    goods = Goods.objects.select_for_update().get(pk=redemption.goods_id)
    goods.stock += redemption.qty
    goods.save(update_fields=["stock", "updated_at"])
    redemption.state, redemption.refund_entry = state, refund
    redemption.closed_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    redemption.closed_at = at
    redemption.save(update_fields=["state", "refund_entry", "closed_by", "closed_at"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event=f"rewards.redemption_{state}", obj=redemption,
                 before={"state": RedemptionState.RESERVED}, after={"state": state, "stock": goods.stock}, detail=reason)
    return redemption


@transaction.atomic
def redemption_cancel(*, acting_user: Any, redemption_id: Any, now: dt.datetime | None = None) -> Redemption:
    """取消预约, by the villager whose account it is or by a keeper: points refunded, stock restored."""
    at = _now(now)
    redemption = selectors.redemption_for_owner_or_keeper(user=acting_user, pk=redemption_id)
    redemption = _lock_redemption(redemption.pk)
    if redemption.state != RedemptionState.RESERVED:
        raise Conflict(f"该兑换{redemption.get_state_display()}，不能取消。")
    return _release(redemption, acting_user=acting_user, state=RedemptionState.CANCELLED,
                    reason=f"取消预约 {redemption.goods_name}×{redemption.qty}（取货码 {redemption.code}）", at=at)


def redemptions_expire(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The periodic sweep: reservations past their date expire — points back, stock back — one transaction
    each, each row re-checked under its lock (several workers may sweep at once)."""
    at = _now(now)
    due = list(Redemption.objects.filter(state=RedemptionState.RESERVED, expires_at__lte=at)
               .order_by("expires_at", "id").values_list("pk", flat=True)[:limit])
    done = 0
    for pk in due:
        with transaction.atomic():
            redemption = _lock_redemption(pk)
            if redemption.state != RedemptionState.RESERVED or redemption.expires_at > at:
                continue
            _release(redemption, acting_user=None, state=RedemptionState.EXPIRED,
                     reason=f"预约逾期未领取 {redemption.goods_name}×{redemption.qty}（取货码 {redemption.code}）", at=at)
            owners = selectors.account_users(redemption.account)
            notify_users(users=owners, title=f"您预约的{redemption.goods_name}逾期未领取，积分已退回",
                         link="/rewards/my/")
            done += 1
    return done


# --- merchants -------------------------------------------------------------------------------------------------


@transaction.atomic
def merchant_create(*, acting_user: Any, place: Place, name: str, kind: str = MerchantKind.SHOP, address: str = "",
                    contact_phone: str = "") -> Merchant:
    """签约合作商户 (a shop, bank or employer serving a village or township)."""
    _require_manage(acting_user, place.path)
    if place.level not in ("village", "township"):
        raise ValidationFailed("合作商户须对应村（社区）或乡镇（街道）。")
    if kind not in MerchantKind.values:
        raise ValidationFailed("商户类型不正确。")
    name = _text(name, "商户名称")
    if Merchant.objects.filter(place=place, name=name).exists():
        raise ValidationFailed(f"“{place.name}”已有合作商户“{name}”。")
    merchant = Merchant.objects.create(name=name, kind=kind, place=place, place_path=place.path,
                                       address=_text(address, "地址", max_len=200, required=False),
                                       contact_phone=_text(contact_phone, "联系电话", max_len=20, required=False))
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="rewards.merchant_create", obj=merchant,
                 after=snapshot(merchant, ["name", "kind", "place_id"]))
    return merchant


@transaction.atomic
def merchant_user_add(*, acting_user: Any, merchant: Merchant, user: Any) -> Merchant:
    """Link a MERCHANT account to the merchant; the account must hold the role over the merchant's place."""
    _require_manage(acting_user, merchant.place_path)
    held = any(role == Role.MERCHANT and merchant.place_path.startswith(path) for role, _p, path in user.grants())
    if not held:
        raise ValidationFailed(f"账号“{user.display_name}”没有该区划的“合作商户”角色，请先分配角色。")
    merchant.users.add(user)
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="rewards.merchant_user_add", obj=merchant,
                 after={"user": user.pk})
    return merchant


@transaction.atomic
def offer_create(*, acting_user: Any, merchant: Merchant, kind: str, title: str, points: Any) -> MerchantOffer:
    """商户优惠: goods for points, or a discount paid in points."""
    _require_manage(acting_user, merchant.place_path)
    if kind not in OfferKind.values:
        raise ValidationFailed("优惠类型不正确。")
    title = _text(title, "优惠内容")
    pts = _decimal(points, "所需积分", places="0.1", low=Decimal("0.1"), high=Decimal("99999"))
    offer = MerchantOffer.objects.create(merchant=merchant, kind=kind, title=title, points=pts)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="rewards.offer_create", obj=offer,
                 place_path=merchant.place_path, after={"merchant": merchant.pk, "title": title, "points": str(pts)})
    return offer


def pay_token_issue(*, acting_user: Any, account_id: Any, now: dt.datetime | None = None) -> tuple[PayToken, str]:
    """付款码: a one-time code for the villager's phone — 8 digits to read out, and the signed token (salted,
    timestamped) that the QR code carries. Valid for a few minutes; used at most once."""
    at = _now(now)
    account = selectors.my_accounts(user=acting_user).filter(pk=account_id).first()
    if account is None:
        raise NotFound("没有这个积分账户。")
    for _ in range(20):
        code = f"{secrets.randbelow(10**8):08d}"
        try:
            with transaction.atomic():
                token = PayToken.objects.create(account=account, user=acting_user, code=code, issued_at=at,
                                                expires_at=at + dt.timedelta(minutes=PAY_TOKEN_MINUTES))
            break
        except IntegrityError:
            continue
    else:
        raise Conflict("付款码生成失败，请重试。")
    signed = signing.TimestampSigner(salt=PAY_TOKEN_SALT).sign(code)
    return token, signed


def pay_token_resolve(*, acting_user: Any, merchant: Merchant, code: str = "", token: str = "",
                      now: dt.datetime | None = None) -> PayToken:
    """What a merchant sees after scanning (or typing) a code: the token, if valid, unused, current, and the
    account lives where the merchant serves. Refusals say why; reading changes nothing."""
    at = _now(now)
    selectors.require_merchant_user(acting_user, merchant, Perm.SHOP_CONFIRM)
    if token:
        try:
            code = signing.TimestampSigner(salt=PAY_TOKEN_SALT).unsign(token.strip(),
                                                                      max_age=dt.timedelta(minutes=PAY_TOKEN_MINUTES))
        except signing.SignatureExpired:
            raise ValidationFailed("付款码已过期，请村民刷新后重新出示。", code="rewards_pay_expired")
        except signing.BadSignature:
            raise ValidationFailed("二维码无效，不是本平台的付款码。", code="rewards_pay_invalid")
    code = (code or "").replace(" ", "").strip()  # the phone shows it as "1234 5678"
    pay = PayToken.objects.select_related("account", "account__scheme").filter(code=code).first() if code else None
    if pay is None:
        raise ValidationFailed("付款码不正确。", code="rewards_pay_invalid")
    if pay.used_at is not None:
        raise Conflict("该付款码已使用过，不能重复核销。", code="rewards_pay_used")
    if pay.expires_at <= at:
        raise ValidationFailed("付款码已过期，请村民刷新后重新出示。", code="rewards_pay_expired")
    if not pay.account.place_path.startswith(merchant.place_path):
        raise ValidationFailed(f"该村民不在“{merchant.name}”的服务范围内。", code="rewards_pay_place")
    return pay


@transaction.atomic
def merchant_confirm(*, acting_user: Any, merchant: Merchant, offer_id: Any, code: str = "", token: str = "",
                     now: dt.datetime | None = None) -> MerchantRedemption:
    """商户核销: spend the offer's points from the account behind a one-time pay code. The pay token row is locked
    and marked used in the same transaction as the spend, so a replayed or doubly-submitted code is refused."""
    at = _now(now)
    pay = pay_token_resolve(acting_user=acting_user, merchant=merchant, code=code, token=token, now=at)
    offer = MerchantOffer.objects.filter(pk=offer_id, merchant=merchant, is_active=True).first() if str(offer_id).isdigit() else None
    if offer is None:
        raise ValidationFailed("请选择本商户有效的优惠项目。")
    pay = PayToken.objects.select_for_update().get(pk=pay.pk)
    if pay.used_at is not None:
        raise Conflict("该付款码已使用过，不能重复核销。", code="rewards_pay_used")
    entry = ledger.account_spend(acting_user=acting_user, account_id=pay.account_id, points=offer.points,
                                 reason=f"{merchant.name}：{offer.title}", source_ref=f"rewards.merchant:{pay.code}")
    pay.used_at = at
    pay.save(update_fields=["used_at"])
    account = Account.objects.get(pk=pay.account_id)
    done = MerchantRedemption.objects.create(
        merchant=merchant, offer=offer, account=account, place_path=merchant.place_path, title=offer.title,
        account_name=account.name, points=offer.points, token=pay, confirmed_by=acting_user, spend_entry=entry)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="rewards.merchant_confirm", obj=done,
                 after={"offer": offer.pk, "points": str(offer.points), "account": account.pk})
    notify_users(users=[pay.user], title=f"{merchant.name}已核销“{offer.title}”，扣除 {offer.points:g} 积分",
                 link="/rewards/my/")
    return done


# --- recyclables -----------------------------------------------------------------------------------------------


@transaction.atomic
def rate_publish(*, acting_user: Any, place: Place, scheme_id: Any, material: str, points_per_kg: Any,
                 effective_from: dt.date) -> RecyclingRate:
    """发布回收价目: a new rate for a material from a date (today or later); earlier rates stay as history and
    keep applying to the days before."""
    _require_manage(acting_user, place.path)
    if place.level != "village":
        raise ValidationFailed("回收价目按村发布。")
    if material not in Material.values:
        raise ValidationFailed("回收品类不正确。")
    scheme = Scheme.objects.filter(pk=scheme_id if str(scheme_id).isdigit() else None, place_path=place.path,
                                   is_template=False).first()
    if scheme is None:
        raise ValidationFailed("请选择本村施行中的积分方案。")
    rate = _decimal(points_per_kg, "每公斤积分", places="0.01", low=Decimal("0.01"), high=Decimal("1000"))
    if effective_from < local_date(current()):
        raise ValidationFailed("执行日期不能早于今天：已执行的价目不能改动。")
    if RecyclingRate.objects.filter(place=place, material=material, effective_from=effective_from).exists():
        raise ValidationFailed(f"{Material(material).label}在 {effective_from} 已有价目。")
    row = RecyclingRate.objects.create(place=place, place_path=place.path, scheme=scheme, material=material,
                                       points_per_kg=rate, effective_from=effective_from, published_by=acting_user)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="rewards.rate_publish", obj=row,
                 after=snapshot(row, ["material", "points_per_kg", "effective_from", "scheme_id"]))
    return row


@transaction.atomic
def weighing_record(*, acting_user: Any, shop: Shop, account_id: Any, material: str, kg: Any,
                    weighed_on: dt.date | None = None) -> RecyclingWeighing:
    """回收称重: kg × the rate in force that day (for the account's village), credited through the ledger at once
    (kind recycling — the rate is published, so no review)."""
    _require_keeper(acting_user, shop)
    if not shop.is_recycling_station:
        raise ValidationFailed(f"“{shop.name}”不是回收点。")
    day = weighed_on or local_date(current())
    if day > local_date(current()):
        raise ValidationFailed("称重日期不能晚于今天。")
    if material not in Material.values:
        raise ValidationFailed("回收品类不正确。")
    weight = _decimal(kg, "重量", places="0.01", low=Decimal("0.01"), high=KG_MAX)
    account = _account(account_id)
    if not account.place_path.startswith(shop.place_path):
        raise ValidationFailed(f"“{mask_name(account.name)}”不在“{shop.name}”的服务范围内。")
    rate = selectors.rate_in_force(account_path=account.place_path, material=material, day=day)
    if rate is None:
        raise ValidationFailed(f"{day} 没有施行中的{Material(material).label}回收价目。")
    if rate.scheme_id != account.scheme_id:
        raise ValidationFailed(f"{Material(material).label}回收积分计入“{rate.scheme.name}”，请选择该方案的账户。")
    if rate.published_by_id == acting_user.pk:
        # Separation of duties: whoever sets the rate does not also weigh and credit under it.
        raise ValidationFailed("发布该回收价目的人员不能亲自称重记分，请由回收点管理员称重。", code="weigh_own_rate")
    points = (weight * rate.points_per_kg).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if points <= 0:
        raise ValidationFailed("重量太小，折算积分不足 0.1 分。")
    row = RecyclingWeighing(shop=shop, rate=rate, account=account, place_path=shop.place_path,
                            account_name=account.name, material=material, kg=weight, points=points, weighed_on=day,
                            weighed_by=acting_user)
    row.entry = ledger.entry_credit_system(
        acting_user=acting_user, account_id=account.pk, item_id=None, points=points, kind=EntryKind.RECYCLING,
        deed_date=day, source_ref=f"rewards.weighing:{shop.pk}:{day:%Y%m%d}",
        note=f"{Material(material).label} {weight:g} 公斤 × {rate.points_per_kg:g} 分/公斤（{shop.name}）")
    row.save()
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="rewards.weighing_record", obj=row,
                 after={"account": account.pk, "material": material, "kg": str(weight), "points": str(points),
                        "rate": rate.pk})
    return row


# --- credit ----------------------------------------------------------------------------------------------------


@transaction.atomic
def tier_set(*, acting_user: Any, scheme_id: Any, name: str, min_points: Any, benefits: str = "") -> CreditTier:
    """信用等级: a threshold of a scheme's honour score; the same threshold again renames/updates that tier."""
    scheme = Scheme.objects.filter(pk=scheme_id if str(scheme_id).isdigit() else None, is_template=False).first()
    if scheme is None:
        raise NotFound()
    _require_manage(acting_user, scheme.place_path)
    name = _text(name, "等级名称", max_len=30)
    threshold = _decimal(min_points, "积分下限", places="0.1", low=Decimal("-99999"), high=Decimal("99999"))
    benefits = _text(benefits, "合作方权益", max_len=300, required=False)
    tier, created = CreditTier.objects.update_or_create(
        scheme=scheme, min_points=threshold,
        defaults={"name": name, "benefits": benefits, "place_path": scheme.place_path})
    audit_record(actor=acting_user, action=AuditAction.CREATE if created else AuditAction.UPDATE,
                 event="rewards.tier_set", obj=tier, after={"name": name, "min_points": str(threshold)})
    return tier


def _person(user: Any) -> Any:
    person = getattr(user, "person", None)
    if person is None:
        raise ValidationFailed("您的账号未关联村民信息，请联系村委会。")
    return person


@transaction.atomic
def consent_give(*, acting_user: Any, months: Any = 12, now: dt.datetime | None = None) -> CreditConsent:
    """授权信用查询: the villager consents, for a period, that partner banks and employers may see their tier."""
    at = _now(now)
    person = _person(acting_user)
    n = _int(months, "授权期限（月）", low=1, high=36)
    valid_until = local_date(at) + dt.timedelta(days=min(n * 30, CONSENT_DAYS_MAX))
    if selectors.current_consent(person=person, now=at) is not None:
        raise Conflict("您已授权，且仍在有效期内；如需变更请先撤销。")
    consent = CreditConsent.objects.create(person=person, place_path=person.place_path, given_by=acting_user,
                                           given_at=at, valid_until=valid_until)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="rewards.consent_give", obj=consent,
                 after={"valid_until": valid_until.isoformat()})
    return consent


@transaction.atomic
def consent_revoke(*, acting_user: Any, now: dt.datetime | None = None) -> CreditConsent:
    """撤销授权, at any time; the record stays, dated."""
    at = _now(now)
    person = _person(acting_user)
    consent = selectors.current_consent(person=person, now=at)
    if consent is None:
        raise Conflict("您目前没有有效的授权。")
    consent = CreditConsent.objects.select_for_update().get(pk=consent.pk)
    consent.revoked_at = at
    consent.save(update_fields=["revoked_at"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="rewards.consent_revoke", obj=consent,
                 after={"revoked_at": at.isoformat()})
    return consent


@transaction.atomic
def credit_lookup(*, acting_user: Any, merchant: Merchant, id_number: str, purpose: str,
                  now: dt.datetime | None = None) -> tuple[CreditLookup, list[dict[str, Any]]]:
    """信用查询 by a partner bank or employer (domain.md P6): the villager's tiers — shown only when their consent
    is recorded and current. Every look-up, shown or refused, is recorded (listed to the villager) and audited."""
    at = _now(now)
    selectors.require_merchant_user(acting_user, merchant, Perm.CREDIT_VIEW)
    if merchant.kind not in PARTNER_KINDS:
        raise PermissionDenied("只有合作银行和用工单位可以查询信用等级。")
    purpose = _text(purpose, "查询事由", max_len=100)
    raw = (id_number or "").strip()
    if not raw:
        raise ValidationFailed("请输入公民身份号码。")
    from shanzhi.people.models import Person

    number = normalise_id_number(raw)
    person = Person.objects.filter(id_number=number, place_path__prefix=merchant.place_path).first()
    if person is None:
        raise ValidationFailed("在本单位服务范围内没有找到该身份号码的村民。")
    consent = selectors.current_consent(person=person, now=at)
    tiers: list[dict[str, Any]] = []
    if consent is not None:
        tiers = selectors.person_tiers(person=person)
    outcome = LookupOutcome.SHOWN if consent is not None else LookupOutcome.REFUSED
    shown = "；".join(f"{t['scheme']}：{t['tier'] or '未达等级'}" for t in tiers)[:100]
    lookup = CreditLookup.objects.create(merchant=merchant, looked_by=acting_user, person=person,
                                         place_path=person.place_path, purpose=purpose, outcome=outcome,
                                         tier_name=shown)
    audit_record(actor=acting_user, action=AuditAction.REVEAL, event="rewards.credit_lookup", obj=lookup,
                 object_repr=f"{merchant.name} 查询 {mask_name(person.name)}", success=consent is not None,
                 after={"person": person.pk, "outcome": outcome, "purpose": purpose, "shown": shown})
    return lookup, tiers
