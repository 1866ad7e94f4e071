from django.urls import path

from . import move_views, views  # noqa: F401

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/status", views.person_status, name="person_status"),
    path("persons/<int:pk>/reveal/<str:field>", views.person_reveal, name="person_reveal"),
    path("pick", views.person_pick, name="person_pick"),
    path("subjects/", views.subject_list, name="subject_list"),
    path("households/", views.household_list, name="household_list"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/grid", views.household_move_grid, name="household_move_grid"),
    path("households/<int:household_pk>/persons/new", views.person_create, name="person_create"),
    path("households/<int:household_pk>/move", move_views.move_request, name="move_request"),
    path("moves/", move_views.move_list, name="move_list"),
    path("moves/targets", move_views.move_targets, name="move_targets"),
    path("moves/<int:pk>/", move_views.move_detail, name="move_detail"),
    path("moves/<int:pk>/act", move_views.move_act, name="move_act"),
    path("moves/<int:pk>/urge", move_views.move_urge, name="move_urge"),
]

