"""/api/: v1 endpoints, the OpenAPI schema and Swagger UI (served from the vendored sidecar, no CDN)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from . import event_views, views

router = DefaultRouter()
router.register("places", views.PlaceViewSet, basename="api-place")
router.register("households", views.HouseholdViewSet, basename="api-household")
router.register("persons", views.PersonViewSet, basename="api-person")
router.register("subjects", views.SubjectViewSet, basename="api-subject")
router.register("organisations", views.OrganisationViewSet, basename="api-organisation")
router.register("memberships", views.MembershipViewSet, basename="api-membership")
router.register("audit", views.AuditEntryViewSet, basename="api-audit")
router.register("events", event_views.EventViewSet, basename="api-event")
router.register("matters", event_views.MatterViewSet, basename="api-matter")

# The schema and its docs page describe the API; they reveal no data, so they are public.
public = {"permission_classes": [AllowAny], "authentication_classes": []}

urlpatterns = [
    path("v1/auth/token/", views.TokenView.as_view(), name="api-token"),
    path("v1/me/", views.MeView.as_view(), name="api-me"),
    path("v1/", include(router.urls)),
    re_path(r"^v1/", views.unknown_endpoint),
    path("schema/", SpectacularAPIView.as_view(**public), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema", **public), name="api-docs"),
]
