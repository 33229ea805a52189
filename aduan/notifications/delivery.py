"""Sending outbox rows: claim in a short transaction, send outside it, record the outcome."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from aduan.core import clock
from aduan.notifications import conf
from aduan.notifications.models import OutboundMessage

logger = logging.getLogger(__name__)
State = OutboundMessage.State
MASK = "********"


class DeliveryError(Exception):
    """The gateway refused or could not be reached; tried again later unless not `retryable`
    (a number or address no gateway will ever accept)."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


def send_sms(to: str, text: str) -> str:
    """Through the channels app's SMS gateway (console, Gammu or HTTP, per ADUAN_SMS_BACKEND)."""
    try:
        from aduan.channels import sms  # type: ignore[attr-defined,unused-ignore]
    except ImportError as exc:  # no SMS sender installed: keep the message pending
        raise DeliveryError("SMS gateway not available (aduan.channels.sms)") from exc
    try:
        result = sms.send_sms(to, text)
    except sms.SmsSendError as exc:
        retryable = getattr(exc, "retryable", True)
        raise DeliveryError(str(exc) or exc.__class__.__name__, retryable=retryable) from exc
    return str(result or "")


def send_whatsapp(to: str, text: str) -> str:
    """Through the WhatsApp Cloud API when configured; otherwise the same text by SMS to the same
    number, so that a WhatsApp reporter still hears of their report."""
    from aduan.core import whatsapp

    if not whatsapp.configured():
        return send_sms(to, text)
    try:
        return "whatsapp:" + whatsapp.send_whatsapp(to, text)
    except whatsapp.WhatsAppSendError as exc:
        raise DeliveryError(str(exc), retryable=exc.retryable) from exc


def send_email(to: str, subject: str, body: str) -> str:
    try:
        send_mail(subject or "Aduan", body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"recipient refused: {exc}", retryable=False) from exc
    except Exception as exc:  # SMTP errors come in many classes (smtplib, socket, ssl)
        raise DeliveryError(f"{exc.__class__.__name__}: {exc}") from exc
    return ""


def _claim(message_id: int, now: dt.datetime) -> OutboundMessage | None:
    """Take the message for this worker: pending, due, and not locked by another worker."""
    with transaction.atomic():
        message = (
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, state=State.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return None
        # A lease, not a lock: if this worker dies mid-send the row is due again after it.
        message.attempts += 1
        message.next_attempt_at = now + dt.timedelta(seconds=conf.CLAIM_SECONDS)
        message.save(update_fields=["attempts", "next_attempt_at"])
        return message


def _mask(message: OutboundMessage) -> list[str]:
    if not message.secret:
        return []
    message.body = message.body.replace(message.secret, MASK)
    message.secret = ""
    return ["body", "secret"]


def message_deliver(message_id: int) -> str | None:
    """Try one message once; returns its state afterwards, or None when it was not ours to send."""
    message = _claim(message_id, clock.now())
    if message is None:
        return None
    try:
        if message.channel == "sms":
            provider_id = send_sms(message.to, message.body)
        elif message.channel == "whatsapp":
            provider_id = send_whatsapp(message.to, message.body)
        else:
            provider_id = send_email(message.to, message.subject, message.body)
    except DeliveryError as exc:
        message.last_error = str(exc)[:1000]
        fields = ["last_error", "next_attempt_at"]
        if message.attempts >= conf.MAX_ATTEMPTS or not exc.retryable:
            message.state = State.FAILED
            message.next_attempt_at = None
            # Not masked: an admin may send it again (`aduan outbox --retry-failed`).
            fields += ["state"]
        else:
            backoff = conf.RETRY_BASE_SECONDS * 2 ** (message.attempts - 1)
            message.next_attempt_at = clock.now() + dt.timedelta(seconds=backoff)
        message.save(update_fields=fields)
        # The address and error only: never the body, which may carry an access code.
        logger.warning(
            "message %s to %s failed (attempt %s): %s", message.pk, message.channel, message.attempts, exc
        )
        return message.state
    message.state = State.SENT
    message.sent_at = clock.now()
    message.provider_id = provider_id[:120]
    message.next_attempt_at = None
    message.last_error = ""
    message.save(
        update_fields=["state", "sent_at", "provider_id", "next_attempt_at", "last_error", *_mask(message)]
    )
    return message.state


def deliver_due(*, limit: int = 200) -> dict[str, int]:
    """Send every pending message that is due (oldest first); safe to run in several workers."""
    now = clock.now()
    ids = list(
        OutboundMessage.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"sent": 0, "failed": 0, "retry": 0}
    for message_id in ids:
        state = message_deliver(message_id)
        if state == State.SENT:
            counts["sent"] += 1
        elif state == State.FAILED:
            counts["failed"] += 1
        elif state == State.PENDING:
            counts["retry"] += 1
    return counts
