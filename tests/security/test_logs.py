"""Access codes never reach a log line (issue 13): the filter on the configured handlers."""

from __future__ import annotations

import io
import logging

import pytest

from aduan.core.logscrub import REDACTED, ScrubAccessCodes, scrub

CODE = "K7QM-3XPA"
# Lines that carry an access code (also written through the JSON formatter in
# tests/ops/test_requestlog.py).
LINES = [
    f'"GET /api/v1/reports/2611-0482913?access_code={CODE} HTTP/1.1" 400 120',
    f'"GET /api/v1/reports/2611-0482913?page=2&access_code={CODE.lower().replace("-", "")}&x=1 HTTP/1.1"',
    f'body {{"text": "x", "access_code": "{CODE}"}}',
    f"headers X-Access-Code: {CODE}",
    f"Laporan diterima. Nomor: 2611-0209908, kode akses: {CODE} (rahasiakan).",
    f"[SMS 12] from +6281234567890: CEK 2611-0209908 {CODE}",
    f"Kode akses Anda {CODE}",
]
# Personal data a log line may quote (issue 18), each as it may be written.
PERSONAL = {
    "+6281234567890": "[SMS 12] from +6281234567890: LAPOR jalan rusak",
    "0812-3456-7890": "reporter phone 0812-3456-7890 refused",
    "+62 812 3456 7890": "gateway refused +62 812 3456 7890 (invalid)",
    "budi.santoso@example.org": "could not send the email confirmation to budi.santoso@example.org",
    "3502170101900001": "NIK 3502170101900001 does not match",
}


@pytest.mark.parametrize("line", LINES)
def test_scrub_removes_the_code(line: str) -> None:
    cleaned = scrub(line)
    assert CODE not in cleaned and CODE.lower().replace("-", "") not in cleaned and REDACTED in cleaned
    assert scrub(cleaned) == cleaned and "[" + REDACTED not in cleaned  # scrubbing twice changes nothing


@pytest.mark.parametrize(("value", "line"), PERSONAL.items())
def test_scrub_removes_personal_data(value: str, line: str) -> None:
    cleaned = scrub(line)
    assert value not in cleaned and REDACTED in cleaned, cleaned


def test_scrub_leaves_other_lines_alone() -> None:
    line = "tracking code refused for 2611-0482913 from 10.0.0.1; GET /laporan/?halaman=2"
    assert scrub(line) == line


def test_every_configured_handler_scrubs_every_logger() -> None:
    from django.conf import settings

    assert settings.LOGGING["handlers"]["console"]["filters"] == ["scrub_access_codes", "request_context"]
    root_handlers = [
        h for h in logging.getLogger().handlers if any(isinstance(f, ScrubAccessCodes) for f in h.filters)
    ]
    # (pytest adds its own capturing handlers beside the configured ones)
    server_handlers = [
        h for h in logging.getLogger("django.server").handlers if not type(h).__module__.startswith("_pytest")
    ]
    assert root_handlers and server_handlers, (logging.getLogger("django.server").handlers, root_handlers)
    assert logging.getLogger("django").handlers == []
    assert all(any(isinstance(f, ScrubAccessCodes) for f in h.filters) for h in server_handlers), [
        (h, h.filters) for h in server_handlers
    ]
    out = io.StringIO()
    handlers = [*root_handlers, *server_handlers]
    streams = [h.stream for h in handlers]  # type: ignore[attr-defined]
    try:
        for handler in handlers:
            handler.stream = out  # type: ignore[attr-defined]
        logging.getLogger("django.server").info(
            '"%s" %s %s', f"GET /api/v1/reports/2611-0482913?access_code={CODE} HTTP/1.1", 400, 120
        )
        logging.getLogger("django.request").warning("Bad Request: %s", f"/x?access_code={CODE}")
        logging.getLogger("aduan.channels").warning("reply %s", f"kode akses: {CODE}")
    finally:
        for handler, stream in zip(handlers, streams, strict=True):
            handler.stream = stream  # type: ignore[attr-defined]
    written = out.getvalue()
    assert written.count(REDACTED) >= 3 and CODE not in written, written
