"""The notification matrix: for each lifecycle event, who is told, and with which editable template.

This table is the source: `events.messages_for_event` sends exactly what it says, the deadline
sweeps' `remind`/`escalate` events included, and docs/notifications.md is generated from it
(`tests/notifications/test_matrix.py` walks every row and compares the document).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Audience(enum.StrEnum):
    REPORTER = "reporter"  # every contact the reporter gave (and the reporters of its duplicates)
    DISPOSED_AGENCIES = "disposed_agencies"  # the lead and supporting OPDs of the new disposition
    LEAD_AGENCY = "lead_agency"  # the admins of the lead OPD
    ACTING_AGENCY = "acting_agency"  # the admins of the OPD whose draft was approved or sent back
    LIAISON = "liaison"  # the pejabat penghubung of the OPD that wrote the draft
    COORDINATOR = "coordinator"  # every admin koordinator
    HEAD = "head"  # the head of the lead OPD; of the coordinating agency for the coordinator's steps


class When(enum.StrEnum):
    ALWAYS = "always"
    NOT_BY_REPORTER = "not_by_reporter"  # the reporter's own act: their screen or SMS answer says so
    LEAD_CHANGED = "lead_changed"
    APPROVAL_REQUIRED = "approval_required"  # the OPD requires approval and the author is not the pejabat
    COORDINATOR_STEP = "coordinator_step"  # verification/disposition, or re-disposition after a return
    AGENCY_STEP = "agency_step"  # the OPD's follow-up
    LEVEL_1 = "level_1"  # the deadline passed
    LEVEL_2 = "level_2"  # still open `escalation_head` working days after it
    HAS_FOLLOW_UP = "has_follow_up"  # a peer installation's news that carries its published follow-up


@dataclass(frozen=True)
class Rule:
    event: str  # a lifecycle action (workflow.transitions.Action), remind/escalate by the sweeps
    audience: Audience
    template: str  # MessageTemplate key
    when: When = When.ALWAYS


A = Audience
W = When
CITIZEN_STATUS = "citizen.status"

MATRIX: tuple[Rule, ...] = (
    Rule("submit", A.REPORTER, "citizen.submitted"),
    Rule("reset_access_code", A.REPORTER, "citizen.access_code"),
    Rule("hold", A.REPORTER, "citizen.hold"),
    Rule("resume", A.REPORTER, CITIZEN_STATUS, W.NOT_BY_REPORTER),
    Rule("expire_hold", A.REPORTER, CITIZEN_STATUS),
    Rule("verify", A.REPORTER, CITIZEN_STATUS),
    Rule("archive", A.REPORTER, CITIZEN_STATUS),
    Rule("mark_duplicate", A.REPORTER, "citizen.mark_duplicate"),
    Rule("dispose", A.REPORTER, "citizen.dispose"),
    Rule("dispose", A.DISPOSED_AGENCIES, "agency.disposed"),
    Rule("redispose", A.REPORTER, "citizen.dispose", W.LEAD_CHANGED),
    Rule("redispose", A.DISPOSED_AGENCIES, "agency.disposed"),
    Rule("return", A.COORDINATOR, "coordinator.returned"),
    Rule("draft_follow_up", A.LIAISON, "liaison.draft", W.APPROVAL_REQUIRED),
    Rule("approve_follow_up", A.ACTING_AGENCY, "agency.draft_approved"),
    Rule("send_back_follow_up", A.ACTING_AGENCY, "agency.draft_sent_back"),
    Rule("follow_up", A.REPORTER, "citizen.follow_up"),
    Rule("reply", A.LEAD_AGENCY, "agency.replied"),
    Rule("complete", A.REPORTER, CITIZEN_STATUS, W.NOT_BY_REPORTER),
    Rule("auto_close", A.REPORTER, CITIZEN_STATUS),
    Rule("reopen", A.LEAD_AGENCY, "agency.reopened"),
    Rule("close", A.REPORTER, CITIZEN_STATUS),
    Rule("remind", A.COORDINATOR, "coordinator.reminder", W.COORDINATOR_STEP),
    Rule("remind", A.LEAD_AGENCY, "agency.reminder", W.AGENCY_STEP),
    Rule("escalate", A.COORDINATOR, "coordinator.escalation", W.LEVEL_1),
    Rule("escalate", A.LEAD_AGENCY, "agency.escalation", W.LEVEL_1),
    Rule("escalate", A.HEAD, "head.escalation", W.LEVEL_2),
    Rule("forward", A.REPORTER, CITIZEN_STATUS),
    Rule("forward_update", A.REPORTER, "citizen.follow_up", W.HAS_FOLLOW_UP),
    Rule("forward_returned", A.COORDINATOR, "coordinator.returned"),
)

# Events that tell nobody, and why (the matrix test checks every action is in one of the two).
SILENT: dict[str, str] = {
    "accept": "the OPD's own bookkeeping; the coordinator sees it in the queue",
    "rate": "the reporter's own act; the rating shows on the report and in the evaluation",
    "relay": "the reporter's own act, passed to the peer installation, whose agency is told there",
    "return_to_origin": "the report goes back to the origin installation, whose coordinator is told there "
    "(`forward_returned`)",
}

# Sent by the service that makes the secret (it is never in the audit event), not by the event.
SENT_BY_SERVICE = frozenset({"submit", "reset_access_code"})

CHANNELS: dict[Audience, str] = {
    A.REPORTER: "SMS to the phone given (WhatsApp instead when the report came by WhatsApp), email to the "
    "address given; status news not after an opt-out (`BERHENTI` by SMS, or the tracking page)",
    A.HEAD: "email to the head's address in the directory",
}
STAFF_CHANNELS = (
    "email and/or the console bell, as each officer chooses (default both); the OPD's own mailbox by email"
)

WHEN_TEXT: dict[When, str] = {
    W.ALWAYS: "",
    W.NOT_BY_REPORTER: "unless the reporter did it",
    W.LEAD_CHANGED: "when the lead OPD changed",
    W.APPROVAL_REQUIRED: "when the OPD requires approval and the author is not the pejabat",
    W.COORDINATOR_STEP: "verification or re-disposition step",
    W.AGENCY_STEP: "follow-up step",
    W.LEVEL_1: "deadline passed (level 1)",
    W.LEVEL_2: "level 2 (`escalation_head` working days later)",
    W.HAS_FOLLOW_UP: "when the peer installation's news carries its follow-up",
}


def rules_for(event: str) -> list[Rule]:
    return [rule for rule in MATRIX if rule.event == event]


def template_for(event: str, audience: Audience) -> str:
    [rule] = [r for r in MATRIX if r.event == event and r.audience == audience]
    return rule.template


def matrix_markdown() -> str:
    """The table as Markdown, for docs/notifications.md (generated, so it cannot drift)."""
    lines = ["| event | who is told | when | template | channels |", "|---|---|---|---|---|"]
    for rule in MATRIX:
        channels = CHANNELS.get(rule.audience, STAFF_CHANNELS)
        lines.append(
            f"| `{rule.event}` | {rule.audience.value} | {WHEN_TEXT[rule.when]} | `{rule.template}` | {channels} |"
        )
    for event, why in SILENT.items():
        lines.append(f"| `{event}` | nobody | {why} | | |")
    return "\n".join(lines) + "\n"
