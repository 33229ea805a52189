"""Two deliveries of the same gateway message at the same moment: exactly one report."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from aduan.channels.services import sms_receive
from aduan.intake.models import Report


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_deliveries_make_one_report(on_postgres: bool) -> None:
    if not on_postgres:
        # pytest-django's SQLite test database is in memory with a shared cache, where concurrent
        # writers get "table is locked" at once; a real SQLite file serialises them (BEGIN IMMEDIATE).
        pytest.skip("concurrent writers need PostgreSQL or a file database")
    barrier = threading.Barrier(4)
    replies: list[tuple[str, bool]] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait(timeout=10)
            received = sms_receive("+6281234567890", "LAPOR Jembatan putus di Desa Sawoo", "same-id")
            replies.append((received.reply, received.duplicate))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert Report.objects.filter(channel="sms").count() == 1
    assert len({reply for reply, _ in replies}) == 1
    assert sorted(duplicate for _, duplicate in replies) == [False, True, True, True]
