"""Walk the whole transition table: every allowed (state, action, role) works and writes exactly one
event; every other combination is refused with a domain error and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from aduan.accounts.models import User
from aduan.core.actors import SYSTEM, Actor, actor_for_user, citizen_with_access
from aduan.core.errors import DomainError, PermissionDenied, TransitionNotAllowed
from aduan.core.roles import AGENCY_ROLES, Role
from aduan.intake.models import Report, Status
from aduan.intake.services import report_submit
from aduan.workflow.models import FollowUp, ReportEvent
from aduan.workflow.services import report_act
from aduan.workflow.transitions import TRANSITIONS, Action, allowed_actions
from tests.conftest import make_user
from tests.factories import CITIZEN, PUPR, act, submit

ACTIONS = [a for a in Action if a is not Action.SUBMIT]
ROLES = list(Role)


@pytest.fixture
def people(db: None) -> dict[str, User]:
    peer_agency_make()
    return {
        "coordinator": make_user("koordinator", Role.COORDINATOR, "diskominfo"),
        "pupr": make_user("admin-pupr", Role.OPD_ADMIN, "pupr"),
        "pupr_liaison": make_user("pejabat-pupr", Role.LIAISON_OFFICER, "pupr"),
        "apip": make_user("apip", Role.APIP, "inspektorat"),
        "leader": make_user("pimpinan", Role.LEADER),
    }


PEER_AGENCY = "35-dpubm"


def peer_agency_make() -> None:
    """A province's agency as federation offers it here: an `external` Agency linked to a peer."""
    from aduan.core import clock
    from aduan.directory.models import Agency
    from aduan.federation.models import Peer, PeerAgency

    peer = Peer.objects.create(
        code="35",
        name="Pemerintah Provinsi Jawa Timur",
        level="provinsi",
        base_url="http://127.0.0.1:9599",
        public_key="A" * 43,
        key_id="0" * 16,
        created_at=clock.now(),
    )
    agency = Agency.objects.create(code=PEER_AGENCY, name="Dinas PU Bina Marga", kind=Agency.Kind.EXTERNAL)
    PeerAgency.objects.create(peer=peer, remote_code="dpubm", agency=agency)


def build(state: Status, people: dict[str, User], *, lead: str = "pupr", channel: str = "web") -> Report:
    """A report brought to `state` through the real lifecycle (the lead agency chosen by the caller)."""
    coordinator = actor_for_user(people["coordinator"])
    report = submit(category=None, channel=channel).report
    if state == Status.BELUM_TERVERIFIKASI:
        return report
    if state == Status.DITUNDA:
        return act(coordinator, report, "hold", question="Di mana tepatnya?")
    if state == Status.DIARSIPKAN:
        return act(coordinator, report, "archive", reason="spam")
    report = act(
        coordinator, report, "verify", classification="pengaduan_tidak_berkadar_pengawasan", category=PUPR
    )
    if state == Status.TERVERIFIKASI:
        return report
    if state == Status.DITERUSKAN:
        report = act(coordinator, report, "forward", agency=PEER_AGENCY, note="Jalan provinsi.")
        # The province has answered: the citizen may reply, rate or confirm through the relay.
        return act(SYSTEM, report, "forward_update", status="ditindaklanjuti", follow_up="Sudah ditambal.")
    supporting = ["inspektorat"] if lead != "inspektorat" else []
    report = act(
        coordinator, report, "dispose", lead=lead, supporting=supporting, instruction="Tindak lanjuti."
    )
    if state == Status.TERDISPOSISI:
        return report
    lead_staff = actor_for_user(people["apip"] if lead == "inspektorat" else people["pupr_liaison"])
    report = act(lead_staff, report, "follow_up", text="Sudah ditinjau.")
    if state == Status.DITINDAKLANJUTI:
        return report
    if state == Status.DITANGGAPI_PELAPOR:
        return act(citizen_with_access(report.pk), report, "reply", text="Belum beres.")
    assert state == Status.SELESAI
    return act(citizen_with_access(report.pk), report, "complete")


