from django.urls import path

from . import views  # noqa: F401

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
]
