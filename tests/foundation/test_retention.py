"""Retention under UU 27/2022 (issue 13 item 8): past the period after closing, a report keeps what
it was about and how it was handled, loses what points at its reporter, and says so in its audit
chain; the evaluation's figures do not move."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import translation
from PIL import Image

from aduan.core import clock
from aduan.core.actors import actor_for_user
from aduan.evaluation.scenarios import SCENARIOS
from aduan.intake.models import Attachment, Report, Reporter, Status
from aduan.notifications.models import OutboundMessage
from aduan.sla.sweeps import run_sweeps
from aduan.workflow import audit
from aduan.workflow.models import ReportEvent
from aduan.workflow.retention import ERASE, retention_apply, retention_cutoff
from aduan.workflow.transitions import event_label
from tests.factories import act, attach, submit


def photo() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 120, 0)).save(data, format="JPEG")
    data.seek(0)
    return data


def evaluation_json(tmp_path, name: str) -> dict:  # type: ignore[no-untyped-def]
    out = tmp_path / name
    call_command("report", year=2022, format="json", output=str(out))
    data = json.loads(out.read_text())
    data.pop("generated_at")
    return data


@pytest.mark.django_db
def test_retention_erases_personal_data_and_keeps_the_evaluation(
    tmp_path, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        SCENARIOS["ponorogo-2022"]()
    closed = Report.objects.filter(status__in=[Status.SELESAI, Status.DIARSIPKAN])
    assert closed.count() == 52
    assert Reporter.objects.exclude(name="", phone="", email="").count() == 52
    before = evaluation_json(tmp_path, "before.json")

    # Five years after 2022 is not yet over in 2026: nothing is due.
    assert retention_apply(dry_run=True).tracking_numbers == []
    settings.ADUAN_RETENTION_YEARS = 1
    dry = retention_apply(dry_run=True)
    assert len(dry.tracking_numbers) == 52
    assert not ReportEvent.objects.filter(action=ERASE).exists()  # a dry run changes nothing

    out = io.StringIO()
    call_command("retention", "apply", stdout=out)
    assert "52 laporan ditutup sebelum" in out.getvalue() and "retensi 1 tahun" in out.getvalue()

    assert not Reporter.objects.exclude(name="", phone="", email="", nik="").exists()
    assert not Reporter.objects.filter(user__isnull=False).exists()
    assert not Report.objects.exclude(address="").exists()
    assert not Report.objects.filter(latitude__isnull=False).exists()
    assert not Report.objects.filter(personal_data_erased_at__isnull=True).exists()
    # Each erasure audited, as a new link of the report's chain.
    assert ReportEvent.objects.filter(action=ERASE, data__reason="retention").count() == 52
    assert audit.verify().breaks == []
    # The statistics stay exactly as they were.
    assert evaluation_json(tmp_path, "after.json") == before
    # Idempotent: a second pass finds nothing.
    assert retention_apply().tracking_numbers == []


def test_only_reports_closed_before_the_period_are_erased(
    db: None, koordinator, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    coordinator = actor_for_user(koordinator)
    done = submit().report
    attachment = attach(done, photo().getvalue(), "KTP_Siti.jpg")
    stored = attachment.file.name
    assert default_storage.exists(stored)
    act(coordinator, done, "close", reason="Sudah ditangani.")
    still_open = submit(address="Jl. Sultan Agung 5").report
    archived = submit().report
    act(coordinator, archived, "archive", reason="spam", note="Iseng.")
    duplicate = submit().report
    act(coordinator, duplicate, "mark_duplicate", of=still_open.tracking_number)

    later = clock.now() + dt.timedelta(days=5 * 366)
    assert retention_cutoff(later) > clock.now()
    with django_capture_on_commit_callbacks(execute=True):  # the files go after commit
        result = retention_apply(now=later)
    # The duplicate waits: its reporter follows the original, which is still open.
    assert sorted(result.tracking_numbers) == sorted([done.tracking_number, archived.tracking_number])

    done.refresh_from_db()
    assert done.personal_data_erased_at == later and done.reporter is not None
    assert (done.reporter.name, done.reporter.phone, done.reporter.email) == ("", "", "")
    assert not Attachment.objects.filter(report=done).exists() and not default_storage.exists(stored)
    messages = OutboundMessage.objects.filter(report=done, recipient_kind="citizen")
    assert messages.exists() and not messages.exclude(to="").exists()  # the outbox forgot the address
    (erasure,) = ReportEvent.objects.filter(report=done, action=ERASE)
    assert erasure.data == {"reason": "retention", "erased": ["reporter", "attachments:1"]}
    assert (erasure.seq, erasure.is_public, erasure.actor_role) == (done.audit_seq, False, "system")
    # Console and API name it (staff only: not a public event).
    assert event_label(ERASE) == "Data pribadi pelapor dihapus (UU 27/2022)"
    with translation.override("en"):
        assert event_label(ERASE) == "Reporter's personal data erased (UU 27/2022)"
    for untouched in (still_open, duplicate):
        untouched.refresh_from_db()
        assert untouched.reporter is not None and untouched.reporter.name == "Siti Aminah"
        assert untouched.personal_data_erased_at is None
    assert still_open.address == "Jl. Sultan Agung 5"
    assert OutboundMessage.objects.filter(report=duplicate, recipient_kind="citizen").exclude(to="").exists()
    assert audit.verify().breaks == []


def test_the_worker_applies_retention_once_a_day(db: None, koordinator, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ADUAN_RETENTION_YEARS = 1
    report = submit().report
    act(actor_for_user(koordinator), report, "close", reason="Selesai.")
    with clock.travel(clock.now() + dt.timedelta(days=400)):
        assert run_sweeps()["retention_erased"] == 1
        second = submit().report
        act(actor_for_user(koordinator), second, "close", reason="Selesai.")
    with clock.travel(clock.now() + dt.timedelta(days=800)):
        assert run_sweeps()["retention_erased"] == 1  # a day later: the second report
        assert run_sweeps()["retention_erased"] == 0  # the same day: not again
