"""A cache that lives for one block of work (a sweep), in the thread that runs it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any


class ScopedCache:
    """Inside `with cache.scope():` each key is loaded once; outside, every `get` loads afresh
    (a request must see an edit made a moment ago; a sweep over hundreds of reports need not)."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def scope(self) -> Iterator[None]:
        previous = getattr(self._local, "values", None)
        self._local.values = {} if previous is None else previous  # nested: the outer one's
        try:
            yield
        finally:
            self._local.values = previous

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        values: dict[Hashable, Any] | None = getattr(self._local, "values", None)
        if values is None:
            return load()
        if key not in values:
            values[key] = load()
        return values[key]
