from django.urls import include, path

from . import org_views, views

urlpatterns = [
    path("", views.mediation_index, name="mediation_index"),
    path("stats/", include("shanzhi.mediation.stats_urls")),
    path("cases/", views.case_list, name="mediation_case_list"),
    path("cases/new", views.case_new, name="mediation_case_new"),
    path("cases/people", views.person_search, name="mediation_person_search"),
    path("cases/<int:pk>/", views.case_detail, name="mediation_case_detail"),
    path("cases/<int:pk>/act", views.case_act, name="mediation_case_act"),
    path("cases/<int:pk>/urge", views.case_urge, name="mediation_case_urge"),
    path("cases/<int:pk>/pdf/<str:kind>", views.case_pdf, name="mediation_case_pdf"),
    path("apply", views.case_apply, name="mediation_apply"),
    path("mine", views.my_cases, name="mediation_mine"),
    path("mine/<int:pk>/", views.my_case_detail, name="mediation_mine_detail"),
    path("orgs/", org_views.org_list, name="mediation_org_list"),
    path("orgs/new", org_views.org_new, name="mediation_org_new"),
    path("orgs/<int:pk>/", org_views.org_detail, name="mediation_org_detail"),
    path("orgs/<int:pk>/members", org_views.org_member_add, name="mediation_org_member_add"),
    path("orgs/<int:pk>/members/<int:membership>/end", org_views.org_member_end, name="mediation_org_member_end"),
    path("mediators/", org_views.mediator_list, name="mediation_mediator_list"),
    path("mediators/new", org_views.mediator_new, name="mediation_mediator_new"),
    path("mediators/<int:pk>/", org_views.mediator_detail, name="mediation_mediator_detail"),
    path("experts/", org_views.expert_pool, name="mediation_experts"),
    path("advisers/", org_views.adviser_list, name="mediation_advisers"),
]
