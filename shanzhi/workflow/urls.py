from django.urls import path

from . import views

urlpatterns = [
    path("calendar/", views.calendar_page, name="workflow_calendar"),
    path("calendar/remove", views.calendar_remove, name="workflow_calendar_remove"),
]
