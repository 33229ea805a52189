"""The integration API an agency builds on: typed actions with worked examples that work, the
actions offered exactly as the writer accepts them, routing suggestions, the agency tree, bulk."""

from __future__ import annotations

import re
from typing import Any

import pytest

from aduan.api.output import API_ACTIONS
from aduan.intake.models import Kind, Report, Status
from aduan.workflow.models import FollowUp
from tests.api.conftest import SMALLEST, Api, is_problem, token_for
from tests.conftest import as_actor
from tests.factories import KESEHATAN, disposed

pytestmark = pytest.mark.django_db
TIDAK_BERKADAR = "pengaduan_tidak_berkadar_pengawasan"


@pytest.fixture
def schema(api: Api) -> dict[str, Any]:
    return api.client.get("/api/v1/openapi.json").json()


def _example(schema: dict[str, Any], action: str) -> dict[str, Any]:
    content = schema["paths"][f"/api/v1/reports/{{tracking_number}}/actions/{action}"]["post"]["requestBody"]
    return dict(content["content"]["application/json"]["examples"]["contoh1"]["value"])


def _submitted() -> tuple[str, str]:
    created = Api(device="citizen-device-01").post("/reports", {**SMALLEST, "phone": "081234567890"}).json()
    return created["tracking_number"], created["access_code"]


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    return response.json()


