"""send_sms backends: console, and HTTP against a real local HTTP server checking the signature."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from aduan.channels.signing import signature_matches
from aduan.channels.sms import SmsSendError, send_sms

GATEWAY_SECRET = "rahasia-gateway-keluar"


class Gateway:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        self.answer: dict[str, Any] = {"id": "prov-42"}


@pytest.fixture
def gateway() -> Iterator[tuple[str, Gateway]]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append(
                {
                    "body": json.loads(body),
                    "signed": signature_matches(
                        GATEWAY_SECRET,
                        self.headers["X-Aduan-Timestamp"],
                        body,
                        self.headers.get("X-Aduan-Signature", ""),
                    ),
                }
            )
            payload = json.dumps(state.answer).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/send", state
    server.shutdown()
    server.server_close()


def test_console_backend_returns_an_id(settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings.ADUAN_SMS_BACKEND = "console"
    message_id = send_sms("081234567890", "Halo")
    assert message_id.startswith("console:")
    assert "+6281234567890: Halo" in capsys.readouterr().err


def test_http_backend_posts_signed_json(settings: Any, gateway: tuple[str, Gateway]) -> None:
    url, state = gateway
    settings.ADUAN_SMS_BACKEND = "http"
    settings.ADUAN_SMS_HTTP_URL = url
    settings.ADUAN_SMS_HTTP_SECRET = GATEWAY_SECRET
    assert send_sms("0812-3456-7890", "Laporan 2611-123456 sudah selesai.") == "prov-42"
    assert state.received[0]["signed"] is True
    assert state.received[0]["body"]["to"] == "+6281234567890"
    assert state.received[0]["body"]["text"] == "Laporan 2611-123456 sudah selesai."


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (429, True), (400, False)])
def test_http_backend_raises_on_non_2xx(
    settings: Any, gateway: tuple[str, Gateway], status: int, retryable: bool
) -> None:
    url, state = gateway
    state.status = status
    settings.ADUAN_SMS_BACKEND = "http"
    settings.ADUAN_SMS_HTTP_URL = url
    with pytest.raises(SmsSendError) as caught:
        send_sms("+6281234567890", "Halo")
    assert caught.value.retryable is retryable


def test_http_backend_unreachable_is_a_retryable_error(settings: Any) -> None:
    settings.ADUAN_SMS_BACKEND = "http"
    settings.ADUAN_SMS_HTTP_URL = "http://127.0.0.1:9/send"  # discard port: nothing listens
    settings.ADUAN_SMS_HTTP_TIMEOUT = 2
    with pytest.raises(SmsSendError) as caught:
        send_sms("+6281234567890", "Halo")
    assert caught.value.retryable


def test_invalid_recipient_is_not_retryable(settings: Any) -> None:
    settings.ADUAN_SMS_BACKEND = "console"
    with pytest.raises(SmsSendError) as caught:
        send_sms("12", "Halo")
    assert caught.value.retryable is False


def test_gammu_backend_without_a_database_is_a_send_error(settings: Any) -> None:
    settings.ADUAN_SMS_BACKEND = "gammu"
    settings.ADUAN_GAMMU_DATABASE_URL = ""
    with pytest.raises(SmsSendError):
        send_sms("+6281234567890", "Halo")


def test_gammu_sqlite_url_to_a_missing_file_is_refused_not_created(tmp_path: Any) -> None:
    from aduan.channels.gammu import GammuDB, GammuError

    missing = tmp_path / "nope.db"
    with pytest.raises(GammuError, match="four slashes"):
        GammuDB(f"sqlite:///{missing}")
    assert not missing.exists()
