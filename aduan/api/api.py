"""The NinjaAPI instance: routers, and every error answered as RFC 9457 problem details."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, HttpError, ValidationError

from aduan.api import accounts, directory, nearby, reports, webhooks
from aduan.api.openapi import AduanApi
from aduan.api.problems import INVALID_MULTIPART, ApiProblem, from_domain_error, problem
from aduan.core.errors import DomainError

logger = logging.getLogger("aduan.api")

DESCRIPTION = """
REST API Aduan untuk aplikasi mobile warga dan sistem instansi (integrasi).

**Autentikasi.** Warga tanpa akun mengirim laporan dengan header `X-Device-Id` (pengenal instalasi
aplikasi) dan membaca laporannya dengan kode akses di header `X-Access-Code` (tidak pernah di alamat:
`?access_code=` ditolak 400 `access_code_in_url`, karena alamat tercatat di log). Warga dengan akun dan petugas
memakai `Authorization: Bearer <token>`; token petugas dibuat administrator (`aduan token create
--user <username>`) dan bertindak persis seperti penggunanya (peran dan instansinya).

**Idempotensi.** `POST /api/v1/reports` dengan header `Idempotency-Key` yang sama menjawab hasil
pertama (nomor laporan yang sama) dan tidak membuat laporan kedua; kunci sama dengan isi berbeda
dijawab 422 `idempotency_key_reused`.

**Kesalahan** selalu `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`,
`code` (kode tetap, mis. `unknown_region`, `invalid_kind`, `invalid_phone`, `description_too_long`,
`attachment_type_not_allowed`, `transition_not_allowed`, `not_your_report`, `role_not_allowed`,
`rate_limited`) dan `field` bila diketahui. 400/422 masukan salah, 401 perlu token/kode akses,
403 bukan laporan Anda atau peran tidak boleh (petugas), 404 tidak ada (bagi warga juga laporan orang
lain dan kode akses yang salah: jawabannya sama, agar nomor laporan tidak bisa ditebak), 409 tindakan
tidak berlaku pada status laporan, 413 terlalu besar, 415 jenis isi tidak didukung, 429 terlalu banyak
permintaan (lihat `Retry-After`). Arti tiap `type`: [/api/problems](/api/problems).

**Tindakan** siklus laporan: satu operasi per tindakan (`POST /api/v1/reports/{nomor}/actions/verify`,
`…/dispose`, …), masing-masing dengan isi bertipe dan contoh. `allowed_actions` pada laporan berisi
tepat tindakan yang akan diterima dari pemanggil ini sekarang. `POST /api/v1/reports/actions/{tindakan}`
menjalankan satu tindakan pada banyak laporan, masing-masing dijawab sendiri.

**Webhook.** Sistem instansi berlangganan peristiwa laporannya (`GET/POST /api/v1/webhooks`, token admin
OPD atau koordinator); setiap kiriman ditandatangani Ed25519 (header `Aduan-Signature`, kunci publik di
`GET /api/v1/webhooks`), lihat docs/webhooks.md.
"""

api = AduanApi(
    title="Aduan API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs_url=None,  # the docs page is /api/docs (see urls.py)
)
api.add_router("", reports.router)
api.add_router("", directory.router)
api.add_router("", accounts.router)
api.add_router("", nearby.router)
api.add_router("", webhooks.router)


@api.exception_handler(ApiProblem)
def _api_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return exc.response()


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return from_domain_error(exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    error = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in error.get("loc", []) if p not in ("body", "query", "path", "header")]
    field = loc[-1] if loc and loc[-1] != "payload" else (loc[0] if loc else "")
    code = (
        f"{field}_required"
        if error.get("type") == "missing" and field
        else f"invalid_{field}"
        if field
        else "invalid_body"
    )
    return problem(422, code, f"{field or 'body'}: {error.get('msg', 'tidak valid')}", field=field or None)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        401, "authentication_required", "Diperlukan autentikasi.", headers={"WWW-Authenticate": "Bearer"}
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(exc.status_code, f"http_{exc.status_code}", str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(404, "not_found", "Alamat API tidak ditemukan.")


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return problem(413, "request_too_large", "Permintaan terlalu besar.")


@api.exception_handler(MultiPartParserError)
def _invalid_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # Raised by the first read of request.POST or request.FILES in a view.
    return problem(400, "invalid_multipart", str(INVALID_MULTIPART))


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return problem(400, "bad_request", "Permintaan tidak dapat diproses.")


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return problem(500, "internal_error", "Terjadi kesalahan pada server; silakan coba lagi.")
