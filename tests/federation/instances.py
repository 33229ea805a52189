"""Real Aduan installations on loopback for the federation tests: each its own data directory and
database (a SQLite file, or a PostgreSQL database named h_fed_* when the run is on PostgreSQL),
served by `aduan serve` (nginx and uWSGI, as `make run`), with `aduan worker --once` as its worker."""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def _pg_admin(sql: str) -> None:
    import psycopg

    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


class Instance:
    def __init__(self, name: str, port: int, data: Path, **settings: str) -> None:
        self.name, self.port, self.data = name, port, data
        self.base = f"http://127.0.0.1:{port}"
        self.env = {
            k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
        }
        self.env |= {
            "ADUAN_DATA_DIR": str(data),
            "DJANGO_SETTINGS_MODULE": "aduan.settings",
            "ADUAN_DEBUG": "false",
            "ADUAN_SITE_URL": self.base,
            "ADUAN_OTP_REQUIRED_ROLES": "",
            # Retries at once: the tests drive the worker pass by pass.
            "ADUAN_FEDERATION_RETRY_SECONDS": "0",
            **settings,
        }
        if PG:
            self.database = f"h_fed_{name}"
            self.env["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + self.database
        self.process: subprocess.Popen[bytes] | None = None

    # --- lifecycle of the installation -----------------------------------------------------------

    def prepare(self, template: Instance | None = None) -> None:
        """Migrate and load the Ponorogo demo, as `make run` does (copied from `template` when given:
        the demo takes half a minute, and two installations may start from the same data)."""
        if PG:
            _pg_admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            if template is not None:
                _pg_admin(f'CREATE DATABASE "{self.database}" TEMPLATE "{template.database}"')
                return
            _pg_admin(f'CREATE DATABASE "{self.database}"')
        elif template is not None:
            shutil.copy(template.data / "aduan.sqlite3", self.data / "aduan.sqlite3")
            return
        self.aduan("migrate", "-v0")
        self.aduan("demo", "--if-empty")

    def drop(self) -> None:
        if PG:
            _pg_admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def start(self) -> None:
        log = self.data / "serve.log"
        self.process = subprocess.Popen(
            [str(BIN / "aduan"), "serve", "--port", str(self.port), "--processes", "1", "--threads", "4"]
            + ["--log", str(log)],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.get("/api/federation/v1/identity")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(log.read_text() if log.exists() else f"{self.name} did not start")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def aduan(self, *args: str) -> str:
        done = subprocess.run(
            [str(BIN / "aduan"), *args], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    def worker(self) -> str:
        return self.aduan("worker", "--once")

    # --- HTTP --------------------------------------------------------------------------------------

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
            conn.request(method, path, data, {"Content-Type": "application/json", **(headers or {})})
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw.decode(errors="replace")

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        return self.request("GET", path, headers=headers)

    def token(self, username: str) -> dict[str, str]:
        raw = self.aduan("token", "create", "--user", username).strip().splitlines()[-1]
        return {"Authorization": f"Bearer {raw}"}

    def act(self, headers: dict[str, str], tracking_number: str, action: str, **params: Any) -> Any:
        status, body = self.request(
            "POST", f"/api/v1/reports/{tracking_number}/actions/{action}", params, headers
        )
        assert status == 200, (self.name, action, status, body)
        return body

    def report(self, headers: dict[str, str], tracking_number: str) -> Any:
        status, body = self.get(f"/api/v1/reports/{tracking_number}", headers)
        assert status == 200, (status, body)
        return body

    def submit(self, **fields: Any) -> tuple[str, str]:
        data = {
            "kind": "pengaduan",
            "title": "Jalan provinsi berlubang",
            "description": "Jalan provinsi ruas Ponorogo–Trenggalek di Slahung berlubang besar.",
            "region": "35.02.01",
            "name": "Siti Aminah",
            "phone": "081234567890",
            **fields,
        }
        status, body = self.request("POST", "/api/v1/reports", data)
        assert status == 201, body
        return body["tracking_number"], body["access_code"]

    def evaluation(self, year: int) -> Any:
        out = self.data / f"evaluation-{year}.json"
        self.aduan("report", "--year", str(year), "--format", "json", "--output", str(out))
        return json.loads(out.read_text())

    def tracking_page(self, tracking_number: str, access_code: str) -> str:
        """The citizen's tracking page, opened as a browser does: the form, then the page."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = opener.open(self.base + "/lacak/", timeout=60).read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert csrf is not None
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": csrf.group(1),
                "tracking_number": tracking_number,
                "access_code": access_code,
            }
        ).encode()
        request = urllib.request.Request(
            self.base + "/lacak/", data=data, headers={"Referer": self.base + "/lacak/"}
        )
        return str(opener.open(request, timeout=60).read().decode())


def identity_key(instance: Instance) -> str:
    status, body = instance.get("/api/federation/v1/identity")
    assert status == 200
    return str(body["public_key"])