def actor_for(role: Role, report: Report, people: dict[str, User]) -> Actor:
    """The member of `role` best placed to act on the report (its owner, the lead agency's staff)."""
    return {
        Role.CITIZEN: lambda: citizen_with_access(report.pk),
        Role.COORDINATOR: lambda: actor_for_user(people["coordinator"]),
        Role.OPD_ADMIN: lambda: actor_for_user(people["pupr"]),
        Role.LIAISON_OFFICER: lambda: actor_for_user(people["pupr_liaison"]),
        Role.APIP: lambda: actor_for_user(people["apip"]),
        Role.LEADER: lambda: actor_for_user(people["leader"]),
        Role.SYSTEM: lambda: SYSTEM,
    }[role]()


def params_for(action: Action, report: Report, actor: Actor) -> dict[str, Any]:
    """Valid input for each action (what a real screen would send)."""
    if action in (Action.APPROVE_FOLLOW_UP, Action.SEND_BACK_FOLLOW_UP):
        draft = FollowUp.objects.filter(report=report, state=FollowUp.State.DRAFT).first()
        return {"follow_up_id": draft.pk if draft else 0, "note": "Perbaiki kalimatnya."}
    original = None
    if action is Action.MARK_DUPLICATE:
        original = submit(title="Laporan asli").report
    return {
        Action.HOLD: {"question": "Mohon lengkapi lokasi."},
        Action.RESUME: {"answer": "Di depan pasar."},
        Action.VERIFY: {"classification": "aspirasi", "category": PUPR},
        Action.ARCHIVE: {"reason": "not_actionable"},
        Action.MARK_DUPLICATE: {"of": original.tracking_number if original else ""},
        Action.DISPOSE: {"lead": "pupr", "supporting": [], "instruction": "Segera."},
        Action.REDISPOSE: {"lead": "dishub", "supporting": ["pupr"], "instruction": "Ganti instansi utama."},
        Action.RETURN: {"reason": "Bukan kewenangan kami.", "proposed_agency": "dishub"},
        Action.DRAFT_FOLLOW_UP: {"text": "Draf jawaban."},
        Action.FOLLOW_UP: {"text": "Sudah diperbaiki."},
        Action.REPLY: {"text": "Masih rusak."},
        Action.REOPEN: {"reason": "Ternyata rusak lagi."},
        Action.RATE: {"score": 4, "comment": "Cukup baik."},
        Action.CLOSE: {"reason": "Sudah ditangani lewat jalur lain."},
        Action.ESCALATE: {"level": 1},
        Action.RESET_ACCESS_CODE: {"access_code": "ABCD-EFGH", "sent_to": "sms"},
        Action.FORWARD: {"agency": PEER_AGENCY, "note": "Kewenangan provinsi."},
        Action.FORWARD_UPDATE: {"status": "terdisposisi", "label": "Terdisposisi"},
        Action.FORWARD_RETURNED: {"reason": "Bukan kewenangan provinsi."},
        Action.RETURN_TO_ORIGIN: {"reason": "Bukan kewenangan kami."},
        Action.RELAY: {"kind": "reply", "text": "Masih berlubang."},
    }.get(action, {})


