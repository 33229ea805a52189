"""`aduan nginx-site`: the production nginx site of this installation, from its settings
(aduan/ops/deploy.py; docs/deploy.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aduan.ops.deploy import SOCKET, SiteError, nginx_site


class Command(BaseCommand):
    help = (
        "Mencetak situs nginx produksi (TLS, alihkan http ke https, berkas statis, batas unggahan) "
        "dari pengaturan instalasi ini, untuk /etc/nginx/sites-available/aduan."
    )
    requires_system_checks: list[str] = []  # renders text; needs no database

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--socket",
            type=Path,
            default=SOCKET,
            help=f"soket uWSGI (bawaan {SOCKET}, seperti aduan-web.service)",
        )
        parser.add_argument(
            "--http-port", type=int, default=80, help="port http yang dialihkan ke https (bawaan 80)"
        )
        parser.add_argument("--no-ipv6", action="store_true", help="tanpa listen [::] (server tanpa IPv6)")

    def handle(self, *args: Any, socket: Path, http_port: int, no_ipv6: bool, **options: Any) -> None:
        try:
            self.stdout.write(nginx_site(socket=socket, http_port=http_port, ipv6=not no_ipv6), ending="")
        except SiteError as exc:
            raise CommandError(str(exc)) from None
