"""Text channels (SMS, WhatsApp): one entry point per inbound message, exactly once per gateway id.

The interface (webhook view, Gammu poller) hands over the sender, the text and the gateway's
message id; this module stores the message, runs the command and returns the reply. Reports are
created and changed only through intake's `report_submit` and workflow's `report_act`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aduan.accounts import ratelimit
from aduan.channels import conf
from aduan.channels.models import InboundMessage, Outcome, WebhookReceipt
from aduan.channels.textcommands import Command, Verb, parse, title_from
from aduan.core import clock
from aduan.core.actors import Actor, citizen_with_access
from aduan.core.errors import DomainError, InvalidInput
from aduan.core.language import in_site_language
from aduan.core.roles import Role
from aduan.core.text import has_invalid_characters, normalize_text
from aduan.intake.models import OPEN_STATUSES, Channel, Kind, Report, Status
from aduan.intake.services import normalize_phone, report_submit
from aduan.notifications.recipients import contact_opt_in, contact_opt_out
from aduan.workflow.services import report_act

logger = logging.getLogger(__name__)

# A citizen texting in has no account; the report's access code is what proves ownership later.
SMS_CITIZEN = Actor(role=Role.CITIZEN, label="Pelapor (SMS)")
# One phone number cannot open more than this many reports an hour (a stuck gateway, a prank).
MAX_REPORTS_PER_HOUR = 10
# Stored texts are capped: an SMS is short, and a gateway that sends megabytes is not a citizen.
MAX_STORED_TEXT = 25_000


@dataclass(frozen=True)
class Received:
    """What became of one inbound message; `reply` is what goes back to the citizen ("" = nothing)."""

    message: InboundMessage
    duplicate: bool

    @property
    def reply(self) -> str:
        return self.message.reply

    @property
    def report(self) -> Report | None:
        return self.message.report


@dataclass
class Result:
    outcome: Outcome
    reply: str
    report: Report | None = None
    error_code: str = ""


def sms_receive(from_number: str, text: str, gateway_id: str, *, gateway: str = "webhook") -> Received:
    """Take one SMS in (already joined if it came in parts) and return the reply to send back."""
    return text_receive(
        channel=Channel.SMS, gateway=gateway, gateway_id=gateway_id, from_number=from_number, text=text
    )


@in_site_language
def text_receive(*, channel: str, gateway: str, gateway_id: str, from_number: str, text: str) -> Received:
    """Store, dedupe on (gateway, gateway_id), run the text command; shared by SMS and WhatsApp."""
    gateway_id = normalize_text(
        str(gateway_id or ""), field="gateway_id", label="ID", multiline=True, replace_invalid=True
    )[:255]
    previous = previous_message(gateway, gateway_id)
    if previous is not None:
        return Received(previous, duplicate=True)
    cleaned, refused = inbound_text(text)
    cleaned = cleaned[:MAX_STORED_TEXT]
    from_number, refused_sender = inbound_text(from_number or "")
    refused = refused or refused_sender
    try:
        # One transaction: the stored message, the report it creates and the reply commit together,
        # so a crash leaves nothing half done and the gateway's retry starts afresh.
        with transaction.atomic():
            message = InboundMessage.objects.create(
                channel=channel,
                gateway=gateway,
                gateway_id=gateway_id,
                sender=from_number[:255],
                sender_raw=from_number[:255],
                text=cleaned,
                received_at=clock.now(),
            )
            result = refused_result(refused) or run_guarded(
                message, lambda: _text_command(message, channel, gateway, from_number, cleaned)
            )
            finish_message(message, result)
    except IntegrityError:
        # A concurrent delivery of the same gateway id committed first.
        previous = previous_message(gateway, gateway_id)
        if previous is None:
            raise
        return Received(previous, duplicate=True)
    return Received(message, duplicate=False)


# Kept for staff to handle by hand: a text the normaliser refused, or a command that failed.
NOT_PROCESSED = gettext_noop(
    "Maaf, pesan Anda belum dapat diproses otomatis. Petugas kami akan menindaklanjutinya."
)


def inbound_text(text: str, *, multiline: bool = True) -> tuple[str, str]:
    """A gateway's text as it is kept (aduan.core.text), and the code of what the normaliser
    refused in it ("" for nothing). A text with NUL or a lone surrogate (a gateway's broken
    decoding, not something the citizen can fix) is kept with them replaced, for staff."""
    kept = normalize_text(text, field="text", label="Pesan", multiline=multiline, replace_invalid=True)
    return kept, "invalid_characters" if has_invalid_characters(text) else ""


def refused_result(code: str) -> Result | None:
    """For a text the normaliser refused: outcome `error`, for staff to handle by hand (the
    characters were lost on the way, so no report is made from a guess); None otherwise."""
    if not code:
        return None
    return Result(
        Outcome.ERROR,
        _(NOT_PROCESSED),
        error_code=code,
    )


def previous_message(gateway: str, gateway_id: str) -> InboundMessage | None:
    if not gateway_id:
        return None
    return (
        InboundMessage.objects.select_related("report").filter(gateway=gateway, gateway_id=gateway_id).first()
    )


def run_guarded(message: InboundMessage, work: Callable[[], Result]) -> Result:
    """Run the command in a savepoint: a refused input becomes a polite reply, an unexpected error is
    logged and kept (outcome `error`) so staff can handle the text by hand; the message stays stored."""
    try:
        with transaction.atomic():
            return work()
    except DomainError as exc:
        return Result(
            Outcome.REJECTED, _short(_("Maaf, %(reason)s") % {"reason": exc.message}), error_code=exc.code
        )
    except Exception:
        logger.exception(
            "inbound %s message %s from %s failed", message.channel, message.gateway_id, message.sender
        )
        return Result(
            Outcome.ERROR,
            _(NOT_PROCESSED),
            error_code="internal_error",
        )


def finish_message(message: InboundMessage, result: Result) -> None:
    message.outcome = result.outcome
    message.reply = result.reply
    message.report = result.report
    message.error_code = result.error_code
    message.processed_at = clock.now()
    message.save(update_fields=["sender", "outcome", "reply", "report", "error_code", "processed_at", "note"])


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _text_command(message: InboundMessage, channel: str, gateway: str, from_number: str, text: str) -> Result:
    try:
        phone = normalize_phone(from_number)
    except InvalidInput:
        phone = ""
    if not phone:
        # Operator broadcasts ("TELKOMSEL"), short codes, garbage: kept for the record, never answered.
        return Result(Outcome.INVALID_SENDER, "", error_code="invalid_phone")
    message.sender = phone
    command = parse(text)
    if command.verb is Verb.EMPTY or command.verb is Verb.HELP:
        return Result(Outcome.HELP, help_text())
    if command.verb is Verb.STATUS_USAGE:
        return Result(Outcome.HELP, _("Format cek status: CEK <nomor laporan>, mis. CEK 2611-1234567"))
    if command.verb is Verb.STATUS:
        return _status(command, phone)
    if command.verb is Verb.STATUS_LIST:
        return _open_reports(phone)
    if command.verb is Verb.OPT_OUT:
        contact_opt_out(addresses=[phone], source=channel)
        return Result(
            Outcome.CITIZEN_ACTION,
            _(
                "Anda tidak akan lagi menerima kabar laporan di nomor ini. Kirim MULAI untuk mengaktifkannya lagi."
            ),
        )
    if command.verb is Verb.OPT_IN:
        contact_opt_in(addresses=[phone])
        return Result(Outcome.CITIZEN_ACTION, _("Kabar perkembangan laporan ke nomor ini aktif kembali."))
    if command.verb is Verb.ACTION:
        return _citizen_action(command, phone)
    if command.verb is Verb.TEXT:
        pending = _latest_report_of(phone)
        if pending is not None and pending.status == Status.DITUNDA:
            return _clarification_answer(pending, command.text)
    if command.verb is Verb.REPORT and not command.text:
        return Result(
            Outcome.HELP, _("Tulis isi laporan setelah kata LAPOR, mis. LAPOR Jalan di Desa X rusak parah.")
        )
    return _new_report(channel, gateway, phone, command.text)


def help_text() -> str:
    return _(
        "Layanan Aduan: LAPOR <isi> untuk melapor, CEK <nomor> untuk status, BALAS <nomor> <tanggapan>, "
        "NILAI <nomor> <1-5>, SELESAI <nomor>, BUKA <nomor> <alasan>, BERHENTI."
    )


def _latest_report_of(phone: str) -> Report | None:
    return Report.objects.filter(reporter__phone=phone).order_by("-submitted_at", "-pk").first()


def _new_report(channel: str, gateway: str, phone: str, text: str) -> Result:
    recent = InboundMessage.objects.filter(
        sender=phone, outcome=Outcome.REPORT_CREATED, received_at__gte=clock.now() - dt.timedelta(hours=1)
    ).count()
    if recent >= MAX_REPORTS_PER_HOUR:
        raise InvalidInput(
            "terlalu banyak laporan dari nomor ini dalam satu jam. Silakan coba lagi nanti.",
            code="rate_limited",
        )
    submitted = report_submit(
        actor=SMS_CITIZEN,
        channel=channel,
        kind=Kind.PENGADUAN,
        title=title_from(text),
        description=text,
        region=None,  # unknown by SMS; the coordinator sets it at verification
        phone=phone,
        channel_detail=f"{channel}:{gateway}",
    )
    report = submitted.report
    reply = _(
        "Laporan diterima. Nomor: %(number)s, kode akses: %(code)s (rahasiakan). Cek status: CEK %(number)s"
    ) % {
        "number": report.tracking_number,
        "code": submitted.access_code,
    }
    return Result(Outcome.REPORT_CREATED, reply, report=report)


def _clarification_answer(report: Report, answer: str) -> Result:
    report_act(
        actor=citizen_with_access(report.pk), report_id=report.pk, action="resume", params={"answer": answer}
    )
    reply = _(
        "Terima kasih, jawaban Anda untuk laporan %(number)s sudah kami terima dan akan diverifikasi."
    ) % {"number": report.tracking_number}
    return Result(Outcome.CLARIFICATION, reply, report=report)


def _owned_by(phone: str, command: Command) -> Report | Result:
    """The report named in the command, if this phone reported it (or the access code matches);
    otherwise the refusal to send: not found, or too many wrong codes from this sender (counted
    per phone number)."""
    report = Report.objects.select_related("reporter").filter(tracking_number=command.tracking_number).first()
    if report is not None and report.reporter is not None and report.reporter.phone == phone:
        return report
    if not command.access_code:
        return _not_found(command)
    limit = conf.code_failure_limit()
    if ratelimit.exhausted("sms-code", phone, limit):
        reply = _(
            "Terlalu banyak kode akses yang salah dari nomor ini. Coba lagi dalam %(minutes)s menit."
        ) % {"minutes": max(1, ratelimit.retry_after(limit) // 60)}
        return Result(Outcome.REJECTED, reply, error_code="too_many_attempts")
    if report is not None and report.check_access_code(command.access_code):
        return report
    ratelimit.count("sms-code", phone, limit)
    return _not_found(command)


def _not_found(command: Command) -> Result:
    # The same answer whether the number exists or not: no probing of other people's reports.
    reply = _("Laporan %(number)s tidak ditemukan untuk nomor ini. Kirim: CEK %(number)s <kode akses>") % {
        "number": command.tracking_number
    }
    return Result(Outcome.REJECTED, reply, error_code="report_not_found")


def _citizen_action(command: Command, phone: str) -> Result:
    """BALAS / NILAI / SELESAI / BUKA: the citizen's own actions, through the lifecycle service."""
    report = _owned_by(phone, command)
    if isinstance(report, Result):
        return report
    params: dict[str, object] = {}
    if command.action == "reply":
        params = {"text": command.text}
    elif command.action == "reopen":
        params = {"reason": command.text}
    elif command.action == "rate":
        score, _sep, comment = command.text.partition(" ")
        params = {"score": score, "comment": comment}
    report_act(
        actor=citizen_with_access(report.pk), report_id=report.pk, action=command.action, params=params
    )
    replies = {
        "reply": _("Tanggapan Anda untuk laporan %(number)s sudah diteruskan ke instansi."),
        "rate": _("Terima kasih atas penilaian Anda untuk laporan %(number)s."),
        "complete": _("Laporan %(number)s dinyatakan selesai. Terima kasih."),
        "reopen": _("Laporan %(number)s dibuka kembali dan diteruskan ke instansi."),
    }
    return Result(
        Outcome.CITIZEN_ACTION, replies[command.action] % {"number": report.tracking_number}, report=report
    )


