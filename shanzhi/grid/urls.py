from django.urls import path

from . import views

urlpatterns = [
    path("matters/", views.matter_list, name="matter_list"),
    path("matters/new", views.matter_admit, name="matter_admit"),
    path("matters/<int:pk>/", views.matter_detail, name="matter_detail"),
    path("matters/<int:pk>/edit", views.matter_edit, name="matter_edit"),
    path("matters/<int:pk>/exit", views.matter_exit, name="matter_exit"),
    path("matters/<int:pk>/readmit", views.matter_readmit, name="matter_readmit"),
]
