"""Throttles hold across server processes (issue 13): two real uWSGI servers, one installation.

Two uWSGI instances on two ports share one data dir, so one SQLite database and one "ratelimit"
cache (files, the default with no extra service), as two worker processes of one installation
do. Wrong access codes sent alternately to each are counted together, so the budget is spent
after the same number of failures however they were spread; right codes never count.
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
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BUDGET = 4


def wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(log.read_text() if log.exists() else "uWSGI did not start") from None
            time.sleep(0.2)


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    data = tmp_path_factory.mktemp("two-processes")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env |= {
        "ADUAN_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "aduan.settings",
        "ADUAN_API_RATE_ACCESS_CODE_FAILURES_PER_IP": str(BUDGET),
        "ADUAN_PORTAL_TRACK_ATTEMPTS": str(BUDGET),
    }
    subprocess.run([str(BIN / "aduan"), "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    load = "from aduan.directory.ponorogo import ensure_ponorogo_directory; ensure_ponorogo_directory()"
    subprocess.run([str(BIN / "aduan"), "shell", "-c", load], env=env, cwd=ROOT, check=True)
    processes: list[subprocess.Popen[bytes]] = []
    ports = []
    try:
        for name in ("a", "b"):
            port, log = free_port(), data / f"uwsgi-{name}.log"
            process = subprocess.Popen(
                [
                    *(str(BIN / "uwsgi"), "--ini", "uwsgi.ini", "--http", f"127.0.0.1:{port}"),
                    *("--processes", "1", "--threads", "2", "--logto", str(log)),
                ],
                env=env,
                cwd=ROOT,
            )
            processes.append(process)
            wait_for(port, process, log)
            ports.append(port)
        yield ports[0], ports[1]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body, headers or {})
    response = conn.getresponse()
    answer = (response.status, {k: v for k, v in response.getheaders()}, response.read())
    conn.close()
    return answer


def new_report(port: int, title: str) -> tuple[str, str]:
    body = {"kind": "pengaduan", "title": title, "description": "Sejak seminggu.", "region": "35.02.17"}
    status, _, raw = request(
        port, "POST", "/api/v1/reports", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    assert status == 201, raw
    created = json.loads(raw)
    return created["tracking_number"], created["access_code"]


def read(port: int, number: str, code: str) -> int:
    return request(port, "GET", f"/api/v1/reports/{number}", headers={"X-Access-Code": code})[0]


def test_wrong_access_codes_count_once_across_two_processes(two_servers: tuple[int, int]) -> None:
    a, b = two_servers
    number, code = new_report(a, "Lampu jalan mati")
    mine, my_code = new_report(b, "Jalan berlubang")
    # Right codes, any number of times, on both: never counted.
    assert [read(port, number, code) for port in (a, b, a, b, a, b)] == [200] * 6
    wrong = [read(port, number, f"AAAA-AAA{i}") for i, port in enumerate((a, b, a, b))]
    assert wrong == [404] * BUDGET  # two failures in each process: four in all
    # The budget is spent for this report from this address, in both processes alike.
    assert read(a, number, code) == 429 and read(b, number, code) == 429
    # Another report from the same address (a carrier NAT's other citizen) still opens.
    assert read(a, mine, my_code) == 200 and read(b, mine, my_code) == 200


def test_the_tracking_page_counts_across_two_processes(two_servers: tuple[int, int]) -> None:
    a, b = two_servers
    number, code = new_report(a, "Sampah menumpuk")

    def track(port: int, access_code: str) -> int:
        status, headers, _ = request(port, "GET", "/lacak/")
        assert status == 200
        token = SimpleCookie(headers["Set-Cookie"])["csrftoken"].value
        form = urlencode(
            {"csrfmiddlewaretoken": token, "tracking_number": number, "access_code": access_code}
        )
        return request(
            port,
            "POST",
            "/lacak/",
            form.encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={token}"},
        )[0]

    assert track(b, code) == 302
    assert [track(port, f"BBBB-BBB{i}") for i, port in enumerate((a, b, a, b))] == [400] * BUDGET
    assert track(a, code) == 429 and track(b, code) == 429
