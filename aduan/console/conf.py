"""Console settings from the environment (documented in .env.example)."""

from __future__ import annotations

from aduan.env import env_int

# Failed staff sign-ins allowed per client address and account in one window, and per address.
LOGIN_FAILURES_PER_ACCOUNT = env_int("ADUAN_CONSOLE_LOGIN_FAILURES_PER_ACCOUNT", 10, minimum=1, maximum=1000)
LOGIN_FAILURES_PER_IP = env_int("ADUAN_CONSOLE_LOGIN_FAILURES_PER_IP", 30, minimum=1, maximum=10000)
LOGIN_WINDOW_SECONDS = env_int("ADUAN_CONSOLE_LOGIN_WINDOW_SECONDS", 900, minimum=60, maximum=86400)
# Behind a reverse proxy: the header that holds the client's address (defaults to the API's).
