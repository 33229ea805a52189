"""Attempt budgets in the shared "ratelimit" cache: one count for every server process.

Fixed windows. The "ratelimit" cache is files under the data dir (every process of one host) or
Redis (several hosts), never per-process memory, so a limit holds however many uWSGI processes
serve, and survives a worker's restart. Callers count failures only, keyed narrowly enough that a
carrier NAT full of citizens is not locked out of their right codes: e.g. a tracking number with
the client address, a phone number, an account with the address.

    limit = AttemptLimit(attempts=10, window_seconds=900)            # aduan.accounts.conf
    if ratelimit.exhausted("track", f"{number}|{ip}", limit): ...  # before checking anything
    if wrong: ratelimit.count("track", f"{number}|{ip}", limit)
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import caches

from aduan.accounts.conf import AttemptLimit


def _key(bucket: str, key: str, limit: AttemptLimit) -> str:
    slot = int(time.time() // limit.window_seconds)
    # Hashed: keys hold phone numbers and addresses, which have no business in cache file names.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"aduan:throttle:{bucket}:{digest}:{slot}"


def exhausted(bucket: str, key: str, limit: AttemptLimit) -> bool:
    """True once `key` has used up this window's budget (checked before trying anything)."""
    return int(caches["ratelimit"].get(_key(bucket, key, limit), 0)) >= limit.attempts


def count(bucket: str, key: str, limit: AttemptLimit) -> int:
    """Count one attempt; returns the count in this window."""
    cache = caches["ratelimit"]
    cache_key = _key(bucket, key, limit)
    cache.add(cache_key, 0, timeout=limit.window_seconds + 1)
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=limit.window_seconds + 1)
        return 1


def retry_after(limit: AttemptLimit) -> int:
    """Seconds until the current window ends."""
    now = time.time()
    return max(1, int((now // limit.window_seconds + 1) * limit.window_seconds - now) + 1)
