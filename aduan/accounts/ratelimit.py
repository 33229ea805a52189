"""Per-IP attempt budgets for the account pages, in the shared "ratelimit" cache.

Fixed windows, like the API's limits: every server process sees the same counters (the
"ratelimit" cache is files under the data dir or Redis, never per-process memory).
"""

from __future__ import annotations

import time

from django.core.cache import caches

from aduan.accounts.conf import AttemptLimit


def _key(bucket: str, ip: str, limit: AttemptLimit) -> str:
    slot = int(time.time() // limit.window_seconds)
    return f"aduan:accounts:{bucket}:{ip}:{slot}"


def exhausted(bucket: str, ip: str, limit: AttemptLimit) -> bool:
    """True once `ip` has used up this window's budget (checked before trying anything)."""
    return int(caches["ratelimit"].get(_key(bucket, ip, limit), 0)) >= limit.attempts


def count(bucket: str, ip: str, limit: AttemptLimit) -> int:
    """Count one attempt; returns the count in this window."""
    cache = caches["ratelimit"]
    key = _key(bucket, ip, limit)
    cache.add(key, 0, timeout=limit.window_seconds + 1)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.window_seconds + 1)
        return 1
