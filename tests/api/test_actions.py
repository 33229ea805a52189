"""Integration API: every lifecycle action under a staff token, scoped like its user; the token command."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from aduan.api.models import ApiToken
from aduan.core.actors import citizen_with_access
from aduan.intake.models import Report
from aduan.workflow.models import ReportEvent
from tests.api.conftest import SMALLEST, Api, is_problem, token_for
from tests.conftest import as_actor
from tests.factories import KESEHATAN, act, disposed

pytestmark = pytest.mark.django_db
TIDAK_BERKADAR = "pengaduan_tidak_berkadar_pengawasan"


@pytest.fixture
def staff(koordinator, admin_dinkes, admin_pupr) -> dict[str, Api]:  # type: ignore[no-untyped-def]
    return {
        "koordinator": Api(token=token_for(koordinator)),
        "dinkes": Api(token=token_for(admin_dinkes)),
        "pupr": Api(token=token_for(admin_pupr)),
    }


def _submitted(**extra: Any) -> dict[str, Any]:
    response = Api(device="citizen-device-01").post("/reports", {**SMALLEST, **extra})
    assert response.status_code == 201, response.content
    return response.json()


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    return response.json()


def test_walk_verify_dispose_return_redispose_follow_up_complete(staff: dict[str, Api]) -> None:
    created = _submitted(name="Siti", phone="081234567890")
    number, code = created["tracking_number"], created["access_code"]
    koordinator, dinkes, pupr = staff["koordinator"], staff["dinkes"], staff["pupr"]

    verified = _ok(
        koordinator.act(number, "verify", {"classification": TIDAK_BERKADAR, "category": KESEHATAN})
    )
    assert (verified["from_status"], verified["to_status"]) == ("belum_terverifikasi", "terverifikasi")
    disposed = _ok(
        koordinator.act(
            number, "dispose", {"lead": "dinkes", "supporting": [], "instruction": "Mohon dicek."}
        )
    )
    assert disposed["report"]["lead_agency"]["code"] == "dinkes" and disposed["report"]["step"] == "follow_up"

    returned = _ok(
        dinkes.act(number, "return", {"reason": "Jalan adalah kewenangan PUPR.", "proposed_agency": "pupr"})
    )
    assert returned["to_status"] == "terverifikasi" and returned["data"]["proposed_agency"] == "pupr"
    assert returned["report"] is None  # Dinkes no longer sees the report it gave back
    is_problem(dinkes.get(f"/reports/{number}"), 403, "not_your_report")

    back = _ok(koordinator.get(f"/reports/{number}"))
    assert back["step"] == "returned" and back["due_at"] is not None
    _ok(
        koordinator.act(
            number, "dispose", {"lead": "pupr", "supporting": ["dinkes"], "instruction": "Tangani."}
        )
    )
    redisposed = _ok(
        koordinator.act(number, "redispose", {"lead": "pupr", "supporting": [], "instruction": "PUPR saja."})
    )
    assert (redisposed["data"]["lead"], redisposed["data"]["supporting"]) == ("pupr", [])

    _ok(pupr.act(number, "accept", {}))
    followed = _ok(pupr.act(number, "follow_up", {"text": "Lubang sudah ditambal pada 20 November."}))
    assert followed["to_status"] == "ditindaklanjuti"
    completed = _ok(pupr.act(number, "complete", {}))
    assert completed["to_status"] == "selesai"

    actions = list(
        ReportEvent.objects.filter(report__tracking_number=number).values_list("action", flat=True)
    )
    assert actions == [
        "submit",
        "verify",
        "dispose",
        "return",
        "dispose",
        "redispose",
        "accept",
        "follow_up",
        "complete",
    ]

    citizen = Api().get(f"/reports/{number}", headers={"X-Access-Code": code}).json()
    assert citizen["status"] == "selesai"
    assert [f["text"] for f in citizen["follow_ups"]] == ["Lubang sudah ditambal pada 20 November."]
    # The citizen's timeline holds only public events: the return and the acceptance are internal.
    assert "return" not in [e["action"] for e in citizen["timeline"]]
    assert "follow_up" in [e["action"] for e in citizen["timeline"]]
    assert all("actor_name" not in e for e in citizen["timeline"])


def test_citizen_acts_with_the_access_code(staff: dict[str, Api]) -> None:
    created = _submitted()
    number, code = created["tracking_number"], created["access_code"]
    koordinator, pupr = staff["koordinator"], staff["pupr"]
    _ok(koordinator.act(number, "verify", {"classification": TIDAK_BERKADAR, "category": KESEHATAN}))
    _ok(koordinator.act(number, "dispose", {"lead": "pupr", "supporting": []}))
    _ok(pupr.act(number, "follow_up", {"text": "Sudah diperbaiki."}))
    citizen = Api()
    headers = {"X-Access-Code": code}
    is_problem(citizen.act(number, "reply", {"text": "Belum, masih berlubang."}), 401, "access_code_required")
    is_problem(
        citizen.act(number, "reply", {"text": "x"}, {"X-Access-Code": "ZZZZ-ZZZZ"}),
        404,
        "report_not_found",
    )
    replied = _ok(citizen.act(number, "reply", {"text": "Belum, masih berlubang."}, headers))
    assert replied["to_status"] == "ditanggapi_pelapor"
    assert replied["report"]["allowed_actions"] == []
    _ok(pupr.act(number, "follow_up", {"text": "Sudah ditambal ulang."}))
    rated = _ok(citizen.act(number, "rate", {"score": 4, "comment": "Terima kasih"}, headers))
    assert rated["data"] == {"score": 4}
    is_problem(citizen.act(number, "rate", {"score": 9}, headers), 400, "invalid_score")
    _ok(citizen.act(number, "complete", {}, headers))
    reopened = _ok(citizen.act(number, "reopen", {"reason": "Rusak lagi."}, headers))
    assert reopened["to_status"] == "ditanggapi_pelapor"
    # A citizen may not take staff actions on their own report.
    is_problem(citizen.act(number, "close", {"reason": "x"}, headers), 403, "role_not_allowed")


def test_refusals_409_403_404(staff: dict[str, Api]) -> None:
    number = _submitted()["tracking_number"]
    koordinator, dinkes, pupr = staff["koordinator"], staff["dinkes"], staff["pupr"]
    verify = {"classification": TIDAK_BERKADAR, "category": KESEHATAN}
    _ok(koordinator.act(number, "verify", verify))
    is_problem(koordinator.act(number, "verify", verify), 409, "transition_not_allowed")
    is_problem(koordinator.act(number, "follow_up", {"text": "x"}), 403, "role_not_allowed")
    _ok(koordinator.act(number, "dispose", {"lead": "dinkes", "supporting": []}))
    # Another OPD's admin: not their report, for reading and for acting.
    is_problem(pupr.act(number, "accept", {}), 403, "not_your_report")
    is_problem(pupr.get(f"/reports/{number}"), 403, "not_your_report")
    # An OPD admin may not archive or close, even on its own report.
    is_problem(dinkes.act(number, "archive", {"reason": "spam"}), 403, "role_not_allowed")
    is_problem(dinkes.act(number, "close", {"reason": "x"}), 403, "role_not_allowed")
    is_problem(koordinator.act(number, "archive", {"reason": "spam"}), 409, "transition_not_allowed")
    # Bad input, unknown codes and names.
    bad = is_problem(koordinator.act(number, "redispose", {"lead": "tidak-ada"}), 400, "unknown_agency")
    assert bad["field"] == "lead"
    is_problem(koordinator.act(number, "teleport", {}), 404, "unknown_action")
    is_problem(koordinator.act(number, "auto_close", {}), 404, "unknown_action")
    is_problem(koordinator.act("0000-000000", "verify", verify), 404, "report_not_found")
    nothing_changed = Report.objects.get(tracking_number=number)
    assert nothing_changed.status == "terdisposisi" and nothing_changed.lead_agency.code == "dinkes"


def test_staff_read_shows_due_at_and_identity_by_role(staff: dict[str, Api]) -> None:
    number = _submitted(name="Rahasia Orang", phone="081234567890", anonymous=True)["tracking_number"]
    koordinator, dinkes = staff["koordinator"], staff["dinkes"]
    seen = _ok(koordinator.get(f"/reports/{number}"))
    assert seen["due_at"] is not None and seen["step"] == "verification"
    assert seen["reporter"]["name"] == "Rahasia Orang"  # the coordinator alone knows an anonymous reporter
    assert "verify" in seen["allowed_actions"]
    _ok(koordinator.act(number, "verify", {"classification": TIDAK_BERKADAR, "category": KESEHATAN}))
    _ok(koordinator.act(number, "dispose", {"lead": "dinkes", "supporting": []}))
    opd = _ok(dinkes.get(f"/reports/{number}"))
    assert opd["reporter"] is None and "Rahasia" not in str(opd)
    assert "original_text" not in opd and seen["original_text"]
    assert opd["due_at"] is not None and opd["step"] == "follow_up"


def test_staff_list_is_scoped(staff: dict[str, Api]) -> None:
    one, two = _submitted()["tracking_number"], _submitted(title="Lain")["tracking_number"]
    koordinator = staff["koordinator"]
    _ok(koordinator.act(one, "verify", {"classification": TIDAK_BERKADAR, "category": KESEHATAN}))
    _ok(koordinator.act(one, "dispose", {"lead": "dinkes", "supporting": []}))
    assert {r["tracking_number"] for r in koordinator.get("/reports").json()["results"]} == {one, two}
    dinkes = staff["dinkes"].get("/reports").json()
    assert [r["tracking_number"] for r in dinkes["results"]] == [one] and dinkes["results"][0]["due_at"]
    assert staff["pupr"].get("/reports").json()["count"] == 0
    page = koordinator.get("/reports", page_size=1).json()
    assert page["count"] == 2 and len(page["results"]) == 1 and page["next"] and page["previous"] is None
    assert koordinator.get("/reports", status="terdisposisi").json()["count"] == 1
    is_problem(koordinator.get("/reports", status="hilang"), 400, "invalid_status")


def test_token_command_prints_the_token_on_its_last_line(admin_dinkes) -> None:  # type: ignore[no-untyped-def]
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "--user", "admin-dinkes", "--name", "SIMPUS", stdout=out, stderr=err)
    raw = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert raw.startswith(token.prefix) and raw not in token.digest and token.channel == "api"
    assert token.user == admin_dinkes and token.name == "SIMPUS"
    assert Api(token=raw).get("/reports").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    with pytest.raises(Exception, match="tidak ada"):
        call_command("token", "create", "--user", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


def test_follow_up_with_an_attachment_by_multipart(staff: dict[str, Api]) -> None:
    import io

    from PIL import Image

    from aduan.intake.models import Attachment

    created = _submitted()
    number = created["tracking_number"]
    koordinator, pupr = staff["koordinator"], staff["pupr"]
    _ok(koordinator.act(number, "verify", {"classification": TIDAK_BERKADAR, "category": KESEHATAN}))
    _ok(koordinator.act(number, "dispose", {"lead": "pupr", "supporting": []}))
    bad = io.BytesIO(b"%!PS-Adobe not an image" * 20)
    bad.name = "bukti.jpg"
    refused = pupr.post_multipart(
        f"/reports/{number}/actions/follow_up", {"text": "Sudah.", "attachments": [bad]}
    )
    is_problem(refused, 400, "attachment_type_not_allowed")
    assert Report.objects.get(tracking_number=number).status == "terdisposisi"  # nothing happened
    photo = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 120, 0)).save(photo, format="JPEG")
    photo.seek(0)
    photo.name = "sesudah.jpg"
    done = pupr.post_multipart(
        f"/reports/{number}/actions/follow_up", {"text": "Sudah ditambal.", "attachments": [photo]}
    )
    assert done.status_code == 200, done.content
    follow_up = done.json()["report"]["follow_ups"][0]
    # The OPD sees the neutral name; the file's own name is the coordinator's only.
    assert follow_up["text"] == "Sudah ditambal." and follow_up["attachments"][0]["name"] == "lampiran-1.jpg"
    coordinator_view = koordinator.get(f"/reports/{number}").json()
    assert coordinator_view["follow_ups"][0]["attachments"][0]["name"] == "sesudah.jpg"
    assert Attachment.objects.filter(follow_up__isnull=False).count() == 1
    citizen = Api().get(f"/reports/{number}", headers={"X-Access-Code": created["access_code"]}).json()
    assert citizen["follow_ups"][0]["attachments"][0]["content_type"] == "image/jpeg"
    assert citizen["attachments"] == []  # the citizen's own attachments stay separate
    is_problem(
        koordinator.post_multipart(
            f"/reports/{number}/actions/close", {"reason": "x", "attachments": [photo]}
        ),
        400,
        "attachments_not_allowed",
    )


def test_an_agency_never_sees_the_account_name_of_an_anonymous_citizen(  # type: ignore[no-untyped-def]
    koordinator, admin_pupr, warga
) -> None:
    # The citizen acts with their account: the event's actor_user is their user row.
    report = disposed(as_actor(koordinator), lead="pupr", anonymous=True, actor=as_actor(warga), name="")
    act(as_actor(admin_pupr), report, "follow_up", text="Sudah kami tangani.")
    act(citizen_with_access(report.pk, user=warga), report, "reply", text="Belum beres.")

    body = _ok(Api(token=token_for(admin_pupr)).get(f"/reports/{report.tracking_number}"))
    assert "Siti" not in json.dumps(body) and "warga" not in json.dumps(body)
    reply = next(e for e in body["timeline"] if e["action"] == "reply")
    assert "actor_name" not in reply
    follow_up = next(e for e in body["timeline"] if e["action"] == "follow_up")
    assert follow_up["actor_name"] == "admin-pupr"  # staff still see who acted
