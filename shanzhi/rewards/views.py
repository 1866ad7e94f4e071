"""Pages of 积分兑换与信用 (domain.md P5–P6).

- Staff and keepers (dense): the shops list; a shop's counter page (in-shop redemption, collecting a
  reservation by code or QR, goods and stock, redemptions paginated with filters, recyclables weighing);
  a good's edit page; partner merchants (offers, staff accounts, confirmations, credit look-ups); recycling
  rates; credit tiers.
- Villagers (phone): goods with prices and my spendable balance, reserve; my reservations with pickup code
  and QR; the one-time pay code for merchants; my credit tier, consent and who looked.
- Merchants (phone): type or scan a villager's pay code, see the masked name and balance, confirm; banks and
  employers look up a consenting villager's tier.
- Public: a village's recycling rates.

Views parse input and call services and selectors; refusals come back as messages on the same page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shanzhi.access.models import User
from shanzhi.access.roles import Perm
from shanzhi.core.errors import ApplicationError, NotFound, ValidationFailed
from shanzhi.core.forms import parse_date
from shanzhi.core.http import act_then_redirect
from shanzhi.points.models import Scheme
from shanzhi.publication.pdf import qr_svg_data_uri
from shanzhi.regions.models import Place
from shanzhi.web.pagination import paginate
from shanzhi.workflow.calendar import local_date
from shanzhi.workflow.clock import current

from . import selectors, services
from .choices import (
    PARTNER_KINDS,
    STATE_BADGE,
    Material,
    MerchantKind,
    OfferKind,
    RedemptionState,
)


def _today() -> dt.date:
    return local_date(current())


def _flag(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) in ("1", "on", "true")


# --- the hub ----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def rewards_index(request: HttpRequest) -> HttpResponse:
    """积分超市: the villager's goods page for villagers; a hub of the user's shops and merchants for others."""
    user = request.user
    shops = list(selectors.shop_list(user=user)[:50])
    merchants = list(selectors.merchants_of(user=user))
    accounts = list(selectors.my_accounts(user=user))
    manages = user.has_perm_anywhere(Perm.SHOP_MANAGE)
    if accounts and not shops and not merchants and not manages:
        return redirect("rewards_my")
    if not (shops or merchants or accounts or manages):
        raise NotFound()
    if len(merchants) == 1 and not shops and not accounts and not manages:
        return redirect("rewards_merchant", pk=merchants[0].pk)
    return render(request, "rewards/index.html", {"shops": shops, "merchants": merchants, "accounts": accounts,
                                                  "manages": manages})


# --- shops (staff) ------------------------------------------------------------------------------------------------


def _manage_places(user: User, levels: tuple[str, ...]) -> list[Place]:
    paths = user.scope_paths(Perm.SHOP_MANAGE)
    if not paths:
        return []
    qs = Place.objects.filter(level__in=levels, is_active=True)
    if "" not in paths:
        from shanzhi.core.scoping import path_q

        qs = qs.filter(path_q("path", paths))
    return list(qs.order_by("path")[:300])


@login_required
@require_http_methods(["GET", "POST"])
def shop_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_anywhere(Perm.SHOP_MANAGE):
        raise NotFound()
    if request.method == "POST":
        place = Place.objects.filter(code=request.POST.get("place", "")).first()
        if place is None:
            messages.error(request, "请选择所在村或乡镇。")
            return redirect("rewards_shops")
        return act_then_redirect(request, lambda: services.shop_create(
            acting_user=user, place=place, name=request.POST.get("name", ""), address=request.POST.get("address", ""),
            opening_hours=request.POST.get("opening_hours", ""),
            reservation_days=request.POST.get("reservation_days", "7"),
            is_recycling_station=_flag(request, "is_recycling_station")),
            success="积分超市已开设。", to=redirect("rewards_shops"))
    return render(request, "rewards/shops.html", {
        "page_obj": paginate(request, selectors.shop_list(user=user)),
        "places": _manage_places(user, ("village", "township")),
    })


@login_required
@require_GET
def shop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The counter: redeem, collect, weigh; goods and stock; the redemptions of the shop."""
    user = request.user
    shop = selectors.shop_detail(user=user, pk=pk)
    state = request.GET.get("state", "")
    q = request.GET.get("q", "")
    who = request.GET.get("who", "").strip()
    goods = list(selectors.goods_of_shop(shop=shop))
    rates = []
    if shop.is_recycling_station:
        rates, _history = selectors.rates_of_village(village=shop.place) if shop.place.level == "village" else ([], [])
    return render(request, "rewards/shop.html", {
        "shop": shop,
        "goods": goods,
        "active_goods": [g for g in goods if g.is_active and g.stock > 0],
        "page_obj": paginate(request, selectors.redemptions_of_shop(shop=shop, state=state, q=q)),
        "states": RedemptionState.choices,
        "state": state,
        "q": q,
        "who": who,
        "candidates": list(selectors.accounts_for_shop(shop=shop, q=who)) if who else [],
        "badges": STATE_BADGE,
        "materials": Material.choices,
        "rates": rates,
        "weighings": list(selectors.weighings_of_shop(shop=shop)[:10]) if shop.is_recycling_station else [],
        "keepers": list(shop.keepers.all()),
        "can_manage": user.has_perm_at(Perm.SHOP_MANAGE, shop.place_path),
        "today": _today(),
    })


