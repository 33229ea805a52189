"""The production server: nginx in front of uWSGI, started and stopped together (`aduan serve`).

nginx takes the clients' connections and hands each complete request to uWSGI's workers over a
Unix socket (the uwsgi protocol). What it does that uWSGI's own HTTP router (`--http`) cannot:

- **Request bodies are buffered before a worker sees them** (to a file past 128 KB): a photo
  arriving at 25 KB/s over a phone's uplink occupies no worker thread while it arrives, and no
  `harakiri` kills a worker for a slow client (issue 14: twenty slow uploads used to stall every
  worker, and a 3.9 MB photo at 200 kbit/s ran into harakiri). uWSGI's router connects to a worker
  as soon as the headers are in and streams the body to it; its `post-buffering` reads the body
  in the worker thread itself.
- **Oversized requests get an HTTP answer** (issue 12): a request line over 16 KB answers 414; a
  header line over 16 KB or more than 64 KB of headers answers 431; a body over the upload limit
  answers 413 and nginx reads the rest away, so a client that does not send `Expect:
  100-continue` reads the answer instead of a connection reset.
- **A worker that dies answers 502** to the requests it held, at once.
- **Text answers are gzipped** (HTML, CSS, JS, JSON, CSV, SVG): the one layer in front of
  everything, dynamic pages and static files alike.
- **Kept-alive connections do not stall** (issue 16): nginx sets TCP_NODELAY on them. uWSGI's router
  does not, and writes a response in 4 KB pieces; on a kept-alive connection (past the kernel's
  quick-ACK start) the second piece waited for the client's delayed ACK, ~40 ms (Nagle's
  algorithm). A 5.6 KB stylesheet took 0.5 ms on a new connection and 44 ms on a kept-alive one.

The uWSGI side is `uwsgi.ini`, unchanged in how it runs Django. An installation with its own nginx
uses `nginx_config()`'s `server` block (`aduan serve --print-nginx-config`), or in production the
whole TLS site `aduan nginx-site` writes from the same directives (docs/deploy.md).
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The uwsgi protocol's parameters, as Debian's /etc/nginx/uwsgi_params lists them.
UWSGI_PARAMS = """
            uwsgi_param QUERY_STRING $query_string;
            uwsgi_param REQUEST_METHOD $request_method;
            uwsgi_param CONTENT_TYPE $content_type;
            uwsgi_param CONTENT_LENGTH $content_length;
            uwsgi_param REQUEST_URI $request_uri;
            uwsgi_param PATH_INFO $document_uri;
            uwsgi_param DOCUMENT_ROOT $document_root;
            uwsgi_param SERVER_PROTOCOL $server_protocol;
            uwsgi_param REQUEST_SCHEME $scheme;
            uwsgi_param HTTPS $https if_not_empty;
            uwsgi_param REMOTE_ADDR $remote_addr;
            uwsgi_param REMOTE_PORT $remote_port;
            uwsgi_param SERVER_PORT $server_port;
            uwsgi_param SERVER_NAME $server_name;"""

# @NAME@ placeholders (nginx's own syntax uses $ and braces). What Aduan needs inside nginx's
# `server` block, wherever it runs: here under `aduan serve`, and in the production site that
# `aduan nginx-site` writes (aduan/ops/deploy.py), which adds TLS and static files around it.
APP_DIRECTIVES = """
        # A request line over 16 KB answers 414; a header line over 16 KB, or headers over 4 of
        # these buffers, nginx's own 494, given as 431. What passes fits uWSGI's 64 KB packet.
        large_client_header_buffers 4 16k;
        error_page 494 =431 /__aduan_431;
        location = /__aduan_431 {
            internal;
            default_type text/plain;
            return 431 "431 Request Header Fields Too Large\\n";
        }
        # The largest form: every attachment at its limit (ADUAN_ATTACHMENT_MAX_MB x
        # ADUAN_ATTACHMENTS_PER_REPORT) and the text. Smaller limits are Django's (413 too).
        client_max_body_size @MAX_BODY@;
        # Bodies past this go to a file; the worker gets the whole body at once.
        client_body_buffer_size 128k;
        # Between two reads of a slow client (not the whole upload).
        client_body_timeout 60s;
        # Text answers compressed for phones on slow links (issue 15: /statistik/ was 241 KB, none
        # of it compressed): pages and API answers from Django, CSS and JS from WhiteNoise, here
        # in C rather than in a Python worker. BREACH needs a secret repeated in a page beside
        # text the attacker controls: Django masks the CSRF token anew in every answer, and
        # access codes are only shown on the page that answers the POST creating the report.
        gzip on;
        gzip_proxied any;
        gzip_vary on;
        gzip_comp_level 5;
        gzip_min_length 256;
        gzip_types text/css text/javascript application/javascript application/json
                   application/problem+json application/manifest+json application/geo+json
                   application/xml text/xml text/csv text/plain image/svg+xml image/x-icon
                   image/vnd.microsoft.icon;
        location / {
            uwsgi_pass unix:@SOCKET@;
            # After uwsgi.ini's harakiri (120 s): a request that runs away ends in a 502 from the
            # killed worker, not in nginx's 504 while the worker still runs.
            uwsgi_read_timeout 130s;
            uwsgi_request_buffering on;
            uwsgi_buffering on;@PARAMS@
        }
"""

SERVER_BLOCK = """
    server {
        listen @LISTEN@;@APP@    }
"""

CONFIG = """# Written by `aduan serve` (aduan/core/server.py); rewritten at every start.
daemon off;
master_process on;
worker_processes 1;
pid @RUN@/nginx.pid;
# error, not warn: a body buffered to a file (any upload past 128 KB) is what it is for.
error_log stderr error;
@USER@
events {
    worker_connections 4096;
}

