"""`aduan serve`: nginx in front of uWSGI (uwsgi.ini), as `make run` and production run them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from aduan.core import server


class Command(BaseCommand):
    help = (
        "Menjalankan server: nginx di depan uWSGI (uwsgi.ini). nginx menampung unggahan sebelum "
        "sampai ke pekerja aplikasi."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Alamat yang didengarkan (bawaan 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="Port (bawaan 8000)")
        parser.add_argument("--processes", type=int, help="Proses uWSGI (bawaan: uwsgi.ini)")
        parser.add_argument("--threads", type=int, help="Thread per proses uWSGI (bawaan: uwsgi.ini)")
        parser.add_argument("--log", type=Path, help="Berkas log uWSGI (bawaan: keluaran standar)")
        parser.add_argument(
            "--no-request-log", action="store_true", help="Tanpa satu baris log per permintaan"
        )
        parser.add_argument(
            "--run-dir",
            type=Path,
            help="Berkas kerja server (konfigurasi nginx, soket uWSGI); bawaan: <ADUAN_DATA_DIR>/server. "
            "Beda untuk tiap server yang berbagi satu direktori data",
        )
        parser.add_argument(
            "--print-nginx-config",
            action="store_true",
            help="Hanya mencetak blok server nginx (untuk nginx milik instalasi), lalu berhenti",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Several servers on one host may share the data dir (docs/scaling.md), never a socket.
        paths = (
            server.Paths.at(options["run_dir"])
            if options["run_dir"]
            else server.Paths.under(Path(settings.DATA_DIR))
        )
        listen = f"{options['host']}:{options['port']}"
        if options["print_nginx_config"]:
            self.stdout.write(server.server_block(listen=listen, socket=paths.socket))
            return
        status = server.serve(
            host=options["host"],
            port=options["port"],
            paths=paths,
            processes=options["processes"],
            threads=options["threads"],
            log=options["log"],
            # In JSON the request lines are Django's (aduan.request, with the request id):
            # uWSGI's own plain-text line would break one object per line.
            request_log=not options["no_request_log"] and settings.ADUAN_LOG_FORMAT != "json",
            json_logs=settings.ADUAN_LOG_FORMAT == "json",
        )
        if status:
            raise SystemExit(status)
