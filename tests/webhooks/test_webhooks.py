"""Outbound webhooks end to end: subscribe through the API, act through the real writer, deliver
with the worker's code to a real receiver on loopback that checks the signature."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from aduan.accounts.models import User
from aduan.core import clock, signing
from aduan.core.actors import SYSTEM
from aduan.core.outbox import drainers
from aduan.core.roles import Role
from aduan.intake.erasure import reporters_forget
from aduan.ops.metrics import exposition
from aduan.webhooks import conf
from aduan.webhooks.delivery import deliver_due
from aduan.webhooks.models import WebhookDelivery, WebhookSubscription
from aduan.webhooks.services import deliveries_retry
from tests.api.conftest import Api, is_problem, token_for
from tests.conftest import as_actor, make_user
from tests.factories import act, disposed, owner, verified
from tests.webhooks.conftest import Receiver, free_port

pytestmark = pytest.mark.django_db
ALL_EVENTS = [
    "report.disposed",
    "report.follow_up_published",
    "report.reply_received",
    "report.reopened",
    "report.rated",
    "report.closed",
]


def _subscribe(user: User, url: str, events: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    response = Api(token=token_for(user)).post(
        "/webhooks", {"url": url, "events": events or ALL_EVENTS, **extra}
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_dispose_reaches_the_subscribed_agency_signed_and_no_one_else(
    koordinator: User,
    admin_dinkes: User,
    pejabat_dinkes: User,
    admin_pupr: User,
    receiver: Receiver,
    other_receiver: Receiver,
) -> None:
    mine = _subscribe(admin_dinkes, receiver.url)
    _subscribe(admin_pupr, other_receiver.url)
    listed = Api(token=token_for(admin_dinkes)).get("/webhooks").json()
    receiver.public_key = listed["public_key"]
    assert listed["key_id"] == signing.key_id(listed["public_key"])
    assert "report.disposed" in [e["type"] for e in listed["event_types"]]

    report = disposed(as_actor(koordinator), lead="dinkes")
    assert WebhookDelivery.objects.count() == 1  # written with the action, before any sending
    assert deliver_due() == {"sent": 1, "failed": 0, "retry": 0}

    assert other_receiver.received == []
    [got] = receiver.received
    assert got.error == "" and got.message_id == got.payload["delivery_id"]
    assert got.headers[signing.HEADER_KEY_ID] == listed["key_id"]
    payload = got.payload
    assert payload["type"] == "report.disposed" and payload["agency"] == "dinkes"
    assert payload["report"]["tracking_number"] == report.tracking_number
    assert payload["report"]["status"] == "terdisposisi"
    assert payload["report"]["lead_agency"]["code"] == "dinkes"
    assert payload["action"]["data"]["instruction"] == "Mohon ditindaklanjuti."
    # Not anonymous: the OPD's staff see the reporter in the console, so the webhook may too.
    assert payload["report"]["reporter"]["name"] == "Siti Aminah"
    # A forged copy (the body changed) does not verify with the same headers.
    key = signing.public_key_parse(listed["public_key"])
    with pytest.raises(signing.SignatureError):
        signing.message_verify(headers=got.headers, body=got.body.replace(b"dinkes", b"pupr"), public_key=key)

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.SENT and delivery.last_status_code == 200
    shown = Api(token=token_for(admin_dinkes)).get("/webhooks").json()["subscriptions"]
    assert [s["id"] for s in shown] == [mine["id"]]
    assert shown[0]["last_delivery"]["state"] == "sent" and shown[0]["last_delivery"]["status_code"] == 200

    # The citizen's reply reaches the OPD handling it; the other OPD still hears nothing.
    act(
        owner(report),
        act(as_actor(pejabat_dinkes), report, "follow_up", text="Sudah kami tegur."),
        "reply",
        text="Belum beres.",
    )
    deliver_due()
    assert [r.payload["type"] for r in receiver.received] == [
        "report.disposed",
        "report.follow_up_published",
        "report.reply_received",
    ]
    assert receiver.received[-1].payload["action"]["note"] == "Belum beres."
    assert other_receiver.received == []


def test_an_anonymous_reporter_never_appears(
    koordinator: User, admin_dinkes: User, pejabat_dinkes: User, receiver: Receiver
) -> None:
    _subscribe(admin_dinkes, receiver.url)
    report = disposed(
        as_actor(koordinator),
        lead="dinkes",
        anonymous=True,
        description="Saya Siti Aminah (081234567890, siti@example.org): puskesmas tutup pukul 10.00.",
    )
    act(as_actor(pejabat_dinkes), report, "follow_up", text="Jadwal sudah dipulihkan.")
    act(owner(report), report, "reply", text="Terima kasih, saya Siti Aminah 081234567890.")
    deliver_due()
    assert [r.payload["type"] for r in receiver.received] == [
        "report.disposed",
        "report.follow_up_published",
        "report.reply_received",
    ]
    for item in receiver.received:
        text = item.body.decode()
        assert item.payload["report"]["reporter"] is None
        assert item.payload["report"]["is_anonymous"] is True
        for personal in ("Siti Aminah", "081234567890", "siti@example.org", "Aminah"):
            assert personal not in text, (personal, item.payload)


def test_a_receiver_down_is_retried_later_and_gets_the_delivery_once(
    koordinator: User, admin_dinkes: User
) -> None:
    down = Receiver(port=free_port())  # nothing listens there yet
    _subscribe(admin_dinkes, down.url)
    disposed(as_actor(koordinator), lead="dinkes")

    assert deliver_due() == {"sent": 0, "failed": 0, "retry": 1}
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1 and "Connection" in delivery.last_error
    assert delivery.next_attempt_at is not None and delivery.next_attempt_at > clock.now()
    assert deliver_due() == {"sent": 0, "failed": 0, "retry": 0}  # not due yet

    down.start()
    try:
        with time_machine.travel(clock.now() + dt.timedelta(seconds=conf.RETRY_BASE_SECONDS + 1)):
            assert deliver_due() == {"sent": 1, "failed": 0, "retry": 0}
            assert deliver_due() == {"sent": 0, "failed": 0, "retry": 0}
    finally:
        down.stop()
    assert len(down.received) == 1 and len(down.applied) == 1
    assert down.received[0].message_id == str(delivery.message_id)
    delivery.refresh_from_db()
    assert delivery.state == "sent" and delivery.attempts == 2


def test_a_receiver_that_keeps_failing_ends_failed_visible_and_retryable(
    koordinator: User, admin_dinkes: User, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conf, "MAX_ATTEMPTS", 3)
    receiver.statuses = [503]
    _subscribe(admin_dinkes, receiver.url)
    disposed(as_actor(koordinator), lead="dinkes")
    start = clock.now()
    for minutes in (0, 10, 30):
        with time_machine.travel(start + dt.timedelta(minutes=minutes)):
            deliver_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and delivery.attempts == 3 and delivery.last_status_code == 503
    assert len(receiver.received) == 3 and receiver.applied == {}
    shown = Api(token=token_for(admin_dinkes)).get("/webhooks").json()["subscriptions"][0]
    assert shown["failed"] == 1 and shown["last_delivery"]["state"] == "failed"
    assert shown["last_delivery"]["status_code"] == 503

    # The administrator's retry (Django admin's action) sends it again once the receiver is fixed.
    receiver.statuses = [200]
    superuser = User.objects.create_superuser(username="root", password="x-rahasia-123", email="r@x.test")
    client = Client()
    client.force_login(superuser)
    listing = client.get("/django-admin/webhooks/webhookdelivery/")
    assert listing.status_code == 200 and b"503" in listing.content
    subscriptions = client.get("/django-admin/webhooks/webhooksubscription/")
    assert subscriptions.status_code == 200 and receiver.url.encode() in subscriptions.content
    response = client.post(
        "/django-admin/webhooks/webhookdelivery/",
        {"action": "retry", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    assert deliver_due() == {"sent": 1, "failed": 0, "retry": 0}
    assert len(receiver.applied) == 1
    delivery.refresh_from_db()
    assert delivery.state == "sent"


def test_a_receiver_refusing_for_good_fails_at_once(
    koordinator: User, admin_dinkes: User, receiver: Receiver
) -> None:
    receiver.statuses = [410]
    _subscribe(admin_dinkes, receiver.url)
    disposed(as_actor(koordinator), lead="dinkes")
    assert deliver_due() == {"sent": 0, "failed": 1, "retry": 0}


def test_a_slow_receiver_does_not_hold_up_the_others(
    koordinator: User,
    admin_dinkes: User,
    admin_pupr: User,
    receiver: Receiver,
    other_receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(conf, "TIMEOUT_SECONDS", 1)
    receiver.delay = 3.0  # dinkes's system hangs
    _subscribe(admin_dinkes, receiver.url)
    _subscribe(admin_pupr, other_receiver.url)
    for _n in range(3):
        disposed(as_actor(koordinator), lead="dinkes")
    disposed(as_actor(koordinator), lead="pupr")
    started = time.monotonic()
    counts = deliver_due()
    elapsed = time.monotonic() - started
    # One timeout for the hanging receiver in this pass (its other deliveries wait untried).
    assert counts == {"sent": 1, "failed": 0, "retry": 3}
    assert len(receiver.received) == 1 and len(other_receiver.received) == 1
    assert elapsed < 2.5, elapsed
    waiting = WebhookDelivery.objects.filter(subscription__agency__code="dinkes").order_by("pk")
    assert [d.attempts for d in waiting] == [1, 0, 0]


def test_aduan_worker_once_sends_webhooks(transactional_db: None, receiver: Receiver) -> None:
    koordinator = make_user("koordinator", Role.COORDINATOR, "diskominfo")
    admin_dinkes = make_user("admin-dinkes", Role.OPD_ADMIN, "dinkes")
    _subscribe(admin_dinkes, receiver.url)
    disposed(as_actor(koordinator), lead="dinkes")
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "webhooks_sent=1" in out.getvalue()
    assert len(receiver.applied) == 1 and "webhooks" in drainers


# --- who may manage which subscriptions --------------------------------------------------------


def test_an_opd_admin_sees_and_touches_only_its_own_agency(
    koordinator: User, admin_dinkes: User, admin_pupr: User, warga: User, receiver: Receiver
) -> None:
    theirs = _subscribe(admin_dinkes, receiver.url)
    pupr = Api(token=token_for(admin_pupr))
    assert pupr.get("/webhooks").json()["subscriptions"] == []
    other = pupr.client.delete(
        f"/api/v1/webhooks/{theirs['id']}", headers={"Authorization": f"Bearer {pupr.token}"}
    )
    missing = pupr.client.delete("/api/v1/webhooks/999999", headers={"Authorization": f"Bearer {pupr.token}"})
    # No existence oracle: another agency's subscription answers exactly like a missing one.
    assert is_problem(other, 404, "webhook_not_found") == is_problem(missing, 404, "webhook_not_found")
    assert WebhookSubscription.objects.filter(pk=theirs["id"]).exists()
    is_problem(
        pupr.post("/webhooks", {"url": receiver.url, "events": ALL_EVENTS, "agency": "dinkes"}),
        403,
        "not_your_agency",
    )

    is_problem(Api(token=token_for(warga)).get("/webhooks"), 403, "role_not_allowed")
    is_problem(Api().get("/webhooks"), 401, "authentication_required")

    coordinator = Api(token=token_for(koordinator))
    made = coordinator.post("/webhooks", {"url": receiver.url, "events": ["report.closed"], "agency": "pupr"})
    assert made.status_code == 201 and made.json()["agency"] == "pupr"
    assert {s["agency"] for s in coordinator.get("/webhooks").json()["subscriptions"]} == {"dinkes", "pupr"}
    assert [s["agency"] for s in pupr.get("/webhooks").json()["subscriptions"]] == ["pupr"]
    deleted = coordinator.client.delete(
        f"/api/v1/webhooks/{theirs['id']}", headers={"Authorization": f"Bearer {coordinator.token}"}
    )
    assert deleted.status_code == 204
    is_problem(
        coordinator.post("/webhooks", {"url": receiver.url, "events": ALL_EVENTS}), 400, "agency_required"
    )
    is_problem(
        coordinator.post("/webhooks", {"url": receiver.url, "events": ["report.deleted"], "agency": "pupr"}),
        400,
        "unknown_event",
    )


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://10.1.2.3/hook", "webhook_url_private"),
        ("https://192.168.1.10/hook", "webhook_url_private"),
        ("https://169.254.169.254/latest/meta-data/", "webhook_url_private"),
        ("https://127.0.0.1:8000/django-admin/", "webhook_url_private"),
        ("https://[::1]/hook", "webhook_url_private"),
        ("https://[::ffff:10.0.0.1]/hook", "webhook_url_private"),
        ("https://localhost/hook", "webhook_url_private"),
        ("https://0.0.0.0/hook", "webhook_url_private"),
        ("http://8.8.8.8/hook", "webhook_url_scheme"),
        ("file:///etc/passwd", "webhook_url_scheme"),
        ("gopher://8.8.8.8/", "webhook_url_scheme"),
        ("https://user:secret@8.8.8.8/hook", "webhook_url_credentials"),
        ("https://8.8.8.8/" + "a" * 3000, "webhook_url_too_long"),
        ("https://8.8.8.8:99999/", "webhook_url_invalid"),
        ("https:///nohost", "webhook_url_invalid"),
    ],
)
def test_a_url_that_could_reach_inside_is_refused_with_a_code(
    admin_dinkes: User, settings: Any, url: str, code: str
) -> None:
    settings.ADUAN_WEBHOOK_ALLOW_PRIVATE = False
    response = Api(token=token_for(admin_dinkes)).post(
        "/webhooks", {"url": url, "events": ["report.disposed"]}
    )
    body = is_problem(response, 400, code)
    assert body["field"] == "url"
    assert not WebhookSubscription.objects.exists()


def test_the_address_is_checked_again_before_each_delivery(
    koordinator: User, admin_dinkes: User, receiver: Receiver, settings: Any
) -> None:
    _subscribe(admin_dinkes, receiver.url)
    settings.ADUAN_WEBHOOK_ALLOW_PRIVATE = False  # the rule changed after the subscription was made
    disposed(as_actor(koordinator), lead="dinkes")
    assert deliver_due() == {"sent": 0, "failed": 1, "retry": 0}
    assert receiver.received == []
    assert WebhookDelivery.objects.get().last_error.startswith("webhook_url_private")


def test_schema_documents_the_webhook_routes(admin_dinkes: User) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    create = schema["paths"]["/api/v1/webhooks"]["post"]
    example = create["requestBody"]["content"]["application/json"]["examples"]["contoh1"]["value"]
    assert example["url"].startswith("https://") and example["events"]
    assert list(create["responses"]["400"]["content"]) == ["application/problem+json"]
    assert "404" in schema["paths"]["/api/v1/webhooks/{subscription_id}"]["delete"]["responses"]
    listed = schema["paths"]["/api/v1/webhooks"]["get"]["responses"]["200"]
    assert "public_key" in json.dumps(listed) or "WebhookList" in json.dumps(listed)


# --- what each agency is told, and when nothing more ------------------------------------------


def test_a_report_taken_away_says_only_that(
    koordinator: User,
    admin_dinkes: User,
    admin_pupr: User,
    receiver: Receiver,
    other_receiver: Receiver,
) -> None:
    events = ["report.disposed", "report.withdrawn", "report.returned"]
    _subscribe(admin_dinkes, receiver.url, events)
    _subscribe(admin_pupr, other_receiver.url, events)
    report = disposed(as_actor(koordinator), lead="dinkes")
    act(as_actor(koordinator), report, "redispose", lead="pupr", supporting=[])
    act(as_actor(admin_pupr), report, "return", reason="Bukan urusan PUPR.", proposed_agency="dinkes")
    deliver_due()
    assert [r.payload["type"] for r in receiver.received] == ["report.disposed", "report.withdrawn"]
    assert [r.payload["type"] for r in other_receiver.received] == ["report.disposed", "report.returned"]
    for gone in (receiver.received[1], other_receiver.received[1]):
        # The agency no longer sees the report: its number and state, nothing of its content.
        assert set(gone.payload["report"]) == {"tracking_number", "status", "status_label"}
        assert gone.payload["action"]["note"] == "" and gone.payload["action"]["data"] == {}
        assert "Siti" not in gone.body.decode()


def test_overdue_goes_to_the_lead_agency(koordinator: User, admin_dinkes: User, receiver: Receiver) -> None:
    _subscribe(admin_dinkes, receiver.url, ["report.deadline_near", "report.overdue"])
    report = disposed(as_actor(koordinator), lead="dinkes")
    act(SYSTEM, report, "remind")
    act(SYSTEM, report, "escalate", level=1)
    deliver_due()
    assert [r.payload["type"] for r in receiver.received] == ["report.deadline_near", "report.overdue"]
    assert receiver.received[1].payload["action"]["data"]["level"] == 1


def test_an_inactive_subscription_or_an_unwanted_event_gets_nothing(
    koordinator: User, admin_dinkes: User, receiver: Receiver
) -> None:
    _subscribe(admin_dinkes, receiver.url, ["report.closed"])
    _subscribe(admin_dinkes, receiver.url, ["report.disposed"], is_active=False)
    disposed(as_actor(koordinator), lead="dinkes")
    assert not WebhookDelivery.objects.exists()


def test_erasing_the_reporter_empties_and_cancels_the_deliveries(
    koordinator: User, admin_dinkes: User, receiver: Receiver
) -> None:
    _subscribe(admin_dinkes, receiver.url)
    report = disposed(as_actor(koordinator), lead="dinkes")
    assert "Siti Aminah" in WebhookDelivery.objects.get().body
    reporters_forget(report_ids=[report.pk])
    delivery = WebhookDelivery.objects.get()
    assert delivery.body == "" and delivery.state == "failed"
    assert deliver_due() == {"sent": 0, "failed": 0, "retry": 0}
    assert deliveries_retry(delivery_ids=[delivery.pk]) == 0  # nothing left to send
    assert receiver.received == []


def test_metrics_count_deliveries_waiting_by_agency(koordinator: User, admin_dinkes: User) -> None:
    down = Receiver(port=free_port())
    _subscribe(admin_dinkes, down.url)
    disposed(as_actor(koordinator), lead="dinkes")
    deliver_due()
    text = exposition().decode()
    assert 'aduan_webhook_deliveries{agency="dinkes",state="pending"} 1.0' in text
    assert 'aduan_webhook_deliveries{agency="dinkes",state="retrying"} 1.0' in text


def test_a_receiver_that_trickles_its_answer_is_cut_off(
    koordinator: User, admin_dinkes: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conf, "TIMEOUT_SECONDS", 1)
    port = free_port()
    stop = threading.Event()

    def trickle() -> None:
        with socket.create_server(("127.0.0.1", port)) as server:
            server.settimeout(5)
            peer, _address = server.accept()
            with peer:
                # A byte every half second: never a socket timeout, never an answer.
                while not stop.is_set():
                    try:
                        peer.sendall(b"H")
                    except OSError:
                        return
                    stop.wait(0.5)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    time.sleep(0.2)
    _subscribe(admin_dinkes, f"http://127.0.0.1:{port}/hook")
    disposed(as_actor(koordinator), lead="dinkes")
    started = time.monotonic()
    try:
        assert deliver_due() == {"sent": 0, "failed": 0, "retry": 1}
    finally:
        stop.set()
        thread.join(5)
    assert time.monotonic() - started < 4


def test_an_action_that_rolls_back_leaves_no_delivery(koordinator: User, admin_dinkes: User) -> None:
    _subscribe(admin_dinkes, "http://127.0.0.1:9/never")
    report = verified(as_actor(koordinator))
    with pytest.raises(RuntimeError), transaction.atomic():
        act(as_actor(koordinator), report, "dispose", lead="dinkes", supporting=[])
        assert WebhookDelivery.objects.count() == 1  # written inside the action's transaction
        raise RuntimeError("the surrounding work failed")
    assert not WebhookDelivery.objects.exists()
