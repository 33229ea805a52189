"""API configuration from the environment (documented in .env.example)."""

from __future__ import annotations

from dataclasses import dataclass

from aduan.env import env_bool, env_int


@dataclass(frozen=True)
class RateLimits:
    enabled: bool
    create_per_ip: int
    create_per_device: int
    read_per_ip: int
    access_code_failures_per_ip: int
    window_seconds: int


def rate_limits() -> RateLimits:
    """Read on each call so tests and operators can change them without a restart of settings."""
    return RateLimits(
        enabled=env_bool("ADUAN_API_RATE_LIMIT", True),
        create_per_ip=env_int("ADUAN_API_RATE_CREATE_PER_IP", 30, minimum=1),
        create_per_device=env_int("ADUAN_API_RATE_CREATE_PER_DEVICE", 10, minimum=1),
        read_per_ip=env_int("ADUAN_API_RATE_READ_PER_IP", 600, minimum=1),
        access_code_failures_per_ip=env_int("ADUAN_API_RATE_ACCESS_CODE_FAILURES_PER_IP", 20, minimum=1),
        window_seconds=env_int("ADUAN_API_RATE_WINDOW_SECONDS", 60, minimum=1, maximum=3600),
    )
