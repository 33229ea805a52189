"""Email intake: one RFC 822 message becomes a report on the `email` channel, answered by email."""

from __future__ import annotations

import hashlib
import html
import io
import logging
import re
from email import policy
from email.message import EmailMessage as ParsedEmail
from email.parser import BytesParser
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from aduan.channels.models import InboundMessage, Outcome
from aduan.channels.services import (
    Received,
    Result,
    finish_message,
    inbound_text,
    previous_message,
    refused_result,
    run_guarded,
)
from aduan.channels.textcommands import title_from
from aduan.core import clock
from aduan.core.actors import Actor
from aduan.core.errors import InvalidInput
from aduan.core.language import in_site_language
from aduan.core.roles import Role
from aduan.core.text import normalize_text
from aduan.intake.models import Attachment, Channel, Kind
from aduan.intake.services import TEXT_MAX, TITLE_MAX, report_submit
from aduan.intake.uploads import CheckedFile, attachment_files_guard, attachments_store, upload_check

logger = logging.getLogger(__name__)

EMAIL_CITIZEN = Actor(role=Role.CITIZEN, label="Pelapor (email)")
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|bls|balas|tr)\s*:\s*)+", re.IGNORECASE)


@in_site_language
def email_receive(raw: bytes, *, gateway: str = "imap") -> Received:
    """Turn one email into a report (or ignore an auto-reply); the answer leaves after commit."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, ParsedEmail)
    message_id = normalize_text(
        str(message.get("Message-ID", "") or ""),
        field="message_id",
        label="Message-ID",
        multiline=True,
        replace_invalid=True,
    )
    # Without a Message-ID the bytes themselves identify the message (a re-fetch is identical).
    gateway_id = (message_id or "sha256:" + hashlib.sha256(raw).hexdigest())[:255]
    previous = previous_message(gateway, gateway_id)
    if previous is not None:
        return Received(previous, duplicate=True)
    name, address = _sender(message)
    subject, refused_subject = inbound_text(str(message.get("Subject", "") or ""))
    body, refused_body = _body_text(message)
    # Undecodable bytes in a header or body (surrogate escapes): kept for staff, outcome error.
    refused_text = refused_subject or refused_body
    files, refused = _attachments_check(message)  # image work before the transaction
    try:
        with attachment_files_guard() as stored_files, transaction.atomic():
            stored = InboundMessage.objects.create(
                channel=Channel.EMAIL,
                gateway=gateway,
                gateway_id=gateway_id,
                sender=address[:255],
                sender_raw=normalize_text(
                    str(message.get("From", "")),
                    field="from",
                    label="From",
                    multiline=True,
                    replace_invalid=True,
                )[:255],
                text=(f"{subject}\n\n{body}" if subject else body)[:TEXT_MAX],
                received_at=clock.now(),
            )
            result = refused_result(refused_text) or run_guarded(
                stored,
                lambda: _email_report(
                    stored, message, name, address, subject, body, files, refused, stored_files
                ),
            )
            finish_message(stored, result)
            if result.reply and address:
                reply_subject = (
                    _("Laporan Anda diterima") if result.report else _("Laporan Anda belum dapat diproses")
                )
                if result.report:
                    reply_subject += f": {result.report.tracking_number}"
                transaction.on_commit(lambda: _send_reply(address, reply_subject, result.reply, message_id))
    except IntegrityError:
        # Rolled back, its files removed by the guard: was the same message stored meanwhile?
        previous = previous_message(gateway, gateway_id)
        if previous is None:
            raise
        return Received(previous, duplicate=True)
    return Received(stored, duplicate=False)


def _sender(message: ParsedEmail) -> tuple[str, str]:
    header = message.get("Reply-To") or message.get("From") or ""
    name, address = parseaddr(str(header))
    name = normalize_text(name, field="name", label="Nama", replace_invalid=True)[:120]
    address = normalize_text(address, field="email", label="Email", multiline=True, replace_invalid=True)
    return name, address.lower()


def _is_automatic(message: ParsedEmail, address: str) -> bool:
    """Out-of-office answers, bounces and lists must never get an answer: that is how mail loops start."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    local = address.split("@", 1)[0]
    return (
        auto not in ("", "no")
        or precedence in {"bulk", "junk", "list", "auto_reply"}
        or bool(message.get("X-Autoreply") or message.get("X-Autorespond"))
        or local in {"mailer-daemon", "postmaster", "noreply", "no-reply"}
        or address == parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
    )