@login_required
@require_POST
def shop_keeper_add(request: HttpRequest, pk: int) -> HttpResponse:
    shop = selectors.shop_detail(user=request.user, pk=pk)
    username = request.POST.get("username", "").strip()
    keeper = User.objects.filter(username=username, is_active=True).first() if username else None
    if keeper is None:
        messages.error(request, f"没有用户名为“{username}”的账号。")
        return redirect("rewards_shop", pk=shop.pk)
    return act_then_redirect(request, lambda: services.shop_keeper_add(acting_user=request.user, shop=shop, user=keeper),
                             success=f"已将 {keeper.display_name} 设为管理员。", to=redirect("rewards_shop", pk=shop.pk))


@login_required
@require_POST
def goods_add(request: HttpRequest, pk: int) -> HttpResponse:
    shop = selectors.shop_detail(user=request.user, pk=pk)
    return act_then_redirect(request, lambda: services.goods_create(
        acting_user=request.user, shop=shop, name=request.POST.get("name", ""),
        price_points=request.POST.get("price_points", ""), stock=request.POST.get("stock", "0"),
        unit=request.POST.get("unit", "件"), market_price=request.POST.get("market_price", ""),
        photo=request.FILES.get("photo")), success="商品已上架。", to=redirect("rewards_shop", pk=shop.pk))


@login_required
@require_http_methods(["GET", "POST"])
def goods_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goods = selectors.goods_detail(user=request.user, pk=pk)
    here = redirect("rewards_goods", pk=goods.pk)
    if request.method == "POST":
        if request.POST.get("action") == "restock":
            return act_then_redirect(request, lambda: services.goods_restock(
                acting_user=request.user, goods_id=goods.pk, change=request.POST.get("change", ""),
                reason=request.POST.get("reason", "")), success="库存已更新。", to=here)
        return act_then_redirect(request, lambda: services.goods_update(
            acting_user=request.user, goods_id=goods.pk, name=request.POST.get("name", ""),
            price_points=request.POST.get("price_points", ""), unit=request.POST.get("unit", "件"),
            market_price=request.POST.get("market_price", ""), is_active=_flag(request, "is_active"),
            photo=request.FILES.get("photo")), success="商品已保存。", to=here)
    return render(request, "rewards/goods.html", {"goods": goods})


@login_required
@require_POST
def shop_redeem(request: HttpRequest, pk: int) -> HttpResponse:
    """现场兑换: the keeper picked the villager's account and the goods."""
    shop = selectors.shop_detail(user=request.user, pk=pk)
    result: dict = {}

    def act() -> None:
        result["r"] = services.redemption_create(
            acting_user=request.user, goods_id=request.POST.get("goods", ""), account_id=request.POST.get("account", ""),
            qty=request.POST.get("qty", "1"), channel="shop")

    try:
        act()
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('rewards_shop', args=[shop.pk])}?who={request.POST.get('who', '')}")
    r = result["r"]
    messages.success(request, f"兑换成功：{r.goods_name}×{r.qty}，扣除 {r.points:g} 积分。")
    return redirect("rewards_shop", pk=shop.pk)


@login_required
@require_POST
def shop_collect(request: HttpRequest, pk: int) -> HttpResponse:
    shop = selectors.shop_detail(user=request.user, pk=pk)
    return act_then_redirect(request, lambda: services.redemption_collect(
        acting_user=request.user, shop=shop, code=request.POST.get("code", ""), token=request.POST.get("t", "")),
        success="已领取，请将商品交给村民。", to=redirect("rewards_shop", pk=shop.pk))


