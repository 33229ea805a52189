"""Schema-driven clients work: schemathesis against the live /api/v1/openapi.json.

Every operation of the schema, with bounded examples generated from it (valid and invalid ones),
anonymously and with a staff token, through the real WSGI application (the lane included). Fails on
any 5xx and on any answer the schema does not document: status code, content type, body.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from aduan.api.lane import Lane
from tests.api.conftest import token_for
from tests.factories import submit

pytestmark = pytest.mark.django_db
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 10  # per operation, mode and caller: bounded so the run stays within a few minutes
# The 2 × 18 action operations share one implementation (only the documented body differs): fewer each.
ACTION_EXAMPLES = 3


@pytest.fixture
def wsgi_app(settings: Any) -> Iterator[Any]:
    settings.ROOT_URLCONF = "aduan.urls"
    # As django.test.Client does: a request's start and end must not close the test's connection (on
    # PostgreSQL that would end the test's transaction; SQLite's in-memory database ignores it).
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield Lane(get_wsgi_application())
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


def _operations(app: Any) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_describe(e) for e in exc.exceptions)
    return f"{type(exc).__name__}: {exc}"[:1500]


@pytest.mark.parametrize("caller", ["anonymous", "staff"])
@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
def test_every_operation_answers_as_documented(
    wsgi_app: Any, koordinator: Any, caller: str, mode: schemathesis.GenerationMode
) -> None:
    headers = {"Authorization": f"Bearer {token_for(koordinator)}"} if caller == "staff" else {}
    # A real report, so that operations on one report answer more than 404.
    existing = submit(name="Siti", phone="081234567890").report.tracking_number
    failures: list[str] = []
    for operation in _operations(wsgi_app):
        strategy = operation.as_strategy(generation_mode=mode)
        if "{tracking_number}" in operation.path:
            strategy = strategy | operation.as_strategy(
                generation_mode=mode, path_parameters={"tracking_number": existing}
            )

        @given(case=strategy)
        @settings(
            max_examples=ACTION_EXAMPLES if "/actions/" in operation.path else EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers={**headers, **(case.headers or {})}, checks=CHECKS)

        try:
            run()
        except Unsatisfiable:
            # Negative mode on an operation with no input that can be made invalid: nothing to send.
            assert mode is schemathesis.GenerationMode.NEGATIVE, operation.label
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failures, then fail once
            failures.append(f"{operation.label}: {_describe(exc)}")
    assert not failures, "\n\n".join(failures)
