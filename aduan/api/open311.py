"""Open311 GeoReport v2 (open311.org) under /api/open311/v2/, in XML and JSON, by file suffix.

Mapping (shared/domain/open311.md): a service is a category; `agency_responsible` is the lead OPD;
`GET requests` lists only public reports (verified, not confidential) and never personal data;
every POST becomes a normal report on the token's channel (`api` by default), made by the user the
`api_key` (an Aduan API token) belongs to.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from aduan.api import ratelimit
from aduan.api.clients import Client
from aduan.api.problems import INVALID_MULTIPART, ApiProblem
from aduan.api.services import token_authenticate
from aduan.core import clock
from aduan.core.clients import client_ip
from aduan.core.dbrouter import primary_reads, replica_reads
from aduan.core.errors import DomainError, PermissionDenied
from aduan.core.http import attachment_response
from aduan.core.text import normalize_text
from aduan.directory.models import Category, Region
from aduan.directory.selectors import category_subtree_q, citizen_topics
from aduan.intake.models import OPEN_STATUSES, Attachment, Kind, Report, Status
from aduan.intake.services import report_submit_with_files
from aduan.intake.uploads import attachment_files_guard, uploads_check
from aduan.notifications.services import notify_submitted
from aduan.workflow.selectors import location_for, photo_public_get, photos_public_prefetch, reports_public

# Open311's "open": not yet resolved for the citizen. A report forwarded to a peer installation is
# still being handled (there), so it is open here too.
OPEN311_OPEN = OPEN_STATUSES | {Status.DITERUSKAN}
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-29T00:00:00+07:00"
MAX_REQUESTS = 1000
MAX_PAGE = 100_000
DESCRIPTION_MAX = 4000


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


# --- rendering -----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return str(value)


def _xml_fill(parent: ET.Element, value: Any, item_tag: str = "item") -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            element = ET.SubElement(parent, key)
            _xml_fill(element, child, _ITEM_TAGS.get(key, "item"))
    elif isinstance(value, list):
        for child in value:
            _xml_fill(ET.SubElement(parent, item_tag), child)
    else:
        parent.text = _text(value)


# Element names of list items in the spec's XML (plural container → singular item).
_ITEM_TAGS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "services": "service",
    "service_requests": "request",
    "keywords": "keyword",
}


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, dt.datetime):
        return _text(value)
    return value


def render(fmt: str, root: str, value: Any, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return HttpResponse(
            json.dumps(_json_ready(value), ensure_ascii=False),
            status=status,
            content_type="application/json; charset=utf-8",
        )
    element = ET.Element(root)
    _xml_fill(element, value, _ITEM_TAGS.get(root, "item"))
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def render_error(fmt: str, status: int, description: str) -> HttpResponse:
    errors = [{"code": status, "description": description}]
    if fmt == "json":
        return render("json", "errors", errors, status)
    element = ET.Element("errors")
    for error in errors:
        item = ET.SubElement(element, "error")
        ET.SubElement(item, "code").text = str(error["code"])
        ET.SubElement(item, "description").text = str(error["description"])
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def endpoint(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """An Open311 view answering only `methods`; every refusal in the spec's error list, in the
    format asked for: 405 wrong method, 404 not found, 403 bad key, 400 anything else. Exempt from
    CSRF (machine clients; a POST is authorised by its api_key), so no HTML page answers."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = render_error(
                    fmt,
                    405,
                    _("Metode %(method)s tidak didukung di alamat ini.") % {"method": request.method},
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return render_error(fmt, exc.status, exc.description)
            except ApiProblem as exc:
                response = render_error(fmt, exc.status, exc.detail)
                for name, value in (exc.headers or {}).items():
                    response[name] = value
                return response
            except DomainError as exc:
                status = 403 if isinstance(exc, PermissionDenied) else 404 if exc.http_status == 404 else 400
                return render_error(fmt, status, exc.message)
            except MultiPartParserError:
                return render_error(fmt, 400, str(INVALID_MULTIPART))

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return csrf_exempt(wrapped)

    return decorate


def _param(request: HttpRequest, name: str, *, multiline: bool = False) -> str:
    # An empty parameter counts as absent (GeoReport v2). Through the one normaliser: a NUL or a
    # lone surrogate is refused with a 400.
    source = request.POST if request.method == "POST" else request.GET
    return normalize_text(source.get(name), field=name, label=name, multiline=multiline)


# --- discovery and services ------------------------------------------------------------------------


