"""At verification the coordinator is warned of personal data in the text, spans highlighted, and
redacts it in one click into the edited text; the citizen's original stays for the coordinator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aduan.core.actors import actor_for_user
from aduan.intake.models import Report, Status
from aduan.workflow.models import FollowUp, ReportEvent
from tests.factories import KESEHATAN, act, disposed, submit

pytestmark = pytest.mark.django_db

TEXT = "Saya Zulkarnain Hidayat, NIK 3502011508950001, HP 0813-3456-7890. Puskesmas Babadan tutup."


def url(report: Report, action: str = "") -> str:
    if action:
        return reverse("console:act", args=[report.tracking_number, action])
    return reverse("console:report", args=[report.tracking_number])


def test_warning_highlights_and_one_click_redaction_goes_through_the_writer(login, koordinator):
    report = submit(title="Keluhan Zulkarnain", description=TEXT, name="Zulkarnain Hidayat").report
    client = login(koordinator)
    page = client.get(url(report)).content.decode()
    assert "Teks ini memuat" in page
    assert '<mark title="NIK">3502011508950001</mark>' in page
    assert '<mark title="PHONE">0813-3456-7890</mark>' in page
    assert "?samarkan=1" in page

    redacted = client.get(url(report) + "?samarkan=1").content.decode()
    assert "Data pribadi sudah disamarkan" in redacted
    assert 'value="Keluhan [nama]"' in redacted
    assert "Saya [nama], NIK [NIK], HP [telepon]. Puskesmas Babadan tutup." in redacted

    response = client.post(
        url(report, "verify"),
        {
            "classification": "pengaduan_tidak_berkadar_pengawasan",
            "category_top": KESEHATAN,
            "title": "Keluhan [nama]",
            "text": "Saya [nama], NIK [NIK], HP [telepon]. Puskesmas Babadan tutup.",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.TERVERIFIKASI
    assert report.original_text == TEXT and report.title == "Keluhan Zulkarnain"
    assert report.edited_text.startswith("Saya [nama], NIK [NIK]")
    assert report.public_title == "Keluhan [nama]" and "3502011508950001" not in report.public_text
    event = ReportEvent.objects.get(report=report, action="verify")
    assert event.actor_user == koordinator and event.data["text_edited"] is True
    # The original is the coordinator's alone: the OPD reads the edited text only.
    coordinator_page = client.get(url(report)).content.decode()
    assert "Asli dari pelapor" in coordinator_page and "3502011508950001" in coordinator_page


def test_without_redaction_the_public_text_is_still_masked(koordinator):
    k = actor_for_user(koordinator)
    report = act(
        k,
        submit(description=TEXT, name="Zulkarnain Hidayat").report,
        "verify",
        classification="aspirasi",
        category=KESEHATAN,
    )
    assert report.edited_text == "" and report.original_text == TEXT
    assert report.public_text == "Saya [nama], NIK [NIK], HP [telepon]. Puskesmas Babadan tutup."


def test_published_follow_up_is_masked_for_the_public(koordinator, admin_pupr):
    report = disposed(
        actor_for_user(koordinator), lead="pupr", name="Zulkarnain Hidayat", phone="081334567890"
    )
    act(
        actor_for_user(admin_pupr),
        report,
        "follow_up",
        text="Bapak Zulkarnain, petugas kami akan menghubungi 0813 3456 7890 besok.",
    )
    follow_up = FollowUp.objects.get(report=report)
    assert "Zulkarnain" in follow_up.text
    assert follow_up.public_text == "Bapak [nama], petugas kami akan menghubungi [telepon] besok."


def test_staff_who_may_not_know_an_anonymous_reporter_read_the_masked_text(
    login, koordinator, admin_pupr, pimpinan
):
    report = disposed(
        actor_for_user(koordinator), lead="pupr", description=TEXT, name="Zulkarnain Hidayat", anonymous=True
    )
    named = disposed(actor_for_user(koordinator), lead="pupr", description=TEXT, name="Zulkarnain Hidayat")
    for user in (admin_pupr, pimpinan):
        client = login(user)
        page = client.get(url(report)).content.decode()
        assert "Saya [nama], NIK [NIK], HP [telepon]. Puskesmas Babadan tutup." in page
        assert "Zulkarnain" not in page and "3502011508950001" not in page
        # A reporter who did not ask for anonymity: the OPD reads the text as the coordinator left it.
        assert "3502011508950001" in client.get(url(named)).content.decode()
    assert "3502011508950001" in login(koordinator).get(url(report)).content.decode()


def test_the_reporters_replies_reach_the_opd_masked_on_an_anonymous_report(login, koordinator, admin_pupr):
    from aduan.api.services import token_create
    from tests.factories import owner

    report = disposed(
        actor_for_user(koordinator),
        lead="pupr",
        name="Zulkarnain Hidayat",
        phone="081334567890",
        anonymous=True,
    )
    act(actor_for_user(admin_pupr), report, "follow_up", text="Sudah kami tinjau.")
    act(owner(report), report, "reply", text="Belum beres. Hubungi saya, Zulkarnain, di 0813 3456 7890.")
    page = login(admin_pupr).get(url(report)).content.decode()
    assert "Belum beres. Hubungi saya, [nama], di [telepon]." in page
    assert "Zulkarnain" not in page and "3456" not in page
    token = token_create(user=admin_pupr, name="opd", channel="api")[1]
    api = login(admin_pupr).get(
        f"/api/v1/reports/{report.tracking_number}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert "Zulkarnain" not in api.content.decode()
    assert "Hubungi saya, [nama]" in api.content.decode()
    assert "Zulkarnain, di 0813 3456 7890" in login(koordinator).get(url(report)).content.decode()


def test_staff_mail_about_an_anonymous_report_carries_the_masked_title(staff_with_email):
    from aduan.notifications.models import OutboundMessage

    koordinator = staff_with_email["koordinator"]
    report = disposed(
        actor_for_user(koordinator), lead="pupr", title="Keluhan Zulkarnain Hidayat", anonymous=True
    )
    to_agency = OutboundMessage.objects.filter(report=report, recipient_kind="agency")
    assert to_agency.exists()
    for message in to_agency:
        assert "Zulkarnain" not in message.body + message.subject
        assert "Keluhan [nama]" in message.body + message.subject


def test_an_anonymous_reporters_name_finds_nothing_in_the_opd_queue(login, koordinator, admin_pupr):
    report = disposed(
        actor_for_user(koordinator), lead="pupr", description=TEXT, name="Zulkarnain Hidayat", anonymous=True
    )
    client = login(admin_pupr)
    found = client.get("/konsol/antrean/semua/?q=Zulkarnain").content.decode()
    assert report.tracking_number not in found
    by_words = client.get("/konsol/antrean/semua/?q=puskesmas babadan").content.decode()
    assert report.tracking_number in by_words
