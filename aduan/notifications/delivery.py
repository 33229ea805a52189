"""Sending outbox rows: claim in a short transaction, send outside it, record the outcome."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import threading

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction

from aduan.core import clock, requestlog
from aduan.core.outbox import claim_due, retry_at
from aduan.notifications import conf
from aduan.notifications.models import OutboundMessage

logger = logging.getLogger(__name__)
State = OutboundMessage.State
MASK = "********"
# Messages claimed in one transaction and recorded in another (at most this many go twice when a
# worker is killed mid-batch).
CLAIM_BATCH = 20
# Threads of `deliver_all` on PostgreSQL.
DRAIN_THREADS = 4


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


def _claim(now: dt.datetime, *, limit: int) -> list[OutboundMessage]:
    """Take up to `limit` due messages for this worker (aduan.core.outbox.claim_due)."""
    return claim_due(OutboundMessage, now=now, limit=limit, lease_seconds=conf.CLAIM_SECONDS)


def _mask(message: OutboundMessage) -> None:
    """Replace the secret (an access code) in the sent body and forget it."""
    if not message.secret:
        return
    message.body = message.body.replace(message.secret, MASK)
    message.secret = ""


def _send(message: OutboundMessage) -> str:
    """Send one claimed message once and set its outcome on the instance (not saved): its state
    afterwards. Its log lines carry the id of the request that wrote it."""
    with requestlog.bound(message.request_id or ""):
        return _send_bound(message)


def _send_bound(message: OutboundMessage) -> str:
    try:
        if message.channel == "sms":
            provider_id = send_sms(message.to, message.body)
        elif message.channel == "whatsapp":
            provider_id = send_whatsapp(message.to, message.body)
        else:
            provider_id = send_email(message.to, message.subject, message.body)
    except DeliveryError as exc:
        message.last_error = str(exc)[:1000]
        if message.attempts >= conf.MAX_ATTEMPTS or not exc.retryable:
            # Not masked: an admin may send it again (`aduan outbox --retry-failed`).
            message.state = State.FAILED
            message.next_attempt_at = None
        else:
            message.next_attempt_at = retry_at(
                now=clock.now(), attempts=message.attempts, base_seconds=conf.RETRY_BASE_SECONDS
            )
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
    _mask(message)
    # Which message went by which channel; never the address or the body.
    logger.info("message %s sent by %s (attempt %s)", message.pk, message.channel, message.attempts)
    return message.state


# What a delivery attempt writes back, whatever its outcome.
_OUTCOME = ["state", "sent_at", "provider_id", "next_attempt_at", "last_error", "body", "secret"]


def _record(messages: list[OutboundMessage]) -> None:
    """Write the outcome of these attempts: one UPDATE per message, sent as one batch (psycopg
    pipelines executemany) in one transaction; bulk_update's CASE expressions cost more than the
    sending. Asynchronous commit on PostgreSQL, the worker does not wait for the WAL flush: a
    crash of the database itself may forget the last fraction of a second of outcomes, and those
    messages are sent again after the lease, never lost."""
    meta = OutboundMessage._meta
    quote = connection.ops.quote_name
    columns = [field for field in meta.concrete_fields if field.name in _OUTCOME]
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608 - names from _meta, values parameters
        + ", ".join(f"{quote(field.column)} = %s" for field in columns)
        + f" WHERE {quote(meta.pk.column)} = %s"
    )
    rows = [
        [field.get_db_prep_save(getattr(message, field.attname), connection) for field in columns]
        + [message.pk]
        for message in messages
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.executemany(sql, rows)


def deliver_due(*, limit: int | None = 200) -> dict[str, int]:
    """Send up to `limit` pending messages that are due (oldest first; every one with None, a
    message that fails waiting for its retry time so that this ends); safe to run in several
    workers. Claimed and recorded CLAIM_BATCH at a time: two short transactions per batch
    instead of two per message. A worker killed mid-batch loses none: the batch's messages are
    due again after the lease, and the ones it had sent go a second time."""
    counts = {"sent": 0, "failed": 0, "retry": 0}
    done = 0
    while limit is None or done < limit:
        messages = _claim(clock.now(), limit=CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - done))
        if not messages:
            break
        for message in messages:
            state = _send(message)
            counts["sent" if state == State.SENT else "failed" if state == State.FAILED else "retry"] += 1
        _record(messages)
        done += len(messages)
    return counts


def deliver_all() -> dict[str, int]:
    """Send every message that is due now (a message that fails waits for its retry time, so
    this ends): `aduan worker --once`. On PostgreSQL DRAIN_THREADS threads at once, each on its
    own connection (claims skip each other's locked rows): a batch spends most of its time
    waiting for the database, and the waits overlap."""
    if connection.vendor != "postgresql":
        return deliver_due(limit=None)
    results: list[dict[str, int]] = []

    def drain() -> None:
        try:
            results.append(deliver_due(limit=None))
        finally:
            connection.close()

    threads = [threading.Thread(target=drain, name=f"aduan-drain-{n}") for n in range(DRAIN_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(results) < len(threads):
        raise RuntimeError("a delivery thread failed (see the log)")
    return {key: sum(r[key] for r in results) for key in ("sent", "failed", "retry")}
