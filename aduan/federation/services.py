"""Federation services: this installation's identity, peers and their directories, messages out
(enqueued in the action's transaction) and in (applied once, in order, through the one writer)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from aduan.core import clock, signing
from aduan.core.actors import SYSTEM, citizen_with_access
from aduan.core.errors import DomainError, InvalidInput
from aduan.directory.models import Agency, Category
from aduan.federation import conf, transport
from aduan.federation.models import Link, OutboxMessage, Peer, PeerAgency, ReceivedMessage
from aduan.intake.models import Attachment, Channel, Report, Status
from aduan.workflow.services import report_act

PROTOCOL = "aduan-federation/1"
# Messages by the direction of the conversation they belong to at the receiver.
TO_RECEIVER = {"report.forward", "report.citizen"}
TO_ORIGIN = {"report.update", "report.returned"}
CITIZEN_KINDS = {
    "resume": ("answer",),
    "reply": ("text",),
    "rate": ("score", "comment"),
    "reopen": ("reason",),
    "complete": (),
}


# --- identity and directory -------------------------------------------------------------------


def identity() -> dict[str, Any]:
    """What GET /api/federation/v1/identity answers: who this installation is and its key."""
    key = signing.public_key_text()
    return {
        "protocol": PROTOCOL,
        "name": str(settings.INSTALLATION_NAME),
        "level": conf.INSTANCE_LEVEL,
        "code": conf.INSTANCE_CODE,
        "base_url": settings.SITE_URL,
        "public_key": key,
        "key_id": signing.key_id(key),
    }


def directory() -> dict[str, Any]:
    """This installation's own agencies a peer may forward to, and its top-level categories."""
    agencies = (
        Agency.objects.filter(is_active=True)
        .exclude(kind__in=[Agency.Kind.GOVERNMENT, Agency.Kind.COORDINATOR, Agency.Kind.EXTERNAL])
        .order_by("name")
    )
    categories = Category.objects.filter(is_active=True, parent__isnull=True).order_by("name")
    return {
        "protocol": PROTOCOL,
        "code": conf.INSTANCE_CODE,
        "agencies": [
            {"code": a.code, "name": a.name, "short_name": a.short_name, "kind": a.kind} for a in agencies
        ],
        "categories": [{"code": c.code, "name": c.name} for c in categories],
    }


def peer_add(*, base_url: str, public_key: str) -> Peer:
    """Register a peer by its base URL and the public key its administrator gave us: its identity
    must carry that very key (a man in the middle cannot swap it); then its directory is fetched."""
    base_url = base_url.strip().rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise InvalidInput("Alamat mitra harus http:// atau https://.", code="invalid_base_url")
    try:
        signing.public_key_parse(public_key)
    except ValueError:
        raise InvalidInput(
            "Kunci publik bukan kunci Ed25519 (base64url).", code="invalid_public_key"
        ) from None
    try:
        found = transport.fetch_json(base_url + transport.IDENTITY_PATH)
    except transport.TransportError as error:
        raise InvalidInput(f"Identitas mitra tidak dapat diambil: {error}", code="peer_unreachable") from None
    if found.get("public_key") != public_key.strip():
        raise InvalidInput("Kunci publik mitra tidak sama dengan yang diberikan.", code="public_key_mismatch")
    level = str(found.get("level", ""))
    code = str(found.get("code", "")).strip()[:40]
    if level not in conf.LEVELS or not code:
        raise InvalidInput("Identitas mitra tidak lengkap (tingkat, kode).", code="invalid_identity")
    if code == conf.INSTANCE_CODE and public_key.strip() == signing.public_key_text():
        raise InvalidInput("Instalasi ini tidak dapat menjadi mitranya sendiri.", code="peer_is_self")
    fields = {
        "code": code,
        "name": str(found.get("name", ""))[:200] or code,
        "level": level,
        "public_key": public_key.strip(),
        "key_id": signing.key_id(public_key.strip()),
    }
    peer, _created = Peer.objects.update_or_create(
        base_url=base_url,
        defaults=fields | {"state": Peer.State.ACTIVE},
        create_defaults=fields | {"created_at": clock.now()},
    )
    peer_sync(peer=peer)
    return peer


def _local_code(peer: Peer, remote_code: str) -> str:
    return f"{slugify(peer.code) or 'mitra'}-{slugify(remote_code)}"[:40]


