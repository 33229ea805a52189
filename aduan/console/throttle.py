"""A budget of failed staff sign-ins per window (aduan.accounts.ratelimit, the shared cache).

Counted per address and account, and per address, so guessing one coordinator's password from
one machine stops soon while a whole office behind one NAT can still sign in. Wrong second-factor
codes count here too (aduan.console.secondfactor).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from aduan.accounts import ratelimit
from aduan.accounts.conf import AttemptLimit
from aduan.console import conf
from aduan.core.clients import client_ip

# Said by the sign-in form and the second-factor forms alike: they share the budget.
BLOCKED_MESSAGE = gettext_lazy(
    "Terlalu banyak percobaan masuk yang gagal. Coba lagi nanti atau hubungi admin koordinator."
)


def _budgets(request: HttpRequest, username: str) -> list[tuple[str, str, AttemptLimit]]:
    ip = client_ip(request)
    window = conf.LOGIN_WINDOW_SECONDS
    return [
        (
            "console-login-account",
            f"{ip}|{username.strip().lower()}",
            AttemptLimit(conf.LOGIN_FAILURES_PER_ACCOUNT, window),
        ),
        ("console-login-ip", ip, AttemptLimit(conf.LOGIN_FAILURES_PER_IP, window)),
    ]


def login_blocked(request: HttpRequest, username: str) -> bool:
    return any(ratelimit.exhausted(bucket, key, limit) for bucket, key, limit in _budgets(request, username))


def login_failed(request: HttpRequest, username: str) -> None:
    for bucket, key, limit in _budgets(request, username):
        ratelimit.count(bucket, key, limit)
