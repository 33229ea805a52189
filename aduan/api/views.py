"""Plain Django views of the API: the docs page and problem-details 404s for unknown routes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from aduan.api.api import api
from aduan.api.problems import problem


def docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI (assets served locally by django-ninja) for /api/v1/openapi.json."""
    return api.docs.render_page(request, api)


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem(404, "not_found", "Alamat API tidak ditemukan.")
