"""Portal settings, read from the environment (documented in .env.example)."""

from __future__ import annotations

from aduan.accounts.conf import AttemptLimit
from aduan.env import env_int


# Wrong tracking codes one IP address may try for one tracking number per window before it is
# told to wait (only failures count; read on each call so an operator's or a test's change applies).
def track_limit() -> AttemptLimit:
    return AttemptLimit(
        attempts=env_int("ADUAN_PORTAL_TRACK_ATTEMPTS", 10, minimum=1, maximum=1000),
        window_seconds=env_int("ADUAN_PORTAL_TRACK_WINDOW_SECONDS", 900, minimum=10, maximum=86_400),
    )


# Reports per page of the public feed.
FEED_PAGE_SIZE = env_int("ADUAN_PORTAL_FEED_PAGE_SIZE", 20, minimum=5, maximum=100)
# How long the confirmation page may show the access code again (a reload, a lost tab).
CONFIRMATION_SECONDS = env_int("ADUAN_PORTAL_CONFIRMATION_SECONDS", 1800, minimum=60, maximum=86_400)
# "Lupa kode akses?": new codes one report, and one phone/e-mail, may be sent per window, and the
# least time an answer takes (both outcomes wait for it, so timing does not tell them apart).
RECOVER_ATTEMPTS = env_int("ADUAN_PORTAL_RECOVER_ATTEMPTS", 3, minimum=1, maximum=100)
RECOVER_WINDOW_SECONDS = env_int("ADUAN_PORTAL_RECOVER_WINDOW_SECONDS", 3600, minimum=60, maximum=7 * 86_400)
RECOVER_MIN_MS = env_int("ADUAN_PORTAL_RECOVER_MIN_MS", 400, minimum=0, maximum=5000)
# Reports on the public map (/peta/), newest first.
MAP_REPORTS = env_int("ADUAN_PORTAL_MAP_REPORTS", 500, minimum=10, maximum=5000)
