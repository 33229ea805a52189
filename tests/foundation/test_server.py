"""The production server as `make run` and the README start it: uWSGI with uwsgi.ini.

A real uWSGI (strict mode: an option it does not know fails the start) serves a fresh SQLite
installation; a report goes in through the API lane and is read back, on one kept-alive
connection, and a page with its static file comes out of Django.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
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
    process = subprocess.Popen(
        [
            *(str(BIN / "uwsgi"), "--ini", "uwsgi.ini", "--http", f"127.0.0.1:{port}"),
            *("--socket", str(data / "uwsgi.sock"), "--chmod-socket=600"),  # as make run
            *("--processes", "1", "--threads", "2", "--logto", str(log)),
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log.read_text() if log.exists() else "uWSGI did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


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
