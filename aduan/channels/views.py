"""HTTP endpoints of the text channels. They check who is calling, then hand over to the services."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from aduan.channels import conf
from aduan.channels.maintenance import prune_replies
from aduan.channels.services import sms_receive, text_receive, webhook_first_use
from aduan.channels.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    hub_signature_matches,
    signature_matches,
)
from aduan.core import clock
from aduan.core.http import parse_json
from aduan.intake.models import Channel

logger = logging.getLogger(__name__)


def _refuse(request: HttpRequest, status: int, code: str, message: str) -> JsonResponse:
    # Forged or replayed calls are worth a line in the log: someone is knocking.
    logger.warning(
        "%s refused (%s %s) from %s", request.path, status, code, request.META.get("REMOTE_ADDR", "?")
    )
    return JsonResponse({"error": code, "message": message}, status=status)


@csrf_exempt  # machine-to-machine; authenticated by the HMAC signature instead of a session
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """POST /sms/inbound: one SMS from a gateway, signed; answers {"reply": "..."}."""
    secret = conf.webhook_secret()
    if not secret:
        return _refuse(
            request,
            503,
            "webhook_not_configured",
            "ADUAN_SMS_WEBHOOK_SECRET belum diatur; webhook SMS menolak semua pesan.",
        )
    if int(request.META.get("CONTENT_LENGTH") or 0) > conf.WEBHOOK_MAX_BODY_BYTES:
        return _refuse(request, 413, "payload_too_large", "Isi permintaan terlalu besar.")
    body = request.body
    if len(body) > conf.WEBHOOK_MAX_BODY_BYTES:
        return _refuse(request, 413, "payload_too_large", "Isi permintaan terlalu besar.")
    timestamp = request.headers.get(TIMESTAMP_HEADER, "").strip()
    signature = request.headers.get(SIGNATURE_HEADER, "").strip()
    if not timestamp or not signature:
        return _refuse(
            request, 401, "signature_missing", f"Header {TIMESTAMP_HEADER} dan {SIGNATURE_HEADER} wajib ada."
        )
    if not timestamp.isdigit() or len(timestamp) > 12:
        return _refuse(request, 401, "timestamp_invalid", f"{TIMESTAMP_HEADER} harus detik Unix.")
    if not signature_matches(secret, timestamp, body, signature):
        return _refuse(request, 401, "signature_invalid", "Tanda tangan HMAC tidak cocok.")
    now = clock.now()
    if abs(now.timestamp() - int(timestamp)) > conf.WEBHOOK_MAX_SKEW_SECONDS:
        return _refuse(
            request, 401, "timestamp_stale", "Stempel waktu terlalu jauh dari jam server (maks 5 menit)."
        )
    if not webhook_first_use(endpoint="sms", signature=signature, now=now):
        return _refuse(request, 403, "replayed", "Permintaan bertanda tangan ini sudah pernah diterima.")

    try:
        payload = parse_json(body)
    except ValueError:
        return JsonResponse(
            {"error": "invalid_json", "message": "Isi permintaan bukan JSON yang valid."}, status=400
        )
    problem = _payload_problem(payload)
    if problem:
        return JsonResponse({"error": "invalid_payload", "message": problem}, status=400)
    received = sms_receive(payload["from"], payload["text"], str(payload["id"]), gateway="webhook")
    if secrets.randbelow(100) == 0:
        # Installations with only the webhook have no poller to wipe old stored answers.
        prune_replies()
    return JsonResponse(_answer(received))


def _payload_problem(payload: Any) -> str:
    if not isinstance(payload, dict):
        return 'Harus objek JSON {"from", "text", "id"}.'
    if not isinstance(payload.get("from"), str) or not payload["from"].strip():
        return '"from" (nomor pengirim) wajib diisi.'
    if not isinstance(payload.get("text"), str):
        return '"text" wajib berupa teks.'
    if not isinstance(payload.get("id"), str | int) or not str(payload["id"]).strip():
        return '"id" (id pesan di gateway) wajib diisi.'
    return ""


def _answer(received: Any) -> dict[str, Any]:
    message = received.message
    return {
        "reply": received.reply,
        "outcome": message.outcome,
        "duplicate": received.duplicate,
        "tracking_number": message.report.tracking_number if message.report else None,
    }


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    """WhatsApp Business Cloud API webhook: GET verification, POST messages signed by X-Hub-Signature-256.

    Replies are not sent from here (the Cloud API needs an outbound call with an access token);
    they are stored on the InboundMessage for the outbox to deliver.
    """
    if request.method == "GET":
        token = conf.whatsapp_verify_token()
        if (
            token
            and request.GET.get("hub.mode") == "subscribe"
            and request.GET.get("hub.verify_token") == token
            and request.GET.get("hub.challenge")
        ):
            return HttpResponse(request.GET["hub.challenge"], content_type="text/plain")
        return _refuse(request, 403, "verification_failed", "Token verifikasi tidak cocok.")
    app_secret = conf.whatsapp_app_secret()
    if not app_secret:
        return _refuse(request, 503, "webhook_not_configured", "ADUAN_WHATSAPP_APP_SECRET belum diatur.")
    body = request.body
    if len(body) > conf.WEBHOOK_MAX_BODY_BYTES:
        return _refuse(request, 413, "payload_too_large", "Isi permintaan terlalu besar.")
    signature = request.headers.get("X-Hub-Signature-256", "")
    if not signature:
        return _refuse(request, 401, "signature_missing", "Header X-Hub-Signature-256 wajib ada.")
    if not hub_signature_matches(app_secret, body, signature):
        return _refuse(request, 401, "signature_invalid", "Tanda tangan tidak cocok.")
    try:
        payload = parse_json(body)
    except ValueError:
        return JsonResponse(
            {"error": "invalid_json", "message": "Isi permintaan bukan JSON yang valid."}, status=400
        )
    # Replays (issue 13): the same signed body again is answered 200 with nothing in it, because
    # Meta retries an undelivered webhook until it gets a 200 and a retry looks exactly like a
    # replay; a message older than Meta's retry window is not taken in; and the answer never
    # carries the reply (it holds the access code): replies go out through the outbox.
    now = clock.now()
    if not webhook_first_use(
        endpoint="whatsapp", signature=signature, now=now, keep_seconds=conf.WHATSAPP_REPLAY_WINDOW_SECONDS
    ):
        logger.warning("%s replayed signed body ignored", request.path)
        return JsonResponse({"messages": [], "replayed": True})
    results = []
    for sender, text, message_id, sent_at in _whatsapp_text_messages(payload):
        if now.timestamp() - sent_at > conf.WHATSAPP_REPLAY_WINDOW_SECONDS:
            logger.warning("%s message older than the retry window ignored", request.path)
            continue
        received = text_receive(
            channel=Channel.WHATSAPP, gateway="whatsapp", gateway_id=message_id, from_number=sender, text=text
        )
        results.append({"outcome": received.message.outcome, "duplicate": received.duplicate})
    return JsonResponse({"messages": results})


def _whatsapp_text_messages(payload: Any) -> list[tuple[str, str, str, int]]:
    """(sender, text, wamid, sent at in Unix seconds) of each text message; 0 when no time is given."""
    found: list[tuple[str, str, str, int]] = []
    if not isinstance(payload, dict):
        return found
    for entry in payload.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value") or {}
            for message in value.get("messages") or []:
                if not isinstance(message, dict) or message.get("type") != "text":
                    continue
                sender = str(message.get("from") or "")
                text = str((message.get("text") or {}).get("body") or "")
                message_id = str(message.get("id") or "")
                sent_at = str(message.get("timestamp") or "0")
                if sender and message_id:
                    # The Cloud API sends the number without "+" (e.g. 6281234567890).
                    found.append(
                        (
                            sender if sender.startswith("+") else f"+{sender}",
                            text,
                            message_id,
                            int(sent_at) if sent_at.isdigit() and len(sent_at) <= 12 else 0,
                        )
                    )
    return found
