"""Citizen pages: home, privacy notice, the report form, its confirmation, the offline-draft endpoint."""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aduan.core import clock
from aduan.core.actors import Actor
from aduan.core.errors import DomainError, InvalidInput
from aduan.core.http import file_response, parse_json
from aduan.core.roles import Role
from aduan.core.text import normalize_text
from aduan.directory.geo import locate, map_config
from aduan.directory.models import Region
from aduan.intake.idempotency import IdempotencyKeyReused
from aduan.intake.models import Kind, Report
from aduan.intake.upload_drafts import DraftItem
from aduan.intake.uploads import CheckedFile, uploads_check
from aduan.portal import conf, draftuploads
from aduan.portal.access import SESSION_CONFIRMATION, citizen_user, remember_report
from aduan.portal.forms import KIND_HELP, SERVICE_FIELD_TO_FORM, ReportForm, desa_choices
from aduan.portal.submission import submit_report, valid_client_id

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    kinds = [(Kind(k).label, KIND_HELP[Kind(k)]) for k in Kind.values]
    return render(request, "portal/home.html", {"kinds": kinds, "nav": "home"})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/privacy.html", {"nav": "privacy"})


def _submit_actor(request: HttpRequest) -> Actor:
    return Actor(role=Role.CITIZEN, user=citizen_user(request), label="Pelapor")


def _confirm(request: HttpRequest, answer: dict[str, Any]) -> None:
    """Keep the number and code for the confirmation page only, never in a URL."""
    report_id = (
        Report.objects.filter(tracking_number=answer["tracking_number"]).values_list("pk", flat=True).first()
    )
    if report_id is not None:
        remember_report(request, report_id)
    request.session[SESSION_CONFIRMATION] = {
        "tracking_number": answer["tracking_number"],
        "access_code": answer["access_code"],
        "at": clock.now().isoformat(),
    }


def _form_context(form: ReportForm, client_id: str) -> dict[str, Any]:
    return {
        "form": form,
        "client_id": client_id,
        "kind_help": {str(k): v for k, v in KIND_HELP.items()},
        "max_files": settings.ADUAN_ATTACHMENTS_PER_REPORT,
        "max_bytes": settings.ADUAN_ATTACHMENT_MAX_BYTES,
        "map": map_config(),
        "nav": "report",
    }


@never_cache
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """The guided report form. A refused attachment or any error re-renders it with every typed
    text kept; nothing is stored until the whole report, files included, is accepted."""
    if request.method == "GET":
        return render(request, "portal/report_form.html", _form_context(ReportForm(), ""))
    client_id = valid_client_id(request.POST.get("client_id"))
    form = ReportForm(request.POST, request.FILES)
    # Photos kept from an earlier try of this form (a form error): used unless new ones are chosen.
    draft = request.POST.get("draft_uploads", "")[:64]
    chosen = request.FILES.getlist("attachments")
    if "reload_desa" in request.POST:  # the no-script way to fill the desa list
        form = ReportForm(initial=request.POST.dict())
        return _form_page(request, form, client_id, _draft_keep(request, draft, chosen), status=200)
    checked: _Checked | None = None
    if form.is_valid():
        keep_location = form.cleaned_data["keep_location"]
        new_files = form.cleaned_data["attachments"]  # the chosen files (a valid form keeps them all)
        uploads = new_files or draftuploads.draft_uploads(request, draft)
        try:
            # Every file checked, decoded and re-encoded once, before any transaction is opened;
            # a report refused after all keeps the checked new files as its draft (_draft_keep).
            checked = _Checked(keep_location, None) if new_files else None
            files = uploads_check(uploads, keep_location=keep_location)
            checked = _Checked(keep_location, files) if new_files else None
            answer, _replayed = submit_report(
                actor=_submit_actor(request),
                fields=form.service_kwargs(),
                files=files,
                client_id=client_id,
            )
        except IdempotencyKeyReused:
            # The same form id with different text: treat it as a new report under a new id.
            client_id = ""
            answer, _replayed = submit_report(
                actor=_submit_actor(request), fields=form.service_kwargs(), files=files
            )
        except DomainError as error:
            field = SERVICE_FIELD_TO_FORM.get(error.field or "", error.field)
            message = error.message
            if error.field == "attachments":
                message = _(
                    "%(error)s Laporan belum dikirim dan teks Anda tetap di formulir ini. "
                    "Pilih lagi lampiran yang benar (demi keamanan, browser meminta berkas dipilih ulang), "
                    "atau kirim tanpa lampiran."
                ) % {"error": error.message}
            form.add_error(field if field in form.fields else None, message)
        else:
            if draft:
                draftuploads.draft_discard(request, draft)
            _confirm(request, answer)
            return redirect("portal:report_sent")
    return _form_page(request, form, client_id, _draft_keep(request, draft, chosen, checked), status=400)


