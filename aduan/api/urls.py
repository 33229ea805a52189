from django.urls import URLPattern, URLResolver, path, re_path

from aduan.api import open311, views
from aduan.api.api import api

FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/", api.urls),
    path("docs", views.docs, name="api-docs"),
    # Open311 GeoReport v2, format by suffix.
    re_path(r"^open311/v2/discovery" + FMT, open311.discovery, name="open311-discovery"),
    re_path(r"^open311/v2/services" + FMT, open311.services, name="open311-services"),
    re_path(r"^open311/v2/services/(?P<service_code>[\w-]+)" + FMT, open311.service_definition),
    re_path(r"^open311/v2/requests" + FMT, open311.requests, name="open311-requests"),
    re_path(r"^open311/v2/requests/(?P<service_request_id>[\w-]+)" + FMT, open311.request_detail),
    re_path(r"^open311/v2/tokens/(?P<token>[\w-]+)" + FMT, open311.token_lookup),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
