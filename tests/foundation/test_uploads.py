"""The upload pipeline (aduan/intake/uploads.py): pixel budget before decoding, nothing of the
original's metadata kept, thumbnails made once, and no image work inside a database transaction."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from PIL import Image, ImageCms

from aduan.core.errors import InvalidInput
from aduan.intake import uploads
from aduan.intake.models import Attachment, Report
from aduan.intake.uploads import MAX_SIDE, THUMBNAIL_SIDE, upload_check
from tests.conftest import as_actor
from tests.factories import PUPR, attach, disposed, submit
from tests.imagefiles import blank_png, jpeg_html_polyglot, photo_jpeg


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _refused(data: bytes, name: str = "foto.png") -> InvalidInput:
    with pytest.raises(InvalidInput) as error:
        upload_check(io.BytesIO(data), name=name)
    assert error.value.field == "attachments" and name in error.value.message
    return error.value


def test_an_image_over_the_pixel_budget_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[object] = []
    real_decode = uploads._decode
    monkeypatch.setattr(uploads, "_decode", lambda *a, **k: decoded.append(a) or real_decode(*a, **k))
    # 446 KB on the wire, 144 megapixels (432 MB) decoded: under Pillow's own bomb limit.
    small_bomb = blank_png(12000, 12000)
    assert len(small_bomb) < 600_000
    error = _refused(small_bomb, "peta.png")
    assert error.code == "attachment_image_too_large" and "24 megapiksel" in error.message
    # Pillow's DecompressionBombError (900 megapixels) becomes the same clear refusal, not a 500.
    error = _refused(blank_png(30000, 30000, rows=1), "bom.png")
    assert error.code == "attachment_image_too_large"
    assert decoded == []  # neither was ever decoded


def test_a_large_jpeg_is_decoded_reduced_and_the_budget_applies_to_what_is_decoded(settings: Any) -> None:
    settings.ADUAN_IMAGE_MAX_PIXELS = 10_000_000
    side = 2 * MAX_SIDE + 200  # 27 megapixels: the decoder scales it by 1/2 at once
    checked = upload_check(io.BytesIO(photo_jpeg(side, side)), name="kamera.jpg")
    stored = Image.open(io.BytesIO(checked.data))
    assert checked.content_type == "image/jpeg" and max(stored.size) == MAX_SIDE
    # The same size as a PNG cannot be decoded reduced: refused.
    assert _refused(blank_png(side, side), "layar.png").code == "attachment_image_too_large"


def test_stored_images_keep_no_metadata() -> None:
    # A JPEG/HTML polyglot loses its comment segment, so its HTML.
    checked = upload_check(io.BytesIO(jpeg_html_polyglot()), name="polyglot.jpg")
    assert b"<script" not in checked.data and b"\xff\xfe" not in checked.data  # no COM marker
    assert "comment" not in Image.open(io.BytesIO(checked.data)).info
    # XMP, EXIF (camera, GPS), an ICC profile: none survives.
    exif = Image.Exif()
    exif[0x010F] = "KameraHP"
    exif[0x8825] = {1: "S", 2: (7.0, 52.0, 0.0), 3: "E", 4: (111.0, 27.0, 0.0)}
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>Budi</rdf:Description></x:xmpmeta>'
    for data in (
        photo_jpeg(64, 48, exif=exif.tobytes(), xmp=xmp, icc_profile=srgb),
        photo_jpeg(64, 48, icc_profile=b"not a profile at all"),
    ):
        checked = upload_check(io.BytesIO(data), name="foto.jpg")
        stored = Image.open(io.BytesIO(checked.data))
        assert not set(stored.info) & {"exif", "xmp", "icc_profile", "comment"}, stored.info.keys()
        assert b"Budi" not in checked.data and b"KameraHP" not in checked.data
    # A PNG's text chunks go too.
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "<script>alert(1)</script>")
    out = io.BytesIO()
    Image.new("RGBA", (30, 20), (0, 0, 255, 128)).save(out, format="PNG", pnginfo=text)
    checked = upload_check(io.BytesIO(out.getvalue()), name="layar.png")
    assert checked.content_type == "image/png" and b"<script" not in checked.data


def test_shared_location_keeps_only_gps() -> None:
    exif = Image.Exif()
    exif[0x010F] = "KameraHP"
    exif[0x8825] = {1: "S", 2: (7.0, 52.0, 0.0), 3: "E", 4: (111.0, 27.0, 0.0)}
    data = photo_jpeg(64, 48, exif=exif.tobytes(), comment=b"<b>x</b>")
    checked = upload_check(io.BytesIO(data), name="lokasi.jpg", keep_location=True)
    kept = Image.open(io.BytesIO(checked.data)).getexif()
    assert kept.get_ifd(0x8825)[1] == "S" and 0x010F not in kept and b"<b>" not in checked.data
    assert checked.thumbnail is not None and b"Exif" not in checked.thumbnail  # never GPS in a thumbnail


def test_broken_and_truncated_images_are_refused_clearly() -> None:
    import weasyprint  # noqa: F401 - it sets ImageFile.LOAD_TRUNCATED_IMAGES for the process

    whole = photo_jpeg(300, 200)
    assert _refused(whole[: len(whole) // 2], "potong.jpg").code == "attachment_invalid_image"
    assert _refused(blank_png(100, 100)[:60], "potong.png").code == "attachment_invalid_image"


@pytest.mark.django_db
def test_thumbnail_made_once_at_store_time_and_neutral_names() -> None:
    report = submit().report
    photo = attach(report, photo_jpeg(3000, 2000), "KTP_Budi Santoso.jpg")
    pdf = attach(report, b"%PDF-1.4\n%%EOF\n", "surat_kades.pdf")
    assert (photo.name, pdf.name) == ("lampiran-1.jpg", "lampiran-2.pdf")
    assert photo.original_name == "KTP_Budi Santoso.jpg"
    for item in (photo, pdf):
        assert "Budi" not in item.file.name and "kades" not in item.file.name
    thumb = Image.open(photo.thumbnail.path)
    assert thumb.format == "JPEG" and max(thumb.size) == THUMBNAIL_SIDE
    assert photo.thumbnail.size < photo.size / 5
    assert not pdf.thumbnail


class _DecodeSpy:
    """Records whether a database transaction was open each time an image was decoded."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.in_transaction: list[bool] = []
        real = uploads._decode

        def spy(*args: Any, **kwargs: Any) -> Any:
            self.in_transaction.append(transaction.get_connection().in_atomic_block)
            return real(*args, **kwargs)

        monkeypatch.setattr(uploads, "_decode", spy)