def _body_text(message: ParsedEmail) -> tuple[str, str]:
    """The text of the mail's body and what the normaliser refused in it (inbound_text)."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return "", ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return "", ""
    if part.get_content_type() == "text/html":
        content = html_to_text(content)
    return inbound_text(content)


def html_to_text(markup: str) -> str:
    """Readable text from an HTML mail: scripts and styles dropped, tags removed, entities decoded."""
    markup = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</li\s*>|</tr\s*>|</h[1-6]\s*>", "\n", markup)
    text = html.unescape(re.sub(r"(?s)<[^>]*>", " ", markup))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _attachments_check(message: ParsedEmail) -> tuple[list[CheckedFile], list[str]]:
    """Each attached file through the upload checks; a refused one is named in the answer but
    never costs the citizen the report."""
    files: list[CheckedFile] = []
    refused: list[str] = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        try:
            files.append(upload_check(io.BytesIO(payload), name=part.get_filename() or "lampiran"))
        except InvalidInput as exc:
            refused.append(exc.message)
    return files, refused


def _email_report(
    stored: InboundMessage,
    message: ParsedEmail,
    name: str,
    address: str,
    subject: str,
    body: str,
    files: list[CheckedFile],
    refused: list[str],
    stored_files: list[Attachment],
) -> Result:
    if _is_automatic(message, address):
        return Result(Outcome.IGNORED, "", error_code="automatic_message")
    if not address or "@" not in address:
        return Result(Outcome.INVALID_SENDER, "", error_code="invalid_email")
    subject = _SUBJECT_PREFIX.sub("", subject).strip()
    description = body or subject
    if not description:
        return Result(
            Outcome.REJECTED,
            _("Email Anda kosong. Tuliskan isi laporan di badan email lalu kirim kembali."),
            error_code="description_required",
        )
    title = subject[:TITLE_MAX] if subject else title_from(description)
    try:
        submitted = report_submit(
            actor=EMAIL_CITIZEN,
            channel=Channel.EMAIL,
            kind=Kind.PENGADUAN,
            title=title,
            description=description[:TEXT_MAX],
            region=None,
            name=name,
            email=address,
            channel_detail=f"email:{stored.gateway}",
        )
    except InvalidInput as exc:
        if exc.code == "invalid_email":
            return Result(Outcome.INVALID_SENDER, "", error_code=exc.code)
        raise
    report = submitted.report
    refused = list(refused)
    for checked in files:
        try:
            # A refused file must not cost the citizen the report: each file in its own savepoint.
            with transaction.atomic():
                attachments_store(report=report, files=[checked], stored=stored_files)
        except InvalidInput as exc:
            refused.append(exc.message)
    stored.note = "\n".join(refused)
    lines = [
        _("Terima kasih, laporan Anda sudah kami terima."),
        "",
        _("Nomor laporan: %(number)s") % {"number": report.tracking_number},
        _("Kode akses: %(code)s") % {"code": submitted.access_code},
        "",
        _(
            "Simpan dan rahasiakan kode akses ini: bersama nomor laporan, kode ini dipakai untuk melihat perkembangan laporan."
        ),
    ]
    if refused:
        lines += ["", _("Lampiran berikut tidak dapat kami terima:")] + [f"- {reason}" for reason in refused]
    return Result(Outcome.REPORT_CREATED, "\n".join(lines), report=report)


def _send_reply(address: str, subject: str, text: str, in_reply_to: str) -> None:
    headers = {"Auto-Submitted": "auto-replied"}
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = in_reply_to
    try:
        EmailMessage(subject=subject, body=text, to=[address], headers=headers).send()
    except Exception:
        # The report is committed; the tracking number is also visible to staff, who can resend it.
        logger.exception("could not send the email confirmation to %s", address)
