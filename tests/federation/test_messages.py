"""Messages in and out, in-process against the real database: a forward applied once, forged,
stale and unknown-key messages refused, order enforced, privacy of what travels, retries."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from aduan.accounts.models import User
from aduan.core import clock, signing
from aduan.core.actors import SYSTEM, actor_for_user, citizen_with_access
from aduan.core.errors import InvalidInput
from aduan.directory.models import Agency
from aduan.federation import conf, delivery, services
from aduan.federation.models import Link, OutboxMessage, Peer, PeerAgency, ReceivedMessage
from aduan.intake.models import Report
from aduan.workflow.models import Forwarding
from tests.factories import act, submit

URL = "/api/federation/v1/messages"
VERIFY = {
    "classification": "pengaduan_tidak_berkadar_pengawasan",
    "category": "pekerjaan-umum-dan-penataan-ruang",
}


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.ADUAN_INSTANCE_KEY_FILE = str(tmp_path / "keys" / "ours.pem")


@pytest.fixture
def province(db: None, tmp_path: Path) -> tuple[Peer, Path]:
    """The province as a registered peer (its key in a file of its own) with one agency offered here."""
    key_file = tmp_path / "keys" / "province.pem"
    with override_settings(ADUAN_INSTANCE_KEY_FILE=str(key_file)):
        public = signing.public_key_text()
    peer = Peer.objects.create(
        code="35",
        name="Pemerintah Provinsi Jawa Timur",
        level="provinsi",
        base_url="http://127.0.0.1:9599",  # nothing listens there
        public_key=public,
        key_id=signing.key_id(public),
        created_at=clock.now(),
    )
    agency = Agency.objects.create(code="35-dpubm", name="Dinas PU Bina Marga", kind=Agency.Kind.EXTERNAL)
    PeerAgency.objects.create(peer=peer, remote_code="dpubm", agency=agency)
    return peer, key_file


def message(type: str, report: str, seq: int, **payload: Any) -> bytes:
    body = {"protocol": "aduan-federation/1", "type": type, "from": "35", "report": report, "seq": seq}
    return json.dumps(body | {"created_at": clock.now().isoformat(), "payload": payload}).encode()


def post(
    body: bytes, key_file: Path, *, message_id: str | None = None, timestamp: int | None = None, **change: str
) -> Any:
    with override_settings(ADUAN_INSTANCE_KEY_FILE=str(key_file)):
        headers = signing.message_sign(
            body=body, message_id=message_id or uuid.uuid4().hex, timestamp=timestamp
        )
    headers |= change
    return Client().post(
        URL,
        body,
        content_type="application/json",
        headers=headers,  # type: ignore[arg-type]
    )


FORWARD = {
    "tracking_number": "2612-0000001",
    "agency": "pupr",
    "note": "Ruas jalan kabupaten.",
    "kind": "pengaduan",
    "classification": "pengaduan_tidak_berkadar_pengawasan",
    "category": "pekerjaan-umum-dan-penataan-ruang",
    "title": "Jalan berlubang",
    "text": "Jalan di Slahung berlubang besar.",
    "region": "35.02.01",
    "anonymous": False,
    "confidential": True,
    "reporter": {"name": "Siti Aminah", "phone": "+6281234567890", "email": ""},
    "attachments": [],
}


@pytest.mark.django_db
def test_a_forward_is_applied_once(province: tuple[Peer, Path]) -> None:
    peer, key = province
    body = message("report.forward", "2612-0000001", 1, **FORWARD)
    first = post(body, key, message_id="m-forward-1")
    assert first.status_code == 200, first.content
    report = Report.objects.get(tracking_number=first.json()["tracking_number"])
    assert (report.channel, report.channel_detail, report.status) == (
        "instansi",
        peer.name,
        "belum_terverifikasi",
    )
    assert report.is_confidential and report.reporter is not None and report.reporter.name == "Siti Aminah"
    receipt = OutboxMessage.objects.get(peer=peer)
    assert (receipt.type, receipt.seq, receipt.body["payload"]["tracking_number"]) == (
        "report.update",
        1,
        report.tracking_number,
    )
    # The same message again (a retry whose answer was lost, or a replay): refused, not applied.
    again = post(body, key, message_id="m-forward-1")
    assert again.status_code == 409 and again.json()["code"] == "duplicate_message"
    assert Report.objects.filter(channel="instansi").count() == 1
    assert ReceivedMessage.objects.filter(peer=peer).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"tamper": "body"}, 401, "signature_invalid"),
        ({"timestamp": "old"}, 401, "timestamp_out_of_window"),
        ({"Aduan-Key-Id": "ffffffffffffffff"}, 401, "unknown_peer"),
        ({"Aduan-Signature": ""}, 401, "signature_missing"),
    ],
)
def test_forged_stale_and_unknown_messages_are_refused(
    province: tuple[Peer, Path], change: dict[str, str], status: int, code: str
) -> None:
    _peer, key = province
    body = message("report.forward", "2612-0000001", 1, **FORWARD)
    if change.get("tamper"):
        with override_settings(ADUAN_INSTANCE_KEY_FILE=str(key)):
            headers = signing.message_sign(body=body, message_id="m-1")
        answer = Client().post(
            URL, body.replace(b"Slahung", b"Sawoo"), content_type="application/json", headers=headers
        )  # type: ignore[arg-type]
    elif change.get("timestamp"):
        answer = post(body, key, timestamp=int(clock.now().timestamp()) - 3600)
    else:
        answer = post(body, key, **change)
    assert answer.status_code == status
    assert answer.json()["code"] == code
    assert not Report.objects.filter(channel="instansi").exists()


@pytest.mark.django_db
def test_messages_apply_in_order_and_a_refusal_does_not_block(province: tuple[Peer, Path]) -> None:
    _peer, key = province
    early = post(message("report.citizen", "2612-0000001", 2, kind="reply", text="Masih rusak."), key)
    assert early.status_code == 409 and early.json()["code"] == "out_of_order"
    assert post(message("report.forward", "2612-0000001", 1, **FORWARD), key).status_code == 200
    skipped = post(message("report.citizen", "2612-0000001", 3, kind="reply", text="Masih rusak."), key)
    assert skipped.status_code == 409 and skipped.json()["code"] == "out_of_order"
    # Number 2 arrives: the report is not followed up yet here, so the reply is refused by the
    # lifecycle — an answer, recorded, that lets number 3 through instead of blocking it forever.
    second = post(message("report.citizen", "2612-0000001", 2, kind="reply", text="Masih rusak."), key)
    assert second.status_code == 200 and second.json() == {
        "applied": False,
        "code": "transition_not_allowed",
        "detail": second.json()["detail"],
    }
    assert Link.objects.get(origin_tracking_number="2612-0000001").in_seq == 2
    old = post(message("report.citizen", "2612-0000001", 1, kind="reply", text="Lagi."), key)
    assert old.status_code == 409 and old.json()["code"] == "sequence_replayed"


@pytest.mark.django_db
def test_a_malformed_message_is_a_clear_400(province: tuple[Peer, Path]) -> None:
    _peer, key = province
    assert post(b"not json", key).json()["code"] == "invalid_json"
    bad = post(json.dumps({"type": "report.teleport", "report": "x", "seq": 1, "payload": {}}).encode(), key)
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_message")


@pytest.mark.django_db
def test_an_anonymous_reporter_never_travels(province: tuple[Peer, Path], koordinator: User) -> None:
    coordinator = actor_for_user(koordinator)
    report = submit(
        anonymous=True, address="Rumah Siti Aminah, Jl. Mawar 3", latitude="-7.87", longitude="111.46"
    ).report
    act(coordinator, report, "verify", **VERIFY)
    act(coordinator, report, "forward", agency="35-dpubm", note="Kewenangan provinsi.")
    payload = OutboxMessage.objects.get(type="report.forward").body["payload"]
    assert payload["anonymous"] is True and payload["reporter"] is None
    assert payload["address"] == "" and payload["latitude"] is None and payload["longitude"] is None
    assert "Siti" not in json.dumps(payload)


@pytest.mark.django_db
def test_forward_only_to_a_peer_agency_and_dispose_never_to_one(
    province: tuple[Peer, Path], koordinator: User
) -> None:
    coordinator = actor_for_user(koordinator)
    report = act(coordinator, submit().report, "verify", **VERIFY)
    with pytest.raises(InvalidInput) as local:
        act(coordinator, report, "forward", agency="pupr")
    assert local.value.code == "agency_not_external"
    Agency.objects.create(code="bbpjn", name="BBPJN (tanpa Aduan)", kind=Agency.Kind.EXTERNAL)
    with pytest.raises(InvalidInput) as unlinked:
        act(coordinator, report, "forward", agency="bbpjn")
    assert unlinked.value.code == "agency_not_at_peer"
    with pytest.raises(InvalidInput) as dispose:
        act(coordinator, report, "dispose", lead="35-dpubm")
    assert dispose.value.code == "agency_external"
    report.refresh_from_db()
    assert report.status == "terverifikasi" and not Forwarding.objects.exists()  # rolled back whole
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_peer_down_means_retries_then_failed_then_an_admin_retry(
    province: tuple[Peer, Path], koordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conf, "MAX_ATTEMPTS", 2)
    monkeypatch.setattr(conf, "RETRY_BASE_SECONDS", 0)
    monkeypatch.setattr(conf, "TIMEOUT_SECONDS", 2)
    coordinator = actor_for_user(koordinator)
    report = act(coordinator, submit().report, "verify", **VERIFY)
    act(coordinator, report, "forward", agency="35-dpubm")
    act(SYSTEM, report, "forward_update", status="ditindaklanjuti", follow_up="Ditambal.")
    act(citizen_with_access(report.pk), report, "relay", kind="reply", text="Masih rusak.")
    assert delivery.deliver_due()["retry"] == 1
    assert delivery.deliver_due()["failed"] == 1
    first, second = OutboxMessage.objects.order_by("seq")
    assert (first.state, second.state) == ("failed", "pending")
    assert delivery.deliver_due()["sent"] == 0  # the second waits behind the failed first: order
    assert services.outbox_retry(message_id=first.message_id)
    first.refresh_from_db()
    assert (first.state, first.attempts) == ("pending", 0)


@pytest.mark.django_db
def test_attachments_travel_inline_and_are_checked_again(province: tuple[Peer, Path]) -> None:
    import base64

    from aduan.intake.models import Attachment
    from tests.imagefiles import photo_jpeg

    _peer, key = province
    photo = base64.b64encode(photo_jpeg(64, 48)).decode()
    files = [
        {"name": "lampiran-1.jpg", "content_type": "image/jpeg", "data": photo},
        {
            "name": "bukan-gambar.jpg",
            "content_type": "image/jpeg",
            "data": base64.b64encode(b"MZ\x90").decode(),
        },
    ]
    answer = post(message("report.forward", "2612-0000001", 1, **(FORWARD | {"attachments": files})), key)
    assert answer.status_code == 200
    stored = Attachment.objects.filter(report__tracking_number=answer.json()["tracking_number"])
    assert [a.content_type for a in stored] == ["image/jpeg"]  # the bogus file was refused, as from a citizen


@pytest.mark.django_db
def test_the_citizens_rating_at_the_origin_is_relayed(province: tuple[Peer, Path], koordinator: User) -> None:
    from aduan.core.errors import TransitionNotAllowed

    coordinator = actor_for_user(koordinator)
    report = act(coordinator, submit().report, "verify", **VERIFY)
    act(coordinator, report, "forward", agency="35-dpubm")
    citizen = citizen_with_access(report.pk)
    with pytest.raises(TransitionNotAllowed):  # nothing to rate before the province follows up
        act(citizen, report, "relay", kind="rate", score=5)
    act(SYSTEM, report, "forward_update", status="ditindaklanjuti", follow_up="Sudah ditambal.")
    act(citizen, report, "relay", kind="rate", score=5, comment="Cepat.")
    relayed = OutboxMessage.objects.get(type="report.citizen")
    assert (relayed.seq, relayed.body["payload"]) == (2, {"kind": "rate", "score": 5, "comment": "Cepat."})


@pytest.mark.django_db
def test_the_citizen_answers_the_receivers_question_from_the_origin(
    province: tuple[Peer, Path], koordinator: User
) -> None:
    _peer, key = province
    number = post(message("report.forward", "2612-0000001", 1, **FORWARD), key).json()["tracking_number"]
    report = Report.objects.get(tracking_number=number)
    act(actor_for_user(koordinator), report, "hold", question="Di kilometer berapa?")
    answer = post(
        message("report.citizen", "2612-0000001", 2, kind="resume", answer="Km 12 dekat pasar."), key
    )
    assert answer.json() == {"applied": True}
    report.refresh_from_db()
    assert report.status == "belum_terverifikasi"
    assert report.citizen_messages.get().text == "Km 12 dekat pasar."
    # Each public step went back to the origin, in order: the receipt, the question, the answer.
    sent = list(OutboxMessage.objects.order_by("seq").values_list("seq", "body__payload__status"))
    assert sent == [(1, "belum_terverifikasi"), (2, "ditunda"), (3, "belum_terverifikasi")]


@pytest.mark.django_db
def test_a_forward_larger_than_a_form_body_is_applied_and_one_over_the_limit_is_a_413(
    province: tuple[Peer, Path], settings: Any
) -> None:
    import base64
    import io
    import random

    from PIL import Image

    from aduan.federation import conf
    from aduan.intake.models import Attachment

    def noisy_jpeg(seed: int) -> bytes:  # detail like a camera's: does not compress to nothing
        pixels = random.Random(seed).randbytes(1000 * 750 * 3)
        out = io.BytesIO()
        Image.frombytes("RGB", (1000, 750), pixels).save(out, format="JPEG", quality=90)
        return out.getvalue()

    _peer, key = province
    # Three camera photos inline: past Django's 2 MB DATA_UPLOAD_MAX_MEMORY_SIZE (meant for forms),
    # which answered such a forward with an HTML 400 before.
    photos = [noisy_jpeg(n) for n in range(3)]
    files = [
        {"name": f"lampiran-{n}.jpg", "content_type": "image/jpeg", "data": base64.b64encode(p).decode()}
        for n, p in enumerate(photos, 1)
    ]
    body = message("report.forward", "2612-0000002", 1, **(FORWARD | {"attachments": files}))
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    answer = post(body, key)
    assert answer.status_code == 200, answer.content[:300]
    stored = Attachment.objects.filter(report__tracking_number=answer.json()["tracking_number"])
    assert stored.count() == 3
    huge = post(b" " * (conf.MAX_BODY_BYTES + 1), key)
    assert (huge.status_code, huge.json()["code"]) == (413, "message_too_large")