@login_required
@require_GET
def collect_scan(request: HttpRequest) -> HttpResponse:
    """Where a reservation's QR code leads: the keeper's phone camera opens it; the page shows the reservation
    (masked name, goods) with one button to hand it over."""
    token = request.GET.get("t", "")
    try:
        code = signing.Signer(salt=services.PICKUP_SALT).unsign(token)
    except signing.BadSignature:
        raise NotFound("二维码无效。")
    found = selectors.redemption_by_code(user=request.user, code=code)
    return render(request, "rewards/collect.html", {"r": found, "token": token, "badges": STATE_BADGE})


@login_required
@require_POST
def shop_weigh(request: HttpRequest, pk: int) -> HttpResponse:
    shop = selectors.shop_detail(user=request.user, pk=pk)
    try:
        day = parse_date(request.POST.get("weighed_on"), "称重日期", required=False)
        row = services.weighing_record(acting_user=request.user, shop=shop, account_id=request.POST.get("account", ""),
                                       material=request.POST.get("material", ""), kg=request.POST.get("kg", ""),
                                       weighed_on=day)
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已称重：{row.get_material_display()} {row.kg:g} 公斤，计 {row.points:g} 分。")
    return redirect("rewards_shop", pk=shop.pk)


@login_required
@require_POST
def redemption_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    redemption = selectors.redemption_for_owner_or_keeper(user=request.user, pk=pk)
    back = (redirect("rewards_shop", pk=redemption.shop_id) if request.POST.get("from") == "shop"
            else redirect("rewards_reservation", pk=redemption.pk))
    return act_then_redirect(request, lambda: services.redemption_cancel(acting_user=request.user, redemption_id=pk),
                             success="预约已取消，积分已退回。", to=back)


# --- merchants (staff) --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def merchant_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_anywhere(Perm.SHOP_MANAGE):
        raise NotFound()
    if request.method == "POST":
        place = Place.objects.filter(code=request.POST.get("place", "")).first()
        if place is None:
            messages.error(request, "请选择服务区划。")
            return redirect("rewards_merchants")
        return act_then_redirect(request, lambda: services.merchant_create(
            acting_user=user, place=place, name=request.POST.get("name", ""), kind=request.POST.get("kind", ""),
            address=request.POST.get("address", ""), contact_phone=request.POST.get("contact_phone", "")),
            success="合作商户已签约。", to=redirect("rewards_merchants"))
    return render(request, "rewards/merchants.html", {
        "page_obj": paginate(request, selectors.merchants_visible(user=user)),
        "places": _manage_places(user, ("village", "township")),
        "kinds": MerchantKind.choices,
    })


@login_required
@require_http_methods(["GET", "POST"])
def merchant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = selectors.merchant_detail(user=request.user, pk=pk)
    here = redirect("rewards_merchant_admin", pk=merchant.pk)
    if request.method == "POST":
        if request.POST.get("action") == "user":
            username = request.POST.get("username", "").strip()
            account = User.objects.filter(username=username, is_active=True).first() if username else None
            if account is None:
                messages.error(request, f"没有用户名为“{username}”的账号。")
                return here
            return act_then_redirect(request, lambda: services.merchant_user_add(
                acting_user=request.user, merchant=merchant, user=account), success="商户账号已关联。", to=here)
        return act_then_redirect(request, lambda: services.offer_create(
            acting_user=request.user, merchant=merchant, kind=request.POST.get("kind", ""),
            title=request.POST.get("title", ""), points=request.POST.get("points", "")), success="优惠已添加。", to=here)
    return render(request, "rewards/merchant_admin.html", {
        "merchant": merchant,
        "offers": list(merchant.offers.all()),
        "users": list(merchant.users.all()),
        "page_obj": paginate(request, selectors.merchant_redemptions(merchant=merchant)),
        "lookups": list(selectors.lookups_by_merchant(merchant=merchant)[:50]),
        "offer_kinds": OfferKind.choices,
        "is_partner": merchant.kind in PARTNER_KINDS,
    })


# --- recycling rates and credit tiers (staff) ---------------------------------------------------------------------


def _schemes(user: User) -> list[Scheme]:
    paths = user.scope_paths(Perm.SHOP_MANAGE)
    if not paths:
        return []
    return list(Scheme.objects.visible_to(user, Perm.SHOP_MANAGE).filter(is_template=False)
                .exclude(status="retired").select_related("place").order_by("place_path", "id")[:200])


