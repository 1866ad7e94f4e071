from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("shanzhi.access.urls")),
    path("api/", include("shanzhi.api.urls")),
    path("audit/", include("shanzhi.audit.urls")),
    path("places/", include("shanzhi.regions.urls")),
    path("people/", include("shanzhi.people.urls")),
    path("orgs/", include("shanzhi.orgs.urls")),
    path("workflow/", include("shanzhi.workflow.urls")),
    path("publications/", include("shanzhi.publication.urls")),
    path("p/", include("shanzhi.publication.public_urls")),
    path("imports/", include("shanzhi.imports.urls")),
    path("inbox/", include("shanzhi.notify.urls")),
    path("files/", include("shanzhi.files.urls")),
    path("grid/", include("shanzhi.grid.urls")),
    path("events/", include("shanzhi.events.urls")),
    path("warning/", include("shanzhi.warning.urls")),
    path("open311/", include("shanzhi.open311.urls")),
    path("points/", include("shanzhi.points.urls")),
    path("honours/", include("shanzhi.honours.urls")),
    path("rewards/", include("shanzhi.rewards.urls")),
    path("mediation/", include("shanzhi.mediation.urls")),
    path("legal/", include("shanzhi.legal.urls")),
    path("affairs/", include("shanzhi.affairs.urls")),
    path("charter/", include("shanzhi.charter.urls")),
    path("finance/", include("shanzhi.finance.urls")),
    path("", include("shanzhi.web.urls")),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
