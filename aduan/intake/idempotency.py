"""Exactly-once creation for retried requests (Idempotency-Key)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from aduan.core import clock
from aduan.core.errors import DomainError, InvalidInput
from aduan.core.text import normalize_text
from aduan.intake.models import IdempotencyRecord


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    http_status = 422


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: dict[str, Any]
    replayed: bool


KEY_MAX = IdempotencyRecord._meta.get_field("key").max_length or 0


def clean_key(raw: str) -> str:
    """An Idempotency-Key as it is stored, or InvalidInput: a longer key is refused, never cut
    (two long keys that share their first characters are two requests)."""
    key = normalize_text(raw, field="idempotency_key", label="Idempotency-Key")
    if len(key) > KEY_MAX:
        raise InvalidInput(
            _("Idempotency-Key terlalu panjang (maksimal %(max)s karakter).") % {"max": KEY_MAX},
            code="idempotency_key_too_long",
            field="idempotency_key",
        )
    return key


def fingerprint(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def run_once(
    *,
    scope: str,
    key: str,
    request_fingerprint: str,
    produce: Callable[[], tuple[int, dict[str, Any]]],
) -> Outcome:
    """Run `produce` once per (scope, key), in a transaction (also without a key); its result is
    stored in the same transaction, so a retry, even one racing the first request, gets the first
    answer and nothing is created twice. (API submissions without files go through
    aduan.intake.groupcommit, which does the same for a group of requests in one transaction.)"""
    key = clean_key(key)
    if not key:
        with transaction.atomic():
            return Outcome(*produce(), replayed=False)
    previous = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if previous is None:
        try:
            with transaction.atomic():
                status_code, body = produce()
                IdempotencyRecord.objects.create(
                    scope=scope,
                    key=key,
                    fingerprint=request_fingerprint,
                    status_code=status_code,
                    response=body,
                    created_at=clock.now(),
                )
            return Outcome(status_code, body, replayed=False)
        except IntegrityError:
            # A concurrent request with the same key committed first; our work was rolled back.
            previous = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
            if previous is None:
                raise
    return replay(previous, request_fingerprint)


def replay(record: IdempotencyRecord, request_fingerprint: str) -> Outcome:
    """The stored first answer for a retry; the same key with another body is refused."""
    if record.fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(
            "Idempotency-Key ini sudah dipakai untuk permintaan yang berbeda.", code="idempotency_key_reused"
        )
    return Outcome(record.status_code, record.response, replayed=True)
