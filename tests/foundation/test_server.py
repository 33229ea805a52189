"""The production server as `make run` and the README start it: `aduan serve`, nginx in front of
uWSGI with uwsgi.ini.

A real uWSGI (strict mode: an option it does not know fails the start) behind a real nginx serves
a fresh SQLite installation; a report goes in through the API lane and is read back, on one
kept-alive connection, and a page with its static file comes out of Django. Oversized requests
get HTTP answers, slow uploads hold no worker, and a killed worker's client gets 502.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclasses.dataclass
class Served:
    port: int
    data: Path  # ADUAN_DATA_DIR: the SQLite database, the server's files
    process: subprocess.Popen[bytes]  # `aduan serve`: nginx and uWSGI below it

    def uwsgi_workers(self) -> list[int]:
        """uWSGI's worker processes (children of its master, which `aduan serve` started)."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                    command = (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                if b"uwsgi" in command:
                    children.setdefault(int(stat[stat.rindex(")") + 2 :].split()[1]), []).append(
                        int(entry.name)
                    )
        return [
            worker for master in children.get(self.process.pid, []) for worker in children.get(master, [])
        ]


def answer(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body, headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def wait_until_served(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if answer(port, "GET", "/manifest.webmanifest") == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(log.read_text() if log.exists() else "the server did not start")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("uwsgi-data")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env |= {"ADUAN_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "aduan.settings", "ADUAN_DEBUG": "false"}
    # As `make run` prepares it: migrate, then the Ponorogo demo.
    subprocess.run([str(BIN / "aduan"), "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [str(BIN / "aduan"), "demo", "--if-empty"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    port = free_port()
    log = data / "uwsgi.log"  # a file, not a pipe nobody reads while the server runs
    # As `make run` starts it: nginx in front of uWSGI with uwsgi.ini.
    process = subprocess.Popen(
        [
            *(str(BIN / "aduan"), "serve", "--port", str(port)),
            *("--processes", "1", "--threads", "2", "--log", str(log)),
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        wait_until_served(port, process, log)
        yield Served(port, data, process)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(served: Served) -> int:
    return served.port


def test_a_report_goes_in_and_comes_back_on_one_kept_alive_connection(server: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
    body = {
        "kind": "pengaduan",
        "title": "Lampu jalan mati",
        "description": "Sejak seminggu.",
        "region": "35.02.17",
    }
    headers = {"Content-Type": "application/json", "Idempotency-Key": "server-test-1"}
    conn.request("POST", "/api/v1/reports", json.dumps(body), headers)
    created = conn.getresponse()
    answer = json.loads(created.read())
    assert created.status == 201, answer
    assert created.getheader("X-Content-Type-Options") == "nosniff"
    sock = conn.sock
    # The same connection (HTTP/1.1 keep-alive): the retry answers the first report again.
    conn.request("POST", "/api/v1/reports", json.dumps(body), headers)
    again = conn.getresponse()
    assert again.status == 201 and json.loads(again.read())["tracking_number"] == answer["tracking_number"]
    assert again.getheader("Idempotent-Replayed") == "true"
    conn.request(
        "GET",
        f"/api/v1/reports/{answer['tracking_number']}",
        headers={"X-Access-Code": answer["access_code"]},
    )
    read = conn.getresponse()
    detail = json.loads(read.read())
    assert read.status == 200 and detail["status"] == "belum_terverifikasi" and detail["channel"] == "mobile"
    assert conn.sock is sock
    # A refusal is Django's problem document, through the same server.
    conn.request(
        "POST", "/api/v1/reports", json.dumps(body | {"title": ""}), {"Content-Type": "application/json"}
    )
    refused = conn.getresponse()
    assert refused.status == 400 and json.loads(refused.read())["code"] == "title_required"
    conn.close()


def test_pages_and_static_files_are_served(server: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
    conn.request("GET", "/lapor/", headers={"Accept-Language": "id"})
    page = conn.getresponse()
    html = page.read().decode()
    assert page.status == 200 and "<form" in html
    stylesheet = html.split('href="/static/', 1)[1].split('"', 1)[0]
    conn.request("GET", f"/static/{stylesheet}")
    static = conn.getresponse()
    assert static.status == 200 and static.read()
    conn.close()


def fetch(
    conn: http.client.HTTPConnection, path: str, encoding: str = "gzip, br"
) -> http.client.HTTPResponse:
    conn.request(
        "GET", path, headers={"Accept-Encoding": encoding, "User-Agent": "Mozilla/5.0 (Linux; Android 10)"}
    )
    return conn.getresponse()


def test_text_is_compressed_and_a_first_phone_visit_to_the_statistics_is_light(server: int) -> None:
    """/statistik/ as a phone first gets it (issue 15: 241 KB, nothing compressed): the page and
    everything it loads, counted as the bytes on the wire."""
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
    page = fetch(conn, "/statistik/")
    wire = page.read()
    assert page.status == 200 and page.getheader("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in (page.getheader("Vary") or "")
    import gzip
    import re

    html = gzip.decompress(wire).decode()
    assets = re.findall(r'(?:href|src)="(/(?:static/[^"]+\.(?:css|js)|favicon\.ico))"', html)
    assert any(a.endswith(".css") for a in assets) and "/favicon.ico" in assets
    sizes = {"/statistik/": len(wire)}
    unpacked = {"/statistik/": len(html.encode())}
    for path in assets:
        response = fetch(conn, path)
        body = response.read()
        assert response.status == 200, path
        if not path.endswith(".ico"):
            assert response.getheader("Content-Encoding") == "gzip", path
        sizes[path] = len(body)
        compressed = response.getheader("Content-Encoding") == "gzip"
        unpacked[path] = len(gzip.decompress(body)) if compressed else len(body)
    total = sum(sizes.values())
    print(f"first phone visit to /statistik/: {total} bytes transferred {sizes}")
    print(f"  ({sum(unpacked.values())} bytes uncompressed {unpacked})")
    assert total <= 100_000, sizes
    # JSON (open data, the API) and a 404 are compressed too; uncompressed for a client that says nothing.
    data = fetch(conn, "/statistik/data.json")
    data.read()
    assert data.getheader("Content-Encoding") == "gzip"
    api = fetch(conn, "/api/v1/categories")
    api.read()
    assert api.getheader("Content-Encoding") == "gzip"
    plain = fetch(conn, "/statistik/", encoding="identity")
    assert plain.getheader("Content-Encoding") is None and b"<html" in plain.read()
    conn.close()


def test_the_served_application_collects_garbage_less_often() -> None:
    """aduan/wsgi.py tunes the server process's collector (ADUAN_GC_THRESHOLD, 50,000 by default)."""
    import gc

    from django.conf import settings

    import aduan.wsgi  # noqa: F401 - imported for what it sets up

    assert gc.get_threshold() == settings.ADUAN_GC_THRESHOLD
    assert settings.ADUAN_GC_THRESHOLD[0] == 50_000 or "ADUAN_GC_THRESHOLD" in os.environ
    assert gc.get_freeze_count() > 0


@pytest.mark.parametrize("raw", ["700,10", "a,b,c", "700,-1,10"])
def test_a_wrong_gc_threshold_is_a_clear_configuration_error(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from aduan.env import env_ints

    monkeypatch.setenv("ADUAN_GC_THRESHOLD", raw)
    with pytest.raises(ImproperlyConfigured, match="ADUAN_GC_THRESHOLD must be 3 whole numbers"):
        env_ints("ADUAN_GC_THRESHOLD", (50_000, 50, 100))
    monkeypatch.setenv("ADUAN_GC_THRESHOLD", "700,10,10")
    assert env_ints("ADUAN_GC_THRESHOLD", (50_000, 50, 100)) == (700, 10, 10)


def test_oversized_requests_get_an_http_answer_not_a_reset(server: int) -> None:
    """Issue 12: these were connection resets ("invalid request block size"); http.client sends
    no `Expect: 100-continue`, so the bodies are sent whole before the answer is read."""
    ids = ",".join(["2612-0000001"] * 1700)  # a 22 KB request line
    assert answer(server, "GET", f"/api/open311/v2/requests.json?service_request_id={ids[:14_000]}") == 200
    assert answer(server, "GET", f"/api/open311/v2/requests.json?service_request_id={ids}") == 414
    assert answer(server, "GET", "/laporan/", headers={"Cookie": "a=" + "x" * 40_000}) == 431
    assert answer(server, "GET", "/laporan/", headers={f"X-Long-{n}": "x" * 10_000 for n in range(8)}) == 431
    json_headers = {"Content-Type": "application/json"}
    ten_mb = b'{"title": "' + b"x" * 10_000_000 + b'"}'
    # Over Django's limit for non-file data: its problem document, the body read by nginx first.
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=60)
    conn.request("POST", "/api/v1/reports", ten_mb, json_headers)
    refused = conn.getresponse()
    assert refused.status == 413 and json.loads(refused.read())["code"] == "request_too_large"
    conn.close()
    # Over the largest form (every attachment at its limit): nginx answers without reading it all.
    assert answer(server, "POST", "/api/v1/reports", b"x" * 60_000_000, json_headers) == 413


def test_an_answer_given_before_the_body_is_read_reaches_the_client(server: int) -> None:
    """Django refuses these forms (no CSRF token) without reading their bodies; the rest is read
    before the answer goes (aduan/wsgi.py BodyDrained), else nginx, still writing a body to a
    worker that had closed, answered 502 instead (12 of 20 tries)."""
    for content_type in ("application/octet-stream", "multipart/form-data; boundary=aduan"):
        statuses = [
            answer(server, "POST", "/lapor/", b"x" * 5_000_000, {"Content-Type": content_type})
            for _ in range(5)
        ]
        assert statuses == [403] * 5


def test_slow_uploads_hold_no_worker(served: Served) -> None:
    """Issue 14: twenty uploads arriving slowly (here: stalled after their first 16 KB) while the
    server has one process with two threads; a JSON report is still answered at once, and an
    upload that then arrives in full is answered too."""
    body = b"x" * 1_000_000
    head = (
        "POST /lapor/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: multipart/form-data; boundary=aduan\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    slow = []
    try:
        for _ in range(20):
            upload = socket.create_connection(("127.0.0.1", served.port), timeout=60)
            upload.sendall(head + body[:16_384])
            slow.append(upload)
        time.sleep(1)  # the old router had handed each of them to a worker by now
        report = {
            "kind": "pengaduan",
            "title": "Lampu jalan mati",
            "description": "Sejak seminggu.",
            "region": "35.02.17",
        }
        conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        conn.request("POST", "/api/v1/reports", json.dumps(report), {"Content-Type": "application/json"})
        assert conn.getresponse().status == 201
        conn.close()
        # One upload arrives in full: Django answers it (the form is refused: no CSRF token).
        slow[0].sendall(body[16_384:])
        assert slow[0].recv(64).startswith(b"HTTP/1.1 403")
    finally:
        for upload in slow:
            upload.close()


def test_a_killed_workers_client_gets_502(served: Served) -> None:
    """Issue 14: the client of a worker that dies got an empty reply after ~60 s. A report is held
    in its worker (the SQLite database locked by this test, for less than its 5 s busy timeout),
    the worker is killed: its client gets 502 at once, and the restarted worker serves again."""
    import sqlite3
    import threading

    lock = sqlite3.connect(served.data / "aduan.sqlite3", isolation_level=None, timeout=30)
    statuses: list[int] = []
    report = {"kind": "pengaduan", "title": "Jalan rusak", "description": "Berlubang.", "region": "35.02.17"}
    try:
        lock.execute("BEGIN EXCLUSIVE")
        client = threading.Thread(
            target=lambda: statuses.append(
                answer(
                    served.port,
                    "POST",
                    "/api/v1/reports",
                    json.dumps(report).encode(),
                    {"Content-Type": "application/json"},
                )
            )
        )
        client.start()
        time.sleep(1.5)
        assert not statuses  # still waiting in its worker
        for worker in served.uwsgi_workers():
            os.kill(worker, signal.SIGKILL)
        client.join(timeout=10)
        assert statuses == [502]
    finally:
        lock.rollback()
        lock.close()
    wait_until_served(served.port, served.process, served.data / "uwsgi.log")
