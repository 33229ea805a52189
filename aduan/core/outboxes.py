"""The outboxes `aduan worker` drains besides the notifications' own: each app registers a function
that sends its due rows and one that sends until none is due (returning counts), so the worker
needs to import none of them."""

from __future__ import annotations

from collections.abc import Callable

Deliver = Callable[[], dict[str, int]]
_registered: dict[str, tuple[Deliver, Deliver]] = {}


def register(name: str, *, due: Deliver, drain: Deliver) -> None:
    _registered[name] = (due, drain)


def deliver_registered(*, drain: bool = False) -> dict[str, int]:
    """One pass of every registered outbox (or until empty); counts prefixed with its name."""
    result: dict[str, int] = {}
    for name, (due, all_) in _registered.items():
        for key, value in (all_ if drain else due)().items():
            result[f"{name}_{key}"] = value
    return result
