"""A realistic synthetic dataset for the scale benchmark, written with PostgreSQL COPY.

Not a demo: rows are generated straight into the tables (the lifecycle service would take hours
for a million reports), with distributions like a busy kabupaten's: channels, classes, categories
with a long tail, kecamatan by population, a past year where most reports are finished, and the
matching lead dispositions, ratings and *bukan kewenangan* returns the statistics read. Each
report's timestamps follow its status (verified → disposed → followed up → completed/archived).
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import random
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from aduan.directory.models import Agency, Category, Region, RoutingRule
from aduan.intake.search import stem_for_search

CHANNELS = {"web": 55, "mobile": 25, "sms": 6, "whatsapp": 6, "email": 3, "api": 2, "staff": 3}
STATUSES = {
    "belum_terverifikasi": 2,
    "ditunda": 1,
    "terverifikasi": 2,
    "terdisposisi": 5,
    "ditindaklanjuti": 4,
    "ditanggapi_pelapor": 1,
    "selesai": 77,
    "diarsipkan": 8,
}
CLASSES = {
    "pengaduan_berkadar_pengawasan": 3,
    "pengaduan_tidak_berkadar_pengawasan": 60,
    "permintaan_informasi": 20,
    "aspirasi": 17,
}
KIND_OF = {
    "pengaduan_berkadar_pengawasan": "pengaduan",
    "pengaduan_tidak_berkadar_pengawasan": "pengaduan",
    "permintaan_informasi": "permintaan_informasi",
    "aspirasi": "aspirasi",
}
FOLLOW_UP_MEAN_DAYS = {
    "pengaduan_berkadar_pengawasan": 30.0,
    "pengaduan_tidak_berkadar_pengawasan": 9.0,
    "permintaan_informasi": 4.0,
    "aspirasi": 4.0,
}
ARCHIVE_REASONS = {
    "incomplete": 35,
    "duplicate": 20,
    "not_actionable": 20,
    "out_of_scope": 15,
    "spam": 8,
    "other": 2,
}
CLOSED_BY = {"citizen": 30, "agency": 35, "system": 33, "coordinator": 2}
TITLES = [
    "Jalan rusak",
    "Lampu jalan mati",
    "Antrean puskesmas lama",
    "Bantuan sosial belum cair",
    "Spanduk liar",
    "Saluran tersumbat",
    "Pelayanan KTP lambat",
    "Sekolah kekurangan guru",
    "Sampah menumpuk",
    "Parkir liar",
]
DAY = 86400


def _picker(rng: random.Random, weights: Mapping[Any, float]) -> Callable[[], Any]:
    keys = list(weights)
    cum: list[float] = []
    total = 0.0
    for k in keys:
        total += weights[k]
        cum.append(total)

    def pick() -> Any:
        return keys[bisect.bisect_right(cum, rng.random() * total)]

    return pick


def _ts(epoch: float | None) -> str:
    if epoch is None:
        return "\\N"
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%d %H:%M:%S+00")


def _columns(table: str) -> list[tuple[str, str, bool]]:
    """(name, data type, nullable) of a table's columns, in order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type, is_nullable = 'YES' FROM information_schema.columns "
            "WHERE table_name = %s ORDER BY ordinal_position",
            [table],
        )
        return list(cursor.fetchall())


def _filler(data_type: str, nullable: bool) -> str:
    """The value for a column this generator does not know (added by another app later)."""
    if nullable:
        return "\\N"
    if data_type in ("integer", "bigint", "smallint", "numeric", "double precision"):
        return "0"
    if data_type == "boolean":
        return "f"
    if data_type == "jsonb":
        return "{}"
    return ""


