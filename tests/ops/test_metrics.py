"""/metrics: Prometheus' text format, counted from the database, closed to the public."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from aduan.accounts.models import User
from aduan.core import clock
from aduan.notifications.models import OutboundMessage
from tests.conftest import as_actor
from tests.factories import disposed, submit

pytestmark = pytest.mark.django_db


def scrape(client: Client, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_count_reports_actions_queues_overdue_and_failures(koordinator: User) -> None:
    submit(channel="web")
    submit(channel="sms", phone="081234567891", email="")
    late = disposed(as_actor(koordinator), lead="dinkes")
    message = OutboundMessage.objects.filter(state=OutboundMessage.State.PENDING).first()
    assert message is not None
    OutboundMessage.objects.filter(pk=message.pk).update(state=OutboundMessage.State.FAILED)
    failed_channel = message.channel
    assert late.due_at is not None

    with clock.travel(late.due_at + dt.timedelta(days=1)):
        samples = scrape(Client())  # the test client comes from 127.0.0.1

    assert samples[("aduan_reports_received_total", (("channel", "web"),))] == 2
    assert samples[("aduan_reports_received_total", (("channel", "sms"),))] == 1
    assert samples[("aduan_lifecycle_actions_total", (("action", "verify"),))] == 1
    assert samples[("aduan_lifecycle_actions_total", (("action", "dispose"),))] == 1
    assert samples[("aduan_overdue_reports", (("agency", "dinkes"),))] >= 1
    assert samples[("aduan_outbox_messages", (("channel", failed_channel), ("state", "failed")))] == 1
    assert samples[("aduan_delivery_failures", (("channel", failed_channel), ("kind", "gave_up")))] == 1
    pending = OutboundMessage.objects.filter(state=OutboundMessage.State.PENDING).count()
    assert (
        sum(
            v
            for (name, labels), v in samples.items()
            if name == "aduan_outbox_messages" and ("state", "pending") in labels
        )
        == pending
    )
    assert ("aduan_tasks", (("status", "READY"),)) in samples
    assert ("aduan_tasks", (("status", "RUNNING"),)) in samples


def test_metrics_are_hidden_from_other_addresses() -> None:
    response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics")
    assert response.status_code == 404


def test_metrics_token_replaces_the_address_rule(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ADUAN_METRICS_TOKEN = "s3cret-token"
    assert Client().get("/metrics").status_code == 404  # localhost alone is not enough
    assert Client().get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    outside = Client(REMOTE_ADDR="203.0.113.9")
    assert scrape(outside, Authorization="Bearer s3cret-token") is not None
