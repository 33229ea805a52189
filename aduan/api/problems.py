"""RFC 9457 problem details: every error the API answers has this shape.

`type` is a stable URI per code (documented in the API docs), `code` the DomainError code clients
switch on, `detail` a message for people (Bahasa Indonesia), `field` the input at fault, if any.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from django.http import HttpResponse

from aduan.core.errors import DomainError

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "/api/docs#problem-"


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"{TYPE_BASE}{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if field:
        body["field"] = field
    body.update({k: v for k, v in extra.items() if v is not None})
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def from_domain_error(exc: DomainError) -> HttpResponse:
    response = problem(exc.http_status, exc.code, exc.message, field=exc.field)
    extra = {
        k: v for k, v in exc.extra.items() if isinstance(v, str | int | float | bool) and k not in _RESERVED
    }
    if extra:
        body = json.loads(response.content)
        body.update(extra)
        response.content = json.dumps(body, ensure_ascii=False).encode()
    return response


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
