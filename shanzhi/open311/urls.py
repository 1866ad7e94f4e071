"""/open311/: the service discovery document and GeoReport v2 under /open311/v2/ (format from the extension)."""

from django.urls import re_path

from . import views

FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="open311_discovery"),
    re_path(r"^v2/discovery" + FMT, views.discovery, name="open311_v2_discovery"),
    re_path(r"^v2/services" + FMT, views.service_list, name="open311_services"),
    re_path(r"^v2/services/(?P<code>[^/]{1,40})" + FMT, views.service_definition, name="open311_service"),
    re_path(r"^v2/requests" + FMT, views.service_requests, name="open311_requests"),
    re_path(r"^v2/requests/(?P<number>[^/]{1,40})" + FMT, views.request_detail, name="open311_request"),
    re_path(r"^v2/tokens/(?P<token>[^/]{1,80})" + FMT, views.token, name="open311_token"),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
