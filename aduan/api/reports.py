"""/api/v1/reports: create (JSON or multipart, exactly once per Idempotency-Key), read, list, act."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import ValidationError as PydanticValidationError

from aduan.api import ratelimit
from aduan.api.clients import (
    DEVICE_ID,
    Client,
    actor_for_report,
    client_of,
    reports_to_act_on,
    require_token,
)
from aduan.api.output import API_ACTIONS, report_detail, report_summary
from aduan.api.problems import ApiProblem, domain_problem_body
from aduan.api.schemas import (
    ACTION_BODIES,
    ActionResult,
    BulkIn,
    BulkOut,
    Problem,
    ReportCreated,
    ReportIn,
    ReportOut,
    ReportPage,
    SupportOut,
)
from aduan.core import clock
from aduan.core.actors import Actor
from aduan.core.errors import DomainError, NotFound
from aduan.core.http import parse_json
from aduan.core.paging import capped_count, is_capped
from aduan.core.roles import STAFF_ROLES
from aduan.intake import groupcommit
from aduan.intake.idempotency import KEY_MAX, fingerprint, run_once
from aduan.intake.models import Status
from aduan.intake.services import (
    Prepared,
    Submitted,
    report_submit_with_files,
    report_support_add,
    submission_prepare,
)
from aduan.intake.uploads import CheckedFile, attachment_files_guard, attachments_store, uploads_check
from aduan.notifications.services import notify_submitted
from aduan.workflow.models import ReportEvent
from aduan.workflow.selectors import report_get_for, reports_public, reports_visible_to
from aduan.workflow.services import report_act
from aduan.workflow.transitions import TRANSITIONS, Action

router = Router(tags=["laporan"])
ERRORS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: Problem,
    429: Problem,
}
FILE_FIELDS = ("attachments", "attachment", "files")
MAX_PAGE = 1_000_000
BODY_TYPES = ("application/json", "multipart/form-data")
FOLLOW_UP_ACTIONS = {"draft_follow_up", "follow_up"}
_encoder = DjangoJSONEncoder()
# Inlined: the create view parses its body itself (JSON or multipart), so Ninja does not register it.
REPORT_IN_SCHEMA = ReportIn.model_json_schema()


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False), status=status)
    response["Content-Type"] = "application/json"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def validation_problem(exc: PydanticValidationError) -> ApiProblem:
    """The first Pydantic error as a problem with a stable code (`<field>_required`, `invalid_<field>`)."""
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error.get("loc") else ""
    code = (
        f"{field}_required" if error["type"] == "missing" else f"invalid_{field}" if field else "invalid_body"
    )
    return ApiProblem(422, code, f"{field or 'body'}: {error['msg']}", field=field or None)


def _json_body(request: HttpRequest) -> Any:
    try:
        return parse_json(request.body or b"{}")
    except ValueError:
        raise ApiProblem(400, "invalid_json", "Badan permintaan bukan JSON yang valid.") from None


def check_content_type(request: HttpRequest) -> None:
    """JSON or multipart only (415 otherwise); a missing Content-Type is read as JSON."""
    content_type = (request.content_type or "").lower()
    if content_type and content_type not in BODY_TYPES and not content_type.endswith("+json"):
        raise ApiProblem(
            415,
            "unsupported_media_type",
            f"Content-Type {content_type!r} tidak didukung: kirim application/json atau multipart/form-data.",
        )


def parse_create(request: HttpRequest) -> tuple[ReportIn, list[UploadedFile], str]:
    """The validated body, the uploaded files, and a fingerprint of both for Idempotency-Key."""
    check_content_type(request)
    content_type = request.content_type or ""
    files: list[UploadedFile] = []
    if content_type.startswith("multipart/form-data"):
        post, uploaded = request.POST, request.FILES  # a broken body: api.py answers invalid_multipart
        data: dict[str, Any] = {k: v for k, v in post.items() if v != ""}
        for name in FILE_FIELDS:
            files.extend(uploaded.getlist(name))
        digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode())
        for upload in files:
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
        request_fingerprint = digest.hexdigest()
    else:
        raw = request.body
        data = _json_body(request)
        if not isinstance(data, dict):
            raise ApiProblem(400, "invalid_json", "Badan permintaan harus objek JSON.")
        request_fingerprint = fingerprint(raw)
    try:
        body = ReportIn.model_validate(data)
    except PydanticValidationError as exc:
        raise validation_problem(exc) from None
    return body, files, request_fingerprint


def _created_body(submitted: Submitted, *, attachments: int) -> dict[str, Any]:
    report = submitted.report
    return {
        "tracking_number": report.tracking_number,
        "access_code": submitted.access_code,
        "status": report.status,
        "channel": report.channel,
        "kind": report.kind,
        "submitted_at": _encoder.default(report.submitted_at),
        "attachments": attachments,
        "url": f"/api/v1/reports/{report.tracking_number}",
    }


def _create_with_files(
    client: Client, body: ReportIn, files: list[CheckedFile], key: str, request_fingerprint: str
) -> tuple[int, dict[str, Any], bool]:
    """A submission with attachments: its own transaction (the checked files are written as it goes)."""

    def produce() -> tuple[int, dict[str, Any]]:
        submitted = report_submit_with_files(
            actor=client.submitting_actor(),
            channel=client.channel,
            files=files,
            stored=stored,
            **body.model_dump(exclude={"keep_location"}),
        )
        notify_submitted(submitted.report, submitted.access_code)
        return 201, _created_body(submitted, attachments=len(stored))

    # run_once's transaction rolls back inside the guard; files already written for it go too.
    with attachment_files_guard() as stored:
        outcome = run_once(
            scope=client.scope, key=key, request_fingerprint=request_fingerprint, produce=produce
        )
    return outcome.status_code, outcome.body, outcome.replayed


@router.post(
    "/reports",
    response={201: ReportCreated, **ERRORS, 413: Problem, 415: Problem},
    summary="Kirim laporan baru",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": REPORT_IN_SCHEMA},
                "multipart/form-data": {
                    "schema": {
                        "allOf": [
                            REPORT_IN_SCHEMA,
                            {
                                "type": "object",
                                "properties": {
                                    "attachments": {
                                        "type": "array",
                                        "items": {"type": "string", "format": "binary"},
                                    }
                                },
                            },
                        ]
                    }
                },
            },
        },
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "schema": {
                    "type": "string",
                    "maxLength": KEY_MAX,
                },
                "required": False,
                "description": "Kunci unik per laporan dari klien; kiriman ulang menjawab hasil pertama",
            },
            {
                "in": "header",
                "name": "X-Device-Id",
                "schema": {"type": "string", "pattern": f"^{DEVICE_ID.pattern}$"},
                "required": False,
                "description": "Pengenal instalasi aplikasi (warga tanpa akun)",
            },
        ],
    },
)
def report_create(request: HttpRequest) -> HttpResponse:
    """Create a report. The same Idempotency-Key again answers with the first result (same tracking number)."""
    client = client_of(request)
    ratelimit.check_create(client)
    body, uploads, request_fingerprint = parse_create(request)
    # Every file checked, decoded and re-encoded before any transaction is opened.
    files = uploads_check(uploads, keep_location=body.keep_location)
    key = request.headers.get("Idempotency-Key", "").strip()
    if files:
        status, created, replayed = _create_with_files(client, body, files, key, request_fingerprint)
        return created_response(status, created, replayed)
    return submit_prepared(client, prepare_json(client, body), key, request_fingerprint)


def prepare_json(client: Client, body: ReportIn) -> Prepared:
    """A submission without files, validated and built, not yet written (aduan.api.lane, too)."""
    return submission_prepare(
        actor=client.submitting_actor(),
        channel=client.channel,
        **body.model_dump(exclude={"keep_location"}),
    )


def submit_prepared(client: Client, prepared: Prepared, key: str, request_fingerprint: str) -> HttpResponse:
    """Write a prepared submission without files and answer it (aduan.api.lane, too).

    Nothing is written outside the database, so the submission joins the group commit of
    concurrent submissions (aduan.intake.groupcommit)."""
    outcome = groupcommit.submit(
        groupcommit.Submission(
            prepared=prepared,
            respond=lambda submitted: (201, _created_body(submitted, attachments=0)),
            scope=client.scope,
            key=key,
            fingerprint=request_fingerprint,
        )
    )
    return created_response(outcome.status_code, outcome.body, outcome.replayed)


def created_response(status: int, created: dict[str, Any], replayed: bool) -> HttpResponse:
    headers = {"Location": created["url"]}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(created, status, headers)


@router.get("/reports/{tracking_number}", response={200: ReportOut, **ERRORS}, summary="Lihat satu laporan")
def report_read(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """With the access code (header X-Access-Code; never in the address) or a token."""
    client = client_of(request)
    ratelimit.check_read(client)
    actor, _ = actor_for_report(request, client, tracking_number)
    report = report_get_for(actor, tracking_number=tracking_number)
    return json_response(report_detail(actor, report))


@router.get(
    "/reports", response={200: ReportPage, **ERRORS}, summary="Daftar laporan yang boleh dilihat token ini"
)
def report_list(
    request: HttpRequest, page: int = 1, page_size: int = 25, status: str = "", updated_since: str = ""
) -> HttpResponse:
    client = client_of(request)
    actor = require_token(client)
    reports = reports_visible_to(actor).select_related("category", "lead_agency")
    if status:
        if status not in Status.values:
            raise ApiProblem(400, "invalid_status", f"Status {status!r} tidak dikenal.", field="status")
        reports = reports.filter(status=status)
    if updated_since:
        since = clock.parse_instant(updated_since)
        if since is None:
            raise ApiProblem(
                400,
                "invalid_updated_since",
                "updated_since harus ISO 8601 dengan zona waktu.",
                field="updated_since",
            )
        reports = reports.filter(updated_at__gte=since)
    page_size = max(1, min(page_size, 100))
    page = max(1, page)
    if page > MAX_PAGE:
        # A larger offset overflows the database's integers (SQLite, PostgreSQL bigint).
        raise ApiProblem(
            400, "invalid_page", _("page paling besar %(max)s.") % {"max": MAX_PAGE}, field="page"
        )
    # Counting every visible report read the whole table (issue 16): the count stops at the cap,
    # and `next` comes from one row past the page, so a client can still page beyond it.
    count = capped_count(reports)
    rows = list(reports.order_by("-submitted_at", "-pk")[(page - 1) * page_size : page * page_size + 1])
    has_next, rows = len(rows) > page_size, rows[:page_size]
    staff = actor.role in STAFF_ROLES

    def link(n: int) -> str:
        query = request.GET.copy()
        query["page"] = str(n)
        return f"{request.path}?{query.urlencode()}"

    return json_response(
        {
            "count": count,
            "count_capped": is_capped(count),
            "page": page,
            "page_size": page_size,
            "next": link(page + 1) if has_next else None,
            "previous": link(page - 1) if page > 1 else None,
            "results": [report_summary(r, staff=staff) for r in rows],
        }
    )


ACTION_ERRORS: dict[int, Any] = {**ERRORS, 413: Problem, 415: Problem}


def _action_openapi(action: str) -> dict[str, Any]:
    """The typed body of one action, with its worked example (and files for follow-ups)."""
    body = ACTION_BODIES[action]
    schema = body.model_json_schema()
    examples = {f"contoh{i + 1}": {"value": value} for i, value in enumerate(schema.get("examples", []))}
    content: dict[str, Any] = {"application/json": {"schema": schema, "examples": examples}}
    if action in FOLLOW_UP_ACTIONS:
        content["multipart/form-data"] = {
            "schema": {
                "allOf": [
                    schema,
                    {
                        "type": "object",
                        "properties": {
                            "attachments": {"type": "array", "items": {"type": "string", "format": "binary"}}
                        },
                    },
                ]
            }
        }
    roles = ", ".join(sorted(r.value for r in TRANSITIONS[Action(action)].roles))
    return {
        "requestBody": {"required": False, "content": content},
        "parameters": [
            {
                "in": "header",
                "name": "X-Access-Code",
                "schema": {"type": "string", "maxLength": 64},
                "required": False,
                "description": "Kode akses laporan (pelapor tanpa token)",
            }
        ],
        "description": f"{body.__doc__ or ''}\n\nPeran: {roles}.",
    }


def _action_view(action: str) -> Any:
    def view(request: HttpRequest, tracking_number: str) -> HttpResponse:
        return _act(request, tracking_number, action)

    view.__name__ = f"report_action_{action}"
    return view


def _act(request: HttpRequest, tracking_number: str, action: str) -> HttpResponse:
    """Every action of the transition table (`verify`, `dispose`, `return`, `follow_up`, `reply`, …) via report_act.

    Payloads name things by code: agencies (`lead`, `supporting`, `proposed_agency`), categories,
    Kemendagri regions, tracking numbers (`of`). A citizen acts with the access code.
    """
    if action not in API_ACTIONS:
        raise ApiProblem(
            404, "unknown_action", f"Tindakan {action!r} tidak dikenal. Pilihan: {', '.join(API_ACTIONS)}."
        )
    client: Client = client_of(request)
    ratelimit.check_read(client)
    check_content_type(request)
    files: list[UploadedFile] = []
    if (request.content_type or "").startswith("multipart/form-data"):
        post, uploaded = request.POST, request.FILES  # a broken body: api.py answers invalid_multipart
        params: Any = {k: v for k, v in post.items() if k != "supporting"}
        if "supporting" in post:
            params["supporting"] = [code for code in post.getlist("supporting") if code]
        for name in FILE_FIELDS:
            files.extend(uploaded.getlist(name))
    else:
        params = _json_body(request) if request.body else {}
    if not isinstance(params, dict):
        raise ApiProblem(400, "invalid_json", "Badan permintaan harus objek JSON.")
    if files and action not in FOLLOW_UP_ACTIONS:
        raise ApiProblem(
            400,
            "attachments_not_allowed",
            "Lampiran hanya untuk draft_follow_up dan follow_up.",
            field="attachments",
        )
    params.pop("access_code", None)
    actor, report_id = actor_for_report(request, client, tracking_number)
    checked = uploads_check(files)  # before the transaction: no image work while holding locks
    # One transaction: a refused file also undoes the follow-up it belongs to.
    with attachment_files_guard() as stored, transaction.atomic():
        event = report_act(actor=actor, report_id=report_id, action=action, params=params)
        attachments_store(
            report=event.report, files=checked, stored=stored, follow_up_id=event.data.get("follow_up_id")
        )
    return json_response(_action_result(actor, report_id, event))


def _action_result(actor: Actor, report_id: int, event: ReportEvent) -> dict[str, Any]:
    try:
        detail = report_detail(actor, report_get_for(actor, pk=report_id))
    except DomainError:
        detail = None  # e.g. an OPD that returned the report no longer sees it
    return {
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "at": event.created_at,
        "data": event.data,
        "report": detail,
    }


def _bulk_openapi(action: str) -> dict[str, Any]:
    schema = BulkIn.model_json_schema()
    schema["properties"]["params"] = ACTION_BODIES[action].model_json_schema()
    examples = schema["properties"]["params"].get("examples", [{}])
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": schema,
                    "example": {"reports": ["2611-0482913", "2611-0482914"], "params": examples[0]},
                }
            },
        }
    }


def _bulk_view(action: str) -> Any:
    def view(request: HttpRequest) -> HttpResponse:
        return _bulk(request, action)

    view.__name__ = f"report_bulk_{action}"
    return view


def _bulk(request: HttpRequest, action: str) -> HttpResponse:
    """The same action on many reports: each goes through report_act on its own and gets its own answer."""
    client = client_of(request)
    actor = require_token(client)
    ratelimit.check_read(client)
    check_content_type(request)
    if (request.content_type or "").startswith("multipart/"):
        raise ApiProblem(415, "unsupported_media_type", "Tindakan massal hanya menerima application/json.")
    try:
        body = BulkIn.model_validate(_json_body(request))
    except PydanticValidationError as exc:
        raise validation_problem(exc) from None
    # A citizen's numbers that are not theirs answer as missing ones, as on the single-report route.
    ids = dict(
        reports_to_act_on(actor).filter(tracking_number__in=body.reports).values_list("tracking_number", "pk")
    )
    results: list[dict[str, Any]] = []
    for number in dict.fromkeys(body.reports):  # once each, in the order given
        item: dict[str, Any] = {"tracking_number": number}
        try:
            if number not in ids:
                raise NotFound("Laporan tidak ditemukan.", code="report_not_found")
            event = report_act(actor=actor, report_id=ids[number], action=action, params=dict(body.params))
            item.update(status=200, result=_action_result(actor, ids[number], event))
        except DomainError as exc:
            item.update(status=exc.http_status, problem=domain_problem_body(exc))
        results.append(item)
    succeeded = sum(1 for item in results if item["status"] == 200)
    return json_response(
        {"action": action, "succeeded": succeeded, "failed": len(results) - succeeded, "results": results}
    )


# One documented operation per action, for one report and for many.
for _action in API_ACTIONS:
    router.post(
        f"/reports/{{tracking_number}}/actions/{_action}",
        response={200: ActionResult, **ACTION_ERRORS},
        summary=f"Tindakan: {TRANSITIONS[Action(_action)].label}",
        operation_id=f"report_action_{_action}",
        url_name=f"report_action_{_action}",
        openapi_extra=_action_openapi(_action),
    )(_action_view(_action))
    router.post(
        f"/reports/actions/{_action}",
        response={
            200: BulkOut,
            400: Problem,
            401: Problem,
            403: Problem,
            415: Problem,
            422: Problem,
            429: Problem,
        },
        summary=f"Tindakan massal: {TRANSITIONS[Action(_action)].label}",
        description="Tindakan yang sama pada banyak laporan (maks. 100); tiap laporan dijawab sendiri "
        "(`status`, `result` atau `problem`), yang gagal tidak menggagalkan yang lain.",
        operation_id=f"report_bulk_{_action}",
        url_name=f"report_bulk_{_action}",
        openapi_extra=_bulk_openapi(_action),
    )(_bulk_view(_action))


# After the loop: Django resolves URLs in the order they are added, so registered first this pattern
# would take every action and the typed operations above would never run.
@router.post(
    "/reports/{tracking_number}/actions/{action}",
    response={200: ActionResult, **ACTION_ERRORS},
    include_in_schema=False,  # every known action has its own documented operation above
)
def report_action(request: HttpRequest, tracking_number: str, action: str) -> HttpResponse:
    """An action that is not one of the API's: 404 `unknown_action`, naming the ones there are."""
    return _act(request, tracking_number, action)


@router.post(
    "/reports/{tracking_number}/support",
    response={200: SupportOut, **ERRORS},
    summary="Saya juga mengalami (dukungan)",
)
def report_support(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """One "me too" per citizen account or app device (X-Device-Id) on a public report."""
    client = client_of(request)
    ratelimit.check_create(client)
    if client.user is not None:
        supporter = f"user:{client.user.pk}"
    elif client.device_id:
        supporter = client.scope
    else:
        raise ApiProblem(400, "device_id_required", "Sertakan X-Device-Id atau token akun warga.")
    report_id = reports_public().filter(tracking_number=tracking_number).values_list("pk", flat=True).first()
    if report_id is None:
        raise ApiProblem(404, "report_not_found", "Laporan publik tidak ditemukan.")
    count = report_support_add(report_id=report_id, supporter=supporter)
    return json_response({"tracking_number": tracking_number, "support_count": count})
