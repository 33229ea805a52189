"""Image uploads against the worker's memory: what hostile and ordinary photos cost a uWSGI worker.

Starts uWSGI with uwsgi.ini (as production serves; its processes and threads) on a fresh SQLite
installation (or --db-url), sends photos through POST /api/v1/reports (multipart, the real stack)
and reads every worker's resident memory (VmRSS) and its peak since start (VmHWM) from /proc, while
plain JSON reports keep arriving (each must get its 201: no image work holds a database lock):

- the 12000×12000 PNG (~420 KB, 144 megapixels: under Pillow's own bomb limit), once, then four at once;
- the 30000×30000 PNG bomb (Pillow's DecompressionBombError);
- four 12-megapixel camera JPEGs at once, and one 108-megapixel JPEG (decoded at 1/4 scale);
- a 30-megapixel PNG, the largest image the default pixel budget lets through.

    .venv/bin/python bench/image_memory.py              # port 8121
    .venv/bin/python bench/image_memory.py --quick      # the 12000×12000 PNG, the bomb and one photo

Exits non-zero when an answer is a 5xx, a JSON report sent meanwhile is not a 201, or a worker's
peak passes --limit-mb (300), so tests/foundation/test_image_memory.py runs it (--quick). Not a
pytest test itself.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import math
import os
import shutil
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intake import VENV_BIN, children_of, wait_for  # noqa: E402
from tests.imagefiles import blank_png, photo_jpeg  # noqa: E402

FIELDS = {
    "kind": "pengaduan",
    "title": "Jalan berlubang",
    "description": "Lubang besar.",
    "region": "35.02.17",
}


def multipart(name: str, data: bytes, content_type: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in FIELDS.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(port: int, name: str, data: bytes, content_type: str) -> tuple[int, str]:
    body, type_header = multipart(name, data, content_type)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("POST", "/api/v1/reports", body, {"Content-Type": type_header})
        response = conn.getresponse()
        answer = response.read()
    except (OSError, http.client.HTTPException) as error:
        return 0, f"connection failed: {error!r}"
    finally:
        conn.close()
    try:
        parsed = json.loads(answer)
        detail = parsed.get("code") or parsed.get("tracking_number") or ""
        if response.status >= 400:
            detail = f"{detail}: {parsed.get('detail', '')}"
    except ValueError:
        detail = answer[:120].decode("utf-8", "replace")
    return response.status, detail


def json_reports_until(port: int, uploads: list[concurrent.futures.Future[tuple[int, str]]]) -> list[int]:
    """Plain JSON reports, one after another, until the uploads are answered; their statuses."""
    statuses: list[int] = []
    body = json.dumps(FIELDS)
    while not all(future.done() for future in uploads) or not statuses:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("POST", "/api/v1/reports", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
        except (OSError, http.client.HTTPException):
            statuses.append(0)
        finally:
            conn.close()
    return statuses


def memory(master: int) -> dict[int, tuple[int, int]]:
    """VmRSS and VmHWM in MB of every process under the master (workers and the HTTP router)."""
    found: dict[int, tuple[int, int]] = {}
    for pid in children_of(master):
        try:
            fields = dict(
                line.split(":", 1)
                for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if ":" in line
            )
        except OSError:
            continue
        found[pid] = (int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024)
    return found


def show(label: str, master: int) -> int:
    now = memory(master)
    text = ", ".join(f"pid {pid}: {rss} MB (peak {hwm} MB)" for pid, (rss, hwm) in sorted(now.items()))
    print(f"  memory {label}: {text}", flush=True)
    return max((hwm for _, hwm in now.values()), default=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8121)
    parser.add_argument("--db-url", default="", help="PostgreSQL URL (default: SQLite in the data dir)")
    parser.add_argument(
        "--quick", action="store_true", help="only the 12000×12000 PNG, the bomb and one photo"
    )
    parser.add_argument("--limit-mb", type=int, default=300)
    parser.add_argument("--processes", type=int, default=0, help="uWSGI processes (default: uwsgi.ini's)")
    args = parser.parse_args()

    data_dir = Path(f"/tmp/aduan-image-memory-{args.port}")
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "aduan.settings",
        "ADUAN_DATA_DIR": str(data_dir),
        "ADUAN_API_RATE_LIMIT": "false",
        "ADUAN_DEBUG": "false",
    }
    if args.db_url:
        env["DATABASE_URL"] = args.db_url
    subprocess.run([str(VENV_BIN / "aduan"), "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [str(VENV_BIN / "aduan"), "demo", "--if-empty"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    command = [
        *(str(VENV_BIN / "uwsgi"), "--ini", str(ROOT / "uwsgi.ini"), "--http", f"127.0.0.1:{args.port}"),
        *("--socket", str(data_dir / "uwsgi.sock"), "--chmod-socket=600"),
        *("--logto", str(data_dir / "uwsgi.log")),
    ]
    if args.processes:
        command += ["--processes", str(args.processes)]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    failures: list[str] = []
    peak = 0
    try:
        wait_for(args.port)
        peak = max(peak, show("after start", server.pid))
        cases: list[tuple[str, int, str, bytes, str]] = [
            ("12000x12000 PNG, 144 MP", 1, "peta.png", blank_png(12000, 12000), "image/png"),
            (
                "30000x30000 PNG bomb",
                1,
                "bom.png",
                blank_png(30000, 30000, rows=2 if args.quick else None),
                "image/png",
            ),
            ("12 MP camera JPEG", 1, "foto.jpg", photo_jpeg(4000, 3000, quality=92), "image/jpeg"),
        ]
        if not args.quick:
            cases[1:1] = [("12000x12000 PNG, four at once", 4, "peta.png", cases[0][3], "image/png")]
            # The pixel budget the server runs with (settings.py's default unless set).
            budget_mp = int(os.environ.get("ADUAN_IMAGE_MAX_MEGAPIXELS") or 24)
            largest = math.isqrt(budget_mp * 1_000_000)
            cases += [
                ("12 MP camera JPEG, four at once", 4, "foto.jpg", cases[-1][3], "image/jpeg"),
                (
                    "108 MP JPEG (12000x9000)",
                    1,
                    "besar.jpg",
                    photo_jpeg(12000, 9000, quality=60),
                    "image/jpeg",
                ),
                (
                    f"{budget_mp} MP PNG ({largest}x{largest}), the largest accepted",
                    1,
                    "layar.png",
                    blank_png(largest, largest),
                    "image/png",
                ),
            ]
        for label, copies, name, data, content_type in cases:
            print(f"{label}: {len(data) / 1024:.0f} KB x {copies}", flush=True)
            before = set(memory(server.pid))
            with concurrent.futures.ThreadPoolExecutor(copies + 1) as pool:
                futures = [pool.submit(upload, args.port, name, data, content_type) for _ in range(copies)]
                # Other citizens' reports meanwhile: the image work holds no database lock, so on
                # SQLite none of them may fail with "database is locked".
                others = pool.submit(json_reports_until, args.port, futures)
                answers = [future.result() for future in futures]
                other_answers = others.result()
            print(f"  JSON reports meanwhile: {dict(sorted(Counter(other_answers).items()))}", flush=True)
            if any(status != 201 for status in other_answers):
                failures.append(f"{label}: JSON reports meanwhile answered {Counter(other_answers)}")
            for status, detail in answers:
                print(f"  answer {status} {detail}", flush=True)
                if not 200 <= status < 500:
                    failures.append(f"{label}: {status} {detail}")
            peak = max(peak, show("after", server.pid))
            if gone := before - set(memory(server.pid)):
                # reload-on-rss recycled a worker: its peak is unknown, but it was over the guard.
                failures.append(f"{label}: worker(s) {sorted(gone)} recycled by the memory guard")
                print(f"  worker(s) {sorted(gone)} recycled (reload-on-rss)", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    print(
        f"SUMMARY image memory: highest worker peak {peak} MB (limit {args.limit_mb} MB); {len(failures)} failures"
    )
    if peak > args.limit_mb:
        failures.append(f"a worker peaked at {peak} MB")
    if failures:
        print("FAILED: " + "; ".join(failures))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
