"""Installable web app: the manifest and the service worker, served from the site root (scope /)."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

# The offline shell: what the service worker keeps so the report form opens without a network.
SHELL_STATIC = [
    "aduan/css/app.css",
    "aduan/portal/portal.css",
    "aduan/portal/site.js",
    "aduan/portal/form.js",
    "aduan/portal/icon-192.png",
]


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    body = {
        "name": f"Aduan · {settings.INSTALLATION_NAME}",
        "short_name": "Aduan",
        "description": "Layanan pengaduan, aspirasi, dan permintaan informasi publik.",
        "lang": "id",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5394",
        "icons": [
            {
                "src": static("aduan/portal/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static("aduan/portal/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static("aduan/portal/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(
        body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@lru_cache(maxsize=1)
def _shell_version() -> str:
    """Changes whenever a shell file changes, so browsers replace the old cache."""
    digest = hashlib.sha256()
    for name in SHELL_STATIC:
        found = finders.find(name)
        if isinstance(found, str):
            digest.update(Path(found).read_bytes())
    return digest.hexdigest()[:12]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    # The tracking page is never kept: it lists the visitor's own reports.
    pages = [
        reverse("portal:home"),
        reverse("portal:report_new"),
        reverse("portal:offline"),
        reverse("portal:privacy"),
    ]
    assets = [static(name) for name in SHELL_STATIC]
    script = render_to_string(
        "portal/sw.js",
        {
            "version": _shell_version(),
            "pages_json": json.dumps(pages),
            "assets_json": json.dumps(assets),
            "offline_url": reverse("portal:offline"),
        },
    )
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    # Browsers re-check the worker on navigation; never let a proxy pin an old one.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
