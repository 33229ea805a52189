"""/api/v1/webhooks: an agency's outbound webhook subscriptions (docs/webhooks.md).

The coordinator manages every agency's, an admin penghubung its own agency's; another agency's
subscription answers 404 exactly like a missing one. The list carries the installation's public
key, with which the receiver checks every delivery's signature.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from aduan.api.clients import client_of, require_token
from aduan.api.problems import ApiProblem
from aduan.api.reports import json_response
from aduan.api.schemas import Problem
from aduan.core import signing
from aduan.core.actors import Actor
from aduan.webhooks.events import EVENT_TYPES
from aduan.webhooks.models import WebhookSubscription
from aduan.webhooks.selectors import MANAGING_ROLES, delivery_state, subscriptions_with_status
from aduan.webhooks.services import subscription_create, subscription_delete
from aduan.webhooks.targets import URL_MAX

router = Router(tags=["webhook"])
ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 422: Problem, 429: Problem}
EXAMPLE_URL = "https://simpus.dinkes.ponorogokab.go.id/aduan/webhook"


class WebhookIn(Schema):
    """A new subscription: where to POST, which events, for which agency."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": EXAMPLE_URL,
                    "events": ["report.disposed", "report.reply_received", "report.reopened"],
                    "description": "SIMPUS Dinas Kesehatan",
                }
            ]
        }
    )
    url: str = Field(
        description="Alamat https:// penerima (bukan alamat privat/lokal)",
        json_schema_extra={"maxLength": URL_MAX, "format": "uri"},
    )
    events: list[str] = Field(
        description="Peristiwa yang diinginkan", json_schema_extra={"items": {"enum": list(EVENT_TYPES)}}
    )
    agency: str | None = Field(
        None, description="Kode instansi; admin OPD: kosong atau instansinya sendiri, koordinator: wajib"
    )
    description: str = Field(
        "", description="Keterangan, mis. nama sistem", json_schema_extra={"maxLength": 200}
    )
    is_active: bool = True


class LastDelivery(Schema):
    event_type: str
    state: str = Field(description="pending (menunggu/dicoba ulang), sent, failed")
    status_code: int | None = Field(None, description="Kode HTTP terakhir dari penerima")
    error: str
    created_at: dt.datetime


class WebhookOut(Schema):
    id: int
    agency: str
    url: str
    events: list[str]
    description: str
    is_active: bool
    created_at: dt.datetime
    last_delivery: LastDelivery | None = Field(None, description="Kiriman terakhir dan keadaannya")
    pending: int = Field(description="Kiriman yang menunggu (atau menunggu dicoba ulang)")
    failed: int = Field(description="Kiriman yang gagal (dikirim ulang dari admin)")


class EventTypeOut(Schema):
    type: str
    description: str


class WebhookList(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "public_key": "q0tU3nS6lGf0bcvD8XWJk1I6J9wQfN7dZyq1m3oYx2E",
                    "key_id": "5f1c0e9a7b3d2c41",
                    "algorithm": "ed25519",
                    "signature_scheme": "aduan-v1",
                    "event_types": [{"type": "report.disposed", "description": "…"}],
                    "subscriptions": [],
                }
            ]
        }
    )
    public_key: str = Field(description="Kunci publik Ed25519 instalasi ini (base64url, 32 bita)")
    key_id: str = Field(description="Nilai header Aduan-Key-Id")
    algorithm: str
    signature_scheme: str
    event_types: list[EventTypeOut]
    subscriptions: list[WebhookOut]


def _manager(request: HttpRequest) -> Actor:
    actor = require_token(client_of(request))
    if actor.role not in MANAGING_ROLES:
        raise ApiProblem(
            403,
            "role_not_allowed",
            "Hanya admin koordinator dan admin penghubung OPD yang mengelola webhook.",
        )
    return actor


def _out(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": subscription.pk,
        "agency": subscription.agency.code,
        "url": subscription.url,
        "events": list(subscription.events),
        "description": subscription.description,
        "is_active": subscription.is_active,
        "created_at": subscription.created_at,
        "last_delivery": delivery_state(subscription=subscription),
        "pending": getattr(subscription, "pending_count", 0),
        "failed": getattr(subscription, "failed_count", 0),
    }


@router.get("/webhooks", response={200: WebhookList, **ERRORS}, summary="Daftar langganan webhook")
def webhook_list(request: HttpRequest) -> HttpResponse:
    """The caller's subscriptions (all agencies' for the coordinator) with each one's last delivery,
    the event types there are, and the public key that signs every delivery."""
    actor = _manager(request)
    public = signing.public_key_text()
    return json_response(
        {
            "public_key": public,
            "key_id": signing.key_id(public),
            "algorithm": "ed25519",
            "signature_scheme": signing.SCHEME.decode(),
            "event_types": [{"type": key, "description": str(text)} for key, text in EVENT_TYPES.items()],
            "subscriptions": [_out(s) for s in subscriptions_with_status(actor=actor)],
        }
    )


@router.post(
    "/webhooks",
    response={201: WebhookOut, **ERRORS, 415: Problem},
    summary="Buat langganan webhook",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": WebhookIn.model_json_schema(),
                    "examples": {
                        "contoh1": {"value": WebhookIn.model_json_schema()["examples"][0]},
                    },
                }
            },
        }
    },
)
def webhook_create(request: HttpRequest, body: WebhookIn) -> HttpResponse:
    """Subscribe an agency's system. The URL is refused with 400 and a code when it is not
    https (`webhook_url_scheme`), resolves to a private or local address (`webhook_url_private`),
    carries credentials, is too long or does not resolve; unknown events with `unknown_event`."""
    actor = _manager(request)
    with transaction.atomic():
        subscription = subscription_create(
            actor=actor,
            url=body.url,
            events=body.events,
            agency_code=body.agency,
            description=body.description,
            is_active=body.is_active,
        )
    row = subscriptions_with_status(actor=actor).get(pk=subscription.pk)
    return json_response(_out(row), 201, headers={"Location": f"/api/v1/webhooks/{subscription.pk}"})


@router.delete(
    "/webhooks/{subscription_id}",
    response={204: None, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem},
    summary="Hapus langganan webhook",
)
def webhook_delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Delete a subscription and its deliveries; another agency's answers 404 like a missing one."""
    actor = _manager(request)
    subscription_delete(actor=actor, subscription_id=subscription_id)
    return HttpResponse(status=204)
