"""The production deployment of docs/deploy.md cannot rot: the shipped systemd units verify, the
nginx site `aduan nginx-site` writes passes `nginx -t`, the environment file names every setting
Aduan reads, and the same commands the units start (parsed from their ExecStart) serve Aduan over
HTTPS behind that nginx, with a self-signed certificate, on a temporary root.

systemd itself cannot run in this test environment (PID 1 is not systemd), so the processes run
under the test as their supervisor: the units' own command lines, working directories and
environment file, as systemd would start them.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ops.databases import fresh_database
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VENV = Path(sys.executable).parent.parent
UNITS = sorted((DEPLOY / "systemd").iterdir())
# The paths the guide installs to, moved under a temporary root here.
INSTALL_PATHS = ("/opt/aduan", "/etc/aduan", "/var/lib/aduan", "/var/backups/aduan", "/run/aduan")
SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@dataclass
class Root:
    """A temporary filesystem root holding an installation as docs/deploy.md lays it out."""

    path: Path

    def at(self, installed: str) -> Path:
        return self.path / installed.lstrip("/")

    def render(self, text: str) -> str:
        """A shipped file as installed under this root: its paths moved, its accounts this user's."""
        for installed in INSTALL_PATHS:
            text = text.replace(installed, str(self.at(installed)))
        user, group = _account()
        return text.replace("aduan:www-data", f"{user}:{group}")


def _account() -> tuple[str, str]:
    import grp
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name


