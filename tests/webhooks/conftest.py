"""A real HTTP receiver on loopback that checks every delivery's signature with core.signing, the
way an agency's system would (with the key from GET /api/v1/webhooks)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from aduan.core import signing
from tests.ports import free_port

# This worktree's port range (tests on one machine with other engineers' servers).


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    message_id: str = ""
    error: str = ""

    @property
    def payload(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    """A receiver whose answers a test sets: `statuses` (used in turn, the last one repeated),
    `delay` seconds before answering. `applied` holds each message id once, as a receiver that
    applies each delivery once would."""

    port: int
    public_key: str = ""
    statuses: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    applied: dict[str, Received] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/aduan/webhook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                item = Received(headers=dict(self.headers.items()), body=body)
                try:
                    key = signing.public_key_parse(receiver.public_key or signing.public_key_text())
                    item.message_id = signing.message_verify(headers=self.headers, body=body, public_key=key)
                except signing.SignatureError as exc:
                    item.error = exc.code
                receiver.received.append(item)
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                if 200 <= status < 300 and not item.error:
                    receiver.applied.setdefault(item.message_id, item)
                self.send_response(status if not item.error else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture(autouse=True)
def _webhook_settings(settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.ROOT_URLCONF = "tests.api.admin_urls"
    monkeypatch.setenv("ADUAN_API_RATE_LIMIT", "false")
    # Receivers of these tests are on loopback; the SSRF tests turn this off again.
    settings.ADUAN_WEBHOOK_ALLOW_PRIVATE = True
    settings.ADUAN_INSTANCE_KEY_FILE = str(tmp_path / "instance_ed25519.pem")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver(port=free_port())
    made.start()
    yield made
    made.stop()


@pytest.fixture
def other_receiver() -> Iterator[Receiver]:
    made = Receiver(port=free_port())
    made.start()
    yield made
    made.stop()
