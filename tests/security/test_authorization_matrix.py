"""The authorization matrix (issue 13): every role × every endpoint × every kind of report.

Three reports, each with its reporter's identity planted as markers (name, phone, NIK, email):
an anonymous one and a confidential one, both disposed to Dinkes, and a plain one disposed to
PUPR (another agency). Each role opens each endpoint that shows reports; the test fails when a
report reaches someone who may not see it, when an identity reaches someone who may not know it,
or when a confidential report's content reaches a public output. Masking of free text and
attachment names are other tests' business: here the reporter's identity lives only in the
reporter record, so any marker seen is an access leak.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from aduan.api.services import token_create
from aduan.core.roles import Role
from aduan.intake.models import Report
from tests.conftest import as_actor, make_user
from tests.factories import disposed

KINDS = ("anonymous", "confidential", "other_agency")
ROLES = ("visitor", "citizen", "coordinator", "opd_lead", "liaison_lead", "opd_other", "apip", "leader")
PUBLIC = ("feed", "public_page", "open311_list", "open311_one", "track_page")
STAFF = ("console_report", "console_queue", "console_csv", "api_report", "api_list")
ENDPOINTS = PUBLIC + STAFF
USERNAMES = {
    "citizen": "warga-lain",
    "coordinator": "koordinator",
    "opd_lead": "admin-dinkes",
    "liaison_lead": "pejabat-dinkes",
    "opd_other": "admin-pupr",
    "apip": "apip",
    "leader": "pimpinan",
}


@dataclass(frozen=True)
class Planted:
    report: Report
    identity: tuple[str, ...]  # name, phone (two spellings), NIK, email
    content: str  # a word only in this report's text


def identity_of(kind: str) -> dict[str, str]:
    n = KINDS.index(kind) + 1
    return {
        "name": f"Zulkarnain Marker{n}",
        "phone": f"08139900{n:04d}",
        "email": f"marker{n}@contoh.id",
        "nik": f"350217120488{n:04d}",
    }


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The personas and the three reports, made once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        users = {
            "coordinator": make_user("koordinator", Role.COORDINATOR, "diskominfo"),
            "opd_lead": make_user("admin-dinkes", Role.OPD_ADMIN, "dinkes"),
            "liaison_lead": make_user("pejabat-dinkes", Role.LIAISON_OFFICER, "dinkes"),
            "opd_other": make_user("admin-pupr", Role.OPD_ADMIN, "pupr"),
            "apip": make_user("apip", Role.APIP, "inspektorat"),
            "leader": make_user("pimpinan", Role.LEADER),
            "citizen": make_user("warga-lain", Role.CITIZEN),
        }
        coordinator = as_actor(users["coordinator"])
        options = {
            "anonymous": {"lead": "dinkes", "anonymous": True},
            "confidential": {"lead": "dinkes", "confidential": True},
            "other_agency": {"lead": "pupr"},
        }
        planted = {}
        for kind in KINDS:
            word = f"Penandaisi{kind.replace('_', '')}"
            who = identity_of(kind)
            report = disposed(
                coordinator,
                title=f"Pungutan liar {word}",
                description=f"Petugas loket meminta uang tambahan. {word}.",
                **who,
                **options[kind],
            )
            phone_e164 = "+62" + who["phone"][1:]
            planted[kind] = Planted(
                report, (who["name"], who["phone"], phone_e164, who["nik"], who["email"]), word
            )
        tokens = {role: token_create(user=user, name="matriks")[1] for role, user in users.items()}
        yield {"users": users, "reports": planted, "tokens": tokens}
        transaction.set_rollback(True)


def may_see_report(role: str, kind: str, endpoint: str) -> bool:
    if endpoint in PUBLIC:
        # Without proof of access the tracking page shows nothing; the rest shows public reports.
        return endpoint != "track_page" and kind != "confidential"
    if role in ("visitor", "citizen", "apip"):  # APIP gets only what is disposed to it
        return False
    if role in ("coordinator", "leader"):
        return True
    lead = "pupr" if kind == "other_agency" else "dinkes"
    return lead == ("pupr" if role == "opd_other" else "dinkes")


def may_know_identity(role: str, kind: str, endpoint: str) -> bool:
    if endpoint in PUBLIC or not may_see_report(role, kind, endpoint):
        return False
    if role == "coordinator":
        return True
    # An agency that handles a report sees a reporter who did not ask for anonymity.
    return kind != "anonymous" and role in ("opd_lead", "liaison_lead", "opd_other")


def fetch(world: dict[str, Any], role: str, kind: str, endpoint: str) -> tuple[int, str]:
    report: Report = world["reports"][kind].report
    number = report.tracking_number
    client = Client()
    headers: dict[str, str] = {}
    if role != "visitor":
        client.force_login(world["users"][role])
        headers["Authorization"] = f"Bearer {world['tokens'][role]}"
    paths = {
        "feed": "/laporan/",
        "public_page": f"/laporan/{number}/",
        "open311_list": "/api/open311/v2/requests.json",
        "open311_one": f"/api/open311/v2/requests/{number}.json",
        "track_page": f"/lacak/{number}/",
        "console_report": f"/konsol/laporan/{number}/",
        "console_queue": "/konsol/antrean/semua/",
        "console_csv": "/konsol/antrean/semua/csv/",
        "api_report": f"/api/v1/reports/{number}",
        "api_list": "/api/v1/reports?page_size=100",
    }
    api = endpoint.startswith("api_")
    response = client.get(paths[endpoint], headers=headers if api else {})
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    text = body.decode()
    if response.get("Content-Type", "").startswith("application/json"):
        text += json.dumps(json.loads(body or b"null"), ensure_ascii=False)  # also the unescaped text
    return response.status_code, text


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_no_report_or_identity_reaches_anyone_who_may_not_see_it(
    world: dict[str, Any], role: str, kind: str, endpoint: str
) -> None:
    planted: Planted = world["reports"][kind]
    status, text = fetch(world, role, kind, endpoint)
    shown = planted.content in text or planted.report.tracking_number in text
    if may_see_report(role, kind, endpoint):
        assert status == 200, (status, text[:300])
        assert planted.content in text or endpoint in (
            "console_queue",
            "console_csv",
            "api_list",
            "feed",
            "open311_list",
        )
        assert planted.report.tracking_number in text or endpoint.startswith("open311")
    else:
        assert status in (200, 302, 401, 403, 404), status
        if status == 200:
            assert not shown, f"{role} sees the {kind} report on {endpoint}"
    leaked = [marker for marker in planted.identity if marker in text]
    if may_know_identity(role, kind, endpoint) and endpoint in ("console_report", "api_report"):
        # The markers are real: the ones allowed to know the reporter do see them.
        assert planted.identity[0] in text, f"{role} should see the reporter on {endpoint}"
    elif not may_know_identity(role, kind, endpoint):
        assert not leaked, f"{role} learns the {kind} report's reporter ({leaked}) from {endpoint}"
