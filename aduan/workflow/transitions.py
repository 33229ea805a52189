"""The report lifecycle of DOMAIN.md §3 as one table. Only `workflow.services.report_act` applies it.

Each action names the states it may start from, the state it leads to (None: the state stays,
e.g. re-dispose, accept, rate), the roles allowed to take it, and which of that role's members:
any, the agencies the report is disposed to, the lead agency only, or the reporter.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aduan.core.roles import Role
from aduan.intake.models import OPEN_STATUSES, Status


class Action(enum.StrEnum):
    SUBMIT = "submit"
    HOLD = "hold"
    RESUME = "resume"
    EXPIRE_HOLD = "expire_hold"
    VERIFY = "verify"
    ARCHIVE = "archive"
    MARK_DUPLICATE = "mark_duplicate"
    DISPOSE = "dispose"
    REDISPOSE = "redispose"
    ACCEPT = "accept"
    RETURN = "return"
    DRAFT_FOLLOW_UP = "draft_follow_up"
    APPROVE_FOLLOW_UP = "approve_follow_up"
    SEND_BACK_FOLLOW_UP = "send_back_follow_up"
    FOLLOW_UP = "follow_up"
    REPLY = "reply"
    COMPLETE = "complete"
    AUTO_CLOSE = "auto_close"
    REOPEN = "reopen"
    RATE = "rate"
    CLOSE = "close"
    REMIND = "remind"
    ESCALATE = "escalate"
    RESET_ACCESS_CODE = "reset_access_code"
    # Federation (docs/federation.md): to a peer installation's agency and back.
    FORWARD = "forward"
    FORWARD_UPDATE = "forward_update"
    FORWARD_RETURNED = "forward_returned"
    RETURN_TO_ORIGIN = "return_to_origin"
    RELAY = "relay"


class Scope(enum.Enum):
    ANY = "any"  # every holder of the role (coordinator, system)
    DISPOSED_AGENCY = "disposed_agency"  # staff of an agency the report is actively disposed to
    LEAD_AGENCY = "lead_agency"  # staff of the active lead agency only
    REPORTER = "reporter"  # the citizen who owns the report


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status | None]
    target: Status | None
    roles: frozenset[Role]
    public: bool
    label: str | Promise  # translated when shown


S = Status
R = Role
AGENCY_STAFF = frozenset({R.OPD_ADMIN, R.APIP})
OPEN = frozenset(OPEN_STATUSES)


def _t(
    action: Action,
    sources: set[Status | None],
    target: Status | None,
    roles: set[Role] | frozenset[Role],
    public: bool,
    label: str | Promise,
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), public, label)


TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in [
        _t(
            Action.SUBMIT,
            {None},
            S.BELUM_TERVERIFIKASI,
            {R.CITIZEN, R.COORDINATOR, R.SYSTEM},
            True,
            _("Laporan diterima"),
        ),
        _t(
            Action.HOLD,
            {S.BELUM_TERVERIFIKASI},
            S.DITUNDA,
            {R.COORDINATOR},
            True,
            _("Ditunda: menunggu klarifikasi"),
        ),
        _t(
            Action.RESUME,
            {S.DITUNDA},
            S.BELUM_TERVERIFIKASI,
            {R.CITIZEN, R.COORDINATOR},
            True,
            _("Klarifikasi diterima"),
        ),
        _t(
            Action.EXPIRE_HOLD,
            {S.DITUNDA},
            S.DIARSIPKAN,
            {R.SYSTEM},
            True,
            _("Diarsipkan: klarifikasi tidak dijawab"),
        ),
        _t(
            Action.VERIFY, {S.BELUM_TERVERIFIKASI}, S.TERVERIFIKASI, {R.COORDINATOR}, True, _("Terverifikasi")
        ),
        _t(
            Action.ARCHIVE,
            {S.BELUM_TERVERIFIKASI, S.TERVERIFIKASI},
            S.DIARSIPKAN,
            {R.COORDINATOR},
            True,
            _("Diarsipkan"),
        ),
        _t(
            Action.MARK_DUPLICATE,
            {S.BELUM_TERVERIFIKASI, S.TERVERIFIKASI},
            S.DIARSIPKAN,
            {R.COORDINATOR},
            True,
            _("Duplikat laporan lain"),
        ),
        _t(Action.DISPOSE, {S.TERVERIFIKASI}, S.TERDISPOSISI, {R.COORDINATOR}, True, _("Terdisposisi")),
        _t(Action.REDISPOSE, {S.TERDISPOSISI}, None, {R.COORDINATOR}, True, _("Disposisi diubah")),
        _t(
            Action.ACCEPT,
            {S.TERDISPOSISI, S.DITANGGAPI_PELAPOR},
            None,
            AGENCY_STAFF,
            False,
            _("Disposisi diterima instansi"),
        ),
        _t(
            Action.RETURN,
            {S.TERDISPOSISI},
            S.TERVERIFIKASI,
            AGENCY_STAFF,
            False,
            _("Dikembalikan: bukan kewenangan"),
        ),
        _t(
            Action.DRAFT_FOLLOW_UP,
            {S.TERDISPOSISI, S.DITANGGAPI_PELAPOR, S.DITINDAKLANJUTI},
            None,
            AGENCY_STAFF,
            False,
            _("Draf tindak lanjut"),
        ),
        _t(
            Action.APPROVE_FOLLOW_UP,
            {S.TERDISPOSISI, S.DITANGGAPI_PELAPOR, S.DITINDAKLANJUTI},
            None,
            {R.LIAISON_OFFICER},
            False,
            _("Tindak lanjut disetujui"),
        ),
        _t(
            Action.SEND_BACK_FOLLOW_UP,
            {S.TERDISPOSISI, S.DITANGGAPI_PELAPOR, S.DITINDAKLANJUTI},
            None,
            {R.LIAISON_OFFICER},
            False,
            _("Draf dikembalikan untuk diperbaiki"),
        ),
        _t(
            Action.FOLLOW_UP,
            {S.TERDISPOSISI, S.DITANGGAPI_PELAPOR},
            S.DITINDAKLANJUTI,
            AGENCY_STAFF | {R.LIAISON_OFFICER},
            True,
            _("Ditindaklanjuti"),
        ),
        _t(
            Action.REPLY,
            {S.DITINDAKLANJUTI},
            S.DITANGGAPI_PELAPOR,
            {R.CITIZEN},
            True,
            _("Ditanggapi pelapor"),
        ),
        _t(
            Action.COMPLETE,
            {S.DITINDAKLANJUTI},
            S.SELESAI,
            {R.CITIZEN, R.OPD_ADMIN, R.APIP, R.COORDINATOR},
            True,
            _("Selesai"),
        ),
        _t(Action.AUTO_CLOSE, {S.DITINDAKLANJUTI}, S.SELESAI, {R.SYSTEM}, True, _("Ditutup oleh sistem")),
        _t(
            Action.REOPEN,
            {S.SELESAI},
            S.DITANGGAPI_PELAPOR,
            {R.CITIZEN},
            True,
            _("Dibuka kembali oleh pelapor"),
        ),
        _t(Action.RATE, {S.DITINDAKLANJUTI, S.SELESAI}, None, {R.CITIZEN}, True, _("Penilaian pelapor")),
        _t(Action.CLOSE, set(OPEN), S.SELESAI, {R.COORDINATOR}, True, _("Ditutup oleh admin")),
        # Deadline bookkeeping by the sweeps: no state change, but audited like everything else.
        _t(Action.REMIND, set(OPEN), None, {R.SYSTEM}, False, _("Pengingat batas waktu dikirim")),
        _t(Action.ESCALATE, set(OPEN), None, {R.SYSTEM}, False, _("Dieskalasi: batas waktu terlewati")),
        # "Lupa kode akses?": a new code sent to a contact the reporter gave (the old one stops
        # working). The system acts on the request; the event records where it went, never the code.
        _t(
            Action.RESET_ACCESS_CODE, set(S), None, {R.SYSTEM}, False, _("Kode akses baru dikirim ke pelapor")
        ),
        # Federation. The coordinator forwards a verified report (a returned one too) to an agency
        # of a peer installation, which is responsible from then on; what the peer reports back is
        # applied by the system; the peer's "not our authority" puts it back on the coordinator's
        # queue, flagged like an OPD's return. At the receiver, its coordinator can give a report
        # that came from a peer back to the origin. The citizen keeps acting at the origin: their
        # reply, rating, reopening or confirmation is relayed to the responsible peer.
        _t(
            Action.FORWARD,
            {S.TERVERIFIKASI},
            S.DITERUSKAN,
            {R.COORDINATOR},
            True,
            _("Diteruskan ke instansi lain"),
        ),
        _t(
            Action.FORWARD_UPDATE,
            {S.DITERUSKAN},
            None,
            {R.SYSTEM},
            True,
            _("Kabar dari instansi penerima"),
        ),
        _t(
            Action.FORWARD_RETURNED,
            {S.DITERUSKAN},
            S.TERVERIFIKASI,
            {R.SYSTEM},
            False,
            _("Dikembalikan instansi penerima: bukan kewenangan"),
        ),
        _t(
            Action.RETURN_TO_ORIGIN,
            {S.BELUM_TERVERIFIKASI, S.TERVERIFIKASI},
            S.DITERUSKAN,
            {R.COORDINATOR},
            False,
            _("Dikembalikan ke instansi asal: bukan kewenangan"),
        ),
        _t(
            Action.RELAY,
            {S.DITERUSKAN},
            None,
            {R.CITIZEN},
            True,
            _("Tanggapan pelapor diteruskan ke instansi penerima"),
        ),
    ]
}

# Which members of an allowed role may act on a given report.
SCOPES: dict[Role, Scope] = {
    R.CITIZEN: Scope.REPORTER,
    R.COORDINATOR: Scope.ANY,
    R.SYSTEM: Scope.ANY,
    R.OPD_ADMIN: Scope.DISPOSED_AGENCY,
    R.APIP: Scope.DISPOSED_AGENCY,
    R.LIAISON_OFFICER: Scope.DISPOSED_AGENCY,
    R.LEADER: Scope.ANY,
}
# Actions that only the lead agency (not a supporting one) may take.
LEAD_ONLY = frozenset({Action.RETURN, Action.COMPLETE})


def transition_for(action: str) -> Transition | None:
    try:
        return TRANSITIONS[Action(action)]
    except ValueError:
        return None


# Audited events that are not transitions (the report's state does not change): their labels.
AUDIT_ONLY_LABELS: dict[str, Promise] = {
    "erase_personal_data": _("Data pribadi pelapor dihapus (UU 27/2022)"),
    "photo_public": _("Foto ditampilkan ke publik"),
    "photo_hidden": _("Foto tidak lagi ditampilkan ke publik"),
}


def event_label(action: str) -> str:
    """What an audit event is called on screens and in the API."""
    transition = transition_for(action)
    if transition is not None:
        return str(transition.label)
    return str(AUDIT_ONLY_LABELS.get(action, action))


def allowed_actions(status: Status | None, role: Role) -> list[Action]:
    """The actions a role may take from a state, in table order (screens offer exactly these)."""
    return [t.action for t in TRANSITIONS.values() if status in t.sources and role in t.roles]


def lifecycle_markdown() -> str:
    """The table as Markdown, for docs/lifecycle.md (generated, so it cannot drift)."""
    lines = ["| action | from | to | roles | public |", "|---|---|---|---|---|"]
    for t in TRANSITIONS.values():
        sources = ", ".join(sorted("—" if s is None else s.value for s in t.sources))
        target = t.target.value if t.target else "(unchanged)"
        roles = ", ".join(sorted(r.value for r in t.roles))
        lines.append(
            f"| `{t.action.value}` | {sources} | {target} | {roles} | {'yes' if t.public else 'no'} |"
        )
    return "\n".join(lines) + "\n"
