"""accounts.services against the real database: register, sign-in identifiers, erase."""

from __future__ import annotations

import pytest

from aduan.accounts.models import User
from aduan.accounts.services import (
    account_for_identifier,
    citizen_authenticate,
    citizen_erase,
    citizen_register,
)
from aduan.core.actors import Actor
from aduan.core.errors import InvalidInput, PermissionDenied
from aduan.core.roles import Role
from aduan.intake.models import Report, Reporter
from aduan.workflow import audit
from aduan.workflow.models import ReportEvent
from tests.accounts.conftest import PASSWORD
from tests.factories import submit

pytestmark = pytest.mark.django_db


def code_of(**kwargs: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        citizen_register(**kwargs)  # type: ignore[arg-type]
    return caught.value.code


def test_register_normalises_and_derives_the_username(rina: User) -> None:
    rina.refresh_from_db()
    assert rina.role == Role.CITIZEN and rina.agency_id is None and rina.is_active
    assert rina.phone == "+6281233004455" and rina.email == "rina@example.org"
    assert rina.username == "+6281233004455"  # the phone becomes the username when none is given
    assert (rina.first_name, rina.last_name) == ("Rina", "Puspitasari")
    assert rina.check_password(PASSWORD) and rina.password != PASSWORD
    only_email = citizen_register(name="Dewi", email="dewi@example.org", password=PASSWORD)
    assert only_email.username == "dewi@example.org" and only_email.phone == ""


def test_register_refusals_have_stable_codes_and_store_nothing(rina: User) -> None:
    before = User.objects.count()
    assert code_of(name="X", phone="081233004455", password=PASSWORD) == "phone_taken"  # other spelling
    assert code_of(name="X", phone="+62 812-3300-4455", password=PASSWORD) == "phone_taken"
    assert code_of(name="X", email="RINA@example.org", password=PASSWORD) == "email_taken"
    assert code_of(name="X", phone="12345", password=PASSWORD) == "invalid_phone"
    assert code_of(name="X", email="bukan-email", password=PASSWORD) == "invalid_email"
    assert code_of(name="X", phone="081299887766", password="1234567") == "weak_password"  # too short
    assert code_of(name="X", phone="081299887766", password="password123") == "weak_password"  # common
    assert code_of(name="X", password=PASSWORD) == "contact_required"
    assert code_of(name="X" * 121, phone="081299887766", password=PASSWORD) == "name_too_long"
    assert code_of(username="0812 9988 7766", password=PASSWORD) == "invalid_username"
    assert code_of(username="orang@lain.id", password=PASSWORD) == "invalid_username"
    assert code_of(username="dua kata", password=PASSWORD) == "invalid_username"
    assert code_of(username="+6281233004455", password=PASSWORD) == "invalid_username"  # rina's number
    assert User.objects.count() == before
    with pytest.raises(InvalidInput) as caught:
        citizen_register(name="X", phone="081233004455", password=PASSWORD)
    assert caught.value.field == "phone" and "sudah terdaftar" in caught.value.message


def test_sign_in_by_phone_email_or_username(rina: User) -> None:
    budi = citizen_register(username="budi", name="Budi", password=PASSWORD)
    for identifier in ("0812 3300 4455", "+6281233004455", "6281233004455", "RINA@example.org "):
        assert citizen_authenticate(identifier=identifier, password=PASSWORD) == rina, identifier
    assert citizen_authenticate(identifier="budi", password=PASSWORD) == budi
    assert citizen_authenticate(identifier="081233004455", password="salah-sandi-9") is None
    assert citizen_authenticate(identifier="081200000000", password=PASSWORD) is None
    assert citizen_authenticate(identifier="", password=PASSWORD) is None
    assert account_for_identifier("nobody@example.org") is None


def test_erase_blanks_every_linked_reporter_and_the_account_keeping_the_reports(rina: User) -> None:
    mine = Actor(role=Role.CITIZEN, user=rina, label="Pelapor")
    first = submit(
        actor=mine,
        name="Rina Puspitasari",
        phone="081233004455",
        email="rina@example.org",
        nik="3502171234560001",
    ).report
    second = submit(actor=mine, name="", phone="", email="").report  # linked by the account only
    stranger = submit(name="Siti Aminah", phone="081233004455", email="siti@example.org").report
    assert {first.reporter.user_id, second.reporter.user_id} == {rina.pk}

    assert citizen_erase(user=rina) == 2

    for report in (first, second):
        reporter = Reporter.objects.get(pk=report.reporter_id)
        assert (reporter.name, reporter.phone, reporter.email, reporter.nik) == ("", "", "", "")
        assert Report.objects.filter(pk=report.pk, title=report.title).exists()  # the report stays
    # Each erasure audited, as the next link of the report's audit chain.
    erasures = ReportEvent.objects.filter(action="erase_personal_data", data__reason="request")
    assert sorted(erasures.values_list("report_id", "actor_user_id")) == [
        (first.pk, rina.pk),
        (second.pk, rina.pk),
    ]
    assert audit.verify().breaks == []
    # A report made without the account, even with the same phone, is not theirs to erase.
    other = Reporter.objects.get(pk=stranger.reporter_id)
    assert (other.name, other.phone) == ("Siti Aminah", "+6281233004455")

    account = User.objects.get(pk=rina.pk)
    assert not account.is_active and not account.has_usable_password()
    assert (account.first_name, account.last_name, account.email, account.phone) == ("", "", "", "")
    assert account.username.startswith("terhapus-") and "6281233004455" not in account.username
    # No personal data of hers is left in any reporter or user row.
    for needle in ("Rina", "Puspitasari", "6281233004455", "rina@example.org", "3502171234560001"):
        assert not Reporter.objects.filter(name__icontains=needle).exists()
        assert not Reporter.objects.filter(phone__contains=needle).exclude(pk=stranger.reporter_id).exists()
        assert not Reporter.objects.filter(email__icontains=needle).exists()
        assert not Reporter.objects.filter(nik=needle).exists()
        values = (
            User.objects.filter(pk=rina.pk)
            .values_list("username", "first_name", "last_name", "email", "phone")
            .get()
        )
        assert all(needle.lower() not in v.lower() for v in values), needle
    assert citizen_authenticate(identifier="081233004455", password=PASSWORD) is None
    # Her number is free again.
    assert citizen_register(name="Baru", phone="081233004455", password=PASSWORD).is_active


def test_staff_accounts_are_not_erased_here(koordinator: User) -> None:
    with pytest.raises(PermissionDenied):
        citizen_erase(user=koordinator)
    koordinator.refresh_from_db()
    assert koordinator.is_active and koordinator.first_name == "Kabid"


def test_erase_also_forgets_the_addresses_on_messages_about_her_reports(rina: User) -> None:
    from aduan.channels.models import InboundMessage
    from aduan.channels.services import sms_receive
    from aduan.notifications.models import OutboundMessage
    from aduan.notifications.services import notify_submitted

    mine = Actor(role=Role.CITIZEN, user=rina, label="Pelapor")
    submitted = submit(actor=mine, name="Rina", phone="081233004455", email="rina@example.org")
    notify_submitted(submitted.report, submitted.access_code)
    assert OutboundMessage.objects.filter(to__in=["+6281233004455", "rina@example.org"]).count() == 2
    sms_receive("+6281233004455", "LAPOR lampu jalan mati", "gw-erase-1")
    sms_report = InboundMessage.objects.get(gateway_id="gw-erase-1").report
    assert sms_report is not None
    sms_report.reporter.user = rina  # her SMS report, linked to her account
    sms_report.reporter.save(update_fields=["user"])

    citizen_erase(user=rina)

    assert not OutboundMessage.objects.filter(to__in=["+6281233004455", "rina@example.org"]).exists()
    assert not OutboundMessage.objects.filter(body__contains=submitted.access_code).exists()
    assert set(OutboundMessage.objects.filter(report=submitted.report).values_list("state", flat=True)) == {
        "failed"
    }
    message = InboundMessage.objects.get(gateway_id="gw-erase-1")
    assert (message.sender, message.sender_raw, message.reply) == ("", "", "")
    assert message.text == "LAPOR lampu jalan mati"  # the report's own text stays
