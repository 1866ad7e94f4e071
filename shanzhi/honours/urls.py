"""URLs of 星级、表彰与黑榜 under /honours/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.honours_index, name="honours_index"),
    path("stars/assess", views.stars_assess, name="honours_stars_assess"),
    path("titles/assess", views.titles_assess, name="honours_titles_assess"),
    path("rounds/<int:pk>/", views.round_page, name="honours_round"),
    path("rounds/<int:pk>/publish", views.round_publish, name="honours_round_publish"),
    path("blacklist/", views.blacklist_page, name="honours_blacklist"),
    path("blacklist/propose", views.blacklist_propose, name="honours_blacklist_propose"),
    path("blacklist/publish", views.blacklist_publish, name="honours_blacklist_publish"),
    path("blacklist/<int:pk>/", views.listing_page, name="honours_listing"),
    path("blacklist/<int:pk>/confirm", views.listing_confirm, name="honours_listing_confirm"),
    path("blacklist/<int:pk>/dismiss", views.listing_dismiss, name="honours_listing_dismiss"),
    path("blacklist/<int:pk>/note", views.listing_note, name="honours_listing_note"),
    path("blacklist/<int:pk>/remove", views.listing_remove, name="honours_listing_remove"),
]
