"""Structured logs (issue 18): a request id on every line, carried into the outbox's delivery;
JSON lines without personal data; hostile X-Request-ID headers replaced, never echoed."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aduan.core.logscrub import ScrubAccessCodes
from aduan.core.requestlog import JsonFormatter, RequestContext
from aduan.notifications.delivery import deliver_due
from aduan.notifications.models import OutboundMessage
from tests.api.conftest import SMALLEST, Api, token_for
from tests.ports import free_port
from tests.security.test_logs import CODE, LINES, PERSONAL

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
NEW_ID = re.compile(r"[0-9a-f]{32}")
PHONE, EMAIL = "0812-3456-7890", "budi.santoso@example.org"


class JsonLog:
    def __init__(self, buffer: io.StringIO) -> None:
        self.buffer = buffer

    def lines(self) -> list[dict[str, Any]]:
        # Every line must be one JSON object: json.loads fails the test otherwise.
        return [json.loads(line) for line in self.buffer.getvalue().splitlines()]


@pytest.fixture
def json_log(settings: Any) -> Iterator[JsonLog]:
    """The handler settings.LOGGING configured (its filters), formatting as ADUAN_LOG_FORMAT=json
    does, into a buffer; the per-request line of aduan.request on, as in JSON mode."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ScrubAccessCodes) for f in h.filters)
        and any(isinstance(f, RequestContext) for f in h.filters)
    ]
    assert handlers, logging.getLogger().handlers
    handler: Any = handlers[0]
    buffer = io.StringIO()
    stream, formatter = handler.stream, handler.formatter
    access = logging.getLogger("aduan.request")
    access_level = access.level
    handler.stream, handler.formatter = buffer, JsonFormatter()
    access.setLevel(logging.INFO)
    try:
        yield JsonLog(buffer)
    finally:
        handler.stream, handler.formatter = stream, formatter
        access.setLevel(access_level)


def _submit(**headers: str) -> Any:
    body = {**SMALLEST, "phone": PHONE, "email": EMAIL}
    response = Api(device="citizen-device-01").post("/reports", body, headers)
    assert response.status_code == 201, response.content
    return response


def test_a_request_and_the_delivery_of_its_messages_share_the_id(json_log: JsonLog) -> None:
    first, second = _submit(), _submit()
    ids = {first["X-Request-ID"], second["X-Request-ID"]}
    assert len(ids) == 2 and all(NEW_ID.fullmatch(i) for i in ids)
    # Each confirmation (SMS and e-mail) records the request that wrote it.
    by_number = {r.json()["tracking_number"]: r["X-Request-ID"] for r in (first, second)}
    messages = list(OutboundMessage.objects.select_related("report"))
    assert len(messages) == 4
    assert all(m.request_id == by_number[m.report.tracking_number] for m in messages)  # type: ignore[union-attr]

    counts = deliver_due(limit=None)  # what `aduan worker` runs, outside any request
    assert counts["sent"] == 4
    lines = json_log.lines()
    requests = [line for line in lines if line["logger"] == "aduan.request"]
    assert [line["request_id"] for line in requests] == [first["X-Request-ID"], second["X-Request-ID"]]
    for line in requests:
        assert (line["method"], line["path"], line["status"], line["role"]) == (
            "POST",
            "/api/v1/reports",
            201,
            "anonymous",
        )
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
        assert set(line) >= {"time", "level", "logger", "message"}
    sent = [line for line in lines if line["logger"] == "aduan.notifications.delivery"]
    assert sorted(line["request_id"] for line in sent) == sorted(m.request_id for m in messages)  # type: ignore[misc]
    assert all("method" not in line for line in sent)  # the worker's lines are not a request's
    written = json_log.buffer.getvalue()
    assert PHONE not in written and "+6281234567890" not in written and EMAIL not in written


def test_a_staff_action_logs_the_role_not_the_person(json_log: JsonLog, koordinator: Any) -> None:
    number = _submit().json()["tracking_number"]
    staff = Api(token=token_for(koordinator))
    response = staff.get(f"/reports/{number}")
    assert response.status_code == 200, response.content
    line = next(x for x in json_log.lines() if x["request_id"] == response["X-Request-ID"])
    assert line["role"] == "coordinator" and line["path"] == f"/api/v1/reports/{number}"
    assert koordinator.username not in json_log.buffer.getvalue()