def systemd_environment_file(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= reads them (comments, blank lines, quotes)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def shell_environment_file(path: Path) -> dict[str, str]:
    """The same file as /usr/local/bin/aduan reads it (`set -a; . FILE`)."""
    out = subprocess.run(
        ["/bin/sh", "-c", 'set -a; . "$0"; env -0', str(path)],
        env={"PATH": SERVICE_PATH},
        capture_output=True,
        check=True,
    ).stdout
    pairs = (item.decode().partition("=") for item in out.split(b"\0") if item)
    return {key: value for key, _, value in pairs if key not in {"PATH", "PWD", "SHLVL", "_", "OLDPWD"}}


def unit_value(unit: str, key: str) -> str:
    values = [line.split("=", 1)[1] for line in unit.splitlines() if line.startswith(f"{key}=")]
    assert len(values) == 1, f"{key} appears {len(values)} times"
    return values[0]


def setting_names() -> set[str]:
    """Every environment variable Aduan reads through aduan/env.py's helpers, and the secret key."""
    names = {"ADUAN_SECRET_KEY"}
    for path in (ROOT / "aduan").rglob("*.py"):
        names |= set(re.findall(r"\benv_[a-z]+\(\s*\"([A-Z][A-Z0-9_]*)\"", path.read_text()))
    return names


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_sandbox(root: Root, site: str) -> Path:
    """An nginx main configuration under the root that includes the site file, as Debian's
    /etc/nginx/nginx.conf includes /etc/nginx/sites-enabled/*."""
    prefix = root.at("/var/lib/nginx")
    prefix.mkdir(parents=True, exist_ok=True)
    site_file = root.at("/etc/nginx/sites-enabled/aduan")
    site_file.parent.mkdir(parents=True, exist_ok=True)
    site_file.write_text(site)
    user = "user {} {};\n".format(*_account()) if os.geteuid() == 0 else ""
    main = root.at("/etc/nginx/nginx.conf")
    main.write_text(
        f"daemon off;\n{user}pid {prefix}/nginx.pid;\nerror_log stderr error;\n"
        "events { worker_connections 256; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    client_body_temp_path {prefix}/body;\n    uwsgi_temp_path {prefix}/uwsgi;\n"
        f"    proxy_temp_path {prefix}/proxy;\n    fastcgi_temp_path {prefix}/fastcgi;\n"
        f"    scgi_temp_path {prefix}/scgi;\n    include {site_file};\n}}\n"
    )
    return main


def nginx_test(main: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["nginx", "-t", "-p", str(main.parent), "-c", str(main), "-e", "stderr"],
        capture_output=True,
        text=True,
    )


@pytest.fixture
def root(tmp_path: Path) -> Root:
    """The repository checked out at /opt/aduan with its virtualenv, as the guide installs it."""
    tree = Root(tmp_path / "root")
    app = tree.at("/opt/aduan")
    app.mkdir(parents=True)
    for entry in ROOT.iterdir():
        if entry.name not in {".venv", "var", ".git"}:
            (app / entry.name).symlink_to(entry)
    (app / ".venv").symlink_to(VENV)
    for installed in ("/etc/aduan", "/var/lib/aduan", "/var/backups/aduan", "/run/aduan"):
        tree.at(installed).mkdir(parents=True, exist_ok=True)
    return tree


def test_the_shipped_units_verify(root: Root) -> None:
    assert {u.name for u in UNITS} >= {
        "aduan-web.service",
        "aduan-worker.service",
        "aduan-sms-gammu-poll.service",
        "aduan-email-poll.service",
        "aduan-backup.service",
        "aduan-backup.timer",
    }
    units = root.at("/etc/systemd/system")
    units.mkdir(parents=True)
    for unit in UNITS:
        (units / unit.name).write_text(root.render(unit.read_text()))
    rendered = sorted(str(p) for p in units.iterdir())
    verify = subprocess.run(["systemd-analyze", "verify", *rendered], capture_output=True, text=True)
    assert verify.returncode == 0 and "aduan" not in verify.stdout + verify.stderr, verify.stderr
    # verify is no rubber stamp: a misspelt key in one of our units is named.
    broken = units / "aduan-worker.service"
    broken.write_text(broken.read_text().replace("Restart=always", "Restrat=always"))
    assert (
        "Restrat"
        in subprocess.run(["systemd-analyze", "verify", str(broken)], capture_output=True, text=True).stderr
    )

    # Each aduan command a unit starts exists, with the options the unit gives it.
    for unit in UNITS:
        if unit.suffix != ".service":
            continue
        command = shlex.split(unit_value(unit.read_text(), "ExecStart"))
        if command[0].endswith("/aduan"):
            args = [a for a in command[1:] if a not in {"-o", "/var/backups/aduan"}]
            assert args[0] in {"worker", "sms-gammu-poll", "email-poll", "backup"}, args
            helped = subprocess.run(
                [str(VENV / "bin" / "aduan"), args[0], "--help"], capture_output=True, text=True, cwd=ROOT
            )
            assert helped.returncode == 0, helped.stderr
            for option in (a for a in args[1:] if a.startswith("--")):
                assert option in helped.stdout, f"{unit.name}: {option}"
    timer = (DEPLOY / "systemd" / "aduan-backup.timer").read_text()
    assert unit_value(timer, "Persistent") == "true"


def test_the_environment_file_names_every_setting_and_reads_alike_in_systemd_and_sh() -> None:
    env_file = DEPLOY / "aduan.env"
    by_systemd = systemd_environment_file(env_file)
    # A setting left at its default may be listed commented out ("# ADUAN_SSL_REDIRECT=true").
    commented = set(re.findall(r"^# ?([A-Z][A-Z0-9_]*)=", env_file.read_text(), re.M))
    missing = setting_names() - set(by_systemd) - commented
    assert not missing, f"add these settings, with their meaning, to deploy/aduan.env: {sorted(missing)}"
    assert shell_environment_file(env_file) == by_systemd
    # The production values the guide gives are the file's.
    guide = (ROOT / "docs" / "deploy.md").read_text()
    block = re.search(r"```sh\n# production configuration[^\n]*\n(.*?)```", guide, re.S)
    assert block, "docs/deploy.md has no production configuration block"
    documented = dict(
        line.split("=", 1) for line in block.group(1).splitlines() if re.match(r"^[A-Z_]+=", line)
    )
    assert len(documented) >= 7
    assert {k: by_systemd.get(k) for k in documented} == documented


def guide_commands(heading: str) -> list[str]:
    """The `aduan …` command lines of the first sh block under a heading of docs/deploy.md."""
    guide = (ROOT / "docs" / "deploy.md").read_text()
    section = guide[guide.index(f"\n{heading}") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, heading
    lines = [line.split("  #")[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line.startswith("aduan ")]


def aduan_command(
    root: Root, *args: str, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """/usr/local/bin/aduan (deploy/bin/aduan) as the guide has the operator run it."""
    env = {
        "PATH": SERVICE_PATH,
        "ADUAN_ENV_FILE": str(root.at("/etc/aduan/aduan.env")),
        "ADUAN_APP_DIR": str(root.at("/opt/aduan")),
        "ADUAN_ACCOUNT": _account()[0],
        **(extra or {}),
    }
    return subprocess.run(
        [str(DEPLOY / "bin" / "aduan"), *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_the_shipped_nginx_site_is_what_aduan_nginx_site_writes_and_nginx_accepts_it(
    root: Root, tmp_path: Path
) -> None:
    env = {
        **systemd_environment_file(DEPLOY / "aduan.env"),
        "PATH": SERVICE_PATH,
        "ADUAN_DATA_DIR": str(root.at("/var/lib/aduan")),
    }
    written = subprocess.run(
        [str(VENV / "bin" / "aduan"), "nginx-site"], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert root.render(written.replace(str(root.at("/var/lib/aduan")), "/var/lib/aduan")) == root.render(
        (DEPLOY / "nginx" / "aduan.conf").read_text()
    ), "deploy/nginx/aduan.conf is stale: write it again with `aduan nginx-site` (docs/deploy.md)"
    cert, key = self_signed_certificate(tmp_path / "tls")
    site = written.replace("/etc/letsencrypt/live/aduan.ponorogo.go.id/fullchain.pem", str(cert)).replace(
        "/etc/letsencrypt/live/aduan.ponorogo.go.id/privkey.pem", str(key)
    )
    if not has_ipv6_loopback():
        site = site.replace("listen [::]", "# listen [::]")
    checked = nginx_test(nginx_sandbox(root, site))
    assert checked.returncode == 0, checked.stderr
    # nginx -t is no rubber stamp either.
    assert (
        nginx_test(nginx_sandbox(root, site.replace("tcp_nodelay on;", "tcp_nodelay maybe;"))).returncode != 0
    )
    # The upload limit follows the settings: the whole form at its largest, and 2 MB of text.
    assert "client_max_body_size 54525952;" in written
    smaller = subprocess.run(
        [str(VENV / "bin" / "aduan"), "nginx-site"],
        env={**env, "ADUAN_ATTACHMENT_MAX_MB": "2", "ADUAN_ATTACHMENTS_PER_REPORT": "3"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"client_max_body_size {(2 * 3 + 2) * 1024 * 1024};" in smaller
    refused = subprocess.run(
        [str(VENV / "bin" / "aduan"), "nginx-site"],
        env={**env, "ADUAN_SITE_URL": "http://aduan.ponorogo.go.id"},
        capture_output=True,
        text=True,
    )
    assert (
        refused.returncode != 0 and "ADUAN_SITE_URL" in refused.stderr and "Traceback" not in refused.stderr
    )


# --- The same commands under a process supervisor -------------------------------------------------


@dataclass
class Https:
    port: int
    context: ssl.SSLContext

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPSConnection("localhost", self.port, context=self.context, timeout=60)
        try:
            conn.request(method, path, body, headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()


@pytest.fixture
def database_url() -> Iterator[str]:
    """A fresh PostgreSQL database on a PostgreSQL run; else '' (SQLite under the data dir)."""
    with fresh_database("deploy") as url:
        yield url or ""


class Supervisor:
    """Starts processes as systemd would start the units, and stops every one of them."""

    def __init__(self, root: Root) -> None:
        self.root = root
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start_unit(self, name: str) -> subprocess.Popen[bytes]:
        unit = self.root.render((DEPLOY / "systemd" / name).read_text())
        env = {"PATH": SERVICE_PATH, "LANG": "C.UTF-8", "HOME": str(self.root.at("/var/lib/aduan"))}
        env |= systemd_environment_file(Path(unit_value(unit, "EnvironmentFile")))
        log = self.root.path / f"{name}.log"
        process = subprocess.Popen(  # noqa: S603 - the unit's own command line
            shlex.split(unit_value(unit, "ExecStart")),
            cwd=unit_value(unit, "WorkingDirectory"),
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def start(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        log = self.root.path / f"{name}.log"
        process = subprocess.Popen(
            command, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.root.path / f"{name}.log").read_text(errors="replace")

    def stop(self, name: str) -> None:
        process = self.processes[name]
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # systemd's stop: SIGTERM to the main process
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def stop_all(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop(name)
            # Anything a unit's main process left behind in its group (as systemd's cgroup would not).
            try:
                os.killpg(self.processes[name].pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def wait_for(what: str, check, timeout: float, supervisor: Supervisor):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except OSError as exc:
            last = exc
        time.sleep(0.3)
    logs = "\n".join(f"--- {name}\n{supervisor.log(name)[-3000:]}" for name in supervisor.processes)
    raise AssertionError(f"{what}: last {last!r}\n{logs}")


def test_the_units_commands_serve_aduan_over_https_behind_nginx(
    root: Root, tmp_path: Path, database_url: str
) -> None:
    https_port = free_port()
    http_port = free_port(exclude=(https_port,))
    cert, key = self_signed_certificate(tmp_path / "tls")
    origin = f"https://localhost:{https_port}"
    # The operator's edits of the shipped file (docs/deploy.md, "The environment file").
    edits = {
        "DATABASE_URL": database_url,
        "ADUAN_ALLOWED_HOSTS": "localhost",
        "ADUAN_CSRF_TRUSTED_ORIGINS": origin,
        "ADUAN_SITE_URL": origin,
        "ADUAN_TLS_CERTIFICATE": str(cert),
        "ADUAN_TLS_CERTIFICATE_KEY": str(key),
        # Mail printed by the worker (its log shows what was delivered).
        "ADUAN_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        # The least lease, so that /readyz notices a stopped worker within seconds.
        "ADUAN_TASK_LEASE_SECONDS": "10",
        # A smaller upload limit, to see nginx enforce the one the settings make.
        "ADUAN_ATTACHMENT_MAX_MB": "1",
        "ADUAN_ATTACHMENTS_PER_REPORT": "1",
    }
    text = root.render((DEPLOY / "aduan.env").read_text())
    for key_name, value in edits.items():
        text, count = re.subn(rf"^{key_name}=.*$", f"{key_name}={value}", text, flags=re.M)
        assert count == 1, key_name
    env_file = root.at("/etc/aduan/aduan.env")
    env_file.write_text(text)

    # The guide's steps 6 and 7 as written, through /usr/local/bin/aduan (createsuperuser without
    # its questions: the password from the environment).
    steps = guide_commands("## 6.") + guide_commands("## 7.") + guide_commands("**No demo users.**")
    assert len(steps) == 7, steps
    printed = []
    for line in steps:
        step = shlex.split(line)[1:]
        extra = {}
        if step[0] == "createsuperuser":
            step.append("--noinput")
            extra["DJANGO_SUPERUSER_PASSWORD"] = "kata-sandi-uji-2026"
        done = aduan_command(root, *step, extra=extra)
        assert done.returncode == 0, f"{line}: {done.stdout}{done.stderr}"
        if step[0] == "shell":
            printed.append(done.stdout.strip())
    # The first administrator became the coordinator; no demo user is active.
    assert printed == ["1", "0"], printed
    checked = aduan_command(root, "check", "--deploy", "--fail-level", "WARNING")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    static_root = root.at("/var/lib/aduan") / "static"
    removed_static = sorted(static_root.rglob("*.css"))[0]
    kept_static = sorted(static_root.rglob("*.js"))[0]
    site = aduan_command(
        root, "nginx-site", "--http-port", str(http_port), "--socket", str(root.at("/run/aduan/uwsgi.sock"))
    )
    assert site.returncode == 0, site.stderr
    site_text = site.stdout if has_ipv6_loopback() else site.stdout.replace("listen [::]", "# listen [::]")
    main = nginx_sandbox(root, site_text)
    tested = nginx_test(main)
    assert tested.returncode == 0, tested.stderr

    context = ssl.create_default_context(cafile=str(cert))
    client = Https(https_port, context)
    supervisor = Supervisor(root)
    try:
        supervisor.start_unit("aduan-web.service")
        supervisor.start_unit("aduan-worker.service")
        supervisor.start("nginx", ["nginx", "-p", str(main.parent), "-c", str(main), "-e", "stderr"])
        wait_for(
            "the site answers over https", lambda: client.request("GET", "/healthz")[0] == 200, 90, supervisor
        )

        status, headers, body = client.request("GET", "/")
        assert status == 200 and b"<html" in body.lower()
        assert "max-age=31536000" in headers.get("strict-transport-security", "")
        # http: only a redirect to the same path on the https origin.
        plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=30)
        plain.request("GET", "/lapor/?x=1", headers={"Host": "localhost"})
        redirect = plain.getresponse()
        assert redirect.status == 301 and redirect.getheader("Location") == f"{origin}/lapor/?x=1"
        plain.close()
        # Static files come from the collectstatic directory, through nginx: one removed from it
        # is gone (WhiteNoise's finders in the application would still have served it).
        relative = kept_static.relative_to(static_root).as_posix()
        status, headers, _ = client.request("GET", f"/static/{relative}", headers={"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("cache-control") == "public, max-age=60"
        removed = removed_static.relative_to(static_root).as_posix()
        assert client.request("GET", f"/static/{removed}")[0] == 200
        removed_static.unlink()
        Path(f"{removed_static}.gz").unlink(missing_ok=True)
        assert client.request("GET", f"/static/{removed}")[0] == 404

        report = {
            "kind": "pengaduan",
            "title": "Lampu jalan mati di Jl. Batoro Katong",
            "description": "Sudah seminggu lampu jalan mati, jalan gelap di malam hari.",
            "region": "35.02.17",
            "email": "warga@example.org",
        }
        status, _, body = client.request(
            "POST", "/api/v1/reports", json.dumps(report).encode(), {"Content-Type": "application/json"}
        )
        assert status == 201, body
        tracking = json.loads(body)["tracking_number"]
        # The worker delivers the outbox's message to the reporter (printed by the console backend).
        wait_for(
            "the worker delivers the email",
            lambda: tracking in supervisor.log("aduan-worker.service"),
            60,
            supervisor,
        )
        outbox = aduan_command(root, "outbox").stdout
        assert re.search(r"^email\s+sent\s+[1-9]", outbox, re.M) and "pending" not in outbox, outbox

        # A body over the upload limit the settings make is refused by nginx before uWSGI.
        status, _, _ = client.request(
            "POST", "/api/v1/reports", b"x" * (4 * 1024 * 1024), {"Content-Type": "application/json"}
        )
        assert status == 413
        # nginx sets the client address itself: a forged X-Forwarded-For from this machine is
        # replaced by its real address, so /metrics (this machine only, without a token) answers.
        status, _, body = client.request("GET", "/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert status == 200 and b"aduan_reports_received_total" in body

        status, _, body = wait_for(
            "/readyz answers 200 with the worker running",
            lambda: (r := client.request("GET", "/readyz"))[0] == 200 and r,
            60,
            supervisor,
        )
        assert json.loads(body)["status"] == "ok"

        supervisor.stop("aduan-worker.service")
        status, _, body = wait_for(
            "/readyz answers 503 once the worker's heartbeat is stale",
            lambda: (r := client.request("GET", "/readyz"))[0] == 503 and r,
            60,
            supervisor,
        )
        answer = json.loads(body)
        assert answer["checks"]["worker"] == "fail" and "heartbeat" in answer["failed"]["worker"]
        assert answer["checks"]["database"] == "ok"

        # What aduan-backup.timer starts, as its unit says: a dated backup that verifies.
        backup = supervisor.start_unit("aduan-backup.service")
        assert backup.wait(timeout=300) == 0, supervisor.log("aduan-backup.service")
        (written,) = root.at("/var/backups/aduan").iterdir()
        assert re.fullmatch(r"aduan-\d{8}T\d{6}Z", written.name)
        assert aduan_command(root, "restore", "--check", str(written)).returncode == 0
    finally:
        supervisor.stop_all()
    assert not root.at("/run/aduan/uwsgi.sock").exists()  # uWSGI's vacuum: a clean stop
    for name, process in supervisor.processes.items():
        assert process.poll() is not None, name
