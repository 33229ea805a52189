"""A request id on every log line, and log lines as JSON objects (issue 18).

Every request gets an id: the one nginx or a load balancer sent in `X-Request-ID` when it is
sane (ASCII letters, digits and `._:-`, 8-64 characters), else a new one; a header that is not
(too long, a newline, non-ASCII) is replaced, never echoed, so a client cannot write into the
log or into our answer. The id is returned in `X-Request-ID`, kept in a context variable while
the request runs, and put on every log record by `RequestContext` (a filter on the handlers in
settings.LOGGING, beside the scrubbing of personal data). Outbox rows written during the request
record it (OutboundMessage.request_id), and the worker binds it again while it delivers them:
a citizen's complaint about a missing SMS is followed from the request to the gateway by one id.

`ADUAN_LOG_FORMAT=json` writes each record as one JSON object per line (`JsonFormatter`); the
default, text, keeps `make run` readable. The user's role is logged, never who they are.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.functional import empty

from aduan.core.logscrub import scrub

HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits, a UUID 36 characters; 64 leaves room for a prefix.
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}", re.ASCII)
access_logger = logging.getLogger("aduan.request")


@dataclass
class LogContext:
    request_id: str
    method: str = ""
    path: str = ""


_current: ContextVar[LogContext | None] = ContextVar("aduan_log_context", default=None)


def request_id_from(incoming: str | None) -> str:
    """The incoming id when it is sane, else a new one (32 hex digits, like nginx's)."""
    if incoming and _SANE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str:
    """The id of the request (or of the delivery) this thread works for; "" outside one."""
    context = _current.get()
    return context.request_id if context is not None else ""


@contextmanager
def bound(request_id: str) -> Iterator[None]:
    """Log records in this block carry `request_id` (the worker, delivering a request's message)."""
    token = _current.set(LogContext(request_id) if request_id else None)
    try:
        yield
    finally:
        _current.reset(token)


def role_of(request: HttpRequest) -> str:
    """The caller's role, never their identity: "anonymous" when nobody signed in."""
    # The API's caller (aduan.api.clients.client_of caches it on the request): a bearer token.
    client = getattr(request, "_aduan_client", None)
    user = getattr(client, "user", None) if client is not None else None
    if user is None:
        lazy = getattr(request, "user", None)
        # Only a user the request already looked up: evaluating it here would cost a session
        # and a user query for a request that had no use for them; without a session cookie
        # there is nobody to look up.
        wrapped = getattr(lazy, "_wrapped", lazy)
        if wrapped is empty:
            if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
                return "anonymous"
            wrapped = lazy
        user = wrapped
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return str(getattr(user, "role", "") or "staff")


class Scope:
    """One request's log context: begun before the view runs, finished with its answer."""

    def __init__(self, request: HttpRequest) -> None:
        self.started = time.perf_counter()
        self.context = LogContext(
            request_id=request_id_from(request.META.get("HTTP_X_REQUEST_ID")),
            method=request.method or "",
            # The path only: a query string may carry what the scrubbing cannot recognise.
            path=request.path,
        )
        self.token = _current.set(self.context)
        # For what is logged about the request after the middleware (django.request's 4xx/5xx
        # lines come from the handler, outside the chain): RequestContext reads it there.
        request._aduan_log_context = self.context  # type: ignore[attr-defined]

    def finish(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response[HEADER] = self.context.request_id
        if access_logger.isEnabledFor(logging.INFO):
            duration_ms = round((time.perf_counter() - self.started) * 1000, 1)
            access_logger.info(
                "%s %s %s",
                self.context.method,
                self.context.path,
                response.status_code,
                extra={"status": response.status_code, "duration_ms": duration_ms, "role": role_of(request)},
            )
        return response

    def close(self) -> None:
        _current.reset(self.token)


class RequestIdMiddleware:
    """First in settings.MIDDLEWARE: the request id for all that runs below it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        scope = Scope(request)
        try:
            return scope.finish(request, self.get_response(request))
        finally:
            scope.close()


class RequestContext(logging.Filter):
    """Puts the current request's id, method and path on a record (unless it has its own)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        if context is None:
            context = getattr(getattr(record, "request", None), "_aduan_log_context", None)
        if not hasattr(record, "request_id"):
            record.request_id = context.request_id if context is not None else None
        if context is not None and context.method:
            if not hasattr(record, "method"):
                record.method = context.method
            if not hasattr(record, "path"):
                record.path = context.path
        return True


# What JsonFormatter writes besides time, level, logger and message, when a record has it.
_FIELDS = ("method", "path", "status", "duration_ms", "role")


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Scrubbed here as well as by the handler's filter: the message,
    the path and a traceback (an exception's text may quote a value it refused)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = scrub(value) if isinstance(value, str) else value
        # Django's request logger gives the answer's status this way.
        status_code = getattr(record, "status_code", None)
        if "status" not in entry and isinstance(status_code, int):
            entry["status"] = status_code
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = scrub(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)
