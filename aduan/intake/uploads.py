"""The one door for files that enter, from every channel (web form, API, console, email).

`uploads_check` does all the work on the bytes — size and type by content, an image's pixel budget
read from its header before anything is decoded, decoding (reduced where the format allows),
metadata stripped, re-encoding and the thumbnail — and must run *before* the caller opens its
database transaction: on SQLite a multi-second decode inside the write transaction made every other
writer fail with "database is locked". `attachment_store` then only writes finished bytes and the
row, inside the transaction.
"""

from __future__ import annotations

import io
import secrets
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from aduan.core import clock
from aduan.core.errors import InvalidInput
from aduan.intake.models import Attachment, Report

ALLOWED_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})
# Stored photos: longest side (phones send 4000-8000 px; 2560 keeps every detail staff need).
MAX_SIDE = 2560
THUMBNAIL_SIDE = 480
GPS_IFD = 0x8825
# One image decoded at a time per process: a decode of a photo at the budget costs up to ~200 MB,
# and a worker's eight threads decoding at once would need eight times that.
_decoding = threading.BoundedSemaphore(1)
# Pillow warns from ~89 megapixels on; the pixel budget below refuses far smaller images anyway.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check, in its final stored form; nothing is written yet."""

    original_name: str
    content_type: str
    extension: str
    data: bytes
    thumbnail: bytes | None  # JPEG, for images only


def _refuse(message: str, code: str) -> InvalidInput:
    return InvalidInput(message, code=code, field="attachments")


def uploads_check(uploads: Sequence[IO[bytes]], *, keep_location: bool = False) -> list[CheckedFile]:
    """Check and prepare every upload of one request (outside any transaction); the first bad one raises."""
    if len(uploads) > settings.ADUAN_ATTACHMENTS_PER_REPORT:
        raise _refuse(
            _("Paling banyak %(n)s lampiran.") % {"n": settings.ADUAN_ATTACHMENTS_PER_REPORT},
            "too_many_attachments",
        )
    return [
        upload_check(upload, name=getattr(upload, "name", None) or "lampiran", keep_location=keep_location)
        for upload in uploads
    ]


