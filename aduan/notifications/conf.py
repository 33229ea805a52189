"""Delivery settings from the environment (documented in .env.example)."""

from __future__ import annotations

from aduan.env import env_int

# A message is tried this many times, then left `failed` for an admin to look at.
MAX_ATTEMPTS = env_int("ADUAN_NOTIFY_MAX_ATTEMPTS", 5, minimum=1, maximum=50)
# Seconds before the first retry; doubled after each failed attempt (60 s, 2 min, 4 min, ...).
RETRY_BASE_SECONDS = env_int("ADUAN_NOTIFY_RETRY_SECONDS", 60, minimum=1, maximum=86_400)
# A claimed message not reported back within this many seconds (a crashed worker) is tried again.
CLAIM_SECONDS = 300
