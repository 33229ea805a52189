"""Plain Django views of the API: the docs page, the problem-types page and problem-details 404s
for unknown routes."""

from __future__ import annotations

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join

from aduan.api.api import api
from aduan.api.problems import PROBLEM_TYPES, problem, type_anchor


def docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI (assets served locally by django-ninja) for /api/v1/openapi.json."""
    return api.docs.render_page(request, api)


def problem_types(request: HttpRequest) -> HttpResponse:
    """What each problem `type` means: one anchor per status, the target of every `type` link."""
    items = format_html_join(
        "\n",
        '<section id="{}"><h2>{} {}</h2><p>{}</p></section>',
        (
            (type_anchor(status), status, HTTPStatus(status).phrase, text)
            for status, text in PROBLEM_TYPES.items()
        ),
    )
    page = format_html(
        '<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Jenis masalah API Aduan</title>'
        "</head><body><h1>Jenis masalah (RFC 9457) API Aduan</h1><p>Setiap kesalahan API dijawab "
        "<code>application/problem+json</code>; <code>type</code> menunjuk ke bagian halaman ini, "
        '<code>code</code> memberi alasan persisnya. Skema: <a href="/api/v1/openapi.json">openapi.json</a>.'
        "</p>{}</body></html>",
        items,
    )
    return HttpResponse(page)


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem(404, "not_found", "Alamat API tidak ditemukan.")
