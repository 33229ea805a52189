import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, path, re_path

from aduan.api import open311, views
from aduan.api.api import api
from aduan.api.problems import problem


def _problem_405(view: Callable[..., Any]) -> Callable[..., Any]:
    """django-ninja answers a wrong method with a plain-text 405; give it the problem shape."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return problem(
                405,
                "method_not_allowed",
                f"Metode {request.method} tidak didukung di alamat ini.",
                headers={"Allow": response["Allow"]},
            )
        return response

    return wrapped


_v1_patterns, _app_name, _namespace = api.urls
for _pattern in _v1_patterns:
    if isinstance(_pattern, URLPattern):
        _pattern.callback = _problem_405(_pattern.callback)

FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/", (_v1_patterns, _app_name, _namespace)),
    path("docs", views.docs, name="api-docs"),
    path("problems", views.problem_types, name="api-problems"),
    # Open311 GeoReport v2, format by suffix.
    re_path(r"^open311/v2/discovery" + FMT, open311.discovery, name="open311-discovery"),
    re_path(r"^open311/v2/services" + FMT, open311.services, name="open311-services"),
    re_path(r"^open311/v2/services/(?P<service_code>[\w-]+)" + FMT, open311.service_definition),
    re_path(r"^open311/v2/requests" + FMT, open311.requests, name="open311-requests"),
    re_path(r"^open311/v2/requests/(?P<service_request_id>[\w-]+)" + FMT, open311.request_detail),
    re_path(r"^open311/v2/tokens/(?P<token>[\w-]+)" + FMT, open311.token_lookup),
    path("open311/v2/media/<str:tracking_number>/<int:pk>", open311.media, name="open311-media"),
    re_path(r"^open311/(?P<rest>.*)$", open311.not_found),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