def reset() -> None:
    """Empty every table that holds reports (benchmark database only)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("bench data needs PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE intake_report, evaluation_statcount, evaluation_countedday RESTART IDENTITY CASCADE"
        )


def generate(
    n_reports: int, *, year: int = 2025, seed: int = 42, progress: Callable[[int, int], None] | None = None
) -> int:
    """Append n_reports synthetic reports submitted in `year` (plus dispositions, ratings, returns)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("bench data needs PostgreSQL (COPY)")
    rng = random.Random(seed)
    agencies = {a.code: a.pk for a in Agency.objects.all()}
    opds = [pk for code, pk in agencies.items() if code not in ("diskominfo", "pemkab-ponorogo")]
    routing = {r.category_id: r.agency_id for r in RoutingRule.objects.filter(kecamatan__isnull=True)}
    tops = list(Category.objects.filter(parent__isnull=True).values_list("pk", flat=True))
    subs: dict[int, list[int]] = {}
    for pk, parent in Category.objects.filter(parent__isnull=False, parent__parent__isnull=True).values_list(
        "pk", "parent_id"
    ):
        subs.setdefault(parent, []).append(pk)
    # The routed topics carry most reports; the other topics a long tail.
    pick_top = _picker(rng, {pk: (12.0 if pk in routing else 1.0) for pk in tops})
    pick_sub = {
        top: _picker(rng, {pk: 1.0 / (i + 1) for i, pk in enumerate(children)})
        for top, children in subs.items()
    }
    kecamatan = list(Region.objects.filter(parent_id="35.02", level=3).values_list("code", flat=True))
    desa: dict[str, list[str]] = {}
    for desa_code, kecamatan_code in Region.objects.filter(parent_id__in=kecamatan).values_list(
        "code", "parent_id"
    ):
        desa.setdefault(kecamatan_code, []).append(desa_code)
    pick_kec = _picker(
        rng, {code: (6.0 if code == "35.02.17" else 1.0 + (i % 5) * 0.4) for i, code in enumerate(kecamatan)}
    )
    pick_channel, pick_status, pick_class = (
        _picker(rng, CHANNELS),
        _picker(rng, STATUSES),
        _picker(rng, CLASSES),
    )
    pick_reason, pick_closed = _picker(rng, ARCHIVE_REASONS), _picker(rng, CLOSED_BY)
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=tz).timestamp()
    days_in_year = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    day_weights = [
        1.0 if (dt.date(year, 1, 1) + dt.timedelta(days=d)).weekday() < 5 else 0.35
        for d in range(days_in_year)
    ]
    pick_day = _picker(rng, dict(enumerate(day_weights)))

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM intake_report")
        first_id = cursor.fetchone()[0] + 1

    report_cols = _columns("intake_report")
    known = [
        "id",
        "tracking_number",
        "access_code_digest",
        "title",
        "original_text",
        "edited_title",
        "edited_text",
        "kind",
        "classification",
        "category_id",
        "region_id",
        "kecamatan_id",
        "desa_id",
        "address",
        "channel",
        "channel_detail",
        "is_anonymous",
        "is_confidential",
        "status",
        "submitted_at",
        "updated_at",
        "verified_at",
        "first_disposed_at",
        "first_follow_up_at",
        "completed_at",
        "archived_at",
        "closed_by",
        "archive_reason",
        "duplicate_of_id",
        "is_returned",
        "clarification_question",
        "reopen_count",
        "lead_agency_id",
        "step",
        "escalation_level",
        "support_count",
        "search_text",
        # Generated titles name nobody: the public text is the text itself.
        "public_title",
        "public_text",
        "public_address",
    ]
    extra = [(name, _filler(kind, nullable)) for name, kind, nullable in report_cols if name not in known]
    columns = known + [name for name, _ in extra]
    extra_values = [value for _, value in extra]

    # The stemmed shadow intake writes (aduan.intake.services), once per title: search is measured on it.
    searched = {title: stem_for_search(f"{title} {title} di wilayah kami.") for title in TITLES}
    dispositions: list[str] = []
    ratings: list[str] = []
    returns: list[str] = []

    def rows() -> Iterator[str]:
        for i in range(n_reports):
            rid = first_id + i
            day = pick_day()
            submitted = start + day * DAY + rng.uniform(6 * 3600, 21 * 3600)
            status = pick_status()
            cls = pick_class()
            kind = KIND_OF[cls]
            top = pick_top()
            category = pick_sub[top]() if top in pick_sub and rng.random() < 0.9 else top
            kec = pick_kec() if rng.random() > 0.03 else None
            village = rng.choice(desa[kec]) if kec and desa.get(kec) else None
            verified = disposed = followed = completed = archived = None
            closed_by = reason = ""
            duplicate_of = None
            lead = None
            reopen = 0
            if status in ("belum_terverifikasi", "ditunda"):
                cls = ""
            else:
                verified = submitted + rng.expovariate(1 / (1.6 * DAY))
            if status == "diarsipkan":
                archived = (verified or submitted) + rng.uniform(600, 4 * 3600)
                reason = pick_reason()
                if reason == "duplicate" and i > 10:
                    duplicate_of = first_id + rng.randrange(0, i)
            elif status not in ("belum_terverifikasi", "ditunda", "terverifikasi"):
                disposed = (verified or submitted) + rng.uniform(600, 6 * 3600)
                lead = routing.get(top) or rng.choice(opds)
                if status != "terdisposisi":
                    followed = disposed + rng.expovariate(1 / (FOLLOW_UP_MEAN_DAYS[cls or "aspirasi"] * DAY))
                if status == "selesai":
                    completed = followed + rng.uniform(0.5 * DAY, 15 * DAY)  # type: ignore[operator]
                    closed_by = pick_closed()
                    if closed_by == "citizen" and rng.random() < 0.6:
                        ratings.append(f"{rid}\t{rng.choice((2, 3, 4, 4, 5, 5))}\t\t{_ts(completed + 60)}")
                    if rng.random() < 0.02:
                        reopen = 1
                dispositions.append(
                    f"{rid}\t{lead}\tt\tt\t{'done' if status == 'selesai' else 'followed_up' if followed else 'new'}\t\t{_ts(disposed)}\t\\N"
                )
                if rng.random() < 0.03:
                    wrong = rng.choice(opds)
                    returns.append(
                        f"{rid}\t{wrong}\t{lead}\tBukan kewenangan.\t{_ts(disposed - 1800)}\t{_ts(disposed)}"
                    )
            updated = max(
                t for t in (submitted, verified, disposed, followed, completed, archived) if t is not None
            )
            month = dt.datetime.fromtimestamp(submitted, tz)
            title = TITLES[rng.randrange(len(TITLES))]
            values = [
                str(rid),
                f"B{month:%y%m}-{rid:08d}",
                "0" * 64,
                title,
                f"{title} di wilayah kami.",
                "",
                "",
                kind,
                cls,
                str(category),
                village or kec or "\\N",
                kec or "\\N",
                village or "\\N",
                "",
                pick_channel(),
                "",
                "t" if rng.random() < 0.1 else "f",
                "t" if rng.random() < 0.03 else "f",
                status,
                _ts(submitted),
                _ts(updated),
                _ts(verified),
                _ts(disposed),
                _ts(followed),
                _ts(completed),
                _ts(archived),
                closed_by,
                reason,
                str(duplicate_of) if duplicate_of else "\\N",
                "f",
                "",
                str(reopen),
                str(lead) if lead else "\\N",
                "",
                "0",
                "0",
                searched[title],
                title,
                f"{title} di wilayah kami.",
                "",
            ]
            yield "\t".join(values + extra_values) + "\n"
            if progress and (i + 1) % 20000 == 0:
                progress(i + 1, n_reports)

    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor
        with raw.copy(f"COPY intake_report ({', '.join(columns)}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for count, line in enumerate(rows(), start=1):
                buffer.write(line)
                if count % 5000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        with raw.copy(
            "COPY workflow_disposition (report_id, agency_id, is_lead, is_active, state, instruction, created_at, ended_at) FROM STDIN"
        ) as copy:
            copy.write("\n".join(dispositions) + ("\n" if dispositions else ""))
        with raw.copy("COPY workflow_rating (report_id, score, comment, created_at) FROM STDIN") as copy:
            copy.write("\n".join(ratings) + ("\n" if ratings else ""))
        with raw.copy(
            "COPY workflow_agencyreturn (report_id, agency_id, proposed_agency_id, reason, created_at, resolved_at) FROM STDIN"
        ) as copy:
            copy.write("\n".join(returns) + ("\n" if returns else ""))
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('intake_report', 'id'), (SELECT MAX(id) FROM intake_report))"
        )
        cursor.execute("ANALYZE intake_report")
        cursor.execute("ANALYZE workflow_rating")
        cursor.execute("ANALYZE workflow_agencyreturn")
    if progress:
        progress(n_reports, n_reports)
    return n_reports


def progress_bar(label: str) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        width = 40
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show
