from django.urls import path

from . import topic_views, views

urlpatterns = [
    path("", views.decision_index, name="affairs_index"),
    path("decisions/new/", views.decision_new, name="affairs_decision_new"),
    path("decisions/<int:pk>/", views.decision_detail, name="affairs_decision"),
    path("decisions/<int:pk>/propose", views.decision_propose, name="affairs_decision_propose"),
    path("decisions/<int:pk>/meeting", views.meeting_record, name="affairs_meeting_record"),
    path("decisions/<int:pk>/reject", views.decision_reject, name="affairs_decision_reject"),
    path("decisions/<int:pk>/publish", views.decision_publish, name="affairs_decision_publish"),
    path("decisions/<int:pk>/comment", views.decision_comment, name="affairs_decision_comment"),
    path("representatives/", views.representatives, name="affairs_representatives"),
]

urlpatterns += [
    path("topics/", topic_views.topic_list, name="affairs_topics"),
    path("topics/new", topic_views.topic_new, name="affairs_topic_new"),
    path("topics/day", topic_views.deliberation_day, name="affairs_deliberation_day"),
    path("topics/<int:pk>/", topic_views.topic_detail, name="affairs_topic"),
    path("topics/<int:pk>/act", topic_views.topic_act, name="affairs_topic_act"),
    path("my/topics/", topic_views.my_topics, name="affairs_my_topics"),
    path("my/topics/new/", topic_views.my_topic_new, name="affairs_my_topic_new"),
    path("my/topics/<int:pk>/", topic_views.my_topic, name="affairs_my_topic"),
    path("t/<str:public_id>/", topic_views.topic_public, name="affairs_topic_public"),
]
