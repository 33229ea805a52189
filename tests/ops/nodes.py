"""Application nodes for the scaling tests: `aduan serve` (nginx in front of uWSGI, as production
runs it) and `aduan worker` as separate processes, and a small HTTP client with a cookie jar."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ADUAN = str(BIN / "aduan")


def node_env(*, data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of one node: the test's own variables dropped, these set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "ADUAN_", "DJANGO_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "aduan.settings",
        "ADUAN_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "ADUAN_DEBUG": "false",
        # Staff act through API tokens here; no authenticator to enrol.
        "ADUAN_OTP_REQUIRED_ROLES": "",
        "ADUAN_API_RATE_LIMIT": "false",
    }
    return env | extra


def aduan(*args: str, env: dict[str, str]) -> str:
    """Run an `aduan` command to its end; its standard output."""
    done = subprocess.run([ADUAN, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"aduan {' '.join(args)}: {done.stderr[-3000:]}"
    return done.stdout


def stop(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM (both commands stop cleanly on it), SIGKILL after 30 s."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Node:
    """One `aduan serve` on `port`, its files (nginx configuration, socket) under `run_dir`."""

    port: int
    env: dict[str, str]
    run_dir: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Node:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                *(ADUAN, "serve", "--port", str(self.port), "--run-dir", str(self.run_dir)),
                *("--processes", "1", "--threads", "4", "--log", str(self.log), "--no-request-log"),
            ],
            env=self.env,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if Http(self.port).get("/manifest.webmanifest").status == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(self.log.read_text() if self.log.exists() else "the node did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        stop(self.process)


@dataclass
class Worker:
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [ADUAN, "worker", "--poll", "0.2"], env=self.env, cwd=ROOT, stdout=out, stderr=out
            )
        return self

    def stop(self) -> None:
        stop(self.process)


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Http:
    """A client of one node with its own cookies (a browser, or an app with a token)."""

    port: int
    token: str = ""
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=body, method=method, headers=headers
        )
        try:
            with opener.open(req, timeout=60) as response:
                return Answer(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read(), dict(error.headers))

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post_json(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Answer:
        return self.request(
            "POST", path, json.dumps(body).encode(), {"Content-Type": "application/json", **(headers or {})}
        )

    def post_form(self, path: str, fields: dict[str, str]) -> Answer:
        """A form as a browser posts it: the CSRF token from the page's cookie."""
        if not any(c.name == "csrftoken" for c in self.jar):
            self.get(path)
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_multipart(
        self, path: str, fields: dict[str, str], files: list[tuple[str, str, bytes]]
    ) -> Answer:
        boundary = "aduan-test-boundary-7d1c"
        parts: list[bytes] = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        for name, filename, data in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n".encode()
                + data
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST", path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )


def tracking_numbers(html: str) -> set[str]:
    """Tracking numbers linked from a page (/laporan/<number>/)."""
    return set(re.findall(r'href="/laporan/([^/"]+)/"', html))
