"""Kept-alive against new connections (issue 16 item 3): the same paths measured both ways.

Starts two servers on one fresh SQLite installation with the Ponorogo demo: the production one
(`aduan serve`, nginx in front of uWSGI) and uWSGI's own HTTP router (`--http`, as before), and
requests each path `--requests` times per way, on a new connection each time and on one kept-alive
HTTP/1.1 connection, the servers and ways taken in turn round after round (the machine's noise
falls on all alike). Prints p50 and p95 per server, path and way.

uWSGI's router sets no TCP_NODELAY on client connections and writes a response in 4 KB pieces: on
a kept-alive connection the piece after the first waits for the client's delayed ACK (~40 ms,
Nagle's algorithm); a new connection is still in the kernel's quick-ACK start and does not wait.

    .venv/bin/python bench/keepalive.py
    .venv/bin/python bench/keepalive.py --requests 200

Not a pytest test.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import intake  # noqa: E402 - bench/intake.py, beside this script

ROOT = intake.ROOT
PATHS = [
    "/laporan/",  # the public feed
    "/api/v1/reports?page=1",  # with the coordinator's token
    "/api/v1/regions?parent=35.02",
    "/static/aduan/css/app.css",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=100, help="per server, path and way")
    parser.add_argument("--port", type=int, default=8193, help="nginx; the router gets the next one")
    return parser.parse_args()


def timed(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> float:
    start = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        raise SystemExit(f"{path}: {response.status}")
    return elapsed


def main() -> None:
    args = parse_args()
    data_dir = Path(f"/tmp/aduan-bench-{args.port}")
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "aduan.settings",
        "ADUAN_DATA_DIR": str(data_dir),
        "ADUAN_DEBUG": "false",
    }
    env |= {"ADUAN_API_RATE_LIMIT": "false", "ADUAN_LOG_LEVEL": "WARNING"}
    aduan = str(intake.VENV_BIN / "aduan")
    print("preparing a SQLite installation with the Ponorogo demo …", flush=True)
    subprocess.run([aduan, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run([aduan, "demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    token = subprocess.run(
        [aduan, "token", "create", "--user", "koordinator"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    fronts = {"nginx": args.port, "router": args.port + 1}
    servers = []
    for front, port in fronts.items():
        options = argparse.Namespace(port=port, workers=2, threads=8, front=front)
        servers.append(subprocess.Popen(intake.server_command(options, data_dir), env=env, cwd=ROOT))
    try:
        for port in fronts.values():
            intake.wait_for(port)
        times: dict[tuple[str, str, str], list[float]] = {}
        kept = {
            front: http.client.HTTPConnection("127.0.0.1", port, timeout=30) for front, port in fronts.items()
        }
        for _ in range(args.requests):
            for path in PATHS:
                headers = {"Authorization": f"Bearer {token}"} if path.startswith("/api/v1/reports") else {}
                for front, port in fronts.items():
                    fresh = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    times.setdefault((front, path, "new"), []).append(timed(fresh, path, headers))
                    fresh.close()
                    times.setdefault((front, path, "kept-alive"), []).append(
                        timed(kept[front], path, headers)
                    )
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=60)
    print(f"{'server':<7} {'path':<30} {'way':<11} {'p50 ms':>7} {'p95 ms':>7}")
    for front, path, way in sorted(times, key=lambda k: (k[0], PATHS.index(k[1]), k[2] != "new")):
        values = sorted(times[(front, path, way)])
        p95 = values[max(0, int(len(values) * 0.95) - 1)]
        print(f"{front:<7} {path:<30} {way:<11} {statistics.median(values):7.1f} {p95:7.1f}")


if __name__ == "__main__":
    main()
