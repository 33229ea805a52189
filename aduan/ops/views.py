"""Probes and metrics. No session, no language, no rate limit: they answer JSON or plain text
to machines, and a probe that was throttled or redirected would take a healthy server out."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from aduan.core.clients import client_ip
from aduan.ops import health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive and answers; touches no database (a restart would not fix that)."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """200 when the database, storage, migrations and a worker are all fine, else 503 naming
    what failed."""
    results = health.readiness()
    failed = {name: why for name, why in results.items() if why is not None}
    body = {
        "status": "fail" if failed else "ok",
        "checks": {name: ("fail" if why else "ok") for name, why in results.items()},
        "failed": failed,
    }
    return JsonResponse(body, status=503 if failed else 200)


def metrics_allowed(request: HttpRequest) -> bool:
    """With ADUAN_METRICS_TOKEN set, only `Authorization: Bearer <token>`; without it, only
    requests from this machine (the client address as every interface sees it: nginx passes the
    visitor's own as REMOTE_ADDR)."""
    token: str = settings.ADUAN_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return client_ip(request) in {"127.0.0.1", "::1"}


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' scrape: 404 to anyone not allowed, so the address says nothing to the public."""
    if not metrics_allowed(request):
        return HttpResponse(status=404)
    from prometheus_client import CONTENT_TYPE_LATEST

    from aduan.ops.metrics import exposition

    try:
        body = exposition()
    except DatabaseError as exc:
        # Counted from the database: without it there is nothing true to say (Prometheus marks
        # the target down, which is what /readyz says too).
        return HttpResponse(
            f"database unreachable: {type(exc).__name__}\n", status=503, content_type="text/plain"
        )
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
