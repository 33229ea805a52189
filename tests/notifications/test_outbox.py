"""The outbox: the right message for the right person on the right channel, sent only after commit."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core import mail
from django.db import transaction

from aduan.accounts.models import User
from aduan.core import clock
from aduan.intake.models import Report
from aduan.notifications import conf, delivery
from aduan.notifications.delivery import DeliveryError, deliver_due
from aduan.notifications.models import MessageTemplate, OutboundMessage
from aduan.notifications.services import notify_submitted
from aduan.workflow.services import report_act
from tests.conftest import as_actor
from tests.factories import KESEHATAN, act, disposed, owner, submit, verified

pytestmark = pytest.mark.django_db
State = OutboundMessage.State


@pytest.fixture
def staff(staff_with_email: dict[str, User]) -> dict[str, User]:
    return staff_with_email


@pytest.fixture
def sms_sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The SMS gateway (aduan.channels.sms) replaced by a recorder."""
    sent: list[tuple[str, str]] = []

    def fake_send_sms(to: str, text: str) -> str:
        sent.append((to, text))
        return f"sms-{len(sent)}"

    monkeypatch.setattr(delivery, "send_sms", fake_send_sms)
    return sent


def messages(report: Report, **filters: object) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(report=report, **filters).order_by("pk"))


def test_confirmation_by_sms_for_an_sms_report_carries_code_then_masks_it(
    sms_sent: list[tuple[str, str]],
) -> None:
    submitted = submit(channel="sms", email="")
    notify_submitted(submitted.report, submitted.access_code)
    notify_submitted(submitted.report, submitted.access_code)  # called twice: still one message
    [message] = messages(submitted.report)
    assert (message.channel, message.to, message.recipient_kind) == ("sms", "+6281234567890", "citizen")
    assert submitted.report.tracking_number in message.body and submitted.access_code in message.body
    assert deliver_due()["sent"] == 1
    assert sms_sent == [("+6281234567890", message.body)]
    message.refresh_from_db()
    assert message.state == State.SENT and message.provider_id == "sms-1" and message.sent_at is not None
    # Once it has left, the stored copy no longer holds the access code.
    assert submitted.access_code not in message.body and message.secret == ""


def test_confirmation_of_a_web_report_goes_to_every_contact_given() -> None:
    submitted = submit(channel="web")
    notify_submitted(submitted.report, submitted.access_code)
    sms, email = sorted(messages(submitted.report), key=lambda m: m.channel == "email")
    assert (sms.channel, sms.to) == ("sms", "+6281234567890")
    assert (email.channel, email.to) == ("email", "siti@example.org")
    assert "Laporan" in email.subject and submitted.report.tracking_number in email.subject
    assert submitted.access_code in sms.body and submitted.access_code in email.body
    phone_only = submit(channel="web", email="")
    notify_submitted(phone_only.report, phone_only.access_code)
    assert [(m.channel, m.to) for m in messages(phone_only.report)] == [("sms", "+6281234567890")]


def test_status_messages_of_a_web_report_go_to_every_contact_given(staff: dict[str, User]) -> None:
    # Issue 15: the form promises news by SMS; a web reporter with a phone gets it (and email).
    report = verified(as_actor(staff["koordinator"]))
    assert sorted((m.channel, m.to, m.template_key) for m in messages(report)) == [
        ("email", "siti@example.org", "citizen.status"),
        ("sms", "+6281234567890", "citizen.status"),
    ]


def test_no_reporter_contact_means_no_message() -> None:
    submitted = submit(name="", phone="", email="")
    notify_submitted(submitted.report, submitted.access_code)
    assert messages(submitted.report) == []


