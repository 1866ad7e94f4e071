from django.urls import path

from . import views

urlpatterns = [
    path("", views.warning_list, name="warning_list"),
    path("<int:pk>/", views.warning_detail, name="warning_detail"),
    path("<int:pk>/level", views.warning_change, name="warning_change"),
    path("<int:pk>/lift", views.warning_lift, name="warning_lift"),
    path("place/<str:code>/", views.warning_place, name="warning_place"),
    path("event/<int:pk>/raise", views.warning_event_raise, name="warning_event_raise"),
    path("zero/", views.zero_today, name="zero_today"),
    path("zero/file", views.zero_file, name="zero_file"),
    path("zero/periods/", views.zero_periods, name="zero_periods"),
    path("zero/periods/<int:pk>/", views.zero_sheet, name="zero_sheet"),
]