def peer_sync(*, peer: Peer) -> int:
    """Fetch a peer's agencies and categories; its agencies become (or stay) local `external`
    Agency rows, offered in the dispose and return lists. The number of agencies; a failure is
    kept on the peer for the administrator, and the previous list stays."""
    now = clock.now()
    try:
        found = transport.fetch_json(peer.base_url + transport.DIRECTORY_PATH)
        agencies = [a for a in found.get("agencies", []) if isinstance(a, dict) and a.get("code")]
    except (transport.TransportError, AttributeError) as error:
        Peer.objects.filter(pk=peer.pk).update(sync_error=str(error)[:2000], sync_tried_at=now)
        return 0
    seen: set[str] = set()
    with transaction.atomic():
        for item in agencies[:500]:
            remote = str(item["code"])[:40]
            seen.add(remote)
            name = f"{str(item.get('name') or remote)[:140]} — {peer.name}"[:200]
            link = PeerAgency.objects.filter(peer=peer, remote_code=remote).select_related("agency").first()
            if link is None:
                agency, _ = Agency.objects.update_or_create(
                    code=_local_code(peer, remote),
                    defaults={"name": name, "kind": Agency.Kind.EXTERNAL, "is_active": True},
                )
                PeerAgency.objects.create(peer=peer, remote_code=remote, agency=agency)
            else:
                Agency.objects.filter(pk=link.agency_id).update(name=name, is_active=True)
        # An agency the peer no longer lists is no longer offered (kept: the audit refers to it).
        gone = PeerAgency.objects.filter(peer=peer).exclude(remote_code__in=seen).values("agency_id")
        Agency.objects.filter(pk__in=gone).update(is_active=False)
        categories = [
            {"code": str(c.get("code"))[:120], "name": str(c.get("name"))[:200]}
            for c in found.get("categories", [])
            if isinstance(c, dict)
        ][:200]
        Peer.objects.filter(pk=peer.pk).update(
            categories=categories, synced_at=now, sync_tried_at=now, sync_error=""
        )
    return len(seen)


def peers_sync_due() -> int:
    """Sync every active peer not tried within ADUAN_FEDERATION_SYNC_SECONDS (the worker's pass)."""
    since = clock.now() - dt.timedelta(seconds=conf.SYNC_SECONDS)
    due = Peer.objects.filter(state=Peer.State.ACTIVE).exclude(sync_tried_at__gt=since)
    return sum(1 for peer in due if peer_sync(peer=peer) or True)


# --- messages out -------------------------------------------------------------------------------


def message_enqueue(*, link: Link, type: str, payload: dict[str, Any]) -> OutboxMessage:
    """The next message of a conversation, in the caller's transaction (the action's own)."""
    link = Link.objects.select_for_update().get(pk=link.pk)
    link.out_seq += 1
    link.save(update_fields=["out_seq"])
    now = clock.now()
    return OutboxMessage.objects.create(
        message_id=uuid.uuid4().hex,
        peer_id=link.peer_id,
        link=link,
        type=type,
        seq=link.out_seq,
        body={
            "protocol": PROTOCOL,
            "type": type,
            "from": conf.INSTANCE_CODE,
            "report": link.origin_tracking_number,
            "seq": link.out_seq,
            "created_at": now.isoformat(),
            "payload": payload,
        },
        next_attempt_at=now,
        created_at=now,
    )


def update_payload(report: Report, *, label: str, note: str = "", follow_up: str = "") -> dict[str, Any]:
    """A `report.update`: the receiver's number and state, its step in words, a citizen-facing note
    or a published follow-up's masked text."""
    return {
        "tracking_number": report.tracking_number,
        "status": report.status,
        "label": label,
        "note": note,
        "follow_up": follow_up,
    }


