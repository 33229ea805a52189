"""Lupa kode akses?: a new code to the contact given, the old one dead, one answer for all, limited."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client

from aduan.intake.models import Report
from aduan.notifications.delivery import deliver_due
from aduan.notifications.models import OutboundMessage
from aduan.portal import conf
from aduan.workflow.models import ReportEvent
from tests.factories import submit
from tests.portal.test_tracking import opened

pytestmark = pytest.mark.django_db
ONE_ANSWER = "Bila nomor laporan dan kontak itu cocok"


@pytest.fixture(autouse=True)
def _no_wait_and_own_counters(monkeypatch: pytest.MonkeyPatch, settings, _private_cache) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(conf, "RECOVER_MIN_MS", 0)
    # The portal tests' private cache has no "ratelimit" alias; the recovery budgets live there.
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "recover-rl"},
    }
    caches["ratelimit"].clear()


def ask(client: Client, number: str, contact: str) -> str:
    response = client.post("/lacak/lupa-kode/", {"tracking_number": number, "contact": contact}, follow=True)
    assert response.redirect_chain == [("/lacak/", 302)], response.content.decode()[:400]
    return response.content.decode()


def test_the_tracking_page_offers_it() -> None:
    assert 'href="/lacak/lupa-kode/"' in Client().get("/lacak/").content.decode()
    assert Client().get("/lacak/lupa-kode/").status_code == 200


def test_a_citizen_recovers_a_lost_code_by_sms_and_the_old_one_stops_working(
    settings, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    settings.ADUAN_SMS_BACKEND = "console"
    submitted = submit(email="")
    number = submitted.report.tracking_number
    assert ONE_ANSWER in ask(Client(), number.replace("-", ""), "0812 3456 7890")
    [message] = OutboundMessage.objects.filter(report=submitted.report, template_key="citizen.access_code")
    assert (message.channel, message.to) == ("sms", "+6281234567890")
    deliver_due()
    printed = capsys.readouterr().err
    new_code = re.search(r"([A-Z0-9]{4}-[A-Z0-9]{4})", printed.split(number, 1)[1]).group(1)  # type: ignore[union-attr]
    assert new_code != submitted.access_code and len(printed.split("to +6281234567890: ")[1]) <= 161
    refused = Client().post("/lacak/", {"tracking_number": number, "access_code": submitted.access_code})
    assert refused.status_code == 400
    opened(Client(), number, new_code)
    # Audited like any other change to the report, without the code.
    [event] = ReportEvent.objects.filter(report=submitted.report, action="reset_access_code")
    assert event.actor_role == "system" and event.data == {"sent_to": "sms"} and not event.is_public
    assert new_code not in event.note and new_code not in str(event.data)


def test_by_email_too_in_any_case() -> None:
    submitted = submit()
    ask(Client(), submitted.report.tracking_number, "SITI@Example.org")
    [message] = OutboundMessage.objects.filter(report=submitted.report, template_key="citizen.access_code")
    assert (message.channel, message.to) == ("email", "siti@example.org")


def test_no_oracle_the_same_answer_and_nothing_sent_when_they_do_not_match() -> None:
    submitted = submit()
    digest = submitted.report.access_code_digest
    pages = [
        ask(Client(), submitted.report.tracking_number, "0856 1111 2222"),  # not the reporter's phone
        ask(Client(), "2611-0000000", "0812 3456 7890"),  # no such report
        ask(Client(), submitted.report.tracking_number, "bukan kontak"),
    ]
    assert all(ONE_ANSWER in page for page in pages)
    assert not OutboundMessage.objects.filter(template_key="citizen.access_code").exists()
    assert Report.objects.get(pk=submitted.report.pk).access_code_digest == digest
    assert not ReportEvent.objects.filter(action="reset_access_code").exists()


def test_both_outcomes_take_at_least_the_same_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conf, "RECOVER_MIN_MS", 300)
    submitted = submit()
    timings = []
    for contact in ("0812 3456 7890", "0856 1111 2222"):
        start = time.monotonic()
        ask(Client(), submitted.report.tracking_number, contact)
        timings.append(time.monotonic() - start)
    assert min(timings) >= 0.3


def test_limited_per_report_and_per_contact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conf, "RECOVER_ATTEMPTS", 2)
    first, second = submit(), submit(phone="0856 1111 2222", email="")
    client = Client()
    for _ in range(2):
        ask(client, first.report.tracking_number, "0899 0000 0000")
    # The report's budget is spent, whoever asks next and with whichever contact.
    blocked = Client().post(
        "/lacak/lupa-kode/", {"tracking_number": first.report.tracking_number, "contact": "0812 3456 7890"}
    )
    assert blocked.status_code == 429 and "berkali-kali" in blocked.content.decode()
    assert not OutboundMessage.objects.filter(template_key="citizen.access_code").exists()
    # One contact cannot be flooded through many report numbers either.
    ask(Client(), second.report.tracking_number, "0856 1111 2222")
    ask(Client(), "2611-0000001", "0856 1111 2222")
    flooded = Client().post(
        "/lacak/lupa-kode/", {"tracking_number": "2611-0000002", "contact": "0856-1111-2222"}
    )
    assert flooded.status_code == 429
    assert OutboundMessage.objects.filter(template_key="citizen.access_code").count() == 1


def test_the_recovery_page_and_answer_in_english() -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Forgot your access code?" in client.get("/lacak/").content.decode()
    page = client.get("/lacak/lupa-kode/").content.decode()
    assert "Send a new access code" in page and "Kirim kode akses baru" not in page
    answer = client.post(
        "/lacak/lupa-kode/", {"tracking_number": "2611-0000000", "contact": "x"}, follow=True
    )
    assert "If the tracking number and contact match" in answer.content.decode()
