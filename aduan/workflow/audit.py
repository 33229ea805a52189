"""The tamper-evident audit trail (issue 13 item 7): each report's events form a chain of keyed hashes.

Every ReportEvent carries its position in its report's chain (`seq`, from 1), the hash of its
predecessor (`prev_hash`; for the first event, the report's anchor derived from its tracking
number) and its own `hash`: an HMAC over the predecessor's hash and the event's content (action,
states, acting user, role and agency, note, public flag, data, time). The report row keeps the
chain's head (`audit_seq`, `audit_head`), so deleting the last events is caught too.

Why per report and not one global chain: the lifecycle writer already holds the report's row
lock, so the head is read and moved in the same transaction without a new point of contention;
concurrent writers on different reports (the intake group commit, the sweeps, the console) never
wait for each other. The unique (report, seq) constraint refuses a forked chain outright.

Why keyed (HMAC with a key derived from SECRET_KEY) rather than a plain hash: someone who can
write to the database but does not hold the server's secret cannot recompute a consistent chain
after an edit. The same secret already signs the access codes, so rotating it breaks both (see
docs/audit.md). Events never hold a reporter's personal data, so erasing it (on request or by
retention) leaves the chain intact; an erasure is itself a new event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.functional import Promise

if TYPE_CHECKING:
    from aduan.core.actors import Actor
    from aduan.intake.models import Report
    from aduan.workflow.models import ReportEvent

# The fields of ReportEvent the hash covers, in this order (actor ids by attname).
HASHED_FIELDS = (
    "action",
    "from_status",
    "to_status",
    "actor_user_id",
    "actor_role",
    "actor_agency_id",
    "note",
    "is_public",
    "data",
    "created_at",
)


@lru_cache(maxsize=4)
def _keyed(secret: str) -> hmac.HMAC:
    """An HMAC keyed for `secret`, copied per message (cheaper than keying each one anew)."""
    key = hashlib.sha256(b"aduan.workflow.audit:" + secret.encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def _mac(message: bytes) -> str:
    mac = _keyed(settings.SECRET_KEY).copy()
    mac.update(message)
    return mac.hexdigest()


def anchor(tracking_number: str) -> str:
    """The predecessor of a report's first event: ties the chain to that report."""
    return _mac(b"report:" + tracking_number.encode())