class _Checked(NamedTuple):
    """The chosen files as the upload pipeline answered them: the keep_location they were checked
    with, and the checked files (None: one was refused)."""

    keep_location: bool
    files: list[CheckedFile] | None


def _draft_keep(
    request: HttpRequest, draft: str, chosen: list[Any], checked: _Checked | None = None
) -> tuple[str, list[DraftItem]]:
    """The draft the re-rendered form carries, and its files: new files chosen replace an earlier
    draft. Files `checked` already with the draft's keep_location are not decoded again."""
    if chosen:
        if draft:
            draftuploads.draft_discard(request, draft)
        keep_location = request.POST.get("keep_location") in ("on", "true", "1")
        if checked is None or checked.keep_location != keep_location:
            draft = draftuploads.draft_save(request, chosen, keep_location=keep_location)
        elif checked.files is None:
            draft = ""  # a refused file: nothing is kept (draft_save would refuse it again)
        else:
            draft = draftuploads.draft_save(
                request, chosen, keep_location=keep_location, checked=checked.files
            )
    items = draftuploads.draft_items(request, draft)
    return (draft if items else ""), items


def _form_page(
    request: HttpRequest,
    form: ReportForm,
    client_id: str,
    kept: tuple[str, list[DraftItem]],
    *,
    status: int,
) -> HttpResponse:
    draft, items = kept
    context = {**_form_context(form, client_id), "draft": draft, "draft_items": items}
    return render(request, "portal/report_form.html", context, status=status)


@never_cache
def draft_thumbnail(request: HttpRequest, token: str, number: int) -> FileResponse:
    """A kept photo's thumbnail, only to the session that chose it."""
    data = draftuploads.draft_thumbnail(request, token, number)
    if data is None:
        raise Http404()
    return file_response(io.BytesIO(data), content_type="image/jpeg", filename=f"{number}-kecil.jpg")


