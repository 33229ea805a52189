from __future__ import annotations

import io

import pytest
from PIL import Image

from aduan.core.errors import InvalidInput
from aduan.intake.models import Attachment, Report, Reporter
from aduan.intake.services import normalize_phone, report_submit
from aduan.intake.uploads import upload_check
from aduan.workflow.models import ReportEvent
from tests.factories import CITIZEN, attach, submit


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "KameraHP"  # Make
    exif[0x8825] = {1: "S", 2: (7.0, 52.0, 0.0), 3: "E", 4: (111.0, 27.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.django_db
def test_submission_stores_everything_and_one_event() -> None:
    submitted = submit(region="35.02.17.1001", nik="3502170101900001")
    report = submitted.report
    assert report.status == "belum_terverifikasi" and report.channel == "web"
    assert report.kecamatan_id == "35.02.17" and report.desa_id == "35.02.17.1001"
    assert report.reporter.phone == "+6281234567890" and report.reporter.nik == "3502170101900001"
    assert report.check_access_code(submitted.access_code)
    assert report.check_access_code(submitted.access_code.lower().replace("-", ""))
    assert not report.check_access_code("AAAA-AAAA")
    assert submitted.access_code not in report.access_code_digest
    assert report.step == "verification" and report.due_at is not None
    assert ReportEvent.objects.filter(report=report).count() == 1
    assert "puskesmas" in report.search_text and "tutup" in report.search_text


@pytest.mark.django_db
def test_tracking_numbers_are_unique_and_not_sequential() -> None:
    numbers = [submit().report.tracking_number for _ in range(20)]
    assert len(set(numbers)) == 20
    tails = sorted(int(n.split("-")[1]) for n in numbers)
    assert tails != list(range(tails[0], tails[0] + 20))


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"kind": "keluhan"}, "invalid_kind"),
        ({"title": "   "}, "title_required"),
        ({"description": "x" * 20_001}, "description_too_long"),
        ({"region": "35.02.99"}, "unknown_region"),
        ({"region": "35.02"}, "unknown_region"),
        ({"phone": "12345"}, "invalid_phone"),
        ({"email": "bukan-email"}, "invalid_email"),
        ({"nik": "12345"}, "invalid_nik"),
        ({"category": "tidak-ada"}, "unknown_category"),
        ({"channel": "telegram"}, "invalid_channel"),
        ({"latitude": "91"}, "invalid_latitude"),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_refused_with_a_stable_code_and_nothing_stored(
    override: dict[str, str], code: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        submit(**override)
    assert error.value.code == code and error.value.message
    assert Report.objects.count() == 0 and Reporter.objects.count() == 0


def test_phone_numbers_normalised_to_e164() -> None:
    assert normalize_phone("0812-3456-7890") == "+6281234567890"
    assert normalize_phone("+62 812 3456 7890") == "+6281234567890"
    assert normalize_phone("") == ""


@pytest.mark.django_db
def test_anonymous_submission_without_contact() -> None:
    report = report_submit(
        actor=CITIZEN, channel="sms", kind="aspirasi", title="Usul", description="Usul lampu jalan"
    ).report
    assert report.reporter is None and report.kecamatan is None


@pytest.mark.django_db
def test_image_attachment_reencoded_without_exif_gps(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = settings.DATA_DIR / "test-media"
    report = submit().report
    attachment = attach(report, _jpeg_with_gps(), "foto.jpg")
    stored = Image.open(attachment.file.path)
    assert attachment.content_type == "image/jpeg"
    assert 0x8825 not in stored.getexif() and 0x010F not in stored.getexif()
    kept = attach(report, _jpeg_with_gps(), "lokasi.jpg", keep_location=True)
    assert 0x8825 in Image.open(kept.file.path).getexif()


@pytest.mark.django_db
def test_fake_image_and_oversized_files_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = settings.DATA_DIR / "test-media"
    report = submit().report
    with pytest.raises(InvalidInput) as error:
        upload_check(io.BytesIO(b"<script>alert(1)</script>" * 10), name="foto.jpg")
    assert error.value.code == "attachment_type_not_allowed"
    settings.ADUAN_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(InvalidInput) as error:
        upload_check(io.BytesIO(b"%PDF-1.4\n" + b"0" * 2000), name="besar.pdf")
    assert error.value.code == "attachment_too_large"
    settings.ADUAN_ATTACHMENT_MAX_BYTES = 10_000
    pdf = attach(report, b"%PDF-1.4\n%%EOF\n", "surat.pdf")
    assert pdf.content_type == "application/pdf" and Attachment.objects.count() == 1
    # The report itself was never at risk: the refused files changed nothing about it.
    report.refresh_from_db()
    assert report.original_text.startswith("Puskesmas")


def test_tracking_numbers_typed_without_the_dash_are_understood() -> None:
    from aduan.intake.services import normalize_tracking_number

    assert normalize_tracking_number("26111234567") == "2611-1234567"
    assert normalize_tracking_number(" 2611 1234567 ") == "2611-1234567"
    assert normalize_tracking_number("2611-1234567") == "2611-1234567"
    assert normalize_tracking_number("jalan rusak") is None
