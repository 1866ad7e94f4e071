from django.urls import path

from . import views

urlpatterns = [
    path("", views.publication_list, name="publication_list"),
    path("<int:pk>/", views.publication_detail, name="publication_detail"),
    path("<int:pk>/withdraw", views.publication_withdraw, name="publication_withdraw"),
    path("objections/<int:pk>/handle", views.objection_handle, name="objection_handle"),
    path("objections/<int:pk>/reveal-phone", views.objection_phone_reveal, name="objection_phone_reveal"),
    path("new/group/<str:code>/", views.group_publish, name="publication_group_publish"),
]