def test_personal_data_never_reaches_a_json_line(json_log: JsonLog) -> None:
    logger = logging.getLogger("aduan.channels")
    for line in [*LINES, *PERSONAL.values()]:
        logger.warning(line)
        logger.warning("quoted: %s", line)
    try:
        raise ValueError(f"refused {EMAIL} / {PHONE} / kode akses {CODE}")
    except ValueError:
        logger.exception("a gateway failed")
    # A path with personal data in it (the path is logged, the query string never).
    Api().get(f"/reports/{EMAIL}", {"X-Access-Code": CODE}, access_code=CODE)
    written = json_log.buffer.getvalue()
    lines = json_log.lines()
    # Each line twice, the traceback, and the request: Django's "Bad Request" and ours.
    assert len(lines) == 2 * (len(LINES) + len(PERSONAL)) + 3
    assert lines[-3]["exception"].startswith("Traceback")
    assert {(x["logger"], x.get("status")) for x in lines[-2:]} == {
        ("django.request", 400),
        ("aduan.request", 400),
    }
    assert lines[-1]["request_id"] == lines[-2]["request_id"] != None  # noqa: E711 - both carry it
    secrets = [CODE, CODE.lower().replace("-", ""), *PERSONAL, EMAIL, PHONE]
    assert [s for s in secrets if s in written] == [], written


@pytest.mark.parametrize(
    "hostile",
    [
        "x" * 10_000,
        "abcdef12\r\nX-Injected: 1",
        "abcdef12345\n",
        "ïdëntïtas-permintaan-1",
        "short",
        "a b c d e f g h",
        "<script>alert(1)</script>",
    ],
)
def test_a_hostile_request_id_is_replaced_never_echoed(json_log: JsonLog, hostile: str) -> None:
    response = Api().get("/categories", {"X-Request-ID": hostile})
    assert response.status_code == 200
    given = response["X-Request-ID"]
    assert NEW_ID.fullmatch(given) and given != hostile
    (line,) = [x for x in json_log.lines() if x["logger"] == "aduan.request"]
    assert line["request_id"] == given
    assert hostile.strip() not in json_log.buffer.getvalue()


def test_a_sane_request_id_from_the_proxy_is_kept(json_log: JsonLog) -> None:
    for sane in ("3f2a9c0d7b1e4f6a8c5d2e1f0a9b8c7d", "lb-1.2:req_7F3A-0001"[:64].replace("_", "-")):
        response = Api().get("/categories", {"X-Request-ID": sane})
        assert response["X-Request-ID"] == sane
    assert [x["request_id"] for x in json_log.lines() if x["logger"] == "aduan.request"] == [
        "3f2a9c0d7b1e4f6a8c5d2e1f0a9b8c7d",
        "lb-1.2:req-7F3A-0001",
    ]