def _status(command: Command, phone: str) -> Result:
    report = _owned_by(phone, command)
    if isinstance(report, Result):
        return report
    updated = clock.local_date(report.updated_at)
    reply = _("Laporan %(number)s: %(status)s (%(date)s).") % {
        "number": report.tracking_number,
        "status": report.get_status_display(),
        "date": f"{updated:%d-%m-%Y}",
    }
    if report.status == Status.DITUNDA and report.clarification_question:
        reply += " " + _("Pertanyaan petugas: %(question)s Balas SMS ini untuk menjawab.") % {
            "question": report.clarification_question
        }
    elif report.status == Status.DITINDAKLANJUTI:
        reply += " " + _("Tanggapi: BALAS %(number)s <isi>, atau SELESAI %(number)s.") % {
            "number": report.tracking_number
        }
    return Result(Outcome.STATUS_SENT, reply, report=report)


def _open_reports(phone: str) -> Result:
    """CEK without a number: the open reports this phone sent (newest first), as many as fit one SMS.
    Only to the reporting phone itself, so it reveals nothing a stranger could not already read."""
    reports = list(
        Report.objects.filter(reporter__phone=phone, status__in=OPEN_STATUSES).order_by(
            "-submitted_at", "-pk"
        )[:20]
    )
    if not reports:
        return Result(
            Outcome.STATUS_SENT, _("Tidak ada laporan terbuka dari nomor ini. Untuk melapor: LAPOR <isi>")
        )
    reply = _("Laporan terbuka: ")
    shown = 0
    for report in reports:
        item = f"{report.tracking_number} ({report.get_status_display()})"
        if len(reply) + len(item) + 40 > 160 and shown:
            break
        reply += ("; " if shown else "") + item
        shown += 1
    if shown < len(reports):
        reply += " " + _("dan %(n)d lainnya.") % {"n": len(reports) - shown}
    reply += " " + _("Rinci: CEK <nomor>")
    return Result(Outcome.STATUS_SENT, reply, report=reports[0] if len(reports) == 1 else None)


def forget_senders(*, report_ids: list[int]) -> int:
    """Erasure, on request or by retention (UU 27/2022): the messages that created these reports keep their text
    (it is the report) but lose the sender's number or address and our reply (it held the code)."""
    return InboundMessage.objects.filter(report_id__in=report_ids).update(sender="", sender_raw="", reply="")


def webhook_first_use(
    *, endpoint: str, signature: str, now: dt.datetime, keep_seconds: int = 2 * conf.WEBHOOK_MAX_SKEW_SECONDS
) -> bool:
    """Remember a signed request's signature; False if it was seen before (a replay).

    This endpoint's receipts older than `keep_seconds` are dropped: the endpoint refuses a request
    that old as stale before it gets here (the SMS webhook's timestamp, WhatsApp's message times)."""
    WebhookReceipt.objects.filter(
        endpoint=endpoint, received_at__lt=now - dt.timedelta(seconds=keep_seconds)
    ).delete()
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(
                endpoint=endpoint, signature=signature.lower()[:128], received_at=now
            )
    except IntegrityError:
        return False
    return True
