"""Typed readers for settings from the environment; each refuses a bad value loudly."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_ints(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """As many comma-separated whole numbers (0 or more) as `default` has, e.g. "50000,50,100"."""
    items = env_list(name, [str(n) for n in default])
    try:
        values = tuple(int(item) for item in items)
    except ValueError:
        values = ()
    if len(values) != len(default) or any(v < 0 for v in values):
        raise ImproperlyConfigured(
            f"{name} must be {len(default)} whole numbers separated by commas, not {os.environ.get(name)!r}"
        )
    return values


def env_bbox(name: str, default: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """A latitude/longitude box "south,west,north,east" in degrees, e.g. "-8.36,111.26,-7.78,111.89"."""
    items = env_list(name, [str(n) for n in default])
    try:
        values = tuple(float(item) for item in items)
    except ValueError:
        values = ()
    if (
        len(values) != 4
        or not (-90 <= values[0] < values[2] <= 90)
        or not (-180 <= values[1] < values[3] <= 180)
    ):
        raise ImproperlyConfigured(
            f"{name} must be south,west,north,east in degrees (south < north, west < east), "
            f"not {os.environ.get(name)!r}"
        )
    return values[0], values[1], values[2], values[3]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {sorted(choices)}, not {value!r}")
    return value


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default.resolve()