@endpoint("GET")
@replica_reads
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/api/open311/v2/")
    return render(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": f"{settings.INSTALLATION_NAME} — {settings.DEFAULT_FROM_EMAIL}",
            "key_service": f"{settings.SITE_URL}/api/docs (token dari administrator: aduan token create)",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


def _groups() -> dict[int, str]:
    return dict(Category.objects.filter(parent__isnull=True).values_list("pk", "name"))


@endpoint("GET")
@replica_reads
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    groups = _groups()
    rows = []
    # The citizen topic list of the installation and its sub-topics (staff keep the whole tree).
    offered = citizen_topics(with_subtopics=True)
    for category in offered.order_by("parent_id", "position", "name"):
        rows.append(
            {
                "service_code": category.code,
                "service_name": category.name,
                "description": category.name,
                "metadata": True,
                "type": "realtime",
                "keywords": None,
                "group": groups.get(category.parent_id or category.pk, category.name),
            }
        )
    return render(fmt, "services", rows)


def _attributes() -> list[dict[str, Any]]:
    kecamatan = (
        Region.objects.filter(parent_id=settings.ADUAN_HOME_REGION)
        .order_by("code")
        .values_list("code", "name")
    )
    return [
        {
            "variable": True,
            "code": "region",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "Kode Kemendagri kecamatan (atau desa/kelurahan)",
            "order": 1,
            "description": "Kecamatan tempat kejadian",
            "values": [{"key": code, "name": name} for code, name in kecamatan],
        },
        {
            "variable": True,
            "code": "kind",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "Bawaan: pengaduan",
            "order": 2,
            "description": "Jenis laporan",
            "values": [{"key": value, "name": str(label)} for value, label in Kind.choices],
        },
        {
            "variable": True,
            "code": "title",
            "datatype": "string",
            "required": False,
            "datatype_description": "Maksimal 200 karakter; bawaan: awal deskripsi",
            "order": 3,
            "description": "Judul laporan",
            "values": [],
        },
    ]


@endpoint("GET")
@replica_reads
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    if not Category.objects.filter(code=service_code, is_active=True).exists():
        raise Open311Error(404, f"Layanan {service_code!r} tidak dikenal.")
    return render(fmt, "service_definition", {"service_code": service_code, "attributes": _attributes()})


# --- requests ----------------------------------------------------------------------------------


def _as_request(report: Report, *, extensions: bool, base: str) -> dict[str, Any]:
    """One public report as a GeoReport request: never name, phone, email or NIK; the text masked
    (a PublicReport from reports_public) and an anonymous report's place coarsened. What is unknown
    is null (an empty element in XML), as in the specification's examples."""
    place = location_for(None, report)
    region = place.region
    # Prefetched: only the photos the coordinator marked public (a KTP sent as evidence never is).
    photos: list[Attachment] = getattr(report, "public_photos", [])
    item: dict[str, Any] = {
        "service_request_id": report.tracking_number,
        "status": "open" if report.status in OPEN311_OPEN else "closed",
        "status_notes": str(Status(report.status).label),
        "service_name": report.category.name if report.category else None,
        "service_code": report.category.code if report.category else None,
        "description": report.display_text,
        "agency_responsible": report.lead_agency.name if report.lead_agency else None,
        "service_notice": None,
        "requested_datetime": report.submitted_at,
        "updated_datetime": report.updated_at,
        "expected_datetime": report.due_at if report.is_open else None,
        "address": ", ".join(p for p in [place.address, region.name if region else ""] if p) or None,
        "address_id": None,
        "zipcode": (region.postal_code or None) if region else None,
        "lat": place.latitude,
        "long": place.longitude,
        "media_url": f"{base}media/{report.tracking_number}/{photos[0].pk}" if photos else None,
    }
    if extensions:
        item["extended_attributes"] = {
            "channel": report.channel,
            "kind": report.kind,
            "status": report.status,
            "kecamatan": report.kecamatan_id,
            "support_count": report.support_count,
        }
    return item


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/api/open311/v2/")


def _public_requests() -> Any:
    return (
        reports_public()
        .select_related("category", "lead_agency", "kecamatan", "desa")
        .prefetch_related(photos_public_prefetch())
    )


def _date(value: str, name: str) -> dt.datetime | None:
    if not value:
        return None
    parsed = clock.parse_instant(value, naive_is_local=True)
    if parsed is None:
        raise Open311Error(
            400,
            _("%(name)s harus tanggal-waktu ISO 8601 yang ada (mis. 2026-11-01T00:00:00+07:00).")
            % {"name": name},
        )
    return parsed


@replica_reads
def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    reports = _public_requests()
    extensions = _param(request, "extensions").lower() == "true"
    ids = [i.strip() for i in _param(request, "service_request_id").split(",") if i.strip()]
    if ids:
        reports = reports.filter(tracking_number__in=ids[:MAX_REQUESTS])
    else:
        if code := _param(request, "service_code"):
            codes = [c.strip() for c in code.split(",") if c.strip()]
            # A service of the top level (or the middle) stands for its sub-categories too.
            reports = reports.filter(category_subtree_q(codes))
        statuses = {s.strip() for s in _param(request, "status").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status harus open, closed, atau keduanya dipisah koma.")
        if statuses == {"open"}:
            reports = reports.filter(status__in=OPEN311_OPEN)
        elif statuses == {"closed"}:
            reports = reports.exclude(status__in=OPEN311_OPEN)
        end = _date(_param(request, "end_date"), "end_date")
        start = _date(_param(request, "start_date"), "start_date")
        if start and end and end - start > dt.timedelta(days=90):
            raise Open311Error(400, "Rentang start_date–end_date paling lama 90 hari.")
        if start is None and end is None:
            start = clock.now() - dt.timedelta(days=90)
        if start is not None:
            reports = reports.filter(submitted_at__gte=start)
        if end is not None:
            reports = reports.filter(submitted_at__lte=end)
    try:
        page = max(1, int(_param(request, "page") or 1))
        page_size = max(1, min(int(_param(request, "page_size") or MAX_REQUESTS), MAX_REQUESTS))
    except ValueError:
        raise Open311Error(400, "page dan page_size harus bilangan bulat.") from None
    if page > MAX_PAGE:
        # A larger offset overflows the database's integers.
        raise Open311Error(400, _("page paling besar %(max)s.") % {"max": MAX_PAGE})
    rows = reports.order_by("-submitted_at", "-pk")[(page - 1) * page_size : page * page_size]
    base = _base(request)
    return render(fmt, "service_requests", [_as_request(r, extensions=extensions, base=base) for r in rows])


def _location(request: HttpRequest) -> tuple[str, str]:
    lat, long, address = _param(request, "lat"), _param(request, "long"), _param(request, "address_string")
    if not ((lat and long) or address or _param(request, "address_id")):
        raise Open311Error(400, "Lokasi wajib: lat dan long, atau address_string.")
    return lat, long


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    token = token_authenticate(_param(request, "api_key"))
    if token is None:
        raise Open311Error(403, "api_key tidak valid.")
    client = Client(token=token, device_id=_param(request, "device_id")[:128], ip=client_ip(request))
    ratelimit.check_create(client)
    code = _param(request, "service_code")
    category = Category.objects.filter(code=code, is_active=True).first() if code else None
    if category is None:
        raise Open311Error(400, "service_code wajib dan harus salah satu kode dari services.")
    lat, long = _location(request)
    description = _param(request, "description", multiline=True)
    if not description:
        raise Open311Error(400, "description wajib diisi.")
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(400, f"description paling panjang {DESCRIPTION_MAX} karakter.")
    title = _param(request, "attribute[title]") or description.split("\n")[0][:80]
    name = " ".join(p for p in [_param(request, "first_name"), _param(request, "last_name")] if p)
    # `media` (multipart) is stored as the report's attachment, checked like every other upload
    # (before the transaction: no image work while holding locks).
    files = uploads_check(request.FILES.getlist("media"))
    with attachment_files_guard() as stored, transaction.atomic():
        submitted = report_submit_with_files(
            actor=client.submitting_actor(),
            channel=client.channel,
            files=files,
            stored=stored,
            channel_detail="open311",
            kind=_param(request, "attribute[kind]") or Kind.PENGADUAN,
            title=title,
            description=description,
            region=_param(request, "attribute[region]") or None,
            category=category.code,
            address=_param(request, "address_string")[:300],
            latitude=lat or None,
            longitude=long or None,
            name=name,
            phone=_param(request, "phone"),
            email=_param(request, "email"),
        )
        notify_submitted(submitted.report, submitted.access_code)
    notice = (
        f"Laporan {submitted.report.tracking_number} diterima. Kode akses pelapor (rahasia, hanya ditampilkan sekali): "
        f"{submitted.access_code}"
    )
    return render(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": submitted.report.tracking_number,
                "service_notice": notice,
                "account_id": None,
            }
        ],
        201,
    )


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    return _list_requests(request, fmt)


