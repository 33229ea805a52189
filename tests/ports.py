"""A free TCP port on the loopback for a server a test starts (the system picks it)."""

from __future__ import annotations

import socket


def free_port(exclude: tuple[int, ...] = ()) -> int:
    """A port nothing listens on now; not one of `exclude` (ports already handed to this test)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port not in exclude:
            return port
