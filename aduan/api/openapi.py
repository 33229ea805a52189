"""The OpenAPI document as clients need it: every error answer documented as what it is,
`application/problem+json` (RFC 9457), and every operation with a body able to answer 413."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from aduan.api.problems import CONTENT_TYPE, type_uri

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}},
    429: {"Retry-After": {"schema": {"type": "integer"}, "description": "Detik sebelum mencoba lagi"}},
}


class AduanApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        finish(schema)
        return schema


def finish(schema: dict[str, Any]) -> None:
    """Error answers as problem details, each described by its problem type (the docs anchor)."""
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation:
                # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE before any view runs.
                responses.setdefault(413, {})
            for status in list(responses):
                code = int(status)
                if code < 400:
                    continue
                responses[status] = {
                    "description": f"{HTTPStatus(code).phrase} ({type_uri(code)})",
                    "content": {CONTENT_TYPE: {"schema": PROBLEM_REF}},
                    **({"headers": HEADERS[code]} if code in HEADERS else {}),
                }
