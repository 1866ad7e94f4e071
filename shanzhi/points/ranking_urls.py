"""URLs of the points results (P4) under /points/results/ (included from ``points/urls.py``)."""

from django.urls import path

from . import ranking_views

urlpatterns = [
    path("", ranking_views.ranking_page, name="points_ranking"),
    path("accounts/<int:pk>/", ranking_views.account_page, name="points_results_account"),
    path("entries/", ranking_views.entry_list_page, name="points_results_entries"),
    path("entries/<int:pk>/", ranking_views.entry_page, name="points_results_entry"),
]