def test_dispose_tells_the_citizen_and_the_lead_and_supporting_agencies_only(staff: dict[str, User]) -> None:
    report = verified(as_actor(staff["koordinator"]))
    verify_messages = messages(report)
    assert sorted((m.template_key, m.to) for m in verify_messages) == [
        ("citizen.status", "+6281234567890"),
        ("citizen.status", "siti@example.org"),
    ]
    assert all("Terverifikasi" in m.body for m in verify_messages)
    act(
        as_actor(staff["koordinator"]),
        report,
        "dispose",
        lead="dinkes",
        supporting=["rsud"],
        instruction="Cek jadwal.",
    )
    new = [m for m in messages(report) if m not in verify_messages]
    by_key = {(m.template_key, m.to, m.channel) for m in new}
    assert ("citizen.dispose", "siti@example.org", "email") in by_key
    agency_to = {m.to for m in new if m.recipient_kind == "agency"}
    assert agency_to == {"admin@dinkes.test", "dinkes@ponorogo.go.id", "rsud@ponorogo.go.id"}
    assert "admin@pupr.test" not in {m.to for m in new}
    citizen_msg = next(m for m in new if m.template_key == "citizen.dispose")
    assert "Dinas Kesehatan" in citizen_msg.body
    assert "Cek jadwal" not in citizen_msg.body  # the instruction is for the OPD, not the citizen
    assert all("Cek jadwal." in m.body for m in new if m.recipient_kind == "agency")
    assert all(m.state == State.PENDING for m in new)


def test_return_tells_the_coordinator_and_non_public_events_tell_the_citizen_nothing(
    staff: dict[str, User],
) -> None:
    report = disposed(as_actor(staff["koordinator"]), lead="pupr")
    before = {m.pk for m in messages(report)}
    act(as_actor(staff["admin_pupr"]), report, "accept")
    assert {m.pk for m in messages(report)} == before  # accept is internal
    act(
        as_actor(staff["admin_pupr"]),
        report,
        "return",
        reason="Puskesmas urusan Dinkes.",
        proposed_agency="dinkes",
    )
    new = [m for m in messages(report) if m.pk not in before]
    assert [(m.template_key, m.to, m.recipient_kind) for m in new] == [
        ("coordinator.returned", "koordinator@ponorogo.go.id", "coordinator")
    ]
    assert "Puskesmas urusan Dinkes." in new[0].body


def test_hold_asks_the_sms_citizen_by_sms_and_the_citizens_own_answer_sends_nothing(
    staff: dict[str, User],
) -> None:
    report = submit(channel="sms", email="").report
    act(as_actor(staff["koordinator"]), report, "hold", question="Di desa mana?")
    [message] = messages(report)
    assert (message.template_key, message.channel) == ("citizen.hold", "sms")
    assert "Di desa mana?" in message.body
    act(owner(report), report, "resume", answer="Babadan")
    assert len(messages(report)) == 1


def test_the_reporter_of_a_duplicate_follows_the_original(staff: dict[str, User]) -> None:
    coordinator = as_actor(staff["koordinator"])
    original = verified(coordinator)
    duplicate = submit(email="budi@example.org", phone="").report
    act(coordinator, duplicate, "mark_duplicate", of=original.tracking_number)
    [dup_message] = messages(duplicate)
    assert (
        dup_message.template_key == "citizen.mark_duplicate" and original.tracking_number in dup_message.body
    )
    act(coordinator, original, "dispose", lead="dinkes", supporting=[], instruction="")
    told = {m.to for m in messages(original, template_key="citizen.dispose")}
    assert told == {"siti@example.org", "+6281234567890", "budi@example.org"}


