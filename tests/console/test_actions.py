"""Coordinator action forms on the report page, bulk verify/dispose, the htmx pickers, the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aduan.intake.models import ArchiveReason, Classification, ClosedBy, Status
from aduan.workflow.models import Disposition
from tests.conftest import as_actor
from tests.factories import KESEHATAN, PUPR, act, disposed, submit, verified

pytestmark = pytest.mark.django_db


def url(report, action=None):
    if action is None:
        return reverse("console:report", kwargs={"tracking_number": report.tracking_number})
    return reverse("console:act", kwargs={"tracking_number": report.tracking_number, "action": action})


def test_new_report_offers_exactly_the_coordinators_actions(login, koordinator):
    report = submit().report
    html = login(koordinator).get(url(report)).content.decode()
    offered = {
        a
        for a in ("hold", "verify", "archive", "mark_duplicate", "close", "dispose", "resume", "redispose")
        if f"aksi/{a}/" in html
    }
    assert offered == {"hold", "verify", "archive", "mark_duplicate", "close"}


def test_verify_error_keeps_the_input(login, koordinator):
    report = submit().report
    response = login(koordinator).post(
        url(report, "verify"),
        {
            "category_top": KESEHATAN,
            "title": "Judul yang saya sunting",
            "text": "Teks yang saya sunting",
            "confidential": "on",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Klasifikasi wajib dipilih" in html
    assert 'value="Judul yang saya sunting"' in html and "Teks yang saya sunting</textarea>" in html
    assert 'id="id_confidential" checked' in html
    report.refresh_from_db()
    assert report.status == Status.BELUM_TERVERIFIKASI and not report.edited_title


def test_verify_with_sub_category_desa_and_flags(login, koordinator):
    report = submit().report
    client = login(koordinator)
    options = client.get(reverse("console:category_options"), {"category_top": KESEHATAN}).content.decode()
    sub = options.split('<option value="')[2].split('"')[0]
    assert sub.startswith(f"{KESEHATAN}--")
    desa = client.get(reverse("console:desa_options"), {"region_kecamatan": "35.02.17"}).content.decode()
    assert '<option value="35.02.17.' in desa
    desa_code = desa.split('<option value="')[2].split('"')[0]
    response = client.post(
        url(report, "verify"),
        {
            "classification": Classification.BERKADAR_PENGAWASAN,
            "category_top": KESEHATAN,
            "category_sub": sub,
            "region_kecamatan": "35.02.17",
            "region_desa": desa_code,
            "title": report.title,
            "text": "Disunting.",
            "anonymous": "on",
            "confidential": "on",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.category.code == sub and report.desa_id == desa_code
    assert report.is_anonymous and report.is_confidential
    assert report.edited_text == "Disunting." and report.original_text != "Disunting."
    assert not report.edited_title
    # Berkadar pengawasan: the dispose form pre-adds the Inspektorat.
    html = client.get(url(report)).content.decode()
    assert 'id="sup-inspektorat" checked' in html and "Asli dari pelapor" in html
    response = client.post(url(report, "dispose"), {"lead": "dinkes"})
    assert response.status_code == 400 and "APIP" in response.content.decode()
    assert (
        client.post(url(report, "dispose"), {"lead": "dinkes", "supporting": ["inspektorat"]}).status_code
        == 302
    )
    assert set(
        Disposition.objects.filter(report=report, is_active=True).values_list("agency__code", flat=True)
    ) == {"dinkes", "inspektorat"}


def test_unchecking_anonymous_clears_the_flag(login, koordinator):
    report = submit(anonymous=True).report
    login(koordinator).post(url(report, "verify"), {"classification": "aspirasi", "category_top": KESEHATAN})
    report.refresh_from_db()
    assert report.status == Status.TERVERIFIKASI and not report.is_anonymous


def test_hold_resume_archive_duplicate_redispose_close(login, koordinator):
    client = login(koordinator)
    coordinator = as_actor(koordinator)
    report = submit().report
    assert client.post(url(report, "hold"), {"question": ""}).status_code == 400
    assert client.post(url(report, "hold"), {"question": "Nama puskesmasnya?"}).status_code == 302
    report.refresh_from_db()
    assert report.status == Status.DITUNDA
    assert "aksi/resume/" in client.get(url(report)).content.decode()
    assert (
        client.post(url(report, "resume"), {"answer": "Puskesmas Babadan (lewat telepon)"}).status_code == 302
    )
    report.refresh_from_db()
    assert report.status == Status.BELUM_TERVERIFIKASI

    spam = submit().report
    assert client.post(url(spam, "archive"), {"reason": ArchiveReason.SPAM}).status_code == 302
    spam.refresh_from_db()
    assert spam.status == Status.DIARSIPKAN and spam.archive_reason == ArchiveReason.SPAM

    copy = submit().report
    response = client.post(url(copy, "mark_duplicate"), {"of": "0000-000000"})
    assert response.status_code == 400 and 'value="0000-000000"' in response.content.decode()
    assert client.post(url(copy, "mark_duplicate"), {"of": report.tracking_number}).status_code == 302
    copy.refresh_from_db()
    assert copy.duplicate_of_id == report.pk

    handled = disposed(coordinator, lead="dinkes")
    html = client.get(url(handled)).content.decode()
    assert "aksi/redispose/" in html and '<option value="dinkes" selected>' in html
    assert (
        client.post(url(handled, "redispose"), {"lead": "pupr", "supporting": ["dinkes"]}).status_code == 302
    )
    handled.refresh_from_db()
    assert handled.lead_agency.code == "pupr"
    assert (
        client.post(url(handled, "close"), {"reason": "Ditangani lewat rapat koordinasi."}).status_code == 302
    )
    handled.refresh_from_db()
    assert handled.status == Status.SELESAI and handled.closed_by == ClosedBy.COORDINATOR
    # A stale form (the report moved on) gets a 409 with the message, not a crash.
    response = client.post(url(handled, "redispose"), {"lead": "dinkes"})
    assert response.status_code == 409 and "tidak dapat dilakukan" in response.content.decode()


def test_similar_reports_are_shown(login, koordinator):
    coordinator = as_actor(koordinator)
    first = verified(coordinator, region="35.02.17")
    second = verified(coordinator, region="35.02.17")
    elsewhere = verified(coordinator, region="35.02.01")
    road = verified(coordinator, region="35.02.17", category=PUPR)
    client = login(koordinator)
    html = client.get(url(second)).content.decode()
    assert url(first) in html and url(elsewhere) not in html and url(road) not in html
    # One click marks it a duplicate of the similar report.
    assert f"Duplikat dari {first.tracking_number}" in html
    assert client.post(url(second, "mark_duplicate"), {"of": first.tracking_number}).status_code == 302
    second.refresh_from_db()
    assert second.status == Status.DIARSIPKAN and second.duplicate_of_id == first.pk


def test_bulk_verify_and_dispose(login, koordinator):
    client = login(koordinator)
    one, two = submit().report, submit(title="Obat habis").report
    archived = act(as_actor(koordinator), submit().report, "archive", reason=ArchiveReason.SPAM)
    html = client.get(reverse("console:queue", kwargs={"key": "baru"})).content.decode()
    assert f'name="report" value="{one.tracking_number}"' in html
    response = client.post(
        reverse("console:bulk"),
        {
            "report": [one.tracking_number, two.tracking_number, archived.tracking_number, "0000-000000"],
            "classification": Classification.TIDAK_BERKADAR_PENGAWASAN,
            "category_top": KESEHATAN,
            "lead": "",
            "instruction": "Tindak lanjuti.",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 dari 4 laporan berhasil" in html
    assert "Laporan tidak ditemukan" in html
    for report in (one, two):
        report.refresh_from_db()
        assert (
            report.status == Status.TERDISPOSISI and report.lead_agency.code == "dinkes"
        )  # from the routing rule
    archived.refresh_from_db()
    assert archived.status == Status.DIARSIPKAN


def test_bulk_berkadar_adds_the_inspektorat(login, koordinator):
    report = submit().report
    response = login(koordinator).post(
        reverse("console:bulk"),
        {
            "report": [report.tracking_number],
            "classification": Classification.BERKADAR_PENGAWASAN,
            "category_top": PUPR,
            "lead": "pupr",
        },
    )
    assert "1 dari 1 laporan berhasil" in response.content.decode()
    assert set(
        Disposition.objects.filter(report=report, is_active=True).values_list("agency__code", flat=True)
    ) == {"pupr", "inspektorat"}


def test_bulk_without_selection_goes_back(login, koordinator):
    response = login(koordinator).post(reverse("console:bulk"), {"classification": "aspirasi"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/django-admin/",
        "/django-admin/directory/region/",
        "/django-admin/directory/agency/",
        "/django-admin/directory/category/",
        "/django-admin/directory/category/add/",
        "/django-admin/directory/routingrule/",
        "/django-admin/sla/calendarday/",
        "/django-admin/sla/steplimit/add/",
        "/django-admin/accounts/user/",
        "/django-admin/accounts/user/add/",
    ],
)
def test_admin_pages(login, koordinator, path):
    koordinator.is_staff = koordinator.is_superuser = True
    koordinator.save()
    assert login(koordinator).get(path).status_code == 200


def test_admin_link_only_for_staff_accounts(login, koordinator, admin_dinkes):
    report_queue = reverse("console:queue", kwargs={"key": "baru"})
    assert "/django-admin/" not in login(admin_dinkes).get(report_queue).content.decode()
    # The coordinator's "Pengaturan" are console pages; the Django admin is one more link there,
    # for accounts that may use it.
    page = login(koordinator).get(report_queue).content.decode()
    assert 'href="/konsol/pengaturan/"' in page and "/django-admin/" not in page
    assert "/django-admin/" not in login(koordinator).get("/konsol/pengaturan/").content.decode()
    koordinator.is_staff = True
    koordinator.save()
    assert "/django-admin/" in login(koordinator).get("/konsol/pengaturan/").content.decode()
    admin_dinkes.is_staff = True
    admin_dinkes.save()
    assert "/django-admin/" in login(admin_dinkes).get(report_queue).content.decode()


def test_admin_adds_a_local_category(login, koordinator):
    from aduan.directory.models import Category

    koordinator.is_staff = koordinator.is_superuser = True
    koordinator.save()
    parent = Category.objects.get(code=KESEHATAN)
    response = login(koordinator).post(
        "/django-admin/directory/category/add/",
        {
            "name": "Vaksinasi Kampanye 2026",
            "parent": parent.pk,
            "is_active": "on",
            "position": 0,
            "children-TOTAL_FORMS": 0,
            "children-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    local = Category.objects.get(name="Vaksinasi Kampanye 2026")
    assert local.code == f"{KESEHATAN}--vaksinasi-kampanye-2026" and not local.is_national


def _png(color: str = "blue") -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (10, 10), color).save(out, format="PNG")
    return out.getvalue()


def test_follow_up_with_attachments(login, koordinator, admin_pupr, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aduan.workflow.models import FollowUp

    settings.MEDIA_ROOT = tmp_path
    report = disposed(as_actor(koordinator), lead="pupr", category=PUPR)
    client = login(admin_pupr)
    # A bad file rolls the whole draft back and keeps the text.
    bad = SimpleUploadedFile("catatan.txt", b"bukan gambar", content_type="text/plain")
    response = client.post(
        url(report, "draft_follow_up"), {"text": "Draf dengan lampiran.", "attachments": [bad]}
    )
    assert response.status_code == 400 and "Draf dengan lampiran.</textarea>" in response.content.decode()
    assert not FollowUp.objects.filter(report=report).exists()
    photo = SimpleUploadedFile("sesudah.png", _png(), content_type="image/png")
    assert (
        client.post(
            url(report, "draft_follow_up"), {"text": "Draf dengan lampiran.", "attachments": [photo]}
        ).status_code
        == 302
    )
    draft = FollowUp.objects.get(report=report)
    assert draft.attachments.count() == 1
    # Publishing a new text with a photo (Dinas PUPR needs no approval): draft, attach, publish.
    photo = SimpleUploadedFile("jalan.png", _png("green"), content_type="image/png")
    response = client.post(url(report, "follow_up"), {"text": "Sudah diaspal.", "attachments": [photo]})
    assert response.status_code == 302
    published = FollowUp.objects.get(report=report, state=FollowUp.State.PUBLISHED)
    assert published.text == "Sudah diaspal." and published.attachments.get().original_name == "jalan.png"
    html = client.get(url(report)).content.decode()
    item = published.attachments.get()
    link = reverse("console:attachment", kwargs={"tracking_number": report.tracking_number, "pk": item.pk})
    assert link in html and client.get(link).status_code == 200


def test_staff_entry_of_a_phone_complaint(login, koordinator, admin_dinkes):
    from aduan.intake.models import Channel, Report

    client = login(koordinator)
    assert client.get(reverse("console:report_new")).status_code == 200
    data = {
        "kind": "pengaduan",
        "channel_detail": "telepon",
        "title": "Air PDAM keruh",
        "description": "Pelapor menelepon: air keruh sejak tiga hari di Desa Nologaten.",
        "region_kecamatan": "35.02.17",
        "name": "Bapak Suyadi",
        "phone": "0812-3456-7891",
        "anonymous": "on",
    }
    response = client.post(reverse("console:report_new"), {**data, "phone": "12"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "tidak valid" in html and 'value="Air PDAM keruh"' in html and "Bapak Suyadi" in html
    assert not Report.objects.filter(title="Air PDAM keruh").exists()
    response = client.post(reverse("console:report_new"), data, follow=True)
    report = Report.objects.get(title="Air PDAM keruh")
    assert report.channel == Channel.STAFF and report.channel_detail == "telepon" and report.is_anonymous
    assert report.reporter.phone == "+6281234567891"
    html = response.content.decode()
    assert f"Laporan {report.tracking_number} tercatat" in html and "Kode akses pelapor" in html
    code = html.split("Kode akses pelapor: ")[1][:9]
    assert report.check_access_code(code)
    assert report.events.get().actor_user == koordinator
    # The caller also gets the number and code by SMS, as on every other channel.
    from aduan.notifications.models import OutboundMessage

    [sms] = OutboundMessage.objects.filter(report=report, template_key="citizen.submitted")
    assert (sms.channel, sms.to) == ("sms", "+6281234567891") and code in sms.body
    assert login(admin_dinkes).get(reverse("console:report_new")).status_code == 403


def test_staff_coordinator_manages_the_directory_without_being_superuser(login, koordinator, admin_dinkes):
    from aduan.sla.models import CalendarDay

    koordinator.is_staff = True
    koordinator.save()
    client = login(koordinator)
    for path in (
        "/django-admin/directory/category/",
        "/django-admin/directory/category/add/",
        "/django-admin/sla/calendarday/add/",
    ):
        assert client.get(path).status_code == 200, path
    response = client.post(
        "/django-admin/sla/calendarday/add/", {"date": "2026-08-31", "name": "Grebeg Suro (libur daerah)"}
    )
    assert response.status_code == 302 and CalendarDay.objects.filter(name__startswith="Grebeg Suro").exists()
    # Accounts stay with the superuser (a coordinator must not grant itself more).
    assert client.get("/django-admin/accounts/user/").status_code == 403
    # Staff flag on an OPD account opens nothing.
    admin_dinkes.is_staff = True
    admin_dinkes.save()
    assert login(admin_dinkes).get("/django-admin/directory/category/").status_code == 403
