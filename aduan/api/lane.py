"""The lane of POST /api/v1/reports with a JSON body: the API view's own work, without Django's
URL resolver, request middleware and Ninja's dispatch in front of it.

Every report from the mobile app is this request, and it is the one that has to keep up with
surges (issue 3: ≥ 1,000 durable reports/s on 2 cores, bench/intake.py). Profiled under that
load, resolving the URL alone took 7 % of the CPU of a submission, and the middleware chain and
Ninja's dispatch about as much again. The lane (a WSGI wrapper, aduan/wsgi.py) takes a request
only when it can answer it exactly as the API view would:

- no Authorization header (device and anonymous submissions; tokens go the long way), a JSON
  content type, a Host in ALLOWED_HOSTS, no HTTPS redirect due, a body within
  DATA_UPLOAD_MAX_MEMORY_SIZE;
- the body parses, validates and prepares (`parse_create`, `prepare_json`: the view's code).

Anything else, an error above all, goes to Django untouched (the body the lane read is put
back), so every refusal keeps its one implementation. From the rate limit on, the request is
the lane's: it is written by the view's `submit_prepared`, and an error from there on is
answered by the API's own exception handlers (`api.on_exception`). The answer passes the
response half of the middleware that sets headers (security headers, CSP, privacy headers,
language, X-Frame-Options, the request id); tests/api/test_lane.py checks that the lane's answers equal Django's.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any, cast

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.core.handlers.wsgi import WSGIRequest, get_script_name
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import set_script_prefix

from aduan.api import ratelimit
from aduan.api.clients import client_of
from aduan.core import requestlog
from aduan.core.middleware import LanguageMiddleware, PrivacyHeadersMiddleware

PATH = "/api/v1/reports"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _unused(request: Any) -> HttpResponse:
    raise AssertionError("the lane calls the middleware's request and response halves only")


class Lane:
    """WSGI wrapper: answers the lane's requests itself, passes every other one to `app`."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.security = SecurityMiddleware(_unused)
        self.csp = CSPMiddleware(_unused)
        self.privacy = PrivacyHeadersMiddleware(_unused)
        self.language = LanguageMiddleware(_unused)
        self.frame = XFrameOptionsMiddleware(_unused)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if (
            environ.get("PATH_INFO") == PATH
            and environ.get("REQUEST_METHOD") == "POST"
            and "HTTP_AUTHORIZATION" not in environ
            and environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower() == "application/json"
        ):
            response = self.take(environ)
            if response is not None:
                return self.send(response, start_response)
        return self.app(environ, start_response)

    def take(self, environ: dict[str, Any]) -> HttpResponseBase | None:
        """The lane's answer, or None: Django answers (the environ as it came)."""
        request = WSGIRequest(environ)
        # The request id first, as RequestIdMiddleware is first in the chain: the submission
        # records it (its confirmation's delivery logs it), and the answer returns it.
        scope = requestlog.Scope(request)
        try:
            answer = self._take(request, environ)
            return None if answer is None else scope.finish(request, answer)
        finally:
            scope.close()

    def _take(self, request: WSGIRequest, environ: dict[str, Any]) -> HttpResponseBase | None:
        try:
            request.get_host()
            if settings.SECURE_SSL_REDIRECT and not request.is_secure():
                return None
            raw = request.body
        except (DisallowedHost, RequestDataTooBig):
            return None  # nothing read yet
        environ["wsgi.input"] = io.BytesIO(raw)  # for Django, should it answer after all
        from aduan.api.api import api
        from aduan.api.reports import parse_create, prepare_json, submit_prepared

        # As Django's handler does first: the script prefix (links in the confirmation message)
        # and request_started (database connections that broke or aged are replaced).
        set_script_prefix(get_script_name(environ))
        signals.request_started.send(sender=Lane, environ=environ)
        try:
            client = client_of(request)
            body, _files, request_fingerprint = parse_create(request)
            prepared = prepare_json(client, body)
        except Exception:  # noqa: BLE001 - refused input, or worse: Django answers it
            return None
        self.language.process_request(request)
        try:
            ratelimit.check_create(client)
            key = request.headers.get("Idempotency-Key", "").strip()
            answer = submit_prepared(client, prepared, key, request_fingerprint)
        except Exception as exc:  # noqa: BLE001 - answered as the API answers any error
            answer = api.on_exception(request, exc)
        answer["Content-Length"] = str(len(answer.content))
        # In the chain's order for responses (settings.MIDDLEWARE, last first).
        answer = self.frame.process_response(request, answer)
        answer = cast(HttpResponse, self.language.process_response(request, answer))
        answer = cast(HttpResponse, self.privacy.process_response(request, answer))
        answer = cast(HttpResponse, self.csp.process_response(request, answer))
        return self.security.process_response(request, answer)

    @staticmethod
    def send(response: HttpResponseBase, start_response: Callable[..., Any]) -> Iterable[bytes]:
        status = f"{response.status_code} {response.reason_phrase}"
        headers = [
            *response.items(),
            *(("Set-Cookie", c.output(header="")) for c in response.cookies.values()),
        ]
        start_response(status, headers)
        # Closing the response sends request_finished (old database connections are tidied then).
        return response
