from django.urls import path

from . import views

urlpatterns = [
    path("", views.rewards_index, name="rewards_index"),
    path("shops/", views.shop_list, name="rewards_shops"),
    path("shop/<int:pk>/", views.shop_detail, name="rewards_shop"),
    path("shop/<int:pk>/keeper", views.shop_keeper_add, name="rewards_shop_keeper"),
    path("shop/<int:pk>/goods", views.goods_add, name="rewards_goods_add"),
    path("shop/<int:pk>/redeem", views.shop_redeem, name="rewards_shop_redeem"),
    path("shop/<int:pk>/collect", views.shop_collect, name="rewards_shop_collect"),
    path("shop/<int:pk>/weigh", views.shop_weigh, name="rewards_shop_weigh"),
    path("goods/<int:pk>/", views.goods_edit, name="rewards_goods"),
    path("collect/", views.collect_scan, name="rewards_collect_scan"),
    path("redemption/<int:pk>/cancel", views.redemption_cancel, name="rewards_redemption_cancel"),
    path("merchants/", views.merchant_list, name="rewards_merchants"),
    path("merchants/<int:pk>/", views.merchant_detail, name="rewards_merchant_admin"),
    path("rates/", views.rates_manage, name="rewards_rates"),
    path("rates/<str:code>/", views.rates_public, name="rewards_rates_public"),
    path("tiers/", views.tiers_manage, name="rewards_tiers"),
    path("my/", views.my_page, name="rewards_my"),
    path("my/reserve", views.my_reserve, name="rewards_reserve"),
    path("my/reservation/<int:pk>/", views.my_reservation, name="rewards_reservation"),
    path("my/pay/", views.my_pay, name="rewards_pay"),
    path("my/credit/", views.my_credit, name="rewards_credit"),
    path("m/<int:pk>/", views.merchant_home, name="rewards_merchant"),
    path("m/scan/", views.merchant_scan, name="rewards_merchant_scan"),
    path("m/<int:pk>/confirm", views.merchant_confirm, name="rewards_merchant_confirm"),
    path("m/<int:pk>/credit/", views.merchant_credit, name="rewards_merchant_credit"),
]
