from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/", views.attachment_view, name="attachment_view"),
    path("public/<str:token>/", views.attachment_public, name="attachment_public"),
]
