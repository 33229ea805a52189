"""Several workers sweeping at once still send one reminder and escalate once."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from aduan.accounts.models import User
from aduan.core import clock
from aduan.notifications.models import OutboundMessage
from aduan.sla.sweeps import sweep_escalations, sweep_reminders
from tests.conftest import as_actor
from tests.factories import disposed

WIB = ZoneInfo("Asia/Jakarta")


def _in_threads(fn, moment: dt.datetime, n: int = 4) -> list[int]:  # type: ignore[no-untyped-def]
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def run() -> None:
        try:
            barrier.wait()
            with clock.travel(moment):
                results.append(fn())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_parallel_sweeps_remind_and_escalate_once(
    transactional_db: None, koordinator: User, admin_dinkes: User, on_postgres: bool
) -> None:
    if not on_postgres:
        pytest.skip("SQLite's in-memory test database is not shared between threads")
    koordinator.email = "koordinator@ponorogo.go.id"
    koordinator.save(update_fields=["email"])
    with clock.travel(dt.datetime(2023, 10, 2, 9, 0, tzinfo=WIB)):
        reports = [disposed(as_actor(koordinator), lead="dinkes") for _ in range(3)]
    reminded = _in_threads(sweep_reminders, dt.datetime(2023, 10, 18, 8, 0, tzinfo=WIB))
    assert sum(reminded) == 3
    assert (
        OutboundMessage.objects.filter(template_key="agency.reminder").count() == 3
    )  # dinkes mailbox × 3 reports
    escalated = _in_threads(sweep_escalations, dt.datetime(2023, 10, 23, 8, 0, tzinfo=WIB))
    assert sum(escalated) == 3
    assert OutboundMessage.objects.filter(template_key="coordinator.escalation").count() == len(reports)


def test_parallel_schedulers_enqueue_one_sweep(transactional_db: None, on_postgres: bool) -> None:
    if not on_postgres:
        pytest.skip("SQLite's in-memory test database is not shared between threads")
    from django_tasks_db.models import DBTaskResult

    from aduan.sla.tasks import schedule_sweep

    results = _in_threads(
        lambda: int(schedule_sweep(interval=300)), dt.datetime(2026, 1, 5, 8, 0, tzinfo=WIB), n=6
    )
    assert sum(results) == 1
    assert DBTaskResult.objects.filter(task_path="aduan.sla.tasks.sweep").count() == 1
