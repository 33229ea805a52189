"""Hostile and ordinary image files for the upload tests and bench/image_memory.py."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def blank_png(width: int, height: int, *, rows: int | None = None) -> bytes:
    """A valid RGB PNG of black pixels, compressed row by row without ever holding the image
    (12000×12000 is ~420 KB: the decompression "bomb" under Pillow's own limit). With `rows`,
    only that many rows of data follow the header (enough for anything that reads the header)."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + width * 3)
    idat = b"".join(compressor.compress(row) for _ in range(height if rows is None else rows))
    idat += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def photo_jpeg(width: int, height: int, **save: object) -> bytes:
    """A JPEG with some structure (a gradient), like a camera's but small to send."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", **{"quality": 80, **save})
    return out.getvalue()


def jpeg_html_polyglot() -> bytes:
    """A JPEG whose comment segment is an HTML page: a browser sniffing it would run the script."""
    return photo_jpeg(64, 48, comment=b"<html><script>alert(document.cookie)</script></html>")