def is_allowed(state: Status, action: Action, role: Role) -> bool:
    transition = TRANSITIONS[action]
    return state in transition.sources and role in transition.roles


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(Status), ids=lambda s: s.value)
def test_every_combination_from_state(state: Status, people: dict[str, User]) -> None:
    shared = build(state, people)  # refused attempts change nothing, so one report serves them all
    allowed_seen = 0
    for action in ACTIONS:
        for role in ROLES:
            if is_allowed(state, action, role):
                allowed_seen += 1
                # APIP acts as the lead agency's staff on a report disposed to the Inspektorat.
                report = build(
                    state,
                    people,
                    lead="inspektorat" if role == Role.APIP else "pupr",
                    # Only a report a peer forwarded here can be given back to it.
                    channel="instansi" if action is Action.RETURN_TO_ORIGIN else "web",
                )
                actor = actor_for(role, report, people)
                if action in (Action.APPROVE_FOLLOW_UP, Action.SEND_BACK_FOLLOW_UP):
                    act(actor_for(Role.OPD_ADMIN, report, people), report, "draft_follow_up", text="Draf.")
                before = ReportEvent.objects.filter(report=report).count()
                event = report_act(
                    actor=actor,
                    report_id=report.pk,
                    action=action.value,
                    params=params_for(action, report, actor),
                )
                report.refresh_from_db()
                assert ReportEvent.objects.filter(report=report).count() == before + 1, (state, action, role)
                target = TRANSITIONS[action].target or state
                assert (event.from_status, event.to_status, report.status) == (state, target, target)
                assert (event.action, event.actor_role) == (action.value, role.value)
            else:
                actor = actor_for(role, shared, people)
                before_events = ReportEvent.objects.filter(report=shared).count()
                with pytest.raises((TransitionNotAllowed, PermissionDenied)) as refused:
                    report_act(
                        actor=actor,
                        report_id=shared.pk,
                        action=action.value,
                        params=params_for(action, shared, actor),
                    )
                if role not in TRANSITIONS[action].roles:
                    assert refused.value.code == "role_not_allowed"
                elif refused.type is PermissionDenied:
                    # Right role, but not this member of it: agency staff of a report not (lead-)disposed to them.
                    assert role in AGENCY_ROLES and refused.value.code in (
                        "not_your_report",
                        "not_lead_agency",
                    )
                else:
                    # Right role, wrong state: the error names the state and the action.
                    assert state.value in refused.value.message and action.value in refused.value.message
                shared.refresh_from_db()
                assert shared.status == state
                assert ReportEvent.objects.filter(report=shared).count() == before_events
    assert allowed_seen == sum(1 for action in ACTIONS for role in ROLES if is_allowed(state, action, role))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_submit_by_role(role: Role, people: dict[str, User]) -> None:
    actor = {Role.CITIZEN: CITIZEN, Role.SYSTEM: SYSTEM}.get(role) or actor_for_user(
        {
            Role.COORDINATOR: people["coordinator"],
            Role.OPD_ADMIN: people["pupr"],
            Role.LIAISON_OFFICER: people["pupr_liaison"],
            Role.APIP: people["apip"],
            Role.LEADER: people["leader"],
        }[role]
    )
    if role in TRANSITIONS[Action.SUBMIT].roles:
        report = submit(actor=actor).report
        events = list(report.events.all())
        assert [(e.action, e.from_status, e.to_status) for e in events] == [
            ("submit", "", "belum_terverifikasi")
        ]
    else:
        with pytest.raises(PermissionDenied):
            submit(actor=actor, title="Tidak boleh")
        assert not Report.objects.filter(title="Tidak boleh").exists()


def test_screens_offer_what_the_table_allows() -> None:
    assert allowed_actions(Status.TERDISPOSISI, Role.OPD_ADMIN) == [
        Action.ACCEPT,
        Action.RETURN,
        Action.DRAFT_FOLLOW_UP,
        Action.FOLLOW_UP,
    ]
    for role in (Role.OPD_ADMIN, Role.APIP, Role.LIAISON_OFFICER):
        for state in Status:
            assert Action.ARCHIVE not in allowed_actions(state, role)
            assert Action.CLOSE not in allowed_actions(state, role)
    assert allowed_actions(Status.SELESAI, Role.LEADER) == []


@pytest.mark.django_db
def test_unknown_action_is_a_clear_error(koordinator: User) -> None:
    report = submit().report
    with pytest.raises(DomainError) as error:
        report_act(actor=actor_for_user(koordinator), report_id=report.pk, action="teleport")
    assert error.value.code == "unknown_action"
    _ = report_submit  # the only other entry point, covered by test_submit_by_role
