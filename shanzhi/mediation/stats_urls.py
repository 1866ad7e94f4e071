from django.urls import path

from . import risk_views, stats_views

urlpatterns = [
    path("", stats_views.stats_index, name="mediation_stats"),
    path("risk/", risk_views.risk_index, name="mediation_risk"),
    path("risk/repeats/", risk_views.risk_repeats, name="mediation_risk_repeats"),
    path("risk/cases/<int:pk>/", risk_views.risk_case, name="mediation_risk_case"),
    path("<str:by>/", stats_views.stats_breakdown, name="mediation_stats_breakdown"),
]
