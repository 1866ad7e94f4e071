from django.urls import path

from . import assistant_views, grid_views, hazard_views, staff_views, views

urlpatterns = [
    path("matters/", views.matter_list, name="matter_list"),
    path("matters/new", views.matter_admit, name="matter_admit"),
    path("matters/<int:pk>/", views.matter_detail, name="matter_detail"),
    path("matters/<int:pk>/edit", views.matter_edit, name="matter_edit"),
    path("matters/<int:pk>/exit", views.matter_exit, name="matter_exit"),
    path("matters/<int:pk>/readmit", views.matter_readmit, name="matter_readmit"),
    path("grids/", grid_views.grid_list, name="grid_list"),
    path("grids/<str:code>/", grid_views.grid_card, name="grid_card"),
    path("grids/<str:code>/edit", grid_views.grid_edit, name="grid_edit"),
    path("grids/<str:code>/assign", grid_views.grid_assign, name="grid_assign"),
    path("map/<str:code>/", grid_views.grid_map, name="grid_map"),
    path("map/<str:code>/data.json", grid_views.grid_map_json, name="grid_map_json"),
    path("map/<str:code>/assign", grid_views.village_assign, name="village_assign"),
    path("staff/", staff_views.grid_staff_list, name="grid_staff_list"),
    path("staff/<int:pk>/end", staff_views.grid_staff_end, name="grid_staff_end"),
    path("red-leaders/", staff_views.red_leader_list, name="red_leader_list"),
    path("public/township/<str:code>/red-leaders/", staff_views.public_red_leaders, name="public_red_leaders"),
    path("assistants/", assistant_views.assistant_list, name="assistant_list"),
    path("assistants/<int:pk>/edit", assistant_views.assistant_edit, name="assistant_edit"),
    path("assistants/<int:pk>/end", assistant_views.assistant_end, name="assistant_end"),
    path("assistants/<int:pk>/card", assistant_views.assistant_card, name="assistant_card"),
    path("assistants/<int:pk>/card.pdf", assistant_views.assistant_card_pdf, name="assistant_card_pdf"),
    path("assistants/duties/<str:code>/", assistant_views.assistant_duties, name="assistant_duties"),
    path("public/microgrid/<str:code>/", assistant_views.public_microgrid, name="public_microgrid"),
    path("hazards/", hazard_views.hazard_list, name="hazard_list"),
    path("hazards/<int:pk>/edit", hazard_views.hazard_edit, name="hazard_edit"),
    path("hazards/<int:pk>/active", hazard_views.hazard_set_active, name="hazard_set_active"),
]