def test_every_action_is_one_typed_operation_and_errors_are_problem_json(schema: dict[str, Any]) -> None:
    assert "remind" not in API_ACTIONS and "escalate" not in API_ACTIONS
    for action in API_ACTIONS:
        operation = schema["paths"][f"/api/v1/reports/{{tracking_number}}/actions/{action}"]["post"]
        body = operation["requestBody"]["content"]["application/json"]
        assert body["schema"]["type"] == "object" and body["schema"]["properties"], action
        assert body["examples"]["contoh1"]["value"], action
        for status in ("400", "401", "403", "404", "409", "415", "429"):
            assert list(operation["responses"][status]["content"]) == ["application/problem+json"], action
        assert f"/api/v1/reports/actions/{action}" in schema["paths"]
    assert not [p for p in schema["paths"] if "{action}" in p or p.endswith(("/remind", "/escalate"))]
    verify = schema["paths"]["/api/v1/reports/{tracking_number}/actions/verify"]["post"]
    properties = verify["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert "pengaduan_berkadar_pengawasan" in properties["classification"]["enum"]
    create = schema["paths"]["/api/v1/reports"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert create["properties"]["kind"]["enum"] == ["pengaduan", "aspirasi", "permintaan_informasi"]
    assert create["properties"]["title"]["maxLength"] == Report._meta.get_field("title").max_length
    assert create["properties"]["address"]["maxLength"] == 300
    report_out = schema["components"]["schemas"]["ReportOut"]["properties"]
    assert report_out["status"]["enum"] == Status.values and report_out["kind"]["enum"] == Kind.values
    assert report_out["allowed_actions"]["items"]["enum"] == API_ACTIONS
    stats = schema["paths"]["/api/v1/stats"]["get"]["responses"]["400"]["content"]
    assert list(stats) == ["application/problem+json"]


def test_problem_types_link_to_anchors_that_exist(api: Api) -> None:
    page = api.client.get("/api/problems").content.decode()
    anchors = set(re.findall(r'id="([^"]+)"', page))
    for response in (
        api.get("/reports/2611-0000000"),  # 401
        api.get("/regions", parent="99"),  # 404
        api.client.get("/api/v1/stats", {"year": "1999"}),  # 422
        api.client.get("/api/v1/stats", {"scope": "agency", "agency": "tidak-ada"}),  # 400
        api.client.post("/api/v1/reports", "x", content_type="text/plain"),  # 415
    ):
        body = response.json()
        assert response["Content-Type"] == "application/problem+json", body
        path, _, anchor = body["type"].partition("#")
        assert path == "/api/problems" and anchor in anchors, body
    is_problem(
        api.client.get("/api/v1/stats", {"scope": "agency", "agency": "tidak-ada"}), 400, "invalid_scope"
    )


def test_the_worked_examples_walk_a_report_through_its_lifecycle(
    schema: dict[str, Any], koordinator, admin_pupr
) -> None:  # type: ignore[no-untyped-def]
    koordinator_api, pupr = Api(token=token_for(koordinator)), Api(token=token_for(admin_pupr))
    number, code = _submitted()
    citizen = Api(device="citizen-device-01")
    access = {"X-Access-Code": code}
    steps = [
        (koordinator_api, "hold", {}),
        (citizen, "resume", access),
        (koordinator_api, "verify", {}),
        (koordinator_api, "dispose", {}),
        (pupr, "accept", {}),
        (pupr, "follow_up", {}),
        (citizen, "reply", access),
        (pupr, "draft_follow_up", {}),
    ]
    for caller, action, headers in steps:
        result = _ok(caller.act(number, action, _example(schema, action), headers))
        assert result["action"] == action
    draft = FollowUp.objects.get(report__tracking_number=number, state=FollowUp.State.DRAFT)
    _ok(
        pupr.act(
            number, "follow_up", {**_example(schema, "follow_up"), "text": None, "follow_up_id": draft.pk}
        )
    )
    for caller, action, headers in [
        (citizen, "rate", access),
        (pupr, "complete", {}),
        (citizen, "reopen", access),
    ]:
        _ok(caller.act(number, action, _example(schema, action), headers))
    _ok(koordinator_api.act(number, "close", _example(schema, "close")))
    other, _ = _submitted()
    _ok(koordinator_api.act(other, "mark_duplicate", {**_example(schema, "mark_duplicate"), "of": number}))
    spam, _ = _submitted()
    _ok(koordinator_api.act(spam, "archive", _example(schema, "archive")))
    returned, _ = _submitted()
    _ok(koordinator_api.act(returned, "verify", _example(schema, "verify")))
    _ok(koordinator_api.act(returned, "dispose", _example(schema, "dispose")))
    _ok(pupr.act(returned, "return", _example(schema, "return")))
    assert Report.objects.get(tracking_number=returned).is_returned


def test_allowed_actions_are_exactly_what_the_writer_accepts(
    koordinator, admin_dinkes, pejabat_dinkes, admin_pupr
) -> None:  # type: ignore[no-untyped-def]
    report = disposed(as_actor(koordinator), lead="dinkes", supporting=["pupr"])
    dinkes, pejabat = Api(token=token_for(admin_dinkes)), Api(token=token_for(pejabat_dinkes))
    pupr, coordinator = Api(token=token_for(admin_pupr)), Api(token=token_for(koordinator))
    number = report.tracking_number

    def offered(caller: Api) -> list[str]:
        return _ok(caller.get(f"/reports/{number}"))["allowed_actions"]

    assert offered(coordinator) == ["redispose", "close"]
    # Dinkes needs the pejabat's approval: no publishing before an approved draft; nothing to approve yet.
    assert offered(dinkes) == ["accept", "return", "draft_follow_up"]
    is_problem(dinkes.act(number, "follow_up", {"text": "Sudah ditangani."}), 409, "approval_required")
    assert offered(pejabat) == ["follow_up"]
    # The supporting agency may not return or complete (lead only).
    assert "return" not in offered(pupr) and "accept" in offered(pupr)
    is_problem(
        pupr.act(number, "return", {"reason": "x", "proposed_agency": "dishub"}), 403, "not_lead_agency"
    )
    draft_id = _ok(dinkes.act(number, "draft_follow_up", {"text": "Sudah ditangani."}))["data"][
        "follow_up_id"
    ]
    assert offered(pejabat) == ["approve_follow_up", "send_back_follow_up", "follow_up"]
    _ok(pejabat.act(number, "approve_follow_up", {"follow_up_id": draft_id}))
    assert "follow_up" in offered(dinkes)
    _ok(dinkes.act(number, "follow_up", {"follow_up_id": draft_id}))
    for caller in (coordinator, dinkes, pupr, pejabat):
        for action in offered(caller):
            assert action in API_ACTIONS and action not in ("remind", "escalate")


def test_routing_suggestion_is_the_consoles(api: Api) -> None:
    suggestion = _ok(api.get("/routing/suggest", category=KESEHATAN, region="35.02.17.1001"))
    assert suggestion["lead"]["code"] == "dinkes" and suggestion["lead"]["requires_approval"] is True
    assert suggestion["region"] == "35.02.17"
    sub = api.get("/categories").json()
    child = next(c for c in sub if c["parent"] == KESEHATAN)
    assert _ok(api.get("/routing/suggest", category=child["code"]))["lead"]["code"] == "dinkes"
    is_problem(api.get("/routing/suggest", category="tidak-ada"), 400, "unknown_category")
    is_problem(api.get("/routing/suggest", category=KESEHATAN, region="35"), 400, "unknown_region")


def test_agencies_carry_the_tree_and_approval(api: Api) -> None:
    agencies = {a["code"]: a for a in _ok(api.get("/agencies"))}
    assert agencies["dinkes"]["requires_approval"] is True and agencies["pupr"]["requires_approval"] is False
    government = agencies["dinkes"]["parent"]
    assert government and "dinkes" in agencies[government]["children"]


def test_bulk_answers_each_report_on_its_own(koordinator, admin_pupr) -> None:  # type: ignore[no-untyped-def]
    coordinator = Api(token=token_for(koordinator))
    first, second = _submitted()[0], _submitted()[0]
    _ok(coordinator.act(second, "verify", {"classification": TIDAK_BERKADAR, "category": KESEHATAN}))
    body = {
        "reports": [first, second, "2611-0000000", first],
        "params": {"classification": TIDAK_BERKADAR, "category": KESEHATAN},
    }
    answer = _ok(coordinator.post("/reports/actions/verify", body))
    assert (answer["succeeded"], answer["failed"]) == (1, 2)
    by_number = {r["tracking_number"]: r for r in answer["results"]}
    assert len(answer["results"]) == 3
    assert by_number[first]["status"] == 200 and by_number[first]["result"]["to_status"] == "terverifikasi"
    assert (
        by_number[second]["problem"]["code"] == "transition_not_allowed"
        and by_number[second]["status"] == 409
    )
    assert by_number["2611-0000000"]["problem"]["code"] == "report_not_found"
    is_problem(Api().post("/reports/actions/verify", body), 401, "authentication_required")
    is_problem(coordinator.post("/reports/actions/verify", {"reports": []}), 422, "invalid_reports")
    is_problem(coordinator.post("/reports/actions/verify", {"reports": ["2611\x00"]}), 422, "invalid_reports")
    pupr = _ok(
        Api(token=token_for(admin_pupr)).post(
            "/reports/actions/dispose", {"reports": [first], "params": {"lead": "pupr"}}
        )
    )
    assert pupr["results"][0]["problem"]["code"] == "role_not_allowed"


def test_each_action_resolves_to_its_own_typed_operation() -> None:
    from django.urls import resolve

    for action in API_ACTIONS:
        assert resolve(f"/api/v1/reports/2611-0000001/actions/{action}").url_name == f"report_action_{action}"
    assert resolve("/api/v1/reports/2611-0000001/actions/remind").url_name == "report_action"
