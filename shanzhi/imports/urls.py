from django.urls import path

from . import views

urlpatterns = [
    path("", views.import_index, name="import_index"),
    path("template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
]
