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
    # The messages wait in the outbox, where the worker claims them: no task queued for them, and
    # nothing sent yet (the confirmation by SMS and by email, then the hold's message).
    assert not DBTaskResult.objects.exists()
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


def dead_workers_task(*, started: dt.datetime, worker_ids: list[str]) -> DBTaskResult:
    """A sweep task as a worker leaves it when it is killed mid-run: RUNNING for ever."""
    from aduan.sla.tasks import sweep

    row = DBTaskResult.objects.get(id=sweep.enqueue().id)
    row.status, row.started_at, row.worker_ids = TaskResultStatus.RUNNING, started, worker_ids
    row.save(update_fields=["status", "started_at", "worker_ids"])
    return row


def test_a_task_whose_worker_died_is_run_again_after_the_lease(transactional_db: None) -> None:
    from aduan.sla import conf

    now = clock.now()
    lease = dt.timedelta(seconds=conf.TASK_LEASE_SECONDS)
    killed = dead_workers_task(started=now - lease - dt.timedelta(seconds=5), worker_ids=["killed-9"])
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    killed.refresh_from_db()
    assert killed.status == TaskResultStatus.SUCCESSFUL
    # Run by this pass's worker, after the dead one; the pass scheduled no second sweep beside it.
    assert len(killed.worker_ids) == 2 and killed.worker_ids[0] == "killed-9"
    assert DBTaskResult.objects.count() == 1 and killed.return_value["expired_holds"] == 0


def test_a_running_task_within_its_lease_or_of_a_live_worker_is_left_alone(db: None) -> None:
    from aduan.sla import conf
    from aduan.sla.tasks import tasks_of_dead_workers_requeue, worker_seen

    now = clock.now()
    lease = dt.timedelta(seconds=conf.TASK_LEASE_SECONDS)
    young = dead_workers_task(started=now - lease / 2, worker_ids=["just-started"])
    long_running = dead_workers_task(started=now - 10 * lease, worker_ids=["alive"])
    worker_seen("alive")  # its heartbeat thread renews the lease while the task runs
    dead = dead_workers_task(started=now - 10 * lease, worker_ids=["gone"])
    assert tasks_of_dead_workers_requeue() == 1
    states = {r.pk: r.status for r in DBTaskResult.objects.all()}
    assert states == {
        young.pk: TaskResultStatus.RUNNING,
        long_running.pk: TaskResultStatus.RUNNING,
        dead.pk: TaskResultStatus.READY,
    }
    # The worker that was alive stops saying so: after the lease its task is taken up too.
    with clock.travel(now + 2 * lease):
        assert tasks_of_dead_workers_requeue() == 2
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()


def test_a_task_that_kept_killing_its_workers_is_failed_not_run_for_ever(db: None) -> None:
    from aduan.sla import conf
    from aduan.sla.tasks import tasks_of_dead_workers_requeue

    old = clock.now() - dt.timedelta(seconds=2 * conf.TASK_LEASE_SECONDS)
    poison = dead_workers_task(started=old, worker_ids=["w1", "w2", "w3"][: conf.TASK_MAX_ATTEMPTS])
    assert tasks_of_dead_workers_requeue() == 0
    poison.refresh_from_db()
    assert poison.status == TaskResultStatus.FAILED and poison.exception_class_path.endswith("WorkerLost")


def test_the_sweep_never_waits_behind_other_tasks(db: None) -> None:
    """A backlog (here 50 delivery tasks, as an installation upgraded from the version that queued
    one per transaction may hold) is run after the sweep."""
    from aduan.notifications.tasks import deliver_pending

    for _ in range(50):
        deliver_pending.enqueue()
    assert schedule_sweep(force=True)
    first = DBTaskResult.objects.ready().get_locked()
    assert first is not None and first.task_path == "aduan.sla.tasks.sweep"


def test_submissions_queue_no_task_and_the_worker_sends_them_all(transactional_db: None) -> None:
    """Issue 12: a delivery task per group commit left ~19,000 tasks after a load run. Messages
    are claimed straight from the outbox: after 60 submissions (each its own transaction) the
    task table holds nothing, and one `--once` pass sends every confirmation."""
    from django.conf import settings

    from aduan.notifications.delivery import CLAIM_BATCH

    for n in range(60):
        notify_submitted(submit(phone="", email=f"warga{n}@example.org").report, f"CODE-{n:04d}")
    assert OutboundMessage.objects.filter(state=OutboundMessage.State.PENDING).count() == 60 > 2 * CLAIM_BATCH
    assert not DBTaskResult.objects.exists()
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "messages_sent=60" in out.getvalue() and len(mail.outbox) == 60
    assert not OutboundMessage.objects.exclude(state=OutboundMessage.State.SENT).exists()
    # The access codes left the database with the messages (masked once sent).
    assert not OutboundMessage.objects.filter(body__contains="CODE-").exists()
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
