"""`aduan worker --once` on real commits: the sweep task runs and pending messages leave."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from aduan.accounts.models import User
from aduan.core import clock
from aduan.intake.models import Status
from aduan.notifications.models import OutboundMessage
from aduan.notifications.services import notify_submitted
from aduan.sla.models import SweepSchedule
from aduan.sla.tasks import schedule_sweep
from tests.conftest import as_actor
from tests.factories import act, submit

WIB = ZoneInfo("Asia/Jakarta")


def test_worker_once_runs_the_sweeps_and_delivers_messages(transactional_db: None, koordinator: User) -> None:
    koordinator.email = "koordinator@ponorogo.go.id"
    koordinator.save(update_fields=["email"])
    with clock.travel(dt.datetime(2023, 10, 2, 9, 0, tzinfo=WIB)):
        submitted = submit()
        notify_submitted(submitted.report, submitted.access_code)
        act(as_actor(koordinator), submitted.report, "hold", question="Di desa mana?")
    # One delivery task per transaction, committed with its messages; nothing sent yet: the
    # confirmation by SMS and by email (one INSERT, one transaction), then the hold's message.
    assert DBTaskResult.objects.filter(task_path="aduan.notifications.tasks.deliver_pending").count() == 2
    assert mail.outbox == []
    # The clarification window (10 working days) has long passed.
    with clock.travel(dt.datetime(2023, 11, 1, 9, 0, tzinfo=WIB)):
        out = StringIO()
        call_command("worker", "--once", stdout=out)
    submitted.report.refresh_from_db()
    assert submitted.report.status == Status.DIARSIPKAN
    assert "expired_holds=1" in out.getvalue()
    sweeps = DBTaskResult.objects.filter(task_path="aduan.sla.tasks.sweep")
    assert [s.status for s in sweeps] == [TaskResultStatus.SUCCESSFUL]
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    # Confirmation, the question, and the archiving notice all went out by email.
    assert OutboundMessage.objects.filter(state=OutboundMessage.State.PENDING).count() == 0
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 3 and all(submitted.report.tracking_number in s for s in subjects)


@pytest.mark.django_db
def test_scheduler_enqueues_one_sweep_per_interval(db: None) -> None:
    with clock.travel(dt.datetime(2026, 1, 5, 8, 0, tzinfo=WIB)):
        assert schedule_sweep(interval=300) is True
        assert schedule_sweep(interval=300) is False  # interval not passed
    with clock.travel(dt.datetime(2026, 1, 5, 8, 6, tzinfo=WIB)):
        # Interval passed, but the first sweep is still waiting for a worker: not twice.
        assert schedule_sweep(interval=300) is False
        DBTaskResult.objects.filter(task_path="aduan.sla.tasks.sweep").update(
            status=TaskResultStatus.SUCCESSFUL
        )
        assert schedule_sweep(interval=300) is True
    assert DBTaskResult.objects.filter(task_path="aduan.sla.tasks.sweep").count() == 2
    assert SweepSchedule.objects.get(name="sweeps").last_task_id