def forward_payload(report: Report, *, agency_code: str, note: str) -> dict[str, Any]:
    """What travels with a forward. The receiver reads the report as an agency would (the identity
    rule of workflow.selectors.identity_visible_q): an anonymous reporter's identity never leaves,
    nor the exact place or the unmasked text; the confidential flag travels and binds the receiver."""
    anonymous = report.is_anonymous
    reporter = None
    if not anonymous and report.reporter is not None and report.personal_data_erased_at is None:
        reporter = {
            "name": report.reporter.name,
            "phone": report.reporter.phone,
            "email": report.reporter.email,
        }
    payload: dict[str, Any] = {
        "tracking_number": report.tracking_number,
        "agency": agency_code,
        "note": note,
        "kind": report.kind,
        "classification": report.classification,
        "category": report.category.code if report.category_id else "",  # type: ignore[union-attr]
        "title": report.public_title if anonymous and report.public_title else report.display_title,
        "text": report.public_text if anonymous and report.public_text else report.display_text,
        "region": report.region_id or "",
        "address": "" if anonymous else report.address,
        "latitude": None if anonymous or report.latitude is None else str(report.latitude),
        "longitude": None if anonymous or report.longitude is None else str(report.longitude),
        "incident_date": report.incident_date.isoformat() if report.incident_date else None,
        "submitted_at": report.submitted_at.isoformat(),
        "anonymous": anonymous,
        "confidential": report.is_confidential,
        "reporter": reporter,
        "attachments": [],
    }
    budget = conf.ATTACHMENT_BUDGET
    for attachment in Attachment.objects.filter(report=report, follow_up__isnull=True):
        if attachment.size > budget:
            continue  # bounded: what does not fit stays here (the receiver can ask the origin)
        try:
            with attachment.file.open("rb") as handle:
                data = handle.read()
        except OSError:
            continue
        budget -= len(data)
        payload["attachments"].append(
            {
                "name": attachment.name,
                "content_type": attachment.content_type,
                "data": base64.b64encode(data).decode(),
            }
        )
    return payload


def outbox_retry(*, message_id: str) -> bool:
    """An administrator's retry of a failed message: tried again at once, with a fresh count."""
    return bool(
        OutboxMessage.objects.filter(message_id=message_id, state=OutboxMessage.State.FAILED).update(
            state=OutboxMessage.State.PENDING, attempts=0, next_attempt_at=clock.now(), last_error=""
        )
    )


# --- messages in --------------------------------------------------------------------------------