def _django(code: str, log_format: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ADUAN_LOG_FORMAT": log_format, "DJANGO_SETTINGS_MODULE": "aduan.settings"}
    return subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", "import django, logging; django.setup(); " + code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_setting_switches_the_format_and_refuses_a_bad_value() -> None:
    code = f"logging.getLogger('aduan.channels').warning('reply to %s: kode akses {CODE}', '{EMAIL}')"
    json_run = _django(code, "json")
    assert json_run.returncode == 0, json_run.stderr
    (line,) = [json.loads(x) for x in json_run.stderr.splitlines()]
    assert line["level"] == "WARNING" and line["logger"] == "aduan.channels" and line["request_id"] is None
    assert line["message"] == "reply to [disaring]: kode akses [disaring]"
    text_run = _django(code, "text")
    assert text_run.returncode == 0 and text_run.stderr == "reply to [disaring]: kode akses [disaring]\n"
    bad = _django("", "xml")
    assert bad.returncode != 0 and "ADUAN_LOG_FORMAT must be one of ['json', 'text']" in bad.stderr


def test_aduan_serve_writes_json_lines_only(tmp_path: Path) -> None:
    """`aduan serve` with ADUAN_LOG_FORMAT=json: uWSGI's own lines are wrapped as JSON too (all
    but the few it prints before reading its options), and its plain request line is off."""
    import http.client
    import time

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env |= {
        "ADUAN_DATA_DIR": str(tmp_path),
        "ADUAN_LOG_FORMAT": "json",
        "DJANGO_SETTINGS_MODULE": "aduan.settings",
    }
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "aduan"), "migrate", "-v0"], env=env, cwd=ROOT, check=True)  # noqa: S603
    port, log = free_port(), tmp_path / "server.log"
    serve = [str(bin_dir / "aduan"), "serve", "--port", str(port), "--processes", "1", "--threads", "2"]
    process = subprocess.Popen([*serve, "--log", str(log)], env=env, cwd=ROOT)  # noqa: S603
    worker_log = tmp_path / "worker.log"
    with worker_log.open("wb") as out:
        worker = subprocess.Popen(  # noqa: S603
            [str(bin_dir / "aduan"), "worker"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    statuses = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", "/healthz", headers={"X-Request-ID": "probe-0001-json"})
                response = conn.getresponse()
                response.read()
                assert response.getheader("X-Request-ID") == "probe-0001-json"
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        for path in (f"/laporan/?kode_akses={CODE}", f"/lacak/{EMAIL}/"):
            conn.request("GET", path, headers={"X-Request-ID": "x\u00e9" * 40})
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
            assert NEW_ID.fullmatch(response.getheader("X-Request-ID") or "")
        while "Penjadwal sapuan aktif" not in worker_log.read_text():
            assert worker.poll() is None and time.monotonic() < deadline, worker_log.read_text()
            time.sleep(0.2)
    finally:
        for running in (process, worker):
            running.terminate()
            running.wait(timeout=30)
    # The worker's output: JSON lines only, its start-up line included.
    started = [json.loads(line) for line in worker_log.read_text().splitlines()]
    assert any(e["message"].startswith("Penjadwal sapuan aktif") for e in started), started
    lines = log.read_text().splitlines()
    plain = [line for line in lines if not line.startswith("{")]
    assert all(line.startswith(("[uWSGI] getting", "[log-encoder]")) for line in plain), plain
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    uwsgi = [e for e in entries if e["logger"] == "uwsgi"]
    requests = [e for e in entries if e["logger"] == "aduan.request"]
    assert any("spawned uWSGI worker" in e["message"] for e in uwsgi)
    assert [(e["path"], e["status"]) for e in requests] == [
        ("/healthz", 200),
        ("/laporan/", statuses[0]),
        ("/lacak/[disaring]/", statuses[1]),
    ]
    assert requests[0]["request_id"] == "probe-0001-json"
    assert not any("msecs" in e["message"] for e in uwsgi)  # uWSGI's request line (uwsgi.ini) is off
    written = log.read_text()
    assert CODE not in written and EMAIL not in written and "x\u00e9" not in written


def test_a_sweep_run_has_one_id_for_its_messages_and_their_delivery(
    json_log: JsonLog, staff_with_email: dict[str, Any]
) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from aduan.core import clock
    from aduan.sla.sweeps import run_sweeps
    from tests.conftest import as_actor
    from tests.factories import disposed

    wib = ZoneInfo("Asia/Jakarta")
    with clock.travel(dt.datetime(2023, 10, 2, 9, 0, tzinfo=wib)):
        report = disposed(as_actor(staff_with_email["koordinator"]), lead="dinkes")
    OutboundMessage.objects.all().delete()  # the disposition's, written by no request here
    # 80 % of the follow-up's 14 working days: the reminders to Dinkes (tests/sla/test_sweeps.py).
    with clock.travel(dt.datetime(2023, 10, 18, 7, 0, tzinfo=wib)):
        result = run_sweeps()
    reminders = list(OutboundMessage.objects.filter(report=report, template_key="agency.reminder"))
    assert len(reminders) == 2 and result["messages_sent"] == 2
    (run_id,) = {m.request_id for m in reminders}
    assert run_id is not None and run_id.startswith("sweep-")
    sent = [x for x in json_log.lines() if x["logger"] == "aduan.notifications.delivery"]
    assert [x["request_id"] for x in sent] == [run_id, run_id]
