from django.urls import path

from . import views

urlpatterns = [
    path("", views.event_index, name="event_index"),
    path("report", views.event_report, name="event_report"),
    path("mine", views.event_mine, name="event_mine"),
    path("list", views.event_list, name="event_list"),
    path("<int:pk>/", views.event_detail, name="event_detail"),
    path("<int:pk>/act", views.event_act, name="event_act"),
    path("<int:pk>/urge", views.event_urge, name="event_urge"),
]
