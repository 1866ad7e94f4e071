"""Reading 积分兑换与信用. Staff reads start from ``visible_to(user, shop.manage)``; a shop's keepers see their own
shop; a villager sees their own accounts (their person's and their household's), their redemptions, consents
and the look-ups of their credit; a merchant's staff see their merchant. Everything else is "not found"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound
from shanzhi.core.home import ActionItem
from shanzhi.points.models import Account
from shanzhi.regions.models import path_prefixes
from shanzhi.workflow.calendar import local_date
from shanzhi.workflow.clock import current

from .choices import RedemptionState
from .models import (
    CreditConsent,
    CreditLookup,
    CreditTier,
    Goods,
    Merchant,
    MerchantRedemption,
    RecyclingRate,
    RecyclingWeighing,
    Redemption,
    Shop,
)


def _authenticated(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


# --- shops ----------------------------------------------------------------------------------------------------


def shops_visible(*, user: Any) -> QuerySet[Shop]:
    """Shops the user runs: as a shop manager over the place, or as a named keeper."""
    if not _authenticated(user):
        return Shop.objects.none()
    kept = Shop.objects.filter(keepers=user).values("pk")
    return Shop.objects.filter(Q(pk__in=Shop.objects.visible_to(user, Perm.SHOP_MANAGE).values("pk")) | Q(pk__in=kept))


def can_keep(user: Any, shop: Shop) -> bool:
    if not _authenticated(user):
        return False
    return user.has_perm_at(Perm.SHOP_MANAGE, shop.place_path) or shop.keepers.filter(pk=user.pk).exists()


def shop_detail(*, user: Any, pk: Any) -> Shop:
    try:
        return shops_visible(user=user).select_related("place").get(pk=pk)
    except (Shop.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def shop_list(*, user: Any) -> QuerySet[Shop]:
    return shops_visible(user=user).select_related("place").order_by("place_path", "name")


def goods_of_shop(*, shop: Shop) -> QuerySet[Goods]:
    return Goods.objects.filter(shop=shop).select_related("photo").order_by("-is_active", "price_points", "id")


def goods_detail(*, user: Any, pk: Any) -> Goods:
    try:
        goods = Goods.objects.select_related("shop", "photo").get(pk=pk)
    except (Goods.DoesNotExist, ValueError, TypeError):
        raise NotFound()
    if not can_keep(user, goods.shop):
        raise NotFound()
    return goods


def goods_visible(*, user: Any) -> QuerySet[Goods]:
    """Goods a user may see (and so their photos): a shop's runners, and villagers whose accounts it serves."""
    if not _authenticated(user):
        return Goods.objects.none()
    runners = Goods.objects.filter(shop__in=shops_visible(user=user))
    paths = _my_shop_paths(user)
    return Goods.objects.filter(Q(pk__in=runners.values("pk")) | Q(place_path__in=paths, is_active=True))


def redemptions_of_shop(*, shop: Shop, state: str = "", q: str = "") -> QuerySet[Redemption]:
    qs = Redemption.objects.filter(shop=shop)
    if state in RedemptionState.values:
        qs = qs.filter(state=state)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(code=q.upper()) | Q(goods_name__contains=q) | Q(account_name__contains=q))
    return qs.select_related("created_by", "account__scheme").order_by("-created_at", "-id")


def accounts_for_shop(*, shop: Shop, q: str) -> QuerySet[Account]:
    """Accounts served by a shop, by the holder's name (the keeper picks the villager at the counter)."""
    q = (q or "").strip()
    if not q:
        return Account.objects.none()
    return (Account.objects.filter(place_path__prefix=shop.place_path, name__contains=q,
                                   scheme__is_template=False).select_related("scheme").order_by("name", "id")[:20])


def home_items(user: Any) -> list[ActionItem]:
    """Reservations waiting for collection at the shops the user runs."""
    if not _authenticated(user):
        return []
    if not user.has_perm_anywhere(Perm.SHOP_MANAGE) and not Shop.objects.filter(keepers=user).exists():
        return []
    shops = shops_visible(user=user)
    n = Redemption.objects.filter(shop__in=shops, state=RedemptionState.RESERVED).count()
    if not n:
        return []
    return [ActionItem(title="积分超市待领取预约", count=n, url=reverse("rewards_index"),
                       hint="村民手机预约的商品，凭取货码领取")]


