"""Photos shown back: a citizen's photo reaches the public (report page, feed, Open311's media_url)
only once the coordinator marked it public, audited; the reporter sees their own on /lacak/."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from aduan.accounts.models import User
from aduan.core.actors import actor_for_user
from aduan.workflow import audit
from aduan.workflow.models import ReportEvent
from tests.factories import KESEHATAN, act, attach, submit
from tests.imagefiles import photo_jpeg

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def public_report(koordinator: User, settings: Any, tmp_path: Any) -> Any:
    """A verified, public report with the reporter's KTP photo, a road photo and a PDF."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    submitted = submit(title="Jalan berlubang", latitude="-7.865100", longitude="111.469600")
    report = submitted.report
    report.ktp = attach(report, photo_jpeg(800, 500), "KTP_Siti.jpg")
    report.road = attach(report, photo_jpeg(1600, 1200), "jalan.jpg")
    report.pdf = attach(report, PDF, "surat.pdf")
    act(
        actor_for_user(koordinator),
        report,
        "verify",
        classification="pengaduan_tidak_berkadar_pengawasan",
        category=KESEHATAN,
    )
    report.access_code = submitted.access_code
    return report


def _public_urls(report: Any, photo: Any) -> list[str]:
    args = [report.tracking_number, photo.pk]
    return [
        reverse("portal:public_photo", args=args),
        reverse("portal:public_photo_thumbnail", args=args),
        f"/api/open311/v2/media/{report.tracking_number}/{photo.pk}",
    ]


def _mark(client: Client, report: Any, photo: Any, public: bool) -> Any:
    return client.post(
        reverse("console:attachment_public", args=[report.tracking_number, photo.pk]),
        {"public": "1" if public else "0"},
    )


def test_an_unmarked_photo_of_a_public_report_is_never_reachable_publicly(public_report: Any) -> None:
    client = Client()
    for photo in (public_report.ktp, public_report.road, public_report.pdf):
        for url in _public_urls(public_report, photo):
            assert client.get(url).status_code == 404, url
    page = client.get(reverse("portal:public_report", args=[public_report.tracking_number])).content.decode()
    assert "/foto/" not in page
    assert "/foto/" not in client.get(reverse("portal:feed")).content.decode()
    item = client.get(f"/api/open311/v2/requests/{public_report.tracking_number}.json").json()[0]
    assert item["media_url"] is None


def test_the_coordinator_marks_a_photo_public_audited_and_only_that_one_is_shown(
    public_report: Any, koordinator: User, login: Any
) -> None:
    response = _mark(login(koordinator), public_report, public_report.road, True)
    assert response.status_code == 302
    event = ReportEvent.objects.filter(report=public_report).latest("seq")
    assert event.action == "photo_public" and event.actor_user == koordinator
    assert event.data == {"attachment": "lampiran-2.jpg"} and not event.is_public
    assert audit.verify(report_ids=[public_report.pk]).breaks == []

    client = Client()
    page = client.get(reverse("portal:public_report", args=[public_report.tracking_number])).content.decode()
    road_thumb, ktp_thumb = (
        reverse("portal:public_photo_thumbnail", args=[public_report.tracking_number, p.pk])
        for p in (public_report.road, public_report.ktp)
    )
    assert road_thumb in page and 'loading="lazy"' in page and ktp_thumb not in page
    assert road_thumb in client.get(reverse("portal:feed")).content.decode()
    for url in _public_urls(public_report, public_report.road):
        served = client.get(url)
        assert served.status_code == 200 and served["Content-Type"] == "image/jpeg", url
        assert "max-age=31536000" in served["Cache-Control"] and "public" in served["Cache-Control"]
        assert b"".join(served.streaming_content)[:2] == b"\xff\xd8"
    for url in _public_urls(public_report, public_report.ktp):
        assert client.get(url).status_code == 404, url
    item = client.get(f"/api/open311/v2/requests/{public_report.tracking_number}.json").json()[0]
    assert item["media_url"].endswith(f"/media/{public_report.tracking_number}/{public_report.road.pk}")

    # Hidden again: gone from every public place, and audited.
    assert _mark(login(koordinator), public_report, public_report.road, False).status_code == 302
    assert ReportEvent.objects.filter(report=public_report).latest("seq").action == "photo_hidden"
    for url in _public_urls(public_report, public_report.road):
        assert client.get(url).status_code == 404, url
    assert (
        client.get(f"/api/open311/v2/requests/{public_report.tracking_number}.json").json()[0]["media_url"]
        is None
    )


