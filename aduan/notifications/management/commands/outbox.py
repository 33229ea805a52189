"""`aduan outbox`: the outbox's state at a glance; `--retry-failed` sends failed messages again."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Count

from aduan.core import clock
from aduan.notifications.models import OutboundMessage


class Command(BaseCommand):
    help = "Ringkasan pesan keluar (SMS/email) per status; --retry-failed menjadwalkan ulang yang gagal."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--retry-failed", action="store_true", help="Jadwalkan ulang semua pesan yang gagal"
        )

    def handle(self, *args: Any, retry_failed: bool, **options: Any) -> None:
        if retry_failed:
            count = OutboundMessage.objects.filter(state=OutboundMessage.State.FAILED).update(
                state=OutboundMessage.State.PENDING, attempts=0, next_attempt_at=clock.now(), last_error=""
            )
            self.stdout.write(f"{count} pesan dijadwalkan ulang.")
        rows = (
            OutboundMessage.objects.values("channel", "state")
            .annotate(n=Count("pk"))
            .order_by("channel", "state")
        )
        for row in rows:
            self.stdout.write(f"{row['channel']:<6} {row['state']:<8} {row['n']}")
        for message in OutboundMessage.objects.filter(state=OutboundMessage.State.FAILED).order_by("-pk")[
            :10
        ]:
            # Address and error only: bodies may be personal.
            self.stdout.write(
                f"gagal #{message.pk} {message.channel} {message.to}: {message.last_error[:120]}"
            )
