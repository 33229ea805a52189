"""The whole path of issue 4 through the consoles' HTTP views, as the different roles.

submit → verify → dispose → bukan kewenangan → re-dispose → follow-up → citizen reply →
follow-up → done → reopen → done. The citizen's steps call `report_act` as the owner (the
portal covers them over HTTP).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from aduan.intake.models import ClosedBy, Status, Step
from aduan.workflow.models import AgencyReturn, Disposition, FollowUp
from tests.factories import KESEHATAN, PUPR, act, owner, submit

pytestmark = pytest.mark.django_db


def url(report, action=None):
    if action is None:
        return reverse("console:report", kwargs={"tracking_number": report.tracking_number})
    return reverse("console:act", kwargs={"tracking_number": report.tracking_number, "action": action})


def queue(client, key, **params):
    response = client.get(reverse("console:queue", kwargs={"key": key}), params)
    assert response.status_code == 200
    return response.content.decode()


def listed(client, key, report):
    return url(report) in queue(client, key)


def post_ok(client, report, action, data):
    response = client.post(url(report, action), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    report.refresh_from_db()
    return response


def test_whole_path_through_the_consoles(login, koordinator, admin_dinkes, admin_pupr):
    coord, dinkes, pupr = login(koordinator), login(admin_dinkes), login(admin_pupr)
    report = submit(
        title="Jalan desa rusak dekat puskesmas",
        description="Jalan menuju Puskesmas Jetis berlubang besar, ambulans sulit lewat.",
        region="35.02.17",
    ).report

    # The coordinator finds it in the "new" queue and verifies it (wrongly as health).
    assert listed(coord, "baru", report) is True
    post_ok(
        coord,
        report,
        "verify",
        {
            "classification": "pengaduan_tidak_berkadar_pengawasan",
            "category_top": KESEHATAN,
            "region_kecamatan": "35.02.17",
            "title": "Jalan rusak menuju Puskesmas Jetis",
            "text": report.original_text,
            "anonymous": "on",
        },
    )
    assert report.status == Status.TERVERIFIKASI and report.is_anonymous
    assert report.edited_title == "Jalan rusak menuju Puskesmas Jetis"
    assert report.title == "Jalan desa rusak dekat puskesmas"  # the citizen's original stays

    # The dispose form suggests Dinkes from the routing rules.
    page = coord.get(url(report)).content.decode()
    assert '<option value="dinkes" selected>' in page
    post_ok(coord, report, "dispose", {"lead": "dinkes", "instruction": "Mohon dicek."})
    assert report.status == Status.TERDISPOSISI and report.lead_agency.code == "dinkes"

    # Dinkes sees it as a new disposition; Dinas PUPR does not.
    assert listed(dinkes, "baru", report) is True
    assert listed(pupr, "semua", report) is False
    # Bukan kewenangan without a reason is refused and the form keeps the proposed agency.
    response = dinkes.post(url(report, "return"), {"reason": "", "proposed_agency": "pupr"})
    assert response.status_code == 400
    assert '<option value="pupr" selected>' in response.content.decode()
    response = dinkes.post(
        url(report, "return"),
        {"reason": "Jalan kabupaten adalah kewenangan Dinas PUPR.", "proposed_agency": "pupr"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("console:home")
    report.refresh_from_db()
    assert report.status == Status.TERVERIFIKASI and report.is_returned and report.step == Step.RETURNED
    assert dinkes.get(url(report)).status_code == 403

    # Back on top of the coordinator's queues, with the proposed agency pre-selected.
    new_queue = queue(coord, "baru")
    assert url(report) in new_queue and "row-returned" in new_queue
    assert listed(coord, "dikembalikan", report) is True
    page = coord.get(url(report)).content.decode()
    assert "Jalan kabupaten adalah kewenangan Dinas PUPR." in page
    assert '<option value="pupr" selected>' in page
    post_ok(coord, report, "dispose", {"lead": "pupr", "instruction": "Dikembalikan Dinkes; mohon PUPR."})
    assert report.lead_agency.code == "pupr" and not report.is_returned
    assert AgencyReturn.objects.get(report=report).resolved_at is not None
    assert listed(coord, "dikembalikan", report) is False

    # Dinas PUPR accepts and publishes a follow-up (no approval needed there).
    assert listed(pupr, "baru", report) is True
    post_ok(pupr, report, "accept", {})
    assert listed(pupr, "diproses", report) is True
    post_ok(
        pupr,
        report,
        "follow_up",
        {"text": "Lubang ditambal tanggal 3; perbaikan total dijadwalkan bulan depan."},
    )
    assert report.status == Status.DITINDAKLANJUTI and report.step == Step.REPLY_WINDOW

    # The citizen is not satisfied and replies: the report is on top of PUPR's queue.
    report = act(owner(report), report, "reply", text="Tambalan sudah lepas lagi.")
    assert report.status == Status.DITANGGAPI_PELAPOR
    html = queue(pupr, "ditanggapi")
    assert url(report) in html and "row-replied" in html
    assert "Tambalan sudah lepas lagi." in pupr.get(url(report)).content.decode()
    post_ok(
        pupr, report, "follow_up", {"text": "Tim kembali ke lokasi; jalan diaspal ulang sepanjang 200 m."}
    )
    assert report.status == Status.DITINDAKLANJUTI
    post_ok(pupr, report, "complete", {"note": "Pekerjaan selesai."})
    assert report.status == Status.SELESAI and report.closed_by == ClosedBy.AGENCY
    assert listed(pupr, "selesai", report) is True

    # Reopened by the citizen, answered again, done again.
    report = act(owner(report), report, "reopen", reason="Aspal retak di ujung jalan.")
    assert report.status == Status.DITANGGAPI_PELAPOR and report.step == Step.FOLLOW_UP
    post_ok(pupr, report, "follow_up", {"text": "Retakan di ujung jalan sudah ditutup."})
    post_ok(pupr, report, "complete", {})
    assert report.status == Status.SELESAI

    actions = list(report.events.values_list("action", flat=True))
    assert actions == [
        "submit",
        "verify",
        "dispose",
        "return",
        "dispose",
        "accept",
        "follow_up",
        "reply",
        "follow_up",
        "complete",
        "reopen",
        "follow_up",
        "complete",
    ]
    # The coordinator sees every event, with who did it.
    audit = coord.get(url(report)).content.decode()
    assert audit.count('<li><p class="small"><strong>') == len(actions)
    assert "Dikembalikan: bukan kewenangan" in audit
    assert list(Disposition.objects.filter(report=report).values_list("agency__code", "state")) == [
        ("dinkes", "returned"),
        ("pupr", "done"),
    ]


def test_follow_up_through_approval_by_the_pejabat_penghubung(
    login, koordinator, admin_dinkes, pejabat_dinkes
):
    coord, admin, pejabat = login(koordinator), login(admin_dinkes), login(pejabat_dinkes)
    report = submit().report
    post_ok(
        coord,
        report,
        "verify",
        {
            "classification": "pengaduan_tidak_berkadar_pengawasan",
            "category_top": KESEHATAN,
            "text": report.original_text,
        },
    )
    post_ok(coord, report, "dispose", {"lead": "dinkes"})
    # Dinkes requires approval: no direct publish form, publishing a text is refused.
    page = admin.get(url(report)).content.decode()
    assert 'id="aksi-follow_up"' not in page and 'id="aksi-draft_follow_up"' in page
    response = admin.post(url(report, "follow_up"), {"text": "Langsung saja."})
    assert response.status_code == 409 and "disetujui pejabat penghubung" in response.content.decode()

    post_ok(admin, report, "draft_follow_up", {"text": "Kepala puskesmas sudah ditegur."})
    draft = FollowUp.objects.get(report=report)
    assert draft.state == FollowUp.State.DRAFT
    assert listed(pejabat, "persetujuan", report) is True
    post_ok(
        pejabat,
        report,
        "send_back_follow_up",
        {"follow_up_id": draft.pk, "note": "Sebutkan jam layanan baru."},
    )
    draft.refresh_from_db()
    assert draft.state == FollowUp.State.SENT_BACK

    post_ok(
        admin, report, "draft_follow_up", {"text": "Kepala puskesmas ditegur; layanan kini buka 07.30–14.00."}
    )
    second = FollowUp.objects.filter(report=report).latest("pk")
    page = pejabat.get(url(report)).content.decode()
    assert "aksi/approve_follow_up/" in page
    post_ok(pejabat, report, "approve_follow_up", {"follow_up_id": second.pk})
    page = admin.get(url(report)).content.decode()
    assert f'name="follow_up_id" value="{second.pk}"' in page
    post_ok(admin, report, "follow_up", {"follow_up_id": second.pk})
    second.refresh_from_db()
    assert second.state == FollowUp.State.PUBLISHED and report.status == Status.DITINDAKLANJUTI


def test_internal_note_is_never_published(login, koordinator, admin_pupr):
    coord, pupr = login(koordinator), login(admin_pupr)
    report = submit().report
    post_ok(coord, report, "verify", {"classification": "aspirasi", "category_top": PUPR})
    post_ok(coord, report, "dispose", {"lead": "pupr"})
    post_ok(pupr, report, "draft_follow_up", {"text": "Catatan: koordinasi dengan desa.", "internal": "on"})
    note = FollowUp.objects.get(report=report)
    assert not note.is_public
    response = pupr.post(url(report, "follow_up"), {"follow_up_id": note.pk})
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == Status.TERDISPOSISI
