"""Two application nodes and two workers on one PostgreSQL database (issue 18 part 4; docs/scaling.md).

Two `aduan serve` (nginx + uWSGI, as production runs them) on their own ports and two `aduan
worker`, sharing one database and one data directory (the instance key, the attachments, the
rate-limit counters): reports with photos go in through both nodes, the coordinator acts on each
through the other node, an attachment stored through one node is read through the other, and every
outbox message is delivered exactly once across the two workers: an SMS gateway and an SMTP server
on the loopback count what arrives.
"""

from __future__ import annotations

import email
import http.server
import io
import json
import logging
import re
import secrets
import socketserver
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from django.conf import settings
from PIL import Image

from tests.factories import KESEHATAN
from tests.imagefiles import photo_jpeg
from tests.ops.nodes import Http, Node, Worker, aduan, node_env
from tests.ops.pgcluster import wait_for

NODE_PORTS = (9211, 9212)
GATEWAY_PORT = 9218
SMTP_PORT = 9219
S3_PORT = 9291
CITIZENS_PER_NODE = 4

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="several nodes share one PostgreSQL database (run with DATABASE_URL=postgres://…); "
    "SQLite is for one machine and one server",
)


@dataclass
class Received:
    """What the loopback gateways were handed, in order: (worker, message id or recipient)."""

    sms: list[tuple[str, str]] = field(default_factory=list)
    mail: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _sms_gateway(received: Received) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with received.lock:
                received.sms.append((self.path, body["id"]))
            answer = json.dumps({"id": body["id"]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    return http.server.ThreadingHTTPServer(("127.0.0.1", GATEWAY_PORT), Handler)


def _smtp_server(received: Received) -> socketserver.ThreadingTCPServer:
    """Just enough SMTP for Django's backend: each message is recorded with its recipient."""

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        def handle(self) -> None:
            self.reply("220 aduan-test ESMTP")
            recipients: list[str] = []
            while line := self.rfile.readline().decode().rstrip("\r\n"):
                verb = line.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    self.reply("250 aduan-test")
                elif verb == "RCPT":
                    recipients.append(re.sub(r".*<(.*)>.*", r"\1", line))
                    self.reply("250 OK")
                elif verb == "DATA":
                    self.reply("354 go ahead")
                    lines = []
                    while (data := self.rfile.readline()) not in (b".\r\n", b""):
                        lines.append(data)
                    message = email.message_from_bytes(b"".join(lines))
                    with received.lock:
                        for to in recipients:
                            received.mail.append((to, str(message["Message-ID"])))
                    recipients = []
                    self.reply("250 queued")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:  # MAIL, RSET, NOOP
                    self.reply("250 OK")

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    return socketserver.ThreadingTCPServer(("127.0.0.1", SMTP_PORT), Handler)


@dataclass
class Site:
    nodes: list[Node]
    workers: list[Worker]
    database: str  # libpq URL of the one database
    token: str  # the coordinator's API token
    received: Received
    own_data_dirs: list[Path]  # two hosts: where no attachment may land

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        with psycopg.connect(self.database, autocommit=True) as db:
            return db.execute(sql).fetchall()  # type: ignore[arg-type]


def _server_url(dbname: str) -> str:
    db = settings.DATABASES["default"]
    user = f"{db['USER']}@" if db.get("USER") else ""
    return f"postgres://{user}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{dbname}"


@pytest.fixture(scope="module")
def object_store() -> Iterator[dict[str, str]]:
    """A bucket in an S3-compatible server on the loopback (moto's); its ADUAN_S3_* settings."""
    server_module = pytest.importorskip("moto.server", reason="moto (dev extra) is not installed")
    import boto3

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=S3_PORT, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{S3_PORT}"
    access = {"aws_access_key_id": "aduan", "aws_secret_access_key": "rahasia"}
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **access).create_bucket(Bucket="aduan")
    yield {
        "ADUAN_STORAGE": "s3",
        "ADUAN_S3_BUCKET": "aduan",
        "ADUAN_S3_ENDPOINT_URL": endpoint,
        "ADUAN_S3_REGION": "us-east-1",
        "ADUAN_S3_ACCESS_KEY_ID": access["aws_access_key_id"],
        "ADUAN_S3_SECRET_ACCESS_KEY": access["aws_secret_access_key"],
    }
    server.stop()


@pytest.fixture(scope="module", params=["one-host-shared-data-dir", "two-hosts-object-storage"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One host: the nodes share one data directory (key, attachments, counters). Two hosts: each
    node and its worker have their own data directory, the key comes from ADUAN_SECRET_KEY and the
    attachments live in object storage."""
    configured = dj_database_url.parse(str(settings.DATABASE_URL))["NAME"]
    dbname = f"{configured}_twonodes"[:63]
    admin = _server_url("postgres")
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{dbname}"')
    data = tmp_path_factory.mktemp("shared-data")
    two_hosts = request.param == "two-hosts-object-storage"
    hosts = [data / "host-a", data / "host-b"] if two_hosts else [data, data]
    per_host: dict[str, str] = {}
    if two_hosts:
        per_host = request.getfixturevalue("object_store") | {"ADUAN_SECRET_KEY": secrets.token_urlsafe(40)}
    received = Received()
    gateway, smtp = _sms_gateway(received), _smtp_server(received)
    for server in (gateway, smtp):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    base = node_env(
        data_dir=data,
        database_url=_server_url(dbname),
        ADUAN_SMS_BACKEND="http",
        ADUAN_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        ADUAN_EMAIL_HOST="127.0.0.1",
        ADUAN_EMAIL_PORT=str(SMTP_PORT),
        **per_host,
    )
    nodes: list[Node] = []
    workers: list[Worker] = []
    try:
        aduan("migrate", "--noinput", "-v0", env=base)
        aduan("demo", "--if-empty", env=base)
        token = aduan("token", "create", "--user", "koordinator", env=base).strip().splitlines()[-1]
        for n, (port, host) in enumerate(zip(NODE_PORTS, hosts, strict=True)):
            env = base | {"ADUAN_DATA_DIR": str(host)}
            nodes.append(Node(port, env, host / "server" / str(port), data / f"node-{port}.log").start())
            # Each worker its own gateway address, to see which one sent what.
            env |= {"ADUAN_SMS_HTTP_URL": f"http://127.0.0.1:{GATEWAY_PORT}/worker-{n}"}
            workers.append(Worker(env, data / f"worker-{n}.log").start())
        yield Site(nodes, workers, _server_url(dbname), token, received, hosts if two_hosts else [])
    finally:
        for process in (*workers, *nodes):
            process.stop()
        for server in (gateway, smtp):
            server.shutdown()
            server.server_close()
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def _submit_with_photo(port: int, n: int) -> dict[str, str]:
    created = Http(port).post_multipart(
        "/api/v1/reports",
        {
            "kind": "pengaduan",
            "title": f"Saluran air tersumbat {port}-{n}",
            "description": "Air meluap ke jalan setiap hujan.",
            "region": "35.02.17",
            "name": f"Warga {n}",
            "phone": f"081234{port:04d}{n:02d}"[:13],
            "email": f"warga{port}-{n}@example.id",
        },
        [("attachments", f"foto-{n}.jpg", photo_jpeg(800, 600))],
    )
    assert created.status == 201, created.text
    answer: dict[str, str] = created.json()
    assert answer["attachments"] == 1
    return answer


def _attachment_links(html: str, number: str) -> list[str]:
    return re.findall(rf'href="(/lacak/{re.escape(number)}/lampiran/\d+/)"', html)


def test_reports_and_actions_through_both_nodes_and_every_message_once(site: Site) -> None:
    a, b = (node.port for node in site.nodes)
    submitted = [(port, _submit_with_photo(port, n)) for n in range(CITIZENS_PER_NODE) for port in (a, b)]

    # The coordinator acts on each report through the node it did not come in by.
    for port, report in submitted:
        other = b if port == a else a
        staff = Http(other, token=site.token)
        number = report["tracking_number"]
        verified = staff.post_json(
            f"/api/v1/reports/{number}/actions/verify",
            {"classification": "pengaduan_tidak_berkadar_pengawasan", "category": KESEHATAN},
        )
        assert verified.status == 200, verified.text
        disposed = Http(port, token=site.token).post_json(
            f"/api/v1/reports/{number}/actions/dispose",
            {"lead": "dinkes", "supporting": [], "instruction": "Mohon ditangani."},
        )
        assert disposed.status == 200, disposed.text
        # Each node reads what the other wrote.
        for reader in (a, b):
            seen = Http(reader, token=site.token).get(f"/api/v1/reports/{number}")
            assert seen.status == 200 and seen.json()["status"] == "terdisposisi", seen.text

    # A photo stored through one node is served by the other, the same bytes, to the citizen
    # (tracking page) and to the coordinator (console).
    port, report = submitted[0]
    other = b if port == a else a
    number = report["tracking_number"]
    here, there = Http(port), Http(other)
    for browser in (here, there):
        assert (
            browser.post_form(
                "/lacak/", {"tracking_number": number, "access_code": report["access_code"]}
            ).status
            == 302
        )
    links = _attachment_links(there.get(f"/lacak/{number}/").text, number)
    assert links, "the tracking page lists no attachment"
    photo_there, photo_here = there.get(links[0]), here.get(links[0])
    assert photo_there.status == 200 and photo_there.body == photo_here.body
    assert Image.open(io.BytesIO(photo_there.body)).size == (800, 600)
    thumbnail = there.get(links[0] + "kecil/")
    assert thumbnail.status == 200 and Image.open(io.BytesIO(thumbnail.body)).width <= 480
    officer = Http(other)
    assert (
        officer.post_form("/konsol/masuk/", {"username": "koordinator", "password": "aduan-demo-2026"}).status
        == 302
    )
    console_page = officer.get(f"/konsol/laporan/{number}/").text
    console_links = re.findall(rf'href="(/konsol/laporan/{re.escape(number)}/lampiran/\d+/)"', console_page)
    assert console_links and officer.get(console_links[0]).body == photo_here.body

    # Every message that is due is delivered, once, by one of the two workers.
    def settled() -> bool:
        """no message due, or claimed (leased for CLAIM_SECONDS) and not yet recorded"""
        (waiting,) = site.rows(
            "SELECT count(*) FROM notifications_outboundmessage WHERE state = 'pending' "
            "AND (next_attempt_at <= now() + interval '1 minute' OR attempts > 0)"
        )
        return waiting[0] == 0

    wait_for(settled, timeout=120, pause=0.5)
    rows = site.rows('SELECT id, channel, state, provider_id, "to" FROM notifications_outboundmessage')
    assert not [r for r in rows if r[2] == "failed"], rows
    sent_sms = sorted(str(r[3]) for r in rows if r[1] == "sms" and r[2] == "sent")
    sent_mail = Counter(str(r[4]) for r in rows if r[1] == "email" and r[2] == "sent")
    with site.received.lock:
        gateway_ids = [message_id for _worker, message_id in site.received.sms]
        mailed = Counter(to for to, _message_id in site.received.mail)
        by_worker = Counter(worker for worker, _id in site.received.sms)
    assert len(sent_sms) >= len(submitted), "each citizen with a phone number gets at least a confirmation"
    assert sorted(gateway_ids) == sent_sms, "an SMS sent twice, or sent and not recorded"
    assert len(set(gateway_ids)) == len(gateway_ids)
    assert mailed == sent_mail, "an email sent twice, or sent and not recorded"
    print(f"SMS per worker: {dict(by_worker)}; emails: {sum(mailed.values())}")
    for host in site.own_data_dirs:
        media = host / "media"
        assert not media.exists() or not any(media.rglob("*")), f"an attachment on {host}'s own disk"


def test_no_node_or_worker_logged_an_error(site: Site) -> None:
    for log in [node.log for node in site.nodes] + [worker.log for worker in site.workers]:
        text = Path(log).read_text() if Path(log).exists() else ""
        assert "Traceback" not in text, text[-3000:]
