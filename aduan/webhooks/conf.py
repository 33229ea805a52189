"""Webhook delivery settings from the environment (documented in .env.example)."""

from __future__ import annotations

from aduan.env import env_int

# A delivery is tried this many times, then left `failed` for an admin to send again.
MAX_ATTEMPTS = env_int("ADUAN_WEBHOOK_MAX_ATTEMPTS", 8, minimum=1, maximum=50)
# Seconds before the first retry; doubled after each failed attempt (60 s, 2 min, 4 min, ...).
RETRY_BASE_SECONDS = env_int("ADUAN_WEBHOOK_RETRY_SECONDS", 60, minimum=1, maximum=86_400)
# Seconds one attempt may take to connect, and again to answer.
TIMEOUT_SECONDS = env_int("ADUAN_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1, maximum=60)
# Receivers posted to at once by one worker.
THREADS = env_int("ADUAN_WEBHOOK_THREADS", 4, minimum=1, maximum=32)
# A claimed delivery not reported back within this many seconds (a crashed worker) is tried again:
# longer than a batch can take (CLAIM_BATCH receivers one after another, each up to the timeout twice).
CLAIM_SECONDS = 900
