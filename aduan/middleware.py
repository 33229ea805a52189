"""Project-level middleware (it answers for every interface, so it lives beside settings and urls).

NulInAddressMiddleware: a URL whose path or query string carries NUL (%00) is answered 400 before
any view runs. No address of ours holds NUL, and on PostgreSQL every view that looked a value of
the URL up (a tracking number, a kecamatan filter, a region code) answered 500: a text column
cannot even be compared with NUL. Form and JSON bodies go through aduan.core.text instead. The
answer has the format of the interface asked: Open311's error list, the API's problem details,
a plain page elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _


class NulInAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return refuse(request)
        return self.get_response(request)


def refuse(request: HttpRequest) -> HttpResponse:
    detail = _("Alamat berisi karakter NUL, yang tidak pernah sah di alamat mana pun.")
    if request.path.startswith("/api/open311/"):
        from aduan.api.open311 import render_error

        return render_error("xml" if request.path.endswith(".xml") else "json", 400, detail)
    if request.path.startswith("/api/"):
        from aduan.api.problems import problem

        return problem(400, "invalid_characters", detail)
    return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")