def upload_check(upload: IO[bytes], *, name: str, keep_location: bool = False) -> CheckedFile:
    """One file checked by its content; an image comes back re-encoded with its thumbnail.

    Image metadata is dropped (EXIF, XMP, JPEG comments, ICC profiles: colours are converted to
    sRGB first); with `keep_location` the citizen chose to share where the photo was taken, and only
    the GPS block of the EXIF is kept."""
    limit = settings.ADUAN_ATTACHMENT_MAX_BYTES
    upload.seek(0)  # from the start, also when a request's files are checked a second time
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _refuse(
            _("Berkas %(name)s terlalu besar (maksimal %(mb)s MB).") % {"name": name, "mb": limit // 2**20},
            "attachment_too_large",
        )
    if not data:
        raise _refuse(_("Berkas %(name)s kosong.") % {"name": name}, "attachment_empty")
    kind = filetype.guess(data)
    mime = kind.mime if kind else ""
    if mime not in ALLOWED_TYPES:
        raise _refuse(
            _("Berkas %(name)s bukan foto (JPEG/PNG/WebP) atau PDF.") % {"name": name},
            "attachment_type_not_allowed",
        )
    if mime == "application/pdf":
        # Stored as sent; only ever served as a download in a sandbox (aduan.core.http.file_response).
        return CheckedFile(name[:200], mime, "pdf", data, None)
    return _image_check(data, name[:200], keep_location=keep_location)


def _image_check(data: bytes, name: str, *, keep_location: bool) -> CheckedFile:
    too_large = _refuse(
        _("Foto %(name)s terlalu besar (lebih dari %(mp)s megapiksel). Kecilkan ukurannya lalu kirim lagi.")
        % {"name": name, "mp": settings.ADUAN_IMAGE_MAX_PIXELS // 1_000_000},
        "attachment_image_too_large",
    )
    try:
        # Image.open reads the header only; Pillow itself refuses sizes beyond its bomb limit.
        # Only the three decoders we accept, never one of Pillow's many others.
        with Image.open(io.BytesIO(data), formats=("JPEG", "PNG", "WEBP")) as opened:
            # JPEG: have the decoder scale by 1/2, 1/4 or 1/8 at once, to no less than the stored
            # size (no effect on other formats): a 12000×9000 photo is decoded at 3000×2250. The
            # budget applies to what gets decoded.
            opened.draft(None, _stored_size(opened.size))
            if opened.width * opened.height > settings.ADUAN_IMAGE_MAX_PIXELS:
                raise too_large
            with _decoding:
                # A truncated upload is refused, never stored half grey: WeasyPrint (the PDF
                # reports) turns Pillow's leniency on for the whole process when it is imported.
                ImageFile.LOAD_TRUNCATED_IMAGES = False
                return _reencode(opened, name, keep_location=keep_location)
    except Image.DecompressionBombError:
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(
            _("Berkas %(name)s bukan gambar yang valid.") % {"name": name}, "attachment_invalid_image"
        ) from None


def _stored_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size an image is stored at: its own, or fitted into MAX_SIDE × MAX_SIDE."""
    scale = min(1.0, MAX_SIDE / max(size))
    return max(1, int(size[0] * scale)), max(1, int(size[1] * scale))


def _reencode(opened: Image.Image, name: str, *, keep_location: bool) -> CheckedFile:
    image, lossless, gps = _decode(opened, keep_location=keep_location)
    save: dict[str, Any] = {}
    if gps:
        kept = Image.Exif()
        kept[GPS_IFD] = gps
        save["exif"] = kept.tobytes()
    out = io.BytesIO()
    if lossless:
        image.save(out, format="PNG", optimize=True, **save)
        return CheckedFile(name, "image/png", "png", out.getvalue(), _thumbnail(image))
    image.save(out, format="JPEG", quality=85, optimize=True, **save)
    return CheckedFile(name, "image/jpeg", "jpg", out.getvalue(), _thumbnail(image))


def _decode(opened: Image.Image, *, keep_location: bool) -> tuple[Image.Image, bool, Any]:
    """The upright, sRGB, metadata-free image at most MAX_SIDE wide; whether to keep it lossless
    (transparency or a palette: screenshots, drawings); the GPS block to keep, if any."""
    gps = opened.getexif().get_ifd(GPS_IFD) if keep_location else None
    icc = opened.info.get("icc_profile")
    lossless = opened.mode in ("RGBA", "LA", "PA", "P")
    alpha = opened.mode in ("RGBA", "LA", "PA") or "transparency" in opened.info
    image: Image.Image = opened
    if opened.mode not in ("RGB", "RGBA", "L"):
        # Before resizing: a palette image would be resized by nearest neighbour.
        image = opened.convert("RGBA" if alpha else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))  # decodes (reduced, for a JPEG) and resizes in place
    upright = ImageOps.exif_transpose(image)  # a copy, detached from the file being closed
    if icc:
        upright = _to_srgb(upright, icc)
    # Nothing from the original travels on: Pillow writes info["comment"] (a JPEG/HTML polyglot's
    # payload), the ICC profile and XMP back when they are left in `info`.
    upright.info = {}
    return upright, lossless, gps


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """Colours converted from the embedded profile to sRGB (stored without a profile: sRGB is the default)."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in (ImageCms.getProfileDescription(source) or "").lower().replace(" ", ""):
            return image
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
        return converted if converted is not None else image
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken or unusable profile: the pixels as they are, the profile dropped


def _thumbnail(image: Image.Image) -> bytes:
    """A small JPEG without any metadata (never GPS: thumbnails may be shown publicly)."""
    small = image.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    if small.mode != "RGB":
        flat = Image.new("RGB", small.size, (255, 255, 255))
        flat.paste(small, mask=small.getchannel("A") if "A" in small.mode else None)
        small = flat
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=80, optimize=True)
    return out.getvalue()


def attachment_store(*, report: Report, checked: CheckedFile, follow_up_id: int | None = None) -> Attachment:
    """Write one checked file and its row, inside the caller's transaction (no image work here).

    The stored file and the name shown to anyone but the coordinator are neutral (`lampiran-2.jpg`);
    the citizen's own file name is kept in `original_name`. If the transaction rolls back, the
    caller removes the files (attachment_files_guard; storage is not transactional)."""
    return _attachment_write(report, checked, follow_up_id, count=report.attachments.count())


def _attachment_write(
    report: Report, checked: CheckedFile, follow_up_id: int | None, *, count: int
) -> Attachment:
    """attachment_store for a report that has `count` attachments already."""
    if count >= settings.ADUAN_ATTACHMENTS_PER_REPORT:
        raise _refuse(_("Jumlah lampiran sudah maksimal."), "too_many_attachments")
    name = f"lampiran-{count + 1}.{checked.extension}"
    attachment = Attachment(
        report=report,
        follow_up_id=follow_up_id,
        name=name,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=len(checked.data),
        uploaded_at=clock.now(),
    )
    # A random prefix: storage paths are never guessable from the tracking number.
    attachment.file.save(f"{secrets.token_hex(4)}-{name}", ContentFile(checked.data), save=False)
    if checked.thumbnail is not None:
        _thumbnail_save(attachment, checked.thumbnail)
    attachment.save()
    return attachment


def _thumbnail_save(attachment: Attachment, thumbnail: bytes) -> None:
    stem = attachment.name.rsplit(".", 1)[0]
    attachment.thumbnail.save(f"{secrets.token_hex(4)}-{stem}-kecil.jpg", ContentFile(thumbnail), save=False)


def thumbnails_backfill() -> tuple[int, int]:
    """Thumbnails for photos stored before thumbnails existed (re-encoded already, so small and
    safe to open); returns (made, skipped). Outside any transaction: one update per photo."""
    made = skipped = 0
    for attachment in Attachment.objects.filter(thumbnail="", content_type__startswith="image/").iterator():
        try:
            with attachment.file.open("rb") as stored:
                checked = upload_check(stored, name=attachment.name)
        except (InvalidInput, OSError):
            skipped += 1  # missing or unreadable file: the console shows the photo itself
            continue
        if checked.thumbnail is None:
            skipped += 1
            continue
        _thumbnail_save(attachment, checked.thumbnail)
        Attachment.objects.filter(pk=attachment.pk).update(thumbnail=attachment.thumbnail.name)
        made += 1
    return made, skipped


def attachments_store(
    *, report: Report, files: Iterable[CheckedFile], stored: list[Attachment], follow_up_id: int | None = None
) -> None:
    """attachment_store for each file; each one written is appended to `stored` at once."""
    checked_files = list(files)
    if not checked_files:
        return  # no count query for a request without files
    # Counted once per request, not once per file: each file written here is the next one.
    count = report.attachments.count()
    for offset, checked in enumerate(checked_files):
        stored.append(_attachment_write(report, checked, follow_up_id, count=count + offset))


def attachment_files_delete(attachments: Iterable[Attachment]) -> None:
    """Remove the files of attachments whose transaction rolled back."""
    for attachment in attachments:
        attachment.file.delete(save=False)
        if attachment.thumbnail:
            attachment.thumbnail.delete(save=False)


@contextmanager
def attachment_files_guard() -> Iterator[list[Attachment]]:
    """The list to append stored attachments to; on any exception their files are removed and it goes on.

    Storage is not transactional: open the caller's transaction *inside* the guard, so that the
    files go once the rows they belonged to have rolled back."""
    stored: list[Attachment] = []
    try:
        yield stored
    except Exception:
        attachment_files_delete(stored)
        raise