def _file(name: str, data: bytes) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def test_no_channel_decodes_an_image_inside_a_transaction(
    transactional_db: None, monkeypatch: pytest.MonkeyPatch, koordinator: Any, admin_pupr: Any
) -> None:
    """On SQLite a decode inside the write transaction held the database lock for seconds."""
    from tests.portal.conftest import form_data

    monkeypatch.setenv("ADUAN_API_RATE_LIMIT", "false")
    spy = _DecodeSpy(monkeypatch)
    photo = photo_jpeg(800, 600)
    web = Client().post("/lapor/", form_data(attachments=[_file("a.jpg", photo)]))
    assert web.status_code == 302, web.content
    api = Client().post(
        "/api/v1/reports",
        {
            "kind": "pengaduan",
            "title": "Jalan",
            "description": "Rusak.",
            "region": "35.02.17",
            "attachments": [_file("b.jpg", photo)],
        },
    )
    assert api.status_code == 201, api.content
    staff = Client()
    staff.force_login(koordinator)
    entry = staff.post(
        "/konsol/laporan-baru/",
        {
            "kind": "pengaduan",
            "channel_detail": "surat",
            "title": "Surat",
            "description": "Isi surat.",
            "attachments": [_file("c.jpg", photo)],
        },
    )
    assert entry.status_code == 302, entry.content
    from aduan.channels.emailintake import email_receive
    from tests.channels.test_email import make_email

    email_receive(make_email(attachments=[("d.jpg", photo, "image/jpeg")]), gateway="test")
    # An OPD's follow-up with its evidence photo, from the console.
    report = disposed(as_actor(koordinator), lead="pupr", category=PUPR)
    opd = Client()
    opd.force_login(admin_pupr)
    follow_up = opd.post(
        f"/konsol/laporan/{report.tracking_number}/aksi/follow_up/",
        {"text": "Sudah diaspal.", "attachments": [_file("e.jpg", photo)]},
    )
    assert follow_up.status_code == 302, follow_up.content
    # And the API's follow-up action, with the agency's token.
    from aduan.api.services import token_create

    token = token_create(user=admin_pupr, name="t", channel="api")[1]
    other = disposed(as_actor(koordinator), lead="pupr", category=PUPR)
    api_follow_up = Client().post(
        f"/api/v1/reports/{other.tracking_number}/actions/follow_up",
        {"text": "Sudah dicek lagi.", "attachments": [_file("f.jpg", photo)]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api_follow_up.status_code == 200, api_follow_up.content
    assert Attachment.objects.count() == 6
    assert spy.in_transaction == [False] * 6


@pytest.mark.django_db
def test_the_bomb_answers_400_everywhere_and_nothing_is_stored(
    monkeypatch: pytest.MonkeyPatch, koordinator: Any
) -> None:
    from tests.portal.conftest import form_data

    monkeypatch.setenv("ADUAN_API_RATE_LIMIT", "false")
    bomb = blank_png(30000, 30000, rows=2)
    api = Client().post(
        "/api/v1/reports",
        {
            "kind": "pengaduan",
            "title": "Jalan",
            "description": "Rusak.",
            "region": "35.02.17",
            "attachments": [_file("bom.png", bomb)],
        },
    )
    assert api.status_code == 400 and api["Content-Type"] == "application/problem+json"
    assert api.json()["code"] == "attachment_image_too_large" and "bom.png" in api.json()["detail"]
    web = Client().post("/lapor/", form_data(attachments=[_file("bom.png", bomb)]))
    page = web.content.decode()
    assert web.status_code == 400 and "terlalu besar" in page and "Jalan berlubang di depan SDN 1" in page
    staff = Client()
    staff.force_login(koordinator)
    entry = staff.post(
        "/konsol/laporan-baru/",
        {
            "kind": "pengaduan",
            "channel_detail": "surat",
            "title": "Surat",
            "description": "Isi surat.",
            "attachments": [_file("bom.png", bomb)],
        },
    )
    assert entry.status_code == 400 and "terlalu besar" in entry.content.decode()
    assert Report.objects.count() == 0 and Attachment.objects.count() == 0


@pytest.mark.django_db
def test_photos_stored_before_thumbnails_get_them_once() -> None:
    from django.core.management import call_command

    report = submit().report
    old = attach(report, photo_jpeg(1600, 1200), "lama.jpg")
    lost = attach(report, photo_jpeg(800, 600), "hilang.jpg")
    pdf = attach(report, b"%PDF-1.4\n%%EOF\n", "surat.pdf")
    for item in (old, lost):
        item.thumbnail.delete(save=False)
        Attachment.objects.filter(pk=item.pk).update(thumbnail="")
    lost.file.delete(save=False)
    out = io.StringIO()
    call_command("attachment_thumbnails", stdout=out)
    assert "1 gambar kecil dibuat, 1 dilewati" in out.getvalue()
    old.refresh_from_db()
    assert Image.open(old.thumbnail.path).format == "JPEG" and max(Image.open(old.thumbnail.path).size) == 480
    pdf.refresh_from_db()
    assert not pdf.thumbnail
    call_command("attachment_thumbnails", stdout=out)  # nothing left to do but the lost file
    assert out.getvalue().endswith("0 gambar kecil dibuat, 1 dilewati.\n")