@never_cache
def report_sent(request: HttpRequest) -> HttpResponse:
    """The confirmation: tracking number and access code, from the session (never from the URL)."""
    data = request.session.get(SESSION_CONFIRMATION)
    fresh = False
    if data:
        try:
            age = (clock.now() - dt.datetime.fromisoformat(data["at"])).total_seconds()
            fresh = age <= conf.CONFIRMATION_SECONDS
        except (KeyError, ValueError):
            fresh = False
    if not fresh:
        request.session.pop(SESSION_CONFIRMATION, None)
        messages.info(
            request,
            _(
                "Kode akses hanya ditampilkan sesaat setelah laporan dikirim. Lacak laporan Anda dengan nomor dan kode yang Anda simpan."
            ),
        )
        return redirect("portal:track")
    response = render(request, "portal/report_sent.html", {"confirmation": data, "nav": "report"})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def desa_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of a kecamatan's desa/kelurahan, for the report form's picker."""
    choices = desa_choices(request.GET.get("kecamatan", "")[:13])
    response = render(request, "portal/desa_options.html", {"choices": choices})
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def region_at_point(request: HttpRequest) -> JsonResponse:
    """ "lat" and "lon" → the kecamatan and desa the point lies in, for the form's map (only where
    boundaries are imported; otherwise both null and the citizen picks them)."""
    try:
        lat, lon = float(request.GET.get("lat", "")), float(request.GET.get("lon", ""))
    except ValueError:
        return _problem(400, "invalid_point", _("Titik harus berupa lintang dan bujur (angka)."))
    inside, region = locate(lat, lon) if math.isfinite(lat) and math.isfinite(lon) else (False, None)
    if not inside:
        return _problem(
            400,
            "location_outside_installation",
            _("Titik itu di luar wilayah kabupaten. Ketuk tempat kejadian di dalam wilayah ini."),
        )
    desa = region if region is not None and region.level == Region.Level.DESA else None
    kecamatan = desa.parent if desa is not None else region
    response = JsonResponse(
        {
            "kecamatan": kecamatan.code if kecamatan else None,
            "desa": desa.code if desa else None,
            "label": ", ".join(r.name.title() for r in (desa, kecamatan) if r is not None),
        }
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _problem(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    body = {"type": "about:blank", "title": message, "status": status, "code": code, **extra}
    return JsonResponse(
        body,
        status=status,
        content_type="application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )


@never_cache
@require_POST
def draft_submit(request: HttpRequest) -> JsonResponse:
    """An offline draft (text only) sent when the connection returns; CSRF-protected like the form.

    The `Idempotency-Key` header is the draft's UUID: the same key again answers with the same
    tracking number and access code, never a second report.
    """
    client_id = valid_client_id(request.headers.get("Idempotency-Key"))
    if not client_id:
        return _problem(400, "idempotency_key_required", _("Header Idempotency-Key (UUID) wajib diisi."))
    try:
        payload = parse_json(request.body or b"{}")
    except ValueError:
        return _problem(400, "invalid_json", _("Isi permintaan bukan JSON yang valid."))
    if not isinstance(payload, dict):
        return _problem(400, "invalid_json", _("Isi permintaan harus berupa objek JSON."))
    try:
        data = _draft_fields(payload)
    except InvalidInput as error:
        field = SERVICE_FIELD_TO_FORM.get(error.field or "", error.field) or "__all__"
        return _problem(422, error.code, error.message, errors={field: [error.message]})
    form = ReportForm(data)
    if not form.is_valid():
        errors = {field: [str(m) for m in msgs] for field, msgs in form.errors.items()}
        return _problem(422, "invalid_input", _("Draf belum lengkap atau tidak valid."), errors=errors)
    try:
        answer, replayed = submit_report(
            actor=_submit_actor(request),
            fields=form.service_kwargs(),
            files=[],
            client_id=client_id,
        )
    except DomainError as error:
        field = SERVICE_FIELD_TO_FORM.get(error.field or "", error.field) or "__all__"
        return _problem(
            error.http_status if error.http_status != 400 else 422,
            error.code,
            error.message,
            errors={field: [error.message]},
        )
    _confirm(request, answer)
    return JsonResponse(
        {**answer, "replayed": replayed},
        status=200 if replayed else 201,
        json_dumps_params={"ensure_ascii": False},
    )


def _draft_fields(payload: dict[Any, Any]) -> dict[str, str]:
    """A draft's JSON values as the form's text, each through the one normaliser (a NUL or a lone
    surrogate is refused here, before a form message could echo it)."""
    fields = ReportForm.base_fields
    data = {}
    for key, value in payload.items():
        if not isinstance(key, str) or key not in fields:
            continue
        text = "on" if value is True else "" if value is False or value is None else str(value)
        data[key] = normalize_text(text, field=key, label=fields[key].label or key, multiline=True)
    return data


def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker when a page is not in its cache and there is no network."""
    return render(request, "portal/offline.html", {"nav": ""})
