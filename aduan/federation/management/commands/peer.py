"""`aduan peer add URL --public-key=KEY | list | sync | identity`: peers from the command line."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aduan.core.errors import DomainError
from aduan.federation import services
from aduan.federation.models import OutboxMessage, Peer


class Command(BaseCommand):
    help = "Instalasi mitra (federasi): tambah, daftar, sinkronkan direktori, identitas sendiri."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        add = sub.add_parser("add", help="Daftarkan mitra dari alamat dasarnya dan kunci publiknya")
        add.add_argument("url")
        # base64url: a key may begin with "-", which argparse takes for an option unless written
        # --public-key=KEY (as README and docs/federation.md do).
        add.add_argument("--public-key", required=True, help="Kunci publik mitra; tulis --public-key=KUNCI")
        sub.add_parser("list", help="Daftar mitra dan pesan yang tertunda/gagal")
        sync = sub.add_parser("sync", help="Ambil lagi instansi dan kategori mitra")
        sync.add_argument("code", nargs="?")
        sub.add_parser("identity", help="Identitas dan kunci publik instalasi ini")
        retry = sub.add_parser("retry", help="Kirim ulang pesan yang gagal")
        retry.add_argument("message_id")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        try:
            getattr(self, f"_{verb}")(**options)
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from None

    def _add(self, url: str, public_key: str, **_: Any) -> None:
        peer = services.peer_add(base_url=url, public_key=public_key)
        self.stdout.write(
            f"Mitra terdaftar: {peer.name} ({peer.level}, {peer.code}) {peer.base_url}; "
            f"{peer.agencies.count()} instansi. {peer.sync_error}".strip()
        )

    def _list(self, **_: Any) -> None:
        for peer in Peer.objects.all():
            pending = OutboxMessage.objects.filter(peer=peer, state=OutboxMessage.State.PENDING).count()
            failed = OutboxMessage.objects.filter(peer=peer, state=OutboxMessage.State.FAILED).count()
            self.stdout.write(
                f"{peer.code}\t{peer.name}\t{peer.level}\t{peer.base_url}\t{peer.state}\t"
                f"instansi={peer.agencies.count()} tertunda={pending} gagal={failed}"
            )

    def _sync(self, code: str | None = None, **_: Any) -> None:
        peers = Peer.objects.filter(code=code) if code else Peer.objects.all()
        for peer in peers:
            count = services.peer_sync(peer=peer)
            peer.refresh_from_db()
            self.stdout.write(f"{peer.code}: {count} instansi {peer.sync_error}".strip())

    def _identity(self, **_: Any) -> None:
        for key, value in services.identity().items():
            self.stdout.write(f"{key}: {value}")

    def _retry(self, message_id: str, **_: Any) -> None:
        if not services.outbox_retry(message_id=message_id):
            raise CommandError("Tidak ada pesan gagal dengan id itu.")
        self.stdout.write("Dijadwalkan ulang.")