def test_nothing_is_sent_inside_the_transaction(
    staff: dict[str, User], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from django_tasks_db.models import DBTaskResult

    report = submit(phone="").report
    tasks_before = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            report_act(
                actor=as_actor(staff["koordinator"]),
                report_id=report.pk,
                action="hold",
                params={"question": "Kapan?"},
            )
            [message] = messages(report)
            assert message.state == State.PENDING
        assert mail.outbox == []
    # With the database task backend the worker claims the message straight from the outbox:
    # the transaction queues no task, and nothing is left to enqueue after commit.
    assert DBTaskResult.objects.count() == tasks_before
    assert "_enqueue_delivery" not in [cb.__name__ for cb in callbacks]
    assert mail.outbox == []
    assert deliver_due()["sent"] == 1
    assert [m.to for m in mail.outbox] == [["siti@example.org"]]


def test_a_rolled_back_action_leaves_no_message(staff: dict[str, User]) -> None:
    report = submit().report
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            report_act(
                actor=as_actor(staff["koordinator"]),
                report_id=report.pk,
                action="hold",
                params={"question": "Kapan?"},
            )
            assert messages(report)
            raise RuntimeError("something after the action failed")
    assert messages(report) == []
    assert deliver_due()["sent"] == 0 and mail.outbox == []


def test_failing_sms_is_retried_with_backoff_then_failed_and_never_logs_the_code(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def broken(to: str, text: str) -> str:
        calls.append(to)
        raise DeliveryError("modem tidak menjawab")

    monkeypatch.setattr(delivery, "send_sms", broken)
    monkeypatch.setattr(conf, "MAX_ATTEMPTS", 3)
    submitted = submit(channel="sms", email="")
    notify_submitted(submitted.report, submitted.access_code)
    [message] = messages(submitted.report)
    caplog.set_level(logging.DEBUG)
    start = clock.now()

    assert deliver_due() == {"sent": 0, "failed": 0, "retry": 1}
    message.refresh_from_db()
    assert (
        message.state == State.PENDING
        and message.attempts == 1
        and message.last_error == "modem tidak menjawab"
    )
    first_retry = message.next_attempt_at
    assert first_retry is not None and first_retry - start >= dt.timedelta(seconds=conf.RETRY_BASE_SECONDS)
    assert deliver_due()["retry"] == 0  # not due yet: no second attempt straight away
    with clock.travel(start + dt.timedelta(minutes=2)):
        assert deliver_due()["retry"] == 1
    message.refresh_from_db()
    assert message.attempts == 2 and message.next_attempt_at - first_retry >= dt.timedelta(
        seconds=conf.RETRY_BASE_SECONDS
    )
    with clock.travel(start + dt.timedelta(hours=1)):
        assert deliver_due()["failed"] == 1
        assert deliver_due() == {"sent": 0, "failed": 0, "retry": 0}
    message.refresh_from_db()
    assert message.state == State.FAILED and message.attempts == 3 and message.next_attempt_at is None
    assert len(calls) == 3
    assert submitted.access_code not in caplog.text


def test_sms_through_the_channels_console_backend(settings, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("aduan.channels.sms")
    settings.ADUAN_SMS_BACKEND = "console"
    report = submit(channel="sms", email="").report
    act(
        as_actor(User.objects.create_user("koor2", role="coordinator")),
        report,
        "hold",
        question="Di desa mana?",
    )
    assert deliver_due()["sent"] == 1
    [message] = messages(report)
    assert message.state == State.SENT and message.provider_id.startswith("console:")
    assert "Di desa mana?" in capsys.readouterr().err


def test_a_number_no_gateway_accepts_fails_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(to: str, text: str) -> str:
        raise DeliveryError("bukan nomor seluler", retryable=False)

    monkeypatch.setattr(delivery, "send_sms", refused)
    submitted = submit(channel="sms", email="")
    notify_submitted(submitted.report, submitted.access_code)
    assert deliver_due()["failed"] == 1
    [message] = messages(submitted.report)
    assert message.state == State.FAILED and message.attempts == 1


def test_an_edited_template_is_used_with_either_placeholder_syntax(staff: dict[str, User]) -> None:
    MessageTemplate.objects.update_or_create(
        key="citizen.hold",
        channel="email",
        defaults={
            "subject": "Klarifikasi {tracking_number}",
            "body": "Yth. pelapor, {{ note|upper }} ({{ tracking_number }})",
        },
    )
    report = submit(phone="").report
    act(as_actor(staff["koordinator"]), report, "hold", question="di desa mana?")
    [message] = messages(report)
    assert message.subject == f"Klarifikasi {report.tracking_number}"
    assert message.body == f"Yth. pelapor, DI DESA MANA? ({report.tracking_number})"


def test_default_templates_are_seeded_by_migration() -> None:
    keys = set(MessageTemplate.objects.values_list("key", "channel"))
    assert {("citizen.submitted", "sms"), ("citizen.status", "email"), ("agency.disposed", "email")} <= keys


def test_suppressed_block_writes_no_messages(staff: dict[str, User]) -> None:
    from aduan.notifications.services import suppressed

    with suppressed():
        submitted = submit()
        notify_submitted(submitted.report, submitted.access_code)
        act(as_actor(staff["koordinator"]), submitted.report, "hold", question="Kapan?")
    assert messages(submitted.report) == []
    act(owner(submitted.report), submitted.report, "resume", answer="Kemarin.")
    act(
        as_actor(staff["koordinator"]),
        submitted.report,
        "verify",
        classification="aspirasi",
        category=KESEHATAN,
    )
    assert [m.template_key for m in messages(submitted.report)] == ["citizen.status", "citizen.status"]


def test_outbox_command_retries_failed_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    from io import StringIO

    from django.core.management import call_command

    def refused(to: str, text: str) -> str:
        raise DeliveryError("gateway mati", retryable=False)

    monkeypatch.setattr(delivery, "send_sms", refused)
    submitted = submit(channel="sms", email="")
    notify_submitted(submitted.report, submitted.access_code)
    deliver_due()
    out = StringIO()
    call_command("outbox", "--retry-failed", stdout=out)
    assert "1 pesan dijadwalkan ulang" in out.getvalue()
    [message] = messages(submitted.report)
    assert message.state == State.PENDING and message.attempts == 0
    sent: list[str] = []
    monkeypatch.setattr(delivery, "send_sms", lambda to, text: sent.append(text) or "ok")
    assert deliver_due()["sent"] == 1
    assert submitted.access_code in sent[0]  # the retried confirmation still carries the code
    message.refresh_from_db()
    assert submitted.access_code not in message.body


def test_admin_lists_templates_and_outbox(client, admin_user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(admin_user)
    assert client.get("/django-admin/notifications/messagetemplate/").status_code == 200
    assert client.get("/django-admin/notifications/outboundmessage/").status_code == 200


def test_citizen_messages_link_to_the_tracking_page_and_staff_messages_to_the_console(
    staff: dict[str, User],
) -> None:
    report = disposed(as_actor(staff["koordinator"]), lead="dinkes")
    citizen = messages(report, template_key="citizen.dispose")[0]
    agency = messages(report, template_key="agency.disposed")[0]
    assert f"/lacak/{report.tracking_number}/" in citizen.body
    assert f"/konsol/laporan/{report.tracking_number}/" in agency.body


def test_messages_are_written_in_the_site_language_whatever_is_active(staff: dict[str, User]) -> None:
    from django.utils import translation

    with translation.override("en"):
        report = verified(as_actor(staff["koordinator"]))
    [message] = messages(report, channel="email")
    assert "Terverifikasi" in message.body  # the Indonesian status label, not its English translation


def test_tracking_url_is_the_reversed_tracking_page_under_the_current_script_prefix() -> None:
    from django.conf import settings
    from django.urls import reverse, set_script_prefix

    from aduan.intake.models import Report
    from aduan.notifications.services import tracking_url

    report = Report(tracking_number="2612-0012345")
    expected = settings.SITE_URL + reverse("portal:track_detail", kwargs={"tracking_number": "2612-0012345"})
    assert tracking_url(report) == expected
    assert tracking_url(Report(tracking_number="2612-7654321")).endswith("/lacak/2612-7654321/")
    set_script_prefix("/aduan/")
    try:
        assert tracking_url(report) == settings.SITE_URL + "/aduan/lacak/2612-0012345/"
    finally:
        set_script_prefix("/")
