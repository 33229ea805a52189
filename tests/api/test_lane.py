"""The lane of POST /api/v1/reports (aduan.api.lane): it answers exactly as the API view does,
and everything it should not answer reaches Django untouched."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import signals
from django.db import close_old_connections

from aduan.api.lane import Lane
from aduan.intake.models import Report
from aduan.wsgi import application, django_application

BODY = {
    "kind": "pengaduan",
    "title": "Jalan berlubang",
    "description": "Di depan pasar.",
    "region": "35.02.17",
}


class Spy:
    """Django's WSGI application, counting the requests that reach it."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.calls += 1
        return django_application(environ, start_response)


@pytest.fixture
def lane(db: None) -> Iterator[tuple[Lane, Spy]]:
    # As django.test.Client does: the test's transaction must survive request_started/finished.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    spy = Spy()
    try:
        yield Lane(spy), spy
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def call(
    app: Any, body: Any = BODY, headers: dict[str, str] | None = None, **environ: str
) -> tuple[int, dict[str, str], Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    env: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/reports",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(raw),
        "CONTENT_LENGTH": str(len(raw)),
        "CONTENT_TYPE": "application/json",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_DEVICE_ID": "lane-device-0001",
    }
    env.update(environ)
    for name, value in (headers or {}).items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    seen: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"] = int(status.split()[0])
        seen["headers"] = dict(response_headers)

    result = application_result = app(env, start_response)
    try:
        content = b"".join(application_result)
    finally:
        getattr(result, "close", lambda: None)()
    is_json = "json" in seen["headers"].get("Content-Type", "")
    return seen["status"], seen["headers"], json.loads(content) if is_json else content


def test_the_served_application_is_the_lane_around_django() -> None:
    # (inside BodyDrained, which only reads what a request left of its body)
    lane = application.app
    assert isinstance(lane, Lane) and lane.app is django_application


def test_a_report_takes_the_lane_and_is_answered_as_django_answers_it(lane: tuple[Lane, Spy]) -> None:
    app, spy = lane
    status, headers, body = call(app)
    assert spy.calls == 0
    assert status == 201 and body["status"] == "belum_terverifikasi" and body["channel"] == "mobile"
    report = Report.objects.get(tracking_number=body["tracking_number"])
    assert report.title == BODY["title"] and report.channel == "mobile"
    assert headers["Location"] == f"/api/v1/reports/{body['tracking_number']}"
    # The same request the long way (a token-free client that the lane is bypassed for).
    django_status, django_headers, django_body = call(django_application)
    assert django_status == 201 and set(django_body) == set(body)
    for name in ("Location", "Content-Length", "X-Request-ID"):
        headers.pop(name), django_headers.pop(name)
    assert headers == django_headers  # security headers, language, X-Frame-Options


def test_a_retry_is_answered_from_the_first_answer(lane: tuple[Lane, Spy]) -> None:
    app, spy = lane
    _, _, first = call(app, headers={"Idempotency-Key": "lane-1"})
    status, headers, again = call(app, headers={"Idempotency-Key": "lane-1"})
    assert status == 201 and again == first and headers["Idempotent-Replayed"] == "true"
    status, _, reused = call(app, {**BODY, "title": "Lain"}, headers={"Idempotency-Key": "lane-1"})
    assert status == 422 and reused["code"] == "idempotency_key_reused"  # the API's own handler
    assert spy.calls == 0 and Report.objects.count() == 1


def test_the_lane_gives_the_request_id_to_the_answer_and_the_confirmation(lane: tuple[Lane, Spy]) -> None:
    from aduan.notifications.models import OutboundMessage

    app, spy = lane
    status, headers, body = call(
        app, {**BODY, "email": "warga@example.org"}, {"X-Request-ID": "lb-lane-0001"}
    )
    assert status == 201 and spy.calls == 0 and headers["X-Request-ID"] == "lb-lane-0001"
    (message,) = OutboundMessage.objects.filter(report__tracking_number=body["tracking_number"])
    assert message.request_id == "lb-lane-0001"
    _, headers, _ = call(app, headers={"X-Request-ID": "bad\nid-0001"})
    assert headers["X-Request-ID"] != "bad\nid-0001" and len(headers["X-Request-ID"]) == 32


@pytest.mark.parametrize(
    ("body", "headers", "environ", "status", "code"),
    [
        ({**BODY, "title": ""}, {}, {}, 400, "title_required"),
        ({**BODY, "region": "99.99"}, {}, {}, 400, "unknown_region"),
        (b"{not json", {}, {}, 400, "invalid_json"),
        (BODY, {"Authorization": "Bearer wrong"}, {}, 401, "invalid_token"),
        (BODY, {"X-Device-Id": "x"}, {}, 400, "invalid_device_id"),
        ({**BODY, "title": "x\ud800"}, {}, {}, 400, "invalid_characters"),
        ({**BODY, "latitude": float("nan"), "longitude": 111.4}, {}, {}, 400, "invalid_latitude"),
        ({**BODY, "region": "35.01.01"}, {}, {}, 400, "region_outside_installation"),
        (b"[" * 50_000 + b"]" * 50_000, {}, {}, 400, "invalid_json"),
    ],
)
def test_what_the_lane_does_not_answer_reaches_django_untouched(
    lane: tuple[Lane, Spy],
    body: Any,
    headers: dict[str, str],
    environ: dict[str, str],
    status: int,
    code: str,
) -> None:
    app, spy = lane
    got_status, got_headers, problem = call(app, body, headers, **environ)
    assert spy.calls == 1
    assert (got_status, problem["code"]) == (status, code)
    assert got_headers["Content-Type"] == "application/problem+json"
    assert Report.objects.count() == 0


def test_a_long_idempotency_key_is_refused_by_the_lane_as_by_django(lane: tuple[Lane, Spy]) -> None:
    app, spy = lane
    status, _, problem = call(app, headers={"Idempotency-Key": "k" * 129})
    assert (status, problem["code"]) == (400, "idempotency_key_too_long") and spy.calls == 0
    assert call(django_application, headers={"Idempotency-Key": "k" * 129})[2] == problem
    assert Report.objects.count() == 0


def test_a_host_not_allowed_reaches_django(lane: tuple[Lane, Spy]) -> None:
    app, spy = lane
    status, _, _ = call(app, HTTP_HOST="evil.example")
    assert spy.calls == 1 and status == 400 and Report.objects.count() == 0


def test_rate_limit_counts_each_request_once(lane: tuple[Lane, Spy], monkeypatch: pytest.MonkeyPatch) -> None:
    app, spy = lane
    monkeypatch.setenv("ADUAN_API_RATE_LIMIT", "true")
    monkeypatch.setenv("ADUAN_API_RATE_CREATE_PER_IP", "2")
    assert call(app, {**BODY, "kind": "x"})[0] == 400  # refused by Django, counted there
    assert call(app)[0] == 201  # the lane counts the second
    status, headers, problem = call(app)
    assert status == 429 and problem["code"] == "rate_limited" and int(headers["Retry-After"]) >= 1
    assert spy.calls == 1 and Report.objects.count() == 1
