"""Slow uploads benchmark (issue 14): JSON intake alone, then while photos arrive slowly.

Starts the server as production runs it (`aduan serve`: nginx in front of uWSGI with uwsgi.ini)
against a fresh PostgreSQL database, as bench/intake.py does, and measures bench/intake.py's load
(wrk with bench/intake.lua, 8 connections, 30 s after a warm-up) twice: alone, then while 20
clients each upload a 1 MB photo at 25 KB/s through the API's attachment upload (a multipart
POST /api/v1/reports, the mobile app's path; ~40 s each). Prints both rates and their ratio
(target: at least 80 %), whether every slow upload was answered 201 with its photo stored, and
whether any uWSGI worker was killed (harakiri) or replaced.

    .venv/bin/python bench/slow_uploads.py
    .venv/bin/python bench/slow_uploads.py --front router    # uWSGI's own HTTP router, as before

Not a pytest test.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

import intake  # noqa: E402 - bench/intake.py, beside this script

ROOT = intake.ROOT


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8, help="JSON intake connections")
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--uploads", type=int, default=20, help="slow uploads at once")
    parser.add_argument("--photo-bytes", type=int, default=1_000_000)
    parser.add_argument("--rate", type=int, default=25_000, help="bytes per second of each upload")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="uWSGI processes")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8192)
    parser.add_argument("--db-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db-name", default="aduan_bench_slow")
    parser.add_argument("--front", choices=["nginx", "router"], default="nginx")
    return parser.parse_args()


def photo(size: int) -> bytes:
    """A JPEG of about `size` bytes (noise compresses badly, so a few hundred kilopixels do)."""
    from PIL import Image

    side = 400
    while True:
        image = Image.frombytes("RGB", (side, side), random.randbytes(side * side * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=90)
        if out.tell() >= size:
            return out.getvalue()
        side = int(side * 1.05)


def multipart(jpeg: bytes, n: int) -> tuple[bytes, str]:
    boundary = f"aduan-slow-{n}-{time.time_ns()}"
    fields = {
        "kind": "pengaduan",
        "title": f"Jalan berlubang, foto {n}",
        "description": "Foto dikirim dari ponsel lewat jaringan lambat.",
        "region": "35.02.17",
    }
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="foto-{n}.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + jpeg
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), boundary


class SlowUpload(threading.Thread):
    """One phone: the whole request sent at `rate` bytes per second, then its answer read."""

    def __init__(self, port: int, jpeg: bytes, n: int, rate: int) -> None:
        super().__init__(daemon=True)
        self.port, self.n, self.rate = port, n, rate
        self.body, self.boundary = multipart(jpeg, n)
        self.status = 0
        self.tracking_number = ""
        self.error = ""
        self.seconds = 0.0

    def run(self) -> None:
        head = (
            "POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: multipart/form-data; boundary={self.boundary}\r\n"
            f"Idempotency-Key: slow-{os.getpid()}-{self.n}-{time.time_ns()}\r\n"
            f"Content-Length: {len(self.body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        data = head + self.body
        start = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=300) as sock:
                chunk = max(1, self.rate // 10)
                for offset in range(0, len(data), chunk):
                    sock.sendall(data[offset : offset + chunk])
                    # Paced against the start, so the rate holds whatever a send cost.
                    delay = start + (offset + chunk) / self.rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                answer = b""
                while True:
                    got = sock.recv(65536)
                    if not got:
                        break
                    answer += got
            self.seconds = time.monotonic() - start
            head_part, _, body = answer.partition(b"\r\n\r\n")
            self.status = int(head_part.split()[1])
            if self.status == 201:
                self.tracking_number = json.loads(body)["tracking_number"]
            else:
                self.error = body[:200].decode(errors="replace")
        except (OSError, ValueError, IndexError) as exc:
            self.error = f"{type(exc).__name__}: {exc}"


def stored_with_photo(args: argparse.Namespace, numbers: list[str]) -> int:
    """Reports among these tracking numbers that have an attachment stored."""
    if not numbers:
        return 0
    with psycopg.connect(f"{args.db_url}/{args.db_name}") as conn:
        row = conn.execute(
            "SELECT count(DISTINCT r.id) FROM intake_report r JOIN intake_attachment a ON a.report_id = r.id "
            "WHERE r.tracking_number = ANY(%s)",
            [numbers],
        ).fetchone()
    return int(row[0]) if row else 0


def workers(server_pid: int) -> set[int]:
    """uWSGI's worker processes now (a worker killed by harakiri comes back with another pid)."""
    found = set()
    for pid in intake.children_of(server_pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"uwsgi" in command:
            found.add(pid)
    return found


def main() -> None:
    args = parse_args()
    args.generator, args.explain = "wrk", False
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (apt-get install wrk; make test installs it)")
    data_dir, env = intake.bench_environment(args)
    print(f"preparing database {args.db_name} …", flush=True)
    intake.prepare_database(args, env)
    jpeg = photo(args.photo_bytes)
    server = subprocess.Popen(intake.server_command(args, data_dir), env=env, cwd=ROOT)
    try:
        intake.wait_for(args.port)
        app_pids = [server.pid, *intake.children_of(server.pid)]
        before = workers(server.pid)
        print(
            f"{args.front} + uWSGI x{args.workers} (threads {args.threads}); JSON intake, {args.clients} "
            f"connections, {args.warmup:.0f} s warm-up + {args.duration:.0f} s, alone …",
            flush=True,
        )
        alone = intake.run_wrk(args, app_pids, data_dir)
        uploads = [SlowUpload(args.port, jpeg, n, args.rate) for n in range(args.uploads)]
        print(
            f"… and while {args.uploads} clients upload a {len(jpeg) / 1e6:.1f} MB photo each at "
            f"{args.rate / 1000:.0f} KB/s (multipart POST /api/v1/reports) …",
            flush=True,
        )
        for upload in uploads:
            upload.start()
        time.sleep(2)  # every upload under way
        loaded = intake.run_wrk(args, app_pids, data_dir)
        for upload in uploads:
            upload.join(timeout=600)
        after = workers(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    log = (data_dir / "uwsgi.log").read_text(errors="replace")
    harakiri = log.count("HARAKIRI")
    rate_alone = alone.statuses.get(201, 0) / alone.seconds
    rate_loaded = loaded.statuses.get(201, 0) / loaded.seconds
    numbers = [u.tracking_number for u in uploads if u.tracking_number]
    stored = stored_with_photo(args, numbers)
    print(f"JSON intake alone: {rate_alone:.0f} reports/s, answers {dict(sorted(alone.statuses.items()))}")
    print(
        f"JSON intake with {args.uploads} slow uploads: {rate_loaded:.0f} reports/s, answers "
        f"{dict(sorted(loaded.statuses.items()))}, p50 {loaded.p50:.1f} ms, p95 {loaded.p95:.1f} ms"
    )
    for upload in uploads:
        if upload.status != 201:
            print(f"  upload {upload.n}: {upload.status or 'no answer'} {upload.error}")
    durations = sorted(u.seconds for u in uploads if u.seconds)
    if durations:
        print(f"slow uploads took {durations[0]:.1f}-{durations[-1]:.1f} s each")
    replaced = len(before - after)
    ratio = rate_loaded / rate_alone * 100 if rate_alone else 0.0
    ok = ratio >= 80 and stored == args.uploads and not harakiri and not replaced
    print(
        f"SUMMARY slow uploads ({args.front}): {rate_alone:.0f} reports/s alone, {rate_loaded:.0f}/s with "
        f"{args.uploads} slow uploads ({ratio:.0f} %, target >= 80 %); uploads stored with their photo: "
        f"{stored} of {args.uploads}; workers killed (harakiri): {harakiri}, replaced: {replaced}: "
        f"{'OK' if ok else 'TARGET MISSED'}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