@login_required
@require_http_methods(["GET", "POST"])
def rates_manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_anywhere(Perm.SHOP_MANAGE):
        raise NotFound()
    schemes = _schemes(user)
    if request.method == "POST":
        scheme = next((s for s in schemes if str(s.pk) == request.POST.get("scheme")), None)
        if scheme is None:
            messages.error(request, "请选择本村施行中的积分方案。")
            return redirect("rewards_rates")
        try:
            day = parse_date(request.POST.get("effective_from"), "执行日期")
            services.rate_publish(acting_user=user, place=scheme.place, scheme_id=scheme.pk,
                                  material=request.POST.get("material", ""),
                                  points_per_kg=request.POST.get("points_per_kg", ""), effective_from=day)
        except NotFound:
            raise
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "回收价目已发布。")
        return redirect("rewards_rates")
    from .models import RecyclingRate

    rates = RecyclingRate.objects.visible_to(user, Perm.SHOP_MANAGE).select_related("place", "scheme", "published_by")
    return render(request, "rewards/rates_manage.html", {
        "page_obj": paginate(request, rates.order_by("place_path", "material", "-effective_from", "-id")),
        "schemes": schemes, "materials": Material.choices, "today": _today(),
    })


@require_GET
def rates_public(request: HttpRequest, code: str) -> HttpResponse:
    """A village's recycling rates, public (the station's price board)."""
    village = Place.objects.filter(code=code, level="village", is_active=True).first()
    if village is None:
        raise NotFound()
    in_force, history = selectors.rates_of_village(village=village)
    return render(request, "rewards/rates_public.html", {"village": village, "in_force": in_force,
                                                         "history": history[:100], "today": _today()})


@login_required
@require_http_methods(["GET", "POST"])
def tiers_manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm_anywhere(Perm.SHOP_MANAGE):
        raise NotFound()
    schemes = _schemes(user)
    if request.method == "POST":
        return act_then_redirect(request, lambda: services.tier_set(
            acting_user=user, scheme_id=request.POST.get("scheme", ""), name=request.POST.get("name", ""),
            min_points=request.POST.get("min_points", ""), benefits=request.POST.get("benefits", "")),
            success="信用等级已保存。", to=redirect("rewards_tiers"))
    from .models import CreditTier

    tiers = (CreditTier.objects.visible_to(user, Perm.SHOP_MANAGE).select_related("scheme")
             .order_by("place_path", "scheme_id", "-min_points"))
    return render(request, "rewards/tiers_manage.html", {"page_obj": paginate(request, tiers), "schemes": schemes})


# --- villagers (phone) --------------------------------------------------------------------------------------------


@login_required
@require_GET
def my_page(request: HttpRequest) -> HttpResponse:
    """我的积分超市: goods with prices, my spendable balance per account, reserve; my reservations."""
    user = request.user
    accounts = list(selectors.my_accounts(user=user))
    if not accounts:
        return render(request, "rewards/my_none.html", status=200)
    goods = list(selectors.goods_for_villager(user=user)[:200])
    # Which of my accounts each shop takes (the account's place lies under the shop's).
    for g in goods:
        g.my_accounts = [a for a in accounts if a.place_path.startswith(g.place_path)]
    return render(request, "rewards/my.html", {
        "accounts": accounts,
        "goods": goods,
        "reservations": list(selectors.my_redemptions(user=user).filter(state=RedemptionState.RESERVED)[:20]),
        "page_obj": paginate(request, selectors.my_redemptions(user=user), per_page=20),
        "badges": STATE_BADGE,
    })


@login_required
@require_POST
def my_reserve(request: HttpRequest) -> HttpResponse:
    try:
        r = services.redemption_create(acting_user=request.user, goods_id=request.POST.get("goods", ""),
                                       account_id=request.POST.get("account", ""), qty=request.POST.get("qty", "1"),
                                       channel="phone")
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("rewards_my")
    messages.success(request, f"预约成功，取货码 {r.code}，请在 {r.shop.reservation_days} 天内到{r.shop.name}领取。")
    return redirect("rewards_reservation", pk=r.pk)


@login_required
@require_GET
def my_reservation(request: HttpRequest, pk: int) -> HttpResponse:
    r = selectors.redemption_for_owner_or_keeper(user=request.user, pk=pk)
    if not selectors.my_accounts(user=request.user).filter(pk=r.account_id).exists():
        raise NotFound()
    qr = ""
    if r.state == RedemptionState.RESERVED:
        url = request.build_absolute_uri(reverse("rewards_collect_scan")) + "?t=" + services.pickup_token(r)
        qr = qr_svg_data_uri(url)
    return render(request, "rewards/reservation.html", {"r": r, "qr": qr, "badges": STATE_BADGE})


