from django.urls import path

from . import board_views, power_views, public_views, views

urlpatterns = [
    path("", views.index, name="charter_index"),
    path("rules/", views.rules_list, name="charter_rules_list"),
    path("rules/new/", views.rules_new, name="charter_rules_new"),
    path("rules/<int:pk>/", views.rules_detail, name="charter_rules_detail"),
    path("rules/<int:pk>/edit/", views.rules_edit, name="charter_rules_edit"),
    path("rules/<int:pk>/clauses/", views.rules_clauses, name="charter_rules_clauses"),
    path("rules/<int:pk>/hearing/", views.rules_hearing, name="charter_rules_hearing"),
    path("rules/<int:pk>/act/<str:action>/", views.rules_act, name="charter_rules_act"),
    path("rules/<int:pk>/diff/", views.rules_diff, name="charter_rules_diff"),
    path("lists/", power_views.list_index, name="charter_power_lists"),
    path("lists/new/", power_views.list_new, name="charter_power_list_new"),
    path("lists/<int:pk>/", power_views.list_detail, name="charter_power_list_detail"),
    path("lists/<int:pk>/adopt/", power_views.list_adopt, name="charter_power_list_adopt"),
    path("lists/<int:pk>/publish/", power_views.list_publish, name="charter_power_list_publish"),
    path("lists/<int:pk>/items/new/", power_views.item_edit, name="charter_power_item_new"),
    path("items/<int:pk>/edit/", power_views.item_edit_existing, name="charter_power_item_edit"),
    path("items/<int:pk>/delete/", power_views.item_delete, name="charter_power_item_delete"),
    path("board/overview/", board_views.overview, name="board_overview"),
    path("board/<str:code>/", board_views.board_page, name="charter_board"),
    path("public/<str:code>/rules/", public_views.rules, name="charter_public_rules"),
    path("public/<str:code>/rules/<int:number>/", public_views.rules, name="charter_public_rules_version"),
    path("public/<str:code>/lists/", public_views.power_lists, name="charter_public_lists"),
    path("public/<str:code>/lists/<str:kind>/", public_views.power_list, name="charter_public_list"),
]