def _parse(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        raise transport.Refused(400, "invalid_json") from None
    ok = (
        isinstance(data, dict)
        and data.get("type") in TO_RECEIVER | TO_ORIGIN
        and isinstance(data.get("report"), str)
        and 0 < len(data["report"]) <= 20
        and isinstance(data.get("seq"), int)
        and not isinstance(data.get("seq"), bool)
        and data["seq"] >= 1
        and isinstance(data.get("payload"), dict)
    )
    if not ok:
        raise transport.Refused(400, "invalid_message")
    return data


def message_receive(*, peer: Peer, message_id: str, body: bytes) -> dict[str, Any]:
    """Apply one authenticated message once and in order; the answer for the sender. Refused
    (409) when already applied (`duplicate_message`: the sender counts it delivered) or when an
    earlier one of the same report has not arrived (`out_of_order`: the sender tries later). A
    domain refusal (the report moved on meanwhile) is an answer too, recorded and not retried."""
    data = _parse(body)
    direction = Link.Direction.INBOUND if data["type"] in TO_RECEIVER else Link.Direction.OUTBOUND
    try:
        with transaction.atomic():
            if ReceivedMessage.objects.filter(peer=peer, message_id=message_id).exists():
                raise transport.Refused(409, "duplicate_message")
            link = Link.objects.filter(
                peer=peer, direction=direction, origin_tracking_number=data["report"]
            ).first()
            if link is not None:
                # The report first, then its link: the order every lifecycle action takes them in.
                Report.objects.select_for_update(of=("self",)).filter(pk=link.report_id).first()
                link = Link.objects.select_for_update().get(pk=link.pk)
            expected = (link.in_seq if link is not None else 0) + 1
            if data["seq"] < expected:
                raise transport.Refused(409, "sequence_replayed")
            if data["seq"] > expected:
                raise transport.Refused(409, "out_of_order")
            if link is None and data["type"] != "report.forward":
                raise transport.Refused(409, "unknown_report")
            try:
                with transaction.atomic():
                    link, result = APPLY[data["type"]](peer, link, data)
            except DomainError as error:
                result = {"applied": False, "code": error.code, "detail": error.message}
            if link is not None:
                Link.objects.filter(pk=link.pk).update(in_seq=data["seq"])
            ReceivedMessage.objects.create(
                peer=peer,
                message_id=message_id,
                type=data["type"],
                seq=data["seq"],
                origin_tracking_number=data["report"],
                result=result,
                received_at=clock.now(),
            )
    except IntegrityError:  # the same message arriving twice at once: the other one applied it
        raise transport.Refused(409, "duplicate_message") from None
    return result


def _apply_forward(peer: Peer, link: Link | None, data: dict[str, Any]) -> tuple[Link, dict[str, Any]]:
    from aduan.intake.services import submission_prepare, submissions_store
    from aduan.intake.uploads import attachment_files_guard, attachments_store, upload_check

    p = data["payload"]
    if link is not None and link.report.status != Status.DITERUSKAN:
        raise InvalidInput("Laporan ini sudah ditangani di sini.", code="already_here")
    reporter = p.get("reporter") if isinstance(p.get("reporter"), dict) and not p.get("anonymous") else {}
    category = str(p.get("category") or "")
    if category and not Category.objects.filter(code=category, is_active=True).exists():
        category = ""  # the sender's sub-topic may not exist here: the coordinator categorises
    fields: dict[str, Any] = {
        "kind": str(p.get("kind") or ""),
        "title": str(p.get("title") or ""),
        "description": str(p.get("text") or ""),
        "region": str(p.get("region") or "") or None,
        "category": category or None,
        "address": str(p.get("address") or ""),
        "latitude": p.get("latitude"),
        "longitude": p.get("longitude"),
        "name": str(reporter.get("name") or ""),
        "phone": str(reporter.get("phone") or ""),
        "email": str(reporter.get("email") or ""),
        "anonymous": bool(p.get("anonymous")),
        "confidential": bool(p.get("confidential")),
        "channel_detail": peer.name,
    }
    try:
        prepared = submission_prepare(actor=SYSTEM, channel=Channel.INSTANSI, **fields)
    except InvalidInput as error:
        if error.code not in {
            "region_outside_installation",
            "unknown_region",
            "location_outside_installation",
        }:
            raise
        # A place outside this installation's map: the text keeps it, the coordinator places it.
        fields |= {"region": None, "latitude": None, "longitude": None}
        prepared = submission_prepare(actor=SYSTEM, channel=Channel.INSTANSI, **fields)
    with attachment_files_guard() as stored:
        report = submissions_store([prepared])[0].report
        files = []
        for item in p.get("attachments") or []:
            try:
                raw = base64.b64decode(str(item.get("data", "")), validate=True)
                files.append(upload_check(io.BytesIO(raw), name=str(item.get("name") or "lampiran")[:100]))
            except (ValueError, InvalidInput):
                continue  # a file this installation would not take from a citizen either
        if files:
            attachments_store(report=report, files=files, stored=stored)
    context = {k: p.get(k) for k in ("agency", "note", "classification", "category", "submitted_at")}
    if link is None:
        link = Link.objects.create(
            report=report,
            peer=peer,
            direction=Link.Direction.INBOUND,
            origin_tracking_number=data["report"],
            remote_tracking_number=data["report"],
            context=context,
            created_at=clock.now(),
        )
    else:  # forwarded here again after we gave it back: a new report, the same conversation
        Link.objects.filter(pk=link.pk).update(report=report, context=context)
        link.report = report
    # The receipt: the origin learns our number and that we hold it now.
    message_enqueue(link=link, type="report.update", payload=update_payload(report, label="Laporan diterima"))
    return link, {"applied": True, "tracking_number": report.tracking_number}


def _apply_citizen(peer: Peer, link: Link | None, data: dict[str, Any]) -> tuple[Link | None, dict[str, Any]]:
    assert link is not None
    p = data["payload"]
    kind = str(p.get("kind") or "")
    if kind not in CITIZEN_KINDS:
        raise InvalidInput("Jenis tanggapan tidak dikenal.", code="invalid_relay_kind")
    params = {name: p.get(name) for name in CITIZEN_KINDS[kind]}
    # The citizen acts at the origin, which holds their access code; here they act through it.
    report_act(
        actor=citizen_with_access(link.report_id), report_id=link.report_id, action=kind, params=params
    )
    return link, {"applied": True}


def _apply_update(peer: Peer, link: Link | None, data: dict[str, Any]) -> tuple[Link | None, dict[str, Any]]:
    assert link is not None
    p = data["payload"]
    params = {k: p.get(k) for k in ("tracking_number", "status", "label", "note", "follow_up")}
    report_act(actor=SYSTEM, report_id=link.report_id, action="forward_update", params=params)
    if p.get("tracking_number"):
        Link.objects.filter(pk=link.pk).update(remote_tracking_number=str(p["tracking_number"])[:20])
    return link, {"applied": True}


def _apply_returned(
    peer: Peer, link: Link | None, data: dict[str, Any]
) -> tuple[Link | None, dict[str, Any]]:
    assert link is not None
    reason = data["payload"].get("reason") or "Bukan kewenangan instansi penerima."
    report_act(actor=SYSTEM, report_id=link.report_id, action="forward_returned", params={"reason": reason})
    return link, {"applied": True}


APPLY = {
    "report.forward": _apply_forward,
    "report.citizen": _apply_citizen,
    "report.update": _apply_update,
    "report.returned": _apply_returned,
}
