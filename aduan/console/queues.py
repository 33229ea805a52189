"""The console's queues and filters: read-only querysets built on `reports_visible_to`.

Access is decided by the selector; this module only narrows what the actor may already see.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aduan.core import clock, paging
from aduan.core.actors import Actor
from aduan.core.roles import Role
from aduan.directory.models import Agency, Category, Region
from aduan.evaluation import drilldown
from aduan.intake.models import (
    OPEN_STATUSES,
    Channel,
    Kind,
    Report,
    Status,
    replied_first,
    returned_first,
)
from aduan.intake.search import search_words, text_search, text_search_q
from aduan.intake.services import normalize_tracking_number
from aduan.sla import conf as sla_conf
from aduan.sla.calendar import WorkingCalendar
from aduan.sla.selectors import STAFF_CLOCK, overdue_q
from aduan.workflow.models import Disposition, FollowUp
from aduan.workflow.selectors import reports_held_by, reports_visible_to

OPEN = [s.value for s in OPEN_STATUSES]


@dataclass(frozen=True)
class Queue:
    key: str
    label: Any
    help: Any = ""


COORDINATOR_QUEUES = [
    Queue("baru", _("Baru"), _("Belum terverifikasi; laporan yang dikembalikan OPD tampil paling atas")),
    Queue("dikembalikan", _("Dikembalikan OPD"), _("Bukan kewenangan: disposisi ulang dalam 1 hari kerja")),
    Queue("siap", _("Siap disposisi"), _("Terverifikasi, belum didisposisikan")),
    Queue("ditunda", _("Ditunda"), _("Menunggu klarifikasi pelapor")),
    Queue("terlambat", _("Terlambat"), _("Melewati batas waktu tahap saat ini")),
    Queue("semua", _("Semua"), ""),
]
AGENCY_QUEUES = [
    Queue("ditanggapi", _("Ditanggapi pelapor"), _("Pelapor menanggapi: tindak lanjut lagi")),
    Queue("baru", _("Disposisi baru"), _("Belum diterima instansi")),
    Queue("diproses", _("Diproses"), _("Diterima, sedang atau sudah ditindaklanjuti")),
    Queue("persetujuan", _("Menunggu persetujuan"), _("Draf tindak lanjut menunggu pejabat penghubung")),
    Queue("terlambat", _("Terlambat"), _("Melewati batas waktu")),
    Queue("selesai", _("Selesai"), ""),
    Queue("semua", _("Semua"), ""),
]


def queues_for(actor: Actor) -> list[Queue]:
    return AGENCY_QUEUES if actor.is_agency_role else COORDINATOR_QUEUES


def default_queue(actor: Actor) -> str:
    if actor.role == Role.LIAISON_OFFICER:
        return "persetujuan"
    if actor.role == Role.LEADER:
        return "semua"
    return "baru"


def _my_disposition(actor: Actor, *, past_new: bool = False, **extra: Any) -> Exists:
    mine = Disposition.objects.filter(
        report=OuterRef("pk"), agency_id=actor.agency_id or 0, is_active=True, **extra
    )
    return Exists(mine.exclude(state=Disposition.State.NEW) if past_new else mine)


def _agency_filters(actor: Actor, now: dt.datetime) -> dict[str, Q]:
    """What each OPD queue asks of a report the agency holds (beside its own disposition's state)."""
    return {
        "ditanggapi": Q(status=Status.DITANGGAPI_PELAPOR),
        "baru": Q(status=Status.TERDISPOSISI),
        "diproses": Q(status__in=[Status.TERDISPOSISI, Status.DITINDAKLANJUTI]),
        "persetujuan": Q(
            Exists(
                FollowUp.objects.filter(
                    report=OuterRef("pk"), agency_id=actor.agency_id or 0, state=FollowUp.State.DRAFT
                )
            )
        ),
        # The agency is late only on its own step; the citizen's reply window is not its debt.
        "terlambat": overdue_q(now) & Q(status__in=[Status.TERDISPOSISI, Status.DITANGGAPI_PELAPOR]),
        "selesai": Q(status=Status.SELESAI),
        "semua": Q(),
    }


# The state of the agency's own disposition in the queues that depend on it. An active disposition
# is done exactly while its report is selesai: only completing sets it, and reopening (the one way
# out of selesai) sets it back to accepted; returned and withdrawn ones are inactive. So "baru" holds
# the new ones, "diproses" (open, past new) the accepted and followed-up ones, "selesai" the done.
_HELD_STATES: dict[str, tuple[str, ...]] = {
    "baru": (Disposition.State.NEW,),
    "diproses": (Disposition.State.ACCEPTED, Disposition.State.FOLLOWED_UP),
    "selesai": (Disposition.State.DONE,),
}


def queue_reports(actor: Actor, key: str) -> QuerySet[Report]:
    """The reports of one queue, most urgent first (returned/replied on top, then by deadline)."""
    reports = reports_visible_to(actor)
    now = clock.now()
    if actor.is_agency_role:
        # The page's form of the disposition's state. Not "my disposition is new" but "none of mine
        # is past new": the same reports (the actor sees only reports with one active disposition
        # of theirs, and there is at most one), but PostgreSQL estimates the anti-join right and
        # walks the queue's index in order instead of sorting every new disposition the OPD holds
        # (issue 16). The count's form is queue_count_reports.
        state = {
            "baru": ~Q(_my_disposition(actor, past_new=True)),
            "diproses": ~Q(_my_disposition(actor, state=Disposition.State.NEW)),
        }
        # "baru" and "diproses" hold no report the citizen replied to: their order is the deadline
        # alone, which their own index (report_agency_in_hand) serves; sorted by replied_first()
        # they would walk past every replied report of every OPD first (issue 16).
        in_hand = key in ("baru", "diproses")
        return (
            reports.filter(_agency_filters(actor, now).get(key, Q()) & state.get(key, Q()))
            .annotate(_top=replied_first())
            .order_by(*(["due_at", "-submitted_at"] if in_hand else ["_top", "due_at", "-submitted_at"]))
        )
    overdue = overdue_q(now)
    filters = {
        "baru": Q(status=Status.BELUM_TERVERIFIKASI) | Q(is_returned=True, status=Status.TERVERIFIKASI),
        "dikembalikan": Q(is_returned=True, status=Status.TERVERIFIKASI),
        "siap": Q(status=Status.TERVERIFIKASI, is_returned=False),
        "ditunda": Q(status=Status.DITUNDA),
        "terlambat": overdue,
        "semua": Q(),
    }
    order = ["_top", "due_at", "-submitted_at"] if key != "semua" else ["_top", "-submitted_at"]
    return reports.filter(filters.get(key, Q())).annotate(_top=returned_first()).order_by(*order)


def queue_count_reports(actor: Actor, key: str) -> QuerySet[Report]:
    """The reports of queue_reports(actor, key), unordered, in the form cheapest to count.

    An OPD's page walks the queue's index in deadline order and stops after a page. Its count has
    no order to follow: through the EXISTS of reports_visible_to it read every OPD's reports to
    find a cap's worth of its own (issue 16). Joined to the agency's own disposition, in the
    queue's state, the count starts from that agency's rows (disposition_agency_state).
    """
    if not actor.is_agency_role:
        return queue_reports(actor, key).order_by()
    held = reports_held_by(actor, *_HELD_STATES.get(key, ()))
    return held.filter(_agency_filters(actor, clock.now()).get(key, Q()))


def queue_counts(actor: Actor) -> dict[str, int]:
    """The badge of each queue, exact up to BADGE_CAP (an exact count read every row: issue 16)."""
    return {
        q.key: paging.capped_count(queue_count_reports(actor, q.key), paging.BADGE_CAP)
        for q in queues_for(actor)
    }


# --- filters -----------------------------------------------------------------------------------


def filter_reports(reports: QuerySet[Report], params: Any) -> QuerySet[Report]:
    """Narrow a queue by the shared filter parameters (the dashboard's, `aduan.evaluation.drilldown`)
    and the search box; unknown values are ignored."""
    reports = drilldown.reports_matching(reports, params)
    query = (params.get("q") or "").strip()
    if query:
        reports = reports.filter(search_filter(query))
    return reports


def filter_queue(
    listed: QuerySet[Report], counted: QuerySet[Report], params: Any, *, listed_max: int | None = None
) -> tuple[QuerySet[Report], QuerySet[Report] | int, int]:
    """A queue's page form (queue_reports) and count form (queue_count_reports) narrowed alike by
    the filter form and the search box, and the cap of the page's count: a list's LIST_CAP, a
    search's SEARCH_CAP (a list of `listed_max`, the CSV, holds at most that many). The count
    form comes back as a number where the search already knows it (intake.search.text_search)."""
    listed, counted = drilldown.reports_matching(listed, params), drilldown.reports_matching(counted, params)
    query = (params.get("q") or "").strip()
    if not query:
        return listed, counted, paging.LIST_CAP
    number = _number_filter(query)
    if number is not None:
        return listed.filter(number), counted.filter(number), paging.SEARCH_CAP
    cap = paging.SEARCH_CAP
    return (*text_search(listed, counted, search_words(query), cap, listed_max=listed_max), cap)


# The start of a tracking number ("2612-12"): found through the unique index on the number.
_NUMBER_START = re.compile(r"\d{4}(-\d{0,7})?")


def search_filter(query: str) -> Q:
    """A tracking number (whole, or its start), or else every stemmed word of the query in the
    report's text (full-text index: intake.search)."""
    return _number_filter(query) or text_search_q(words=search_words(query))


def _number_filter(query: str) -> Q | None:
    """A search for a tracking number, whole or its start; None for a search for words."""
    query = query.strip()
    number = normalize_tracking_number(query)
    if number:
        return Q(tracking_number=number)
    if _NUMBER_START.fullmatch(query):
        return Q(tracking_number__startswith=query)
    return None


def filter_choices() -> dict[str, Any]:
    """Options of the filter form (the directory is small: 21 kecamatan, ~40 top categories)."""
    from django.conf import settings

    home = settings.ADUAN_HOME_REGION
    return {
        "statuses": Status.choices,
        "kinds": Kind.choices,
        "categories": Category.objects.filter(parent__isnull=True, is_active=True).order_by("name"),
        "kecamatan": Region.objects.filter(parent_id=home, level=Region.Level.KECAMATAN).order_by("name"),
        "agencies": handling_agencies(),
        "channels": Channel.choices,
    }


def handling_agencies() -> QuerySet[Agency]:
    """Agencies a report can be disposed to (not the kabupaten itself, not the coordinator)."""
    return (
        Agency.objects.filter(is_active=True)
        .exclude(kind__in=[Agency.Kind.GOVERNMENT, Agency.Kind.COORDINATOR])
        .order_by("name")
    )


def deadline_state(
    report: Report, now: dt.datetime | None = None, calendar: WorkingCalendar | None = None
) -> str:
    """'overdue' past due_at, 'warning' once the reminder point of the step has passed (the sla
    sweep's own rule: ADUAN_REMINDER_PERCENT of its working days), 'ok', 'citizen' while the clock
    is the citizen's, or '' without a deadline."""
    if report.due_at is None or report.status not in OPEN:
        return ""
    if report.status not in STAFF_CLOCK:
        return "citizen"
    now = now or clock.now()
    if now > report.due_at:
        return "overdue"
    if report.reminder_sent_at is not None:
        return "warning"
    start = report.step_started_at
    if start is not None:
        calendar = calendar or WorkingCalendar.load()
        if now >= calendar.fraction_point(start, report.due_at, sla_conf.REMINDER_PERCENT / 100):
            return "warning"
    return "ok"