def test_only_the_coordinator_may_mark_and_only_the_reports_own_photos(
    public_report: Any, koordinator: User, admin_dinkes: User, pimpinan: User, login: Any
) -> None:
    coordinator = actor_for_user(koordinator)
    act(coordinator, public_report, "dispose", lead="dinkes", supporting=[], instruction="Mohon dicek.")
    events = ReportEvent.objects.filter(report=public_report).count()
    for user in (admin_dinkes, pimpinan):
        assert _mark(login(user), public_report, public_report.road, True).status_code == 403
    refused = _mark(login(koordinator), public_report, public_report.pdf, True)
    assert refused.status_code == 400 and "Hanya foto laporan" in refused.content.decode()
    # An OPD's follow-up photo is the follow-up's, not the citizen's report photo.
    act(actor_for_user(admin_dinkes), public_report, "draft_follow_up", text="Sudah ditambal.")
    follow_up_id = ReportEvent.objects.filter(report=public_report).latest("seq").data["follow_up_id"]
    evidence = attach(public_report, photo_jpeg(300, 200), "bukti.jpg", follow_up_id=follow_up_id)
    assert _mark(login(koordinator), public_report, evidence, True).status_code == 400
    other = submit(title="Laporan lain").report
    assert (
        login(koordinator)
        .post(
            reverse("console:attachment_public", args=[other.tracking_number, public_report.road.pk]),
            {"public": "1"},
        )
        .status_code
        == 404
    )
    public_report.road.refresh_from_db()
    assert not public_report.road.is_public
    # The draft event is the only one written since: no refusal left a trace in the chain.
    assert ReportEvent.objects.filter(report=public_report).count() == events + 1


def test_a_confidential_reports_marked_photo_stays_private(
    public_report: Any, koordinator: User, login: Any
) -> None:
    assert _mark(login(koordinator), public_report, public_report.road, True).status_code == 302
    assert Client().get(_public_urls(public_report, public_report.road)[0]).status_code == 200
    type(public_report).objects.filter(pk=public_report.pk).update(is_confidential=True)
    for url in _public_urls(public_report, public_report.road):
        assert Client().get(url).status_code == 404, url


def test_the_verify_form_marks_the_ticked_photos(
    koordinator: User, login: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    report = submit(title="Sampah menumpuk").report
    ktp = attach(report, photo_jpeg(800, 500), "KTP.jpg")
    road = attach(report, photo_jpeg(800, 500), "sampah.jpg")
    client = login(koordinator)
    page = client.get(reverse("console:report", args=[report.tracking_number])).content.decode()
    assert f'name="public_photo" id="pp-{road.pk}"' in page and f'id="pp-{ktp.pk}"' in page
    response = client.post(
        reverse("console:act", args=[report.tracking_number, "verify"]),
        {
            "classification": "pengaduan_tidak_berkadar_pengawasan",
            "category_top": KESEHATAN,
            "public_photo": [str(road.pk)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:300]
    road.refresh_from_db()
    ktp.refresh_from_db()
    assert road.is_public and not ktp.is_public
    actions = list(ReportEvent.objects.filter(report=report).order_by("seq").values_list("action", flat=True))
    assert actions == ["submit", "verify", "photo_public"]
    assert Client().get(_public_urls(report, road)[1]).status_code == 200


def test_the_reporter_sees_their_own_photos_on_the_tracking_page(public_report: Any) -> None:
    client = Client()
    opened = client.post(
        "/lacak/",
        {"tracking_number": public_report.tracking_number, "access_code": public_report.access_code},
    )
    assert opened.status_code == 302
    page = client.get(f"/lacak/{public_report.tracking_number}/").content.decode()
    thumb = reverse(
        "portal:track_attachment_thumbnail", args=[public_report.tracking_number, public_report.ktp.pk]
    )
    assert thumb in page and "lampiran-3.pdf" in page and "KTP_Siti" not in page
    own = client.get(thumb)
    assert own.status_code == 200 and own["Cache-Control"].startswith("private, no-store")
    full = reverse("portal:track_attachment", args=[public_report.tracking_number, public_report.ktp.pk])
    assert client.get(full).status_code == 200
    # Someone without the access code gets nothing.
    assert Client().get(thumb).status_code == 404 and Client().get(full).status_code == 404


def test_the_api_says_which_photos_are_public_and_where_the_report_is(
    public_report: Any, koordinator: User, login: Any, monkeypatch: Any
) -> None:
    from aduan.api.services import token_create

    monkeypatch.setenv("ADUAN_API_RATE_LIMIT", "false")
    _mark(login(koordinator), public_report, public_report.road, True)
    token = token_create(user=koordinator, name="t", channel="api")[1]
    body = (
        Client()
        .get(f"/api/v1/reports/{public_report.tracking_number}", headers={"Authorization": f"Bearer {token}"})
        .json()
    )
    assert [a["is_public"] for a in body["attachments"]] == [False, True, False]
    assert body["latitude"] == -7.8651 and body["longitude"] == 111.4696 and body["location_exact"]
