"""The console: a peer's agency in the dispose list forwards the report; the coordinator's
federation page lists peers and failed messages, with a retry button; an OPD admin sees none of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from aduan.accounts.models import User
from aduan.core.actors import actor_for_user
from aduan.federation.models import OutboxMessage, Peer
from aduan.workflow.models import Forwarding
from tests.factories import act, submit
from tests.federation.test_messages import VERIFY, _own_key, province  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_choosing_a_peer_agency_in_the_dispose_form_forwards(
    province: tuple[Peer, Path],  # noqa: F811
    koordinator: User,
) -> None:
    report = act(actor_for_user(koordinator), submit().report, "verify", **VERIFY)
    client = signed_in(koordinator)
    page = client.get(f"/konsol/laporan/{report.tracking_number}/").content.decode()
    assert 'value="35-dpubm"' in page and "diteruskan ke instalasi mitra" in page
    answer = client.post(
        f"/konsol/laporan/{report.tracking_number}/aksi/dispose/",
        {"lead": "35-dpubm", "instruction": "Jalan provinsi."},
    )
    assert answer.status_code == 302
    report.refresh_from_db()
    assert report.status == "diteruskan"
    assert Forwarding.objects.get(report=report).destination == "Pemerintah Provinsi Jawa Timur"
    assert OutboxMessage.objects.get().body["payload"]["note"] == "Jalan provinsi."
    # Who is responsible now, on the report page.
    after = client.get(f"/konsol/laporan/{report.tracking_number}/").content.decode()
    assert "Ditangani oleh: Dinas PU Bina Marga" in after


def test_the_federation_page_shows_failed_messages_and_retries_them(
    province: tuple[Peer, Path],  # noqa: F811
    koordinator: User,
    admin_pupr: User,
) -> None:
    report = act(actor_for_user(koordinator), submit().report, "verify", **VERIFY)
    act(actor_for_user(koordinator), report, "forward", agency="35-dpubm")
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(state="failed", attempts=10, last_error="HTTP 503")
    client = signed_in(koordinator)
    page = client.get("/konsol/pengaturan/federasi/").content.decode()
    assert "Pemerintah Provinsi Jawa Timur" in page and "HTTP 503" in page and "Kirim ulang" in page
    assert client.post(f"/konsol/pengaturan/federasi/ulang/{message.message_id}/").status_code == 302
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("pending", 0)
    assert signed_in(admin_pupr).get("/konsol/pengaturan/federasi/").status_code == 403


def test_an_opd_may_propose_a_peer_agency_when_returning(
    province: tuple[Peer, Path],  # noqa: F811
    koordinator: User,
    admin_pupr: User,
) -> None:
    coordinator = actor_for_user(koordinator)
    report = act(coordinator, submit().report, "verify", **VERIFY)
    report = act(coordinator, report, "dispose", lead="pupr", supporting=[], instruction="Cek.")
    client = signed_in(admin_pupr)
    page = client.get(f"/konsol/laporan/{report.tracking_number}/").content.decode()
    assert 'value="35-dpubm"' in page  # in the bukan-kewenangan list beside the local OPDs
    client.post(
        f"/konsol/laporan/{report.tracking_number}/aksi/return/",
        {"reason": "Jalan provinsi.", "proposed_agency": "35-dpubm"},
    )
    # The coordinator's dispose form has the proposal chosen: disposing there forwards.
    dispose = signed_in(koordinator).get(f"/konsol/laporan/{report.tracking_number}/").content.decode()
    assert 'value="35-dpubm" selected' in dispose


def test_public_outputs_show_a_forwarded_report_as_still_being_handled(
    province: tuple[Peer, Path],  # noqa: F811
    koordinator: User,
) -> None:
    import json

    from aduan.core.actors import SYSTEM

    coordinator = actor_for_user(koordinator)
    report = act(coordinator, submit().report, "verify", **VERIFY)
    act(coordinator, report, "forward", agency="35-dpubm")
    act(SYSTEM, report, "forward_update", status="ditindaklanjuti", follow_up="Sudah ditambal provinsi.")
    client = Client()
    page = client.get(f"/laporan/{report.tracking_number}/").content.decode()
    assert "Diteruskan ke instansi lain" in page and "Sudah ditambal provinsi." in page
    assert report.tracking_number in client.get("/laporan/").content.decode()
    found = json.loads(client.get(f"/api/open311/v2/requests/{report.tracking_number}.json").content)
    assert found[0]["status"] == "open"