http {
    access_log off;
    server_tokens off;
    default_type application/octet-stream;
    # Keep-alive with TCP_NODELAY (nginx's default, said here because it matters: see above).
    keepalive_timeout 65s;
    tcp_nodelay on;
    client_body_temp_path @RUN@/body;
    proxy_temp_path @RUN@/proxy;
    fastcgi_temp_path @RUN@/fastcgi;
    uwsgi_temp_path @RUN@/uwsgi;
    scgi_temp_path @RUN@/scgi;
@SERVER@}
"""


@dataclass(frozen=True)
class Paths:
    run: Path  # nginx's prefix: its configuration, pid and temporary files
    socket: Path  # uWSGI's socket

    @classmethod
    def under(cls, data_dir: Path) -> Paths:
        return cls.at(data_dir / "server")

    @classmethod
    def at(cls, run: Path) -> Paths:
        run = run.resolve()
        return cls(run=run, socket=run / "uwsgi.sock")


def max_body_bytes() -> int:
    from django.conf import settings

    return int(settings.ADUAN_ATTACHMENT_MAX_BYTES * settings.ADUAN_ATTACHMENTS_PER_REPORT + 2 * 1024 * 1024)


def app_directives(*, socket: Path, params: str = UWSGI_PARAMS) -> str:
    """The directives of Aduan's `server` block but its `listen`: limits, buffering, gzip, uWSGI."""
    return (
        APP_DIRECTIVES.replace("@SOCKET@", str(socket))
        .replace("@MAX_BODY@", str(max_body_bytes()))
        .replace("@PARAMS@", params)
    )


def server_block(*, listen: str, socket: Path) -> str:
    """nginx's `server` block for Aduan (for an installation's own nginx too)."""
    return SERVER_BLOCK.replace("@LISTEN@", listen).replace("@APP@", app_directives(socket=socket))


def nginx_config(*, listen: str, paths: Paths) -> str:
    user = ""
    if os.geteuid() == 0:
        # As root nginx's workers would run as nobody, who may not open the socket (mode 600).
        user = f"user {pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name};\n"
    return (
        CONFIG.replace("@RUN@", str(paths.run))
        .replace("@USER@", user)
        .replace("@SERVER@", server_block(listen=listen, socket=paths.socket))
    )


# uWSGI's own lines (its start-up banner, a worker's respawn, a traceback printed outside the
# logging module) as JSON objects like the application's (aduan.core.requestlog.JsonFormatter),
# with ADUAN_LOG_FORMAT=json: its master process reads every line, passes the application's JSON
# lines as they are and wraps the others. (The first lines, before uWSGI has read its options,
# stay plain.)
UWSGI_JSON_ENCODER = (
    'json:plain {"time":"${strftime:%Y-%m-%dT%H:%M:%S%z}","level":"INFO","logger":"uwsgi",'
    '"message":"${msg}","request_id":null}'
)


def uwsgi_json_logging(log: Path | None) -> list[str]:
    target = f"file:{log}" if log is not None else "stdio"
    return [
        "--log-master",
        *("--logger", f"json {target}", "--logger", f"plain {target}"),
        *("--log-route", r"json ^\{", "--log-route", "plain ^[^{]"),
        *("--log-encoder", UWSGI_JSON_ENCODER, "--log-encoder", "nl:plain"),
    ]


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None:
        raise SystemExit("nginx not found: apt-get install nginx (make run installs it)")
    return found


def serve(
    *,
    host: str,
    port: int,
    paths: Paths,
    processes: int | None = None,
    threads: int | None = None,
    log: Path | None = None,
    request_log: bool = True,
    json_logs: bool = False,
) -> int:
    """Run uWSGI and nginx until either stops or this process is told to stop (SIGTERM, SIGINT);
    then stop the other. Returns an exit status."""
    paths.run.mkdir(parents=True, exist_ok=True)
    config = paths.run / "nginx.conf"
    config.write_text(nginx_config(listen=f"{host}:{port}", paths=paths))
    uwsgi = [
        str(Path(sys.executable).parent / "uwsgi"),
        *("--ini", str(ROOT / "uwsgi.ini")),
        *("--socket", str(paths.socket), "--chmod-socket=600"),
    ]
    if processes:
        uwsgi += ["--processes", str(processes)]
    if threads:
        uwsgi += ["--threads", str(threads)]
    if json_logs:
        uwsgi += uwsgi_json_logging(log)
    elif log is not None:
        uwsgi += ["--logto", str(log)]
    if not request_log:
        uwsgi += ["--disable-logging"]
    nginx = [nginx_binary(), "-p", str(paths.run), "-c", str(config), "-e", "stderr"]
    stop = False

    def stopping(signum: int, frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, stopping)
    signal.signal(signal.SIGINT, stopping)
    paths.socket.unlink(missing_ok=True)  # left by a server that was killed
    app = subprocess.Popen(uwsgi, cwd=ROOT)  # noqa: S603 - our own programs and arguments
    # nginx once uWSGI's master listens (requests wait in the socket's queue for the workers).
    while not paths.socket.exists() and app.poll() is None and not stop:
        time.sleep(0.05)
    front = subprocess.Popen(nginx, cwd=ROOT)  # noqa: S603 - our own programs and arguments
    status = 0
    try:
        while not stop:
            for process in (app, front):
                code = process.poll()
                if code is not None:
                    status = code or 1
                    stop = True
            time.sleep(0.2)
    finally:
        for process in (front, app):
            if process.poll() is None:
                # nginx: SIGTERM is its fast shutdown; uWSGI: die-on-term (uwsgi.ini).
                process.send_signal(signal.SIGTERM)
        for process in (front, app):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    return status
