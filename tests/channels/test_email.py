"""email_receive: real RFC 822 bytes (built with the email package) → a report on the email channel."""

from __future__ import annotations

import io
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from aduan.channels.emailintake import email_receive, html_to_text
from aduan.channels.models import Outcome
from aduan.intake.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def make_email(
    *,
    subject: str = "Jalan rusak di Desa Nglumpang",
    body: str = "Jalan utama Desa Nglumpang berlubang besar sejak Oktober.\nMohon segera diperbaiki.",
    sender: str = "Budi Santoso <budi@example.org>",
    message_id: str = "<laporan-1@example.org>",
    html: str | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "aduan@ponorogo.go.id"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    if html is not None and not body:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    for filename, data, mime in attachments or []:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def test_email_becomes_a_report_with_attachment_and_is_answered(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    raw = make_email(
        attachments=[
            ("jalan.png", png_bytes(), "image/png"),
            ("foto.jpg", b"MZ\x90\x00 this is not a photo at all", "image/jpeg"),
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        received = email_receive(raw)
    report = received.report
    assert report is not None
    assert report.channel == "email"
    assert report.title == "Jalan rusak di Desa Nglumpang"
    assert report.original_text.startswith("Jalan utama Desa Nglumpang berlubang")
    assert report.reporter is not None
    assert (report.reporter.email, report.reporter.name) == ("budi@example.org", "Budi Santoso")
    # The photo is kept; the fake .jpg is refused and noted, and the report stays.
    assert [a.original_name for a in report.attachments.all()] == ["jalan.png"]
    assert "foto.jpg" in received.message.note
    assert len(mailoutbox) == 1
    reply = mailoutbox[0]
    assert reply.to == ["budi@example.org"]
    assert report.tracking_number in reply.subject and report.tracking_number in reply.body
    code = reply.body.split("Kode akses: ")[1].split()[0]
    assert report.check_access_code(code)
    assert "foto.jpg" in reply.body
    assert reply.extra_headers["In-Reply-To"] == "<laporan-1@example.org>"
    assert reply.extra_headers["Auto-Submitted"] == "auto-replied"


def test_no_mail_leaves_before_commit(mailoutbox: list[Any], django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email_receive(make_email())
    assert mailoutbox == [] and callbacks
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1


def test_html_only_email_is_stripped_to_text() -> None:
    raw = make_email(
        body="",
        html="<html><head><style>p{color:red}</style></head><body><p>Lampu&nbsp;PJU mati</p>"
        "<script>alert(1)</script><p>di Jl. Soekarno&ndash;Hatta</p></body></html>",
    )
    report = email_receive(raw).report
    assert report is not None
    assert report.original_text == "Lampu PJU mati\ndi Jl. Soekarno–Hatta"
    assert "alert" not in report.original_text and "color" not in report.original_text


def test_html_to_text() -> None:
    assert html_to_text("<p>a &amp; b</p><br>c") == "a & b\n\nc"


def test_same_message_id_twice_makes_one_report(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = email_receive(make_email())
        again = email_receive(make_email())
    assert again.duplicate and not first.duplicate
    assert Report.objects.count() == 1 and len(mailoutbox) == 1


def test_without_message_id_the_bytes_identify_the_message() -> None:
    raw = make_email(message_id="")
    email_receive(raw)
    assert email_receive(raw).duplicate
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("headers", "sender"),
    [
        ({"Auto-Submitted": "auto-replied"}, "budi@example.org"),
        ({"Precedence": "bulk"}, "budi@example.org"),
        ({}, "MAILER-DAEMON@example.org"),
    ],
)
def test_automatic_mail_is_kept_but_never_answered(
    headers: dict[str, str], sender: str, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        received = email_receive(make_email(headers=headers, sender=sender))
    assert received.message.outcome == Outcome.IGNORED
    assert not Report.objects.exists() and mailoutbox == []


def test_empty_email_is_answered_with_an_explanation(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        received = email_receive(make_email(subject="", body=" "))
    assert received.message.outcome == Outcome.REJECTED
    assert not Report.objects.exists()
    assert len(mailoutbox) == 1 and "kosong" in mailoutbox[0].body


def test_subject_prefixes_are_dropped_and_missing_subject_uses_first_words() -> None:
    report = email_receive(make_email(subject="Fwd: RE: Sampah di pasar", message_id="<a@x>")).report
    assert report is not None and report.title == "Sampah di pasar"
    report = email_receive(
        make_email(subject="", body="Air PDAM mati tiga hari di Kelurahan Mangkujayan", message_id="<b@x>")
    ).report
    assert report is not None and report.title.startswith("Air PDAM mati")