# --- a villager's own ------------------------------------------------------------------------------------------


def my_accounts(*, user: Any) -> QuerySet[Account]:
    """The user's own points accounts: their person's and their household's (not enterprises)."""
    if not _authenticated(user) or not getattr(user, "person_id", None):
        return Account.objects.none()
    person = user.person
    return (Account.objects.filter(Q(person_id=person.pk) | Q(household_id=person.household_id))
            .filter(scheme__is_template=False).select_related("scheme").order_by("scheme_id", "id"))


def _my_shop_paths(user: Any) -> list[str]:
    paths: set[str] = set()
    for path in my_accounts(user=user).values_list("place_path", flat=True):
        paths.update(path_prefixes(path))
    return sorted(paths)


def shops_for_villager(*, user: Any) -> QuerySet[Shop]:
    return Shop.objects.filter(place_path__in=_my_shop_paths(user), is_active=True).order_by("place_path", "name")


def goods_for_villager(*, user: Any) -> QuerySet[Goods]:
    return (Goods.objects.filter(shop__in=shops_for_villager(user=user), is_active=True)
            .select_related("shop", "photo").order_by("price_points", "id"))


def my_redemptions(*, user: Any) -> QuerySet[Redemption]:
    return (Redemption.objects.filter(account__in=my_accounts(user=user))
            .select_related("shop").order_by("-created_at", "-id"))


def my_merchant_redemptions(*, user: Any) -> QuerySet[MerchantRedemption]:
    return (MerchantRedemption.objects.filter(account__in=my_accounts(user=user))
            .select_related("merchant").order_by("-confirmed_at", "-id"))


def redemption_for_owner_or_keeper(*, user: Any, pk: Any) -> Redemption:
    try:
        redemption = Redemption.objects.select_related("shop").get(pk=pk)
    except (Redemption.DoesNotExist, ValueError, TypeError):
        raise NotFound()
    if my_accounts(user=user).filter(pk=redemption.account_id).exists() or can_keep(user, redemption.shop):
        return redemption
    raise NotFound()


def redemption_by_code(*, user: Any, code: str) -> Redemption:
    """A reservation by its pickup code, for a keeper of its shop (the pickup QR's landing page)."""
    found = Redemption.objects.select_related("shop", "goods").filter(code=code).first()
    if found is None or not can_keep(user, found.shop):
        raise NotFound()
    return found


def account_users(account: Account) -> list[Any]:
    """Accounts' holders with a login: the person, or the household's members."""
    from shanzhi.access.models import User

    if account.person_id:
        return list(User.objects.filter(person_id=account.person_id, is_active=True))
    if account.household_id:
        return list(User.objects.filter(person__household_id=account.household_id, is_active=True))
    return []


# --- merchants ------------------------------------------------------------------------------------------------


def merchants_of(*, user: Any) -> QuerySet[Merchant]:
    """The merchants whose staff the user is (and whose role they still hold)."""
    if not _authenticated(user):
        return Merchant.objects.none()
    return Merchant.objects.filter(users=user, is_active=True).order_by("name")


def require_merchant_user(user: Any, merchant: Merchant, perm: str) -> None:
    if not (_authenticated(user) and merchant.is_active and user.has_perm_at(perm, merchant.place_path)
            and merchant.users.filter(pk=user.pk).exists()):
        raise NotFound()


def merchant_for_user(*, user: Any, pk: Any, perm: str = Perm.SHOP_CONFIRM) -> Merchant:
    try:
        merchant = Merchant.objects.get(pk=pk)
    except (Merchant.DoesNotExist, ValueError, TypeError):
        raise NotFound()
    require_merchant_user(user, merchant, perm)
    return merchant


def merchants_visible(*, user: Any) -> QuerySet[Merchant]:
    return Merchant.objects.visible_to(user, Perm.SHOP_MANAGE).select_related("place").order_by("place_path", "name")


