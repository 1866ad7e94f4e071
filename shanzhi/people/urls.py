from django.urls import path

from . import views  # noqa: F401

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
    path("households/<int:household_pk>/persons/new", views.person_create, name="person_create"),
]
