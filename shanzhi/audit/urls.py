from django.urls import path

from . import views  # noqa: F401

urlpatterns = [path("", views.audit_list, name="audit_list")]
