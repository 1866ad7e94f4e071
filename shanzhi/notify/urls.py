from django.urls import path

from . import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all", views.inbox_read_all, name="inbox_read_all"),
    path("<int:pk>/", views.message_open, name="message_open"),
    path("<int:pk>/read", views.message_read, name="message_read"),
]
