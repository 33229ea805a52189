"""RFC 9457 problem details: every error the API answers has this shape.

`type` is a stable URI per kind of problem (one per HTTP status, an anchor of the page /api/problems),
`code` the DomainError code clients switch on, `detail` a message for people (Bahasa Indonesia),
`field` the input at fault, if any.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy

from aduan.core.errors import DomainError

CONTENT_TYPE = "application/problem+json"
TYPE_PAGE = "/api/problems"
# A multipart body Django cannot parse (no boundary, a broken part): the REST API's and Open311's answer.
INVALID_MULTIPART = gettext_lazy(
    "Badan multipart/form-data tidak dapat dibaca (boundary tidak ada atau rusak)."
)

# Every status the API answers with a problem, and what it means: the anchors of /api/problems.
PROBLEM_TYPES: dict[int, str] = {
    400: "Permintaan tidak dapat diproses: isi atau parameter salah (lihat `code` dan `field`).",
    401: "Perlu autentikasi: token (`Authorization: Bearer …`) atau kode akses (`X-Access-Code`).",
    403: "Ditolak: bukan laporan Anda, peran tidak boleh, kode akses salah, atau api_key salah.",
    404: "Tidak ditemukan: laporan, wilayah, tindakan atau alamat API tidak ada.",
    405: "Metode HTTP tidak didukung di alamat ini (lihat header `Allow`).",
    409: "Tindakan tidak berlaku pada status laporan sekarang (`transition_not_allowed`, "
    "`approval_required`, …).",
    413: "Permintaan atau lampiran terlalu besar.",
    415: "Jenis isi (Content-Type) tidak didukung: kirim application/json atau multipart/form-data.",
    422: "Isi permintaan tidak sesuai skema (nilai wajib hilang, tipe salah, kunci Idempotency-Key "
    "dipakai ulang dengan isi lain).",
    429: "Terlalu banyak permintaan; ulangi sesudah `Retry-After` detik.",
    500: "Kesalahan pada server; silakan coba lagi.",
}


def type_uri(status: int) -> str:
    """The `type` of a problem: the anchor of its status on the problem-types page (RFC 9457's
    `about:blank` for a status the page does not describe)."""
    return f"{TYPE_PAGE}#{type_anchor(status)}" if status in PROBLEM_TYPES else "about:blank"


def type_anchor(status: int) -> str:
    return HTTPStatus(status).phrase.lower().replace(" ", "-").replace("'", "")


def problem_body(
    status: int, code: str, detail: str, *, field: str | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": type_uri(status),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if field:
        body["field"] = field
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    body = problem_body(status, code, detail, field=field, **extra)
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def domain_problem_body(exc: DomainError) -> dict[str, Any]:
    """A domain error as problem details, with its scalar extras (e.g. the report's status)."""
    extra = {
        k: v for k, v in exc.extra.items() if isinstance(v, str | int | float | bool) and k not in _RESERVED
    }
    return {**problem_body(exc.http_status, exc.code, exc.message, field=exc.field), **extra}


def from_domain_error(exc: DomainError) -> HttpResponse:
    return HttpResponse(
        json.dumps(domain_problem_body(exc), ensure_ascii=False),
        status=exc.http_status,
        content_type=CONTENT_TYPE,
    )


_RESERVED = {"type", "title", "status", "detail", "code", "field", "headers"}


class ApiProblem(Exception):
    """Raised inside the API for refusals that are not domain errors (auth, rate limit, input shape)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.field, self.headers = status, code, detail, field, headers

    def response(self) -> HttpResponse:
        return problem(self.status, self.code, self.detail, field=self.field, headers=self.headers)
