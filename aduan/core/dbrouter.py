"""Reads from a PostgreSQL streaming replica (DATABASE_REPLICA_URL), for the heavy read paths only.

Nothing is guessed: a view opts in with `@replica_reads` (or `with replica_reads():` around the
part that reads), and only its reads go to the replica, and only while all of these hold:

- the replica is configured and its lag is within ADUAN_REPLICA_MAX_LAG_SECONDS (checked at most
  every LAG_CHECK_SECONDS per process; an unreachable replica counts as too far behind);
- the request is a GET or HEAD, and this request has written nothing so far (once anything went
  to the primary, the rest of the request reads there too: it must see its own writes);
- no transaction is open on the primary (a read inside one may depend on what it wrote);
- the browser did not write within the last PIN_SECONDS (the pin cookie ReplicaPinMiddleware
  sets after any request that wrote): the page after a POST shows what the POST did;
- the model is not one that decides who someone is or may do (sessions, users, OTP devices, API
  keys): a signed-out session or a revoked key must take effect at once, not after the lag.

Writes and migrations always go to the primary ("default"); the replica alias is a test mirror of
it, so in tests without a real replica every read lands on the same database.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

REPLICA = "replica"
PRIMARY = "default"
# How long a measured lag is trusted before it is measured again (per process).
LAG_CHECK_SECONDS = 2.0
# A replica that did not answer is asked again only after this long: each try may wait for the
# connect timeout, in a request.
UNREACHABLE_RETRY_SECONDS = 30.0
# After a request that wrote, the same browser reads from the primary for this long.
PIN_COOKIE = "aduan_primary"
PIN_SECONDS = 15
# Authentication and authorisation: always current, never a lagging copy.
PRIMARY_ONLY_APPS = frozenset({"sessions", "accounts", "auth", "otp_totp", "otp_static", "django_otp", "api"})

_routing: ContextVar[bool] = ContextVar("aduan_replica_reads", default=False)
_wrote: ContextVar[bool] = ContextVar("aduan_request_wrote", default=False)

_lag_lock = threading.Lock()
_lag_checked_at = -1e18
_lag_ok = False

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_lag_seconds(*, alias: str = REPLICA) -> float | None:
    """How far `alias` is behind its primary, in seconds; 0 when it has replayed everything it
    received and is still streaming; None when it cannot be asked (down, unreachable).

    `now() - pg_last_xact_replay_timestamp()` alone grows while the primary is idle (nothing to
    replay, yet the last replayed commit gets older), so it counts only while WAL is pending
    (received but not replayed) or the WAL receiver is not streaming (then the replica cannot know
    how much it misses). A server that is not in recovery is a primary: no lag."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                """
                SELECT pg_is_in_recovery(),
                       pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(),
                       EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'),
                       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
                """
            )
            in_recovery, caught_up, streaming, since_replay = cursor.fetchone()
    except DatabaseError:
        return None
    if not in_recovery:
        return 0.0
    if caught_up and streaming:
        return 0.0
    # Nothing replayed since it started, with WAL pending: behind by an unknown amount.
    return float("inf") if since_replay is None else max(0.0, float(since_replay))


def replica_usable() -> bool:
    """Whether the replica is within the lag limit (measured at most every LAG_CHECK_SECONDS)."""
    global _lag_checked_at, _lag_ok
    now = time.monotonic()
    if now - _lag_checked_at < LAG_CHECK_SECONDS:
        return _lag_ok
    with _lag_lock:
        if now - _lag_checked_at >= LAG_CHECK_SECONDS:
            lag = replica_lag_seconds()
            _lag_ok = lag is not None and lag <= settings.ADUAN_REPLICA_MAX_LAG_SECONDS
            _lag_checked_at = time.monotonic()
            if lag is None:
                # Trusted for longer (see UNREACHABLE_RETRY_SECONDS): shift the check's time ahead.
                _lag_checked_at += UNREACHABLE_RETRY_SECONDS - LAG_CHECK_SECONDS
        return _lag_ok


def _reads_here() -> bool:
    return (
        _routing.get()
        and not _wrote.get()
        and replica_configured()
        and not connections[PRIMARY].in_atomic_block
        and replica_usable()
    )


class ReplicaRouter:
    """DATABASE_ROUTERS entry when DATABASE_REPLICA_URL is set (see the module's docstring)."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        return REPLICA if _reads_here() else PRIMARY

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        # Also for select_for_update() and get_or_create(): everything after reads the primary.
        _wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same rows on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


@contextmanager
def replica_reads_during(request: HttpRequest | None) -> Iterator[None]:
    """The body's reads may come from the replica (for `request`: unless it may write or its
    browser just wrote); replica_reads for a part of a view."""
    wanted = request is None or (request.method in ("GET", "HEAD") and PIN_COOKIE not in request.COOKIES)
    token = _routing.set(wanted)
    try:
        yield
    finally:
        _routing.reset(token)


def replica_reads(view: V) -> V:
    """A view whose reads may come from the replica (see the module's docstring for when)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with replica_reads_during(request):
            return view(request, *args, **kwargs)

    return cast(V, wrapped)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Reads inside go to the primary, also within a replica_reads view (a row a client has just
    created and asks for by name: the replica may not have it yet)."""
    token = _routing.set(False)
    try:
        yield
    finally:
        _routing.reset(token)


class ReplicaPinMiddleware:
    """Tracks whether a request wrote, and then pins its browser to the primary for PIN_SECONDS.

    Outermost, so that writes of the session middleware on the way out count too. Without a
    replica it takes itself out of the chain."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.core.exceptions import MiddlewareNotUsed

        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _wrote.set(False)
        try:
            response = self.get_response(request)
            if _wrote.get():
                response.set_cookie(
                    PIN_COOKIE,
                    "1",
                    max_age=PIN_SECONDS,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
            return response
        finally:
            _wrote.reset(token)
