from django.urls import path

from . import assessment_views, handling_views, merge_views, offline, views

urlpatterns = [
    path("", views.event_index, name="event_index"),
    path("report", views.event_report, name="event_report"),
    path("report/session", offline.report_session, name="event_report_session"),
    path("sw.js", offline.report_service_worker, name="event_report_sw"),
    path("mine", views.event_mine, name="event_mine"),
    path("list", views.event_list, name="event_list"),
    path("assessment/", assessment_views.assessment_page, name="event_assessment"),
    path("assessment/events", assessment_views.assessment_events, name="event_assessment_events"),
    path("assessment/bulletin", assessment_views.assessment_bulletin, name="event_assessment_bulletin"),
    path("<int:pk>/", views.event_detail, name="event_detail"),
    path("<int:pk>/act", views.event_act, name="event_act"),
    path("<int:pk>/urge", views.event_urge, name="event_urge"),
    path("<int:pk>/note", handling_views.event_note, name="event_note"),
    path("<int:pk>/supervise", handling_views.event_supervise, name="event_supervise"),
    path("<int:pk>/merge", merge_views.event_merge, name="event_merge"),
    path("<int:pk>/follow", merge_views.event_follow, name="event_follow"),
]