def merchant_detail(*, user: Any, pk: Any) -> Merchant:
    try:
        return merchants_visible(user=user).get(pk=pk)
    except (Merchant.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def merchant_redemptions(*, merchant: Merchant) -> QuerySet[MerchantRedemption]:
    return MerchantRedemption.objects.filter(merchant=merchant).select_related("confirmed_by").order_by(
        "-confirmed_at", "-id")


# --- recyclables ----------------------------------------------------------------------------------------------


def rate_in_force(*, account_path: str, material: str, day: dt.date) -> RecyclingRate | None:
    """The rate of ``material`` for the village over ``account_path`` on ``day``: the latest published from a
    day not after it."""
    return (RecyclingRate.objects.filter(place_path__in=path_prefixes(account_path), material=material,
                                         effective_from__lte=day)
            .select_related("scheme").order_by("-effective_from", "-id").first())


def rates_of_village(*, village: Any, day: dt.date | None = None) -> tuple[list[RecyclingRate], list[RecyclingRate]]:
    """(in force today per material, full history newest first) — public (the rates page)."""
    day = day or local_date(current())
    history = list(RecyclingRate.objects.filter(place=village).select_related("scheme")
                   .order_by("material", "-effective_from", "-id"))
    in_force: dict[str, RecyclingRate] = {}
    for rate in history:
        if rate.effective_from <= day and rate.material not in in_force:
            in_force[rate.material] = rate
    return list(in_force.values()), history


def weighings_of_shop(*, shop: Shop) -> QuerySet[RecyclingWeighing]:
    return RecyclingWeighing.objects.filter(shop=shop).select_related("weighed_by").order_by("-weighed_on", "-id")


def my_weighings(*, user: Any) -> QuerySet[RecyclingWeighing]:
    return RecyclingWeighing.objects.filter(account__in=my_accounts(user=user)).select_related("shop").order_by(
        "-weighed_on", "-id")


# --- credit -----------------------------------------------------------------------------------------------------


def current_consent(*, person: Any, now: dt.datetime | None = None) -> CreditConsent | None:
    at = now or current()
    return (CreditConsent.objects.filter(person=person, revoked_at__isnull=True, given_at__lte=at,
                                         valid_until__gte=local_date(at)).order_by("-given_at").first())


def consents_of(*, person: Any) -> QuerySet[CreditConsent]:
    return CreditConsent.objects.filter(person=person).order_by("-given_at", "-id")


def tier_for(account: Account, tiers: list[CreditTier]) -> CreditTier | None:
    """The highest tier whose threshold the honour score reaches (tiers ordered highest first)."""
    for tier in tiers:
        if tier.scheme_id == account.scheme_id and account.earned >= tier.min_points:
            return tier
    return None


def person_tiers(*, person: Any) -> list[dict[str, Any]]:
    """Each account of the person (and their household) with its honour score and credit tier, for schemes
    that define tiers."""
    accounts = list(Account.objects.filter(Q(person_id=person.pk) | Q(household_id=person.household_id))
                    .filter(scheme__is_template=False).select_related("scheme").order_by("scheme_id"))
    tiers = list(CreditTier.objects.filter(scheme_id__in=[a.scheme_id for a in accounts]).order_by("-min_points"))
    schemes_with_tiers = {t.scheme_id for t in tiers}
    out = []
    for account in accounts:
        if account.scheme_id not in schemes_with_tiers:
            continue
        tier = tier_for(account, tiers)
        out.append({"scheme": account.scheme.name, "score": account.earned, "tier": tier.name if tier else "",
                    "benefits": tier.benefits if tier else ""})
    return out


def tiers_of_scheme(*, scheme_id: int) -> QuerySet[CreditTier]:
    return CreditTier.objects.filter(scheme_id=scheme_id).order_by("-min_points")


def lookups_of(*, person: Any) -> QuerySet[CreditLookup]:
    return CreditLookup.objects.filter(person=person).select_related("merchant", "looked_by").order_by("-at", "-id")


def lookups_by_merchant(*, merchant: Merchant) -> QuerySet[CreditLookup]:
    return CreditLookup.objects.filter(merchant=merchant).select_related("person", "looked_by").order_by("-at", "-id")
