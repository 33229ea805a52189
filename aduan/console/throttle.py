"""A budget of failed staff sign-ins per window (fixed windows in the shared "ratelimit" cache).

Counted per address and account, and per address, so guessing one coordinator's password from
one machine stops soon while a whole office behind one NAT can still sign in.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import caches
from django.http import HttpRequest

from aduan.console import conf
from aduan.core.clients import client_ip


def _keys(request: HttpRequest, username: str) -> list[tuple[str, int]]:
    slot = int(time.time() // conf.LOGIN_WINDOW_SECONDS)
    ip = client_ip(request)
    account = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:16]
    return [
        (f"aduan:console-login:{slot}:{ip}:{account}", conf.LOGIN_FAILURES_PER_ACCOUNT),
        (f"aduan:console-login:{slot}:{ip}", conf.LOGIN_FAILURES_PER_IP),
    ]


def login_blocked(request: HttpRequest, username: str) -> bool:
    cache = caches["ratelimit"]
    return any(int(cache.get(key, 0)) >= budget for key, budget in _keys(request, username))


def login_failed(request: HttpRequest, username: str) -> None:
    cache = caches["ratelimit"]
    for key, _budget in _keys(request, username):
        cache.add(key, 0, timeout=conf.LOGIN_WINDOW_SECONDS + 1)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=conf.LOGIN_WINDOW_SECONDS + 1)