@endpoint("GET")
@replica_reads
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    report = _public_requests().filter(tracking_number=service_request_id).first()
    if report is None:
        # A client asks for the request it has just created: the replica may not have it yet.
        with primary_reads():
            report = _public_requests().filter(tracking_number=service_request_id).first()
    if report is None:
        raise Open311Error(404, f"Permintaan {service_request_id!r} tidak ditemukan.")
    extensions = _param(request, "extensions").lower() == "true"
    return render(fmt, "service_requests", [_as_request(report, extensions=extensions, base=_base(request))])


@endpoint("GET")
def token_lookup(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """Every POST answers with its service_request_id at once, which is also its token: a client
    that asks for a token's request gets the request id back (404 for a number never issued)."""
    if not Report.objects.filter(tracking_number=token).exists():
        raise Open311Error(404, f"Token {token!r} tidak dikenal.")
    return render(fmt, "service_requests", [{"service_request_id": token, "token": token}])


@require_GET
def media(request: HttpRequest, tracking_number: str, pk: int) -> HttpResponseBase:
    """A photo marked public of a public report, the target of media_url (workflow.selectors.photos_public)."""
    photo = photo_public_get(tracking_number, pk)
    if photo is None:
        return render_error("json", 404, _("Foto tidak ditemukan."))
    return attachment_response(photo, shown_name=photo.name, public=True)


@csrf_exempt
def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other address under /api/open311/v2/: the spec's 404 error list, XML for a .xml path."""
    fmt = "xml" if rest.endswith(".xml") else "json"
    return render_error(fmt, 404, _("Alamat Open311 tidak ditemukan."))
