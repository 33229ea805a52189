"""Aduan's own deployment checks, run with Django's by `aduan check --deploy` (README: Production)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from aduan.env import env_str

UNSAFE_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"}


@register(Tags.security, deploy=True)
def aduan_deploy_checks(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if not settings.HTTPS:
        problems.append(
            Warning(
                "ADUAN_HTTPS is not true: cookies may travel unencrypted and there is no HSTS or redirect to https.",
                hint="Serve Aduan over TLS and set ADUAN_HTTPS=true (README: Production).",
                id="aduan.W001",
            )
        )
    if "csp.middleware.CSPMiddleware" not in settings.MIDDLEWARE:
        problems.append(Error("The Content-Security-Policy middleware is not installed.", id="aduan.E002"))
    directives = settings.CONTENT_SECURITY_POLICY.get("DIRECTIVES", {})
    for name in ("script-src", "style-src", "default-src"):
        loose = UNSAFE_SOURCES & set(directives.get(name, ()))
        if loose:
            problems.append(
                Warning(
                    f"The Content-Security-Policy's {name} allows {', '.join(sorted(loose))}.",
                    hint="Move inline scripts and styles to static files instead.",
                    id="aduan.W003",
                )
            )
    if not {"coordinator", "admin"} <= settings.ADUAN_OTP_REQUIRED_ROLES:
        problems.append(
            Warning(
                "The coordinator or Django-admin users may sign in without a second factor "
                f"(ADUAN_OTP_REQUIRED_ROLES={','.join(sorted(settings.ADUAN_OTP_REQUIRED_ROLES)) or '(empty)'}).",
                hint="Include coordinator and admin in ADUAN_OTP_REQUIRED_ROLES.",
                id="aduan.W004",
            )
        )
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not env_str("ADUAN_CLIENT_IP_HEADER").strip():
        problems.append(
            Warning(
                "Behind a reverse proxy (ADUAN_PROXY_SSL_HEADER is set) every request comes from the proxy's "
                "address, so per-address limits would lock every citizen out at once.",
                hint="Set ADUAN_CLIENT_IP_HEADER to the header the proxy overwrites, e.g. X-Forwarded-For.",
                id="aduan.W005",
            )
        )
    backend = settings.CACHES.get("ratelimit", {}).get("BACKEND", "")
    if not backend or backend.endswith("LocMemCache") or backend.endswith("DummyCache"):
        problems.append(
            Error(
                "The 'ratelimit' cache is not shared between server processes: every attempt limit "
                "would count per process.",
                hint="Leave CACHES as settings.py sets them (files under the data dir) or set ADUAN_REDIS_URL.",
                id="aduan.E006",
            )
        )
    if settings.ADUAN_STAFF_SESSION_SECONDS > 24 * 3600:
        problems.append(
            Warning(
                "Staff sessions last more than a day (ADUAN_STAFF_SESSION_SECONDS).",
                hint="The default is 28800 (8 hours, a working day).",
                id="aduan.W007",
            )
        )
    return problems