@login_required
@require_GET
def my_pay(request: HttpRequest) -> HttpResponse:
    """付款码: a fresh one-time code each time the page opens (a merchant scans the QR or types the digits)."""
    accounts = list(selectors.my_accounts(user=request.user))
    if not accounts:
        raise NotFound()
    chosen = next((a for a in accounts if str(a.pk) == request.GET.get("account")), accounts[0])
    pay, signed = services.pay_token_issue(acting_user=request.user, account_id=chosen.pk)
    url = request.build_absolute_uri(reverse("rewards_merchant_scan")) + "?t=" + signed
    return render(request, "rewards/pay.html", {"accounts": accounts, "account": chosen, "pay": pay,
                                                "qr": qr_svg_data_uri(url), "minutes": services.PAY_TOKEN_MINUTES})


@login_required
@require_http_methods(["GET", "POST"])
def my_credit(request: HttpRequest) -> HttpResponse:
    """我的信用: my tiers, consent (give / revoke) and every look-up of my credit."""
    user = request.user
    person = getattr(user, "person", None)
    if person is None:
        raise NotFound()
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            return act_then_redirect(request, lambda: services.consent_revoke(acting_user=user),
                                     success="已撤销授权，合作银行和用工单位将不能再查询您的信用等级。",
                                     to=redirect("rewards_credit"))
        return act_then_redirect(request, lambda: services.consent_give(acting_user=user,
                                                                         months=request.POST.get("months", "12")),
                                 success="已授权。", to=redirect("rewards_credit"))
    return render(request, "rewards/credit.html", {
        "tiers": selectors.person_tiers(person=person),
        "consent": selectors.current_consent(person=person),
        "consents": list(selectors.consents_of(person=person)[:20]),
        "page_obj": paginate(request, selectors.lookups_of(person=person), per_page=20),
    })


# --- merchants (phone) --------------------------------------------------------------------------------------------


@login_required
@require_GET
def merchant_home(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = selectors.merchant_for_user(user=request.user, pk=pk)
    return render(request, "rewards/merchant.html", {
        "merchant": merchant,
        "offers": list(merchant.offers.filter(is_active=True)),
        "page_obj": paginate(request, selectors.merchant_redemptions(merchant=merchant), per_page=20),
        "is_partner": merchant.kind in PARTNER_KINDS,
    })


@login_required
@require_GET
def merchant_scan(request: HttpRequest) -> HttpResponse:
    """Where a villager's pay QR leads (or the typed code): for the merchant, the masked name and the spendable
    balance, with the offers to confirm. Seeing changes nothing; confirming spends."""
    merchants = list(selectors.merchants_of(user=request.user))
    if not merchants:
        raise NotFound()
    merchant = next((m for m in merchants if str(m.pk) == request.GET.get("merchant")), merchants[0])
    token, code = request.GET.get("t", ""), request.GET.get("code", "")
    try:
        pay = services.pay_token_resolve(acting_user=request.user, merchant=merchant, token=token, code=code)
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("rewards_merchant", pk=merchant.pk)
    return render(request, "rewards/merchant_scan.html", {
        "merchant": merchant, "merchants": merchants, "pay": pay, "token": token, "code": code if not token else "",
        "offers": list(merchant.offers.filter(is_active=True)),
    })


@login_required
@require_POST
def merchant_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    merchant = selectors.merchant_for_user(user=request.user, pk=pk)
    try:
        done = services.merchant_confirm(acting_user=request.user, merchant=merchant,
                                         offer_id=request.POST.get("offer", ""), token=request.POST.get("t", ""),
                                         code=request.POST.get("code", ""))
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"核销成功：{done.title}，扣除 {done.account_name_masked} {done.points:g} 积分。")
    return redirect("rewards_merchant", pk=merchant.pk)


@login_required
@require_http_methods(["GET", "POST"])
def merchant_credit(request: HttpRequest, pk: int) -> HttpResponse:
    """信用查询 by a partner bank or employer: the tier is shown only with the villager's current consent."""
    merchant = selectors.merchant_for_user(user=request.user, pk=pk, perm=Perm.CREDIT_VIEW)
    if merchant.kind not in PARTNER_KINDS:
        raise NotFound()
    result = None
    if request.method == "POST":
        try:
            lookup, tiers = services.credit_lookup(acting_user=request.user, merchant=merchant,
                                                   id_number=request.POST.get("id_number", ""),
                                                   purpose=request.POST.get("purpose", ""))
        except NotFound:
            raise
        except (ValidationFailed, ApplicationError) as exc:
            messages.error(request, exc.message)
        else:
            result = {"lookup": lookup, "tiers": tiers}
    return render(request, "rewards/merchant_credit.html", {"merchant": merchant, "result": result})
