from django.urls import path

from . import views  # noqa: F401

urlpatterns = [
    path("", views.place_tree, name="place_tree"),
    path("<str:code>/", views.place_detail, name="place_detail"),
    path("<str:code>/children", views.place_children_partial, name="place_children"),
    path("<str:code>/new", views.place_create_view, name="place_create"),
]
