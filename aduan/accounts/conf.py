"""Citizen-account settings, read from the environment (documented in .env.example)."""

from __future__ import annotations

from dataclasses import dataclass

from aduan.env import env_int


@dataclass(frozen=True)
class AttemptLimit:
    attempts: int
    window_seconds: int


def login_limit() -> AttemptLimit:
    """Failed sign-ins one IP address may make per window before it is told to wait.

    Read on each call so that an operator's change (and a test's) applies without a restart.
    """
    return AttemptLimit(
        attempts=env_int("ADUAN_ACCOUNTS_LOGIN_ATTEMPTS", 10, minimum=1, maximum=10_000),
        window_seconds=env_int("ADUAN_ACCOUNTS_LOGIN_WINDOW_SECONDS", 900, minimum=10, maximum=86_400),
    )


def register_limit() -> AttemptLimit:
    """Account registrations one IP address may make per window."""
    return AttemptLimit(
        attempts=env_int("ADUAN_ACCOUNTS_REGISTER_ATTEMPTS", 10, minimum=1, maximum=10_000),
        window_seconds=env_int("ADUAN_ACCOUNTS_REGISTER_WINDOW_SECONDS", 900, minimum=10, maximum=86_400),
    )
