"""The federation endpoints peers call: identity and directory (public), messages (signed)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from aduan.api.problems import problem
from aduan.federation import conf, services, transport


@require_GET
def identity(request: HttpRequest) -> JsonResponse:
    return JsonResponse(services.identity())


@require_GET
def directory(request: HttpRequest) -> JsonResponse:
    return JsonResponse(services.directory())


def _problem(status: int, code: str) -> HttpResponse:
    # The API's one problem+json shape (aduan/api/problems.py); peers read the stable `code`.
    return problem(status, code, _("Pesan federasi ditolak (%(code)s).") % {"code": code})


@csrf_exempt  # authenticated by the peer's Ed25519 signature, not by a browser session
@require_POST
def messages(request: HttpRequest) -> HttpResponse:
    # Read from the stream, not request.body: Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE
    # (2 MB, meant for forms) with an HTML 400, and a forward with its photos inline is larger.
    # The federation's own limit applies instead (transport.message_authenticate: 413).
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > conf.MAX_BODY_BYTES:
        return _problem(413, "message_too_large")
    body = request.read(conf.MAX_BODY_BYTES + 1)
    try:
        peer, message_id = transport.message_authenticate(request.headers, body)
        result = services.message_receive(peer=peer, message_id=message_id, body=body)
    except transport.Refused as refused:
        return _problem(refused.status, refused.code)
    return JsonResponse(result)
