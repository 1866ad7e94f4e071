from django.urls import path

from . import views

urlpatterns = [
    path("", views.legal_index, name="legal_index"),
    path("ask/", views.legal_ask, name="legal_ask"),
    path("mine/", views.legal_mine, name="legal_mine"),
    path("mine/applications/", views.legal_my_applications, name="legal_my_applications"),
    path("consultations/", views.legal_queue, name="legal_queue"),
    path("consultations/<int:pk>/", views.legal_consultation_detail, name="legal_consultation_detail"),
    path("apply/<str:kind>/", views.legal_apply, name="legal_apply"),
    path("applications/", views.legal_applications, name="legal_applications"),
    path("applications/<int:pk>/", views.legal_application_detail, name="legal_application_detail"),
    path("applications/<int:pk>/<str:action>/", views.legal_application_act, name="legal_application_act"),
    path("cases/", views.legal_cases, name="legal_cases"),
    path("cases/new/", views.legal_case_new, name="legal_case_new"),
    path("cases/<int:pk>/", views.legal_case_detail, name="legal_case_detail"),
    path("laws/", views.legal_laws, name="legal_laws"),
    path("laws/new/", views.legal_law_new, name="legal_law_new"),
]