def _moment(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def digest(*, prev_hash: str, seq: int, values: dict[str, Any]) -> str:
    """The hash of one event: its predecessor's hash, its position and its content."""
    content = [seq]
    for name in HASHED_FIELDS:
        value = values[name]
        if name == "created_at":
            value = _moment(value)
        elif isinstance(value, str | Promise):
            value = str(value)  # a TextChoices member, a lazy translation: as the text stored
        content.append(value)
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _mac(f"{prev_hash}\n{payload}".encode())


def event_values(event: ReportEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def chain(report: Report, event: ReportEvent) -> None:
    """Make `event` (unsaved) the next link of `report`'s chain and move the report's head.

    Call with the report row locked (report_act holds it) and save both in the same transaction:
    `audit_seq` and `audit_head` among the report's update_fields."""
    seq = report.audit_seq + 1
    prev_hash = report.audit_head if report.audit_seq else anchor(report.tracking_number)
    event.seq = seq
    event.prev_hash = prev_hash
    event.hash = digest(prev_hash=prev_hash, seq=seq, values=event_values(event))
    report.audit_seq = seq
    report.audit_head = event.hash


def record(report: Report, event: ReportEvent, fields: Iterable[str]) -> None:
    """Chain `event` (unsaved) to `report` (locked by the caller), then save the report's `fields`
    with the moved head, and the event: inside the caller's transaction, so both or neither."""
    chain(report, event)
    report.save(update_fields=sorted({*fields, "audit_seq", "audit_head"}))
    event.save(force_insert=True)


def record_audit_only(
    *,
    report: Report,
    actor: Actor,
    action: str,
    data: dict[str, Any],
    now: dt.datetime,
    fields: Iterable[str] = (),
) -> ReportEvent:
    """An audited event that is not a transition (the state stays): a staff-only next link of the
    report's chain (report locked by the caller), saved with the report's `fields`."""
    from aduan.workflow.models import ReportEvent

    event = ReportEvent(
        report=report,
        action=action,
        from_status=report.status,
        to_status=report.status,
        actor_user=actor.user,
        actor_role=actor.role.value,
        actor_agency_id=actor.agency_id,
        note="",
        is_public=False,
        data=data,
        created_at=now,
    )
    record(report, event, fields)
    return event


def open_chain(report: Report, values: dict[str, Any]) -> str:
    """The head of a new report whose first event (`submit`) has `values`: set before the report
    row is inserted, so the intake group commit writes report and event in its one statement.
    Again after the report's tracking number changes (the anchor depends on it). Returns the
    anchor, the first event's `prev_hash`."""
    first = anchor(report.tracking_number)
    report.audit_seq = 1
    report.audit_head = digest(prev_hash=first, seq=1, values=values)
    return first


# --- verification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """The first broken link of one report's chain."""

    report_id: int
    tracking_number: str
    event_id: int | None
    seq: int | None
    what: str

    def __str__(self) -> str:
        where = (
            f"peristiwa #{self.event_id} (urutan {self.seq})"
            if self.event_id is not None
            else "kepala rantai"
        )
        return f"laporan {self.tracking_number} (id {self.report_id}), {where}: {self.what}"


@dataclass
class Verification:
    reports: int = 0
    events: int = 0
    breaks: list[Break] = field(default_factory=list)


def _first_break(report: tuple[int, str, int, str], events: list[tuple[Any, ...]]) -> Break | None:
    report_id, tracking_number, head_seq, head = report
    expected_prev = anchor(tracking_number)
    for position, (event_id, seq, prev_hash, stored, *values) in enumerate(events, start=1):

        def broken(what: str, event_id: int = event_id, seq: int = seq) -> Break:
            return Break(report_id, tracking_number, event_id, seq, what)

        if seq != position:
            if seq > position:
                return broken(f"urutan {position} tidak ada: peristiwa sebelum ini dihapus")
            return broken(f"urutan {seq} muncul lagi: peristiwa disisipkan atau diurutkan ulang")
        if prev_hash != expected_prev:
            return broken(
                "hash pendahulu tidak cocok dengan peristiwa sebelumnya: peristiwa dihapus, disisipkan "
                "atau diurutkan ulang"
            )
        recomputed = digest(
            prev_hash=prev_hash, seq=seq, values=dict(zip(HASHED_FIELDS, values, strict=True))
        )
        if recomputed != stored:
            return broken(
                "isi peristiwa tidak cocok dengan hash-nya: tindakan, status, pelaku, catatan, data "
                "atau waktu telah diubah"
            )
        expected_prev = stored
    last = events[-1] if events else None
    if head_seq != len(events) or (last is not None and head != last[3]):
        return Break(
            report_id,
            tracking_number,
            last[0] if last else None,
            last[1] if last else None,
            f"kepala rantai pada laporan (urutan {head_seq}) tidak cocok dengan peristiwa terakhir "
            f"(urutan {len(events)}): peristiwa terakhir dihapus, atau ditulis di luar rantai",
        )
    return None


def verify(*, report_ids: list[int] | None = None, chunk: int = 2000) -> Verification:
    """Recompute every report's chain (or those of `report_ids`); the first broken link of each."""
    from aduan.intake.models import Report
    from aduan.workflow.models import ReportEvent

    result = Verification()
    reports = Report.objects.order_by("pk")
    if report_ids is not None:
        reports = reports.filter(pk__in=report_ids)
    heads = reports.values_list("pk", "tracking_number", "audit_seq", "audit_head")
    for batch in _batches(heads.iterator(chunk_size=chunk), chunk):
        by_report: dict[int, list[tuple[Any, ...]]] = {head[0]: [] for head in batch}
        # The batch's range of report ids (reports come in id order): one index range scan.
        rows = (
            ReportEvent.objects.filter(report_id__gte=batch[0][0], report_id__lte=batch[-1][0])
            .order_by("report_id", "seq", "pk")
            .values_list("report_id", "pk", "seq", "prev_hash", "hash", *HASHED_FIELDS)
        )
        for report_id, *row in rows:
            if report_id in by_report:  # (with report_ids, others of the range are not asked about)
                by_report[report_id].append(tuple(row))
        for head in batch:
            events = by_report[head[0]]
            result.reports += 1
            result.events += len(events)
            found = _first_break(head, events)
            if found is not None:
                result.breaks.append(found)
    return result


def _batches(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
