"""Scenarios for `aduan demo --scenario NAME`: real reports driven through the real services.

ponorogo-2022 reproduces the figures of Kabupaten Ponorogo's 2022 evaluation (DOMAIN.md §1):
52 reports — 46 website, 5 Android, 1 SMS; 3 *pengaduan berkadar pengawasan*; 50 disposed to the
technical OPD and handled, 2 archived; topics health, infrastructure, social assistance and
illegal banners; 21 from Kecamatan Ponorogo. Each report enters through `report_submit` with its
channel and moves only through `report_act`, with the clock travelled to 2022 for every step.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from aduan.accounts.models import User
from aduan.core import clock
from aduan.core.actors import SYSTEM, Actor, actor_for_user, citizen_with_access
from aduan.core.roles import Role
from aduan.directory.models import Agency, Region
from aduan.directory.ponorogo import ILLEGAL_BANNERS, ponorogo_directory
from aduan.directory.services import category_code
from aduan.evaluation.models import ScenarioRun
from aduan.intake.models import Report
from aduan.intake.services import report_submit
from aduan.sla.calendar import WorkingCalendar
from aduan.workflow.services import report_act

PONOROGO_2022 = "ponorogo-2022"
KECAMATAN_PONOROGO = "35.02.17"

_KESEHATAN = category_code("KESEHATAN")
_PUPR = category_code("PEKERJAAN UMUM DAN PENATAAN RUANG")
_SOSIAL = category_code("SOSIAL DAN KESEJAHTERAAN")
_KETERTIBAN = category_code("KETENTERAMAN, KETERTIBAN UMUM, DAN PELINDUNGAN MASYARAKAT")

# topic → (lead agency, [(sub-category, title, text)])
TOPICS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "kesehatan": (
        "dinkes",
        [
            (
                category_code("PROSEDUR PELAYANAN KESEHATAN", _KESEHATAN),
                "Pelayanan puskesmas tutup sebelum jam layanan",
                "Puskesmas sudah tutup pukul 11.00 padahal papan jadwal menyebut pelayanan sampai pukul 14.00.",
            ),
            (
                category_code(
                    "LAMANYA ANTRIAN UNTUK MENDAPATKAN TINDAKAN MEDIS/PELAYANAN KESEHATAN", _KESEHATAN
                ),
                "Antrean pasien umum sangat lama",
                "Kami menunggu lebih dari empat jam untuk diperiksa dokter umum.",
            ),
            (
                category_code("GIZI BURUK/STUNTING", _KESEHATAN),
                "Pendampingan balita stunting belum berjalan",
                "Posyandu di desa kami belum menerima pendampingan gizi untuk balita yang terdata stunting.",
            ),
            (
                category_code("PELAYANAN OBAT", _KESEHATAN),
                "Obat di apotek puskesmas kosong",
                "Obat hipertensi kosong sudah dua minggu sehingga pasien diminta membeli sendiri.",
            ),
        ],
    ),
    "infrastruktur": (
        "pupr",
        [
            (
                category_code("JALAN BERLUBANG", _PUPR),
                "Jalan kabupaten berlubang membahayakan",
                "Lubang besar di jalan kabupaten sudah menyebabkan beberapa pengendara sepeda motor jatuh.",
            ),
            (
                category_code("DRAINASE (GORONG-GORONG/PARIT)", _PUPR),
                "Saluran drainase tersumbat",
                "Gorong-gorong tersumbat sampah sehingga air meluap ke jalan setiap hujan deras.",
            ),
            (
                category_code("JEMBATAN", _PUPR),
                "Pagar jembatan rusak",
                "Pagar pengaman jembatan patah dan belum diperbaiki.",
            ),
            (
                category_code("PENERANGAN JALAN", _PUPR),
                "Lampu penerangan jalan mati",
                "Lampu penerangan jalan umum mati sepanjang kurang lebih 500 meter.",
            ),
        ],
    ),
    "bansos": (
        "dinsos",
        [
            (
                category_code("BANTUAN SOSIAL", _SOSIAL),
                "Bantuan sosial belum diterima",
                "Keluarga kami terdaftar sebagai penerima bantuan sosial tetapi belum menerima sejak tiga bulan.",
            ),
            (
                category_code("PKH PROGRAM KELUARGA HARAPAN", _SOSIAL),
                "Pencairan PKH terlambat",
                "Pencairan bantuan PKH tahap ini belum masuk ke rekening penerima di desa kami.",
            ),
            (
                category_code("BANTUAN PANGAN NON TUNAN (BPNT)", _SOSIAL),
                "Data penerima BPNT tidak tepat sasaran",
                "Ada warga mampu yang menerima BPNT sementara warga miskin tidak terdata.",
            ),
        ],
    ),
    "spanduk": (
        "satpolpp",
        [
            (
                category_code(ILLEGAL_BANNERS, _KETERTIBAN),
                "Spanduk ilegal di pohon dan tiang listrik",
                "Banyak spanduk dan reklame dipaku di pohon dan tiang listrik sepanjang jalan utama.",
            ),
        ],
    ),
}
# Berkadar pengawasan texts: they point to possible abuse (illegal levies), so APIP must examine.
BERKADAR_TEXTS = {
    "kesehatan": (
        "Dugaan pungutan liar di puskesmas",
        "Petugas meminta uang tambahan untuk surat keterangan sehat tanpa kuitansi.",
    ),
    "bansos": (
        "Dugaan pemotongan dana bantuan sosial",
        "Pendamping meminta potongan Rp50.000 dari setiap penerima bantuan.",
    ),
    "infrastruktur": (
        "Dugaan pungutan dalam perbaikan jalan lingkungan",
        "Warga diminta iuran oleh oknum untuk proyek yang dibiayai APBD.",
    ),
}

# Index plans (0..51): channels, classes, kecamatan, topics, outcomes — the seed's figures.
MOBILE = {3, 12, 20, 29, 41}
SMS = {7}
BERKADAR = {5: "kesehatan", 23: "bansos", 37: "infrastruktur"}
ARCHIVED_OUT_OF_SCOPE = 17
DUPLICATE, DUPLICATE_OF = 44, 40
RETURNED = 9  # first disposed to the wrong OPD, which declares bukan kewenangan
HELD = 30  # put on hold for clarification, answered by the citizen
REPLIED = 15  # the citizen is not satisfied with the first follow-up
REOPENED = 26  # completed, then reopened by the citizen
LATE_FOLLOW_UP = {0, 18, 36, 45}
LATE_VERIFY = {11, 33}


def _topic(i: int) -> str:
    if i in BERKADAR:
        return BERKADAR[i]
    if i == RETURNED or i % 8 == 6:
        return "spanduk"
    return ("kesehatan", "infrastruktur", "bansos", "infrastruktur", "kesehatan")[i % 5]


def _classification(i: int) -> tuple[str, str]:
    """(kind the citizen chose, classification the coordinator gave)."""
    if i in BERKADAR:
        return "pengaduan", "pengaduan_berkadar_pengawasan"
    if i % 6 == 2:
        return "permintaan_informasi", "permintaan_informasi"
    if i % 6 == 4:
        return "aspirasi", "aspirasi"
    return "pengaduan", "pengaduan_tidak_berkadar_pengawasan"


def _channel(i: int) -> str:
    return "mobile" if i in MOBILE else "sms" if i in SMS else "web"


@dataclass
class _Cast:
    coordinator: Actor
    agency_admin: dict[str, Actor]
    liaison: dict[str, Actor]


def _user(username: str, role: Role, agency: str | None, password: str | None, **names: str) -> User:
    """An existing active user of that role (and agency), else a new one."""
    existing = User.objects.filter(role=role, is_active=True)
    if agency:
        existing = existing.filter(agency__code=agency)
    user = existing.order_by("pk").first()
    if user is not None:
        return user
    base, n = username, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    user = User(
        username=username,
        role=role,
        agency=Agency.objects.get(code=agency) if agency else None,
        date_joined=clock.now(),
        **names,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def _cast(password: str | None) -> _Cast:
    coordinator = _user(
        "koordinator", Role.COORDINATOR, "diskominfo", password, first_name="Admin", last_name="Koordinator"
    )
    _user("pimpinan", Role.LEADER, None, password, first_name="Pimpinan", last_name="Daerah")
    admins = {
        code: actor_for_user(_user(f"admin-{code}", Role.OPD_ADMIN, code, password))
        for code in ("dinkes", "pupr", "dinsos", "satpolpp")
    }
    admins["inspektorat"] = actor_for_user(_user("apip", Role.APIP, "inspektorat", password))
    liaison = {"dinkes": actor_for_user(_user("pejabat-dinkes", Role.LIAISON_OFFICER, "dinkes", password))}
    return _Cast(actor_for_user(coordinator), admins, liaison)


class _Timeline:
    """Working-day arithmetic for the 2022 dates of one report."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar

    def working_day_on_or_after(self, day: dt.date) -> dt.date:
        while not self.calendar.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    def after(self, day: dt.date, working_days: int) -> dt.date:
        return self.calendar.add_working_days(day, working_days) if working_days else day


def _act(moment: dt.datetime, actor: Actor, report: Report, action: str, **params: Any) -> None:
    with clock.travel(moment):
        report_act(actor=actor, report_id=report.pk, action=action, params=params)


def _publish_follow_up(moment: dt.datetime, cast: _Cast, agency: str, report: Report, text: str) -> None:
    admin = cast.agency_admin[agency]
    if Agency.objects.filter(code=agency, requires_approval=True).exists():
        # Dinkes: the admin drafts, the pejabat penghubung approves, then it is published.
        with clock.travel(moment):
            event = report_act(
                actor=admin, report_id=report.pk, action="draft_follow_up", params={"text": text}
            )
        follow_up_id = event.data["follow_up_id"]
        _act(
            moment + dt.timedelta(hours=1),
            cast.liaison[agency],
            report,
            "approve_follow_up",
            follow_up_id=follow_up_id,
        )
        _act(moment + dt.timedelta(hours=2), admin, report, "follow_up", follow_up_id=follow_up_id)
    else:
        _act(moment, admin, report, "follow_up", text=text)


def _desa(kecamatan: str, i: int) -> str:
    codes = list(
        Region.objects.filter(parent_id=kecamatan, level=Region.Level.DESA)
        .order_by("code")
        .values_list("code", flat=True)
    )
    return codes[i % len(codes)] if codes else kecamatan


def _notifications_suppressed() -> Any:
    """History is replayed, not lived: its citizens and OPDs must not be messaged today."""
    try:
        from aduan.notifications.services import suppressed
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return suppressed()


class Loaded(list[Report]):
    """The scenario's reports; prints as a one-line summary (for `aduan demo --scenario`)."""

    def __str__(self) -> str:
        return f"{len(self)} laporan."


def load_ponorogo_2022(
    *, password: str | None = None, progress: Callable[[int], None] | None = None
) -> Loaded:
    """Load the 52 reports of Ponorogo 2022 (idempotent: a second call returns the first load)."""
    existing = ScenarioRun.objects.filter(name=PONOROGO_2022).first()
    if existing is not None:
        return Loaded(Report.objects.filter(pk__in=existing.report_ids))
    ponorogo_directory()
    if password is None:
        # The demo's own accounts (printed by `aduan demo`), so the coordinator can sign in.
        try:
            from aduan.core.demo import ensure_demo_users
        except ImportError:  # pragma: no cover - the demo module is optional
            pass
        else:
            ensure_demo_users()
    with _notifications_suppressed(), transaction.atomic():
        cast = _cast(password)
        time = _Timeline(WorkingCalendar.load())
        others = list(
            Region.objects.filter(parent_id="35.02", level=Region.Level.KECAMATAN)
            .exclude(code=KECAMATAN_PONOROGO)
            .order_by("code")
            .values_list("code", flat=True)
        )
        reports: list[Report] = []
        other_index = 0
        for i in range(52):
            if i % 5 in (0, 2):
                kecamatan = KECAMATAN_PONOROGO
            else:
                kecamatan = others[other_index % len(others)]
                other_index += 1
            reports.append(_drive(i, kecamatan, cast, time, reports))
            if progress:
                progress(i + 1)
        ScenarioRun.objects.create(
            name=PONOROGO_2022, loaded_at=clock.now(), report_ids=[r.pk for r in reports]
        )
    return Loaded(reports)


def _drive(i: int, kecamatan: str, cast: _Cast, time: _Timeline, earlier: list[Report]) -> Report:
    topic = _topic(i)
    lead, subjects = TOPICS[topic]
    category, title, text = subjects[i % len(subjects)]
    kind, classification = _classification(i)
    if i in BERKADAR:
        title, text = BERKADAR_TEXTS[topic]
        category = subjects[0][0]
    elif kind == "permintaan_informasi":
        title = f"Permohonan informasi: {title.lower()}"
    elif kind == "aspirasi":
        title = f"Usulan perbaikan: {title.lower()}"
    channel = _channel(i)
    day = time.working_day_on_or_after(dt.date(2022, 1 + i * 10 // 52, 3 + (i * 7) % 20))
    citizen = Actor(role=Role.CITIZEN, label="Pelapor")
    with clock.travel(time.at(day, 7 + i % 9, (i * 13) % 60)):
        submitted = report_submit(
            actor=citizen,
            channel=channel,
            kind=kind,
            title=title,
            description=text,
            region=_desa(kecamatan, i),
            name="" if channel == "sms" else f"Warga Ponorogo {i + 1}",
            phone=f"08123{i:06d}",
            email="" if channel != "web" else f"warga{i + 1}@contoh.id",
            channel_detail={"web": "portal", "mobile": "Android", "sms": "1708"}[channel],
        )
    report = submitted.report
    owner = citizen_with_access(report.pk)
    coordinator = cast.coordinator
    if i == HELD:
        _act(
            time.at(day, 15),
            coordinator,
            report,
            "hold",
            question="Mohon sebutkan nama dusun dan patokan lokasinya.",
        )
        day = time.after(day, 1)
        _act(time.at(day, 8), owner, report, "resume", answer="Dusun Krajan, dekat balai desa.")
    verify_day = time.after(day, 4 if i in LATE_VERIFY else 1 + i % 2)
    _act(
        time.at(verify_day, 9),
        coordinator,
        report,
        "verify",
        classification=classification,
        category=category,
        anonymous=i % 6 == 1,
        confidential=i in (13, 31),
    )
    if i == ARCHIVED_OUT_OF_SCOPE:
        _act(
            time.at(verify_day, 10),
            coordinator,
            report,
            "archive",
            reason="out_of_scope",
            note="Kewenangan kepolisian; pelapor diarahkan ke Polres Ponorogo.",
        )
        return report
    if i == DUPLICATE:
        _act(
            time.at(verify_day, 10),
            coordinator,
            report,
            "mark_duplicate",
            of=earlier[DUPLICATE_OF].tracking_number,
        )
        return report
    supporting = ["inspektorat"] if classification == "pengaduan_berkadar_pengawasan" else []
    dispose_at = time.at(verify_day, 10)
    if i == RETURNED:
        _act(
            dispose_at,
            coordinator,
            report,
            "dispose",
            lead="pupr",
            supporting=[],
            instruction="Mohon ditindaklanjuti.",
        )
        _act(
            time.at(verify_day, 14),
            cast.agency_admin["pupr"],
            report,
            "return",
            reason="Penertiban spanduk bukan kewenangan Dinas PUPR.",
            proposed_agency="satpolpp",
        )
        verify_day = time.after(verify_day, 1)
        dispose_at = time.at(verify_day, 9)
    _act(
        dispose_at,
        coordinator,
        report,
        "dispose",
        lead=lead,
        supporting=supporting,
        instruction="Mohon ditindaklanjuti sesuai kewenangan.",
    )
    admin = cast.agency_admin[lead]
    _act(dispose_at + dt.timedelta(hours=2), admin, report, "accept")
    follow_limit = {"pengaduan_berkadar_pengawasan": 20, "pengaduan_tidak_berkadar_pengawasan": 6}.get(
        classification, 3
    )
    follow_day = time.after(
        verify_day,
        (16 if classification == "pengaduan_tidak_berkadar_pengawasan" else 7)
        if i in LATE_FOLLOW_UP
        else follow_limit - i % 3,
    )
    _publish_follow_up(
        time.at(follow_day, 10),
        cast,
        lead,
        report,
        "Laporan telah ditinjau petugas di lapangan dan ditangani; terima kasih atas laporan Saudara.",
    )
    if i == REPLIED:
        follow_day = time.after(follow_day, 2)
        _act(
            time.at(follow_day, 8),
            owner,
            report,
            "reply",
            text="Perbaikan belum selesai, mohon dicek kembali.",
        )
        follow_day = time.after(follow_day, 2)
        _publish_follow_up(
            time.at(follow_day, 9), cast, lead, report, "Perbaikan telah diselesaikan pada hari ini."
        )
    closing = i % 3
    close_day = time.after(follow_day, 10 if closing == 1 else 2)
    if closing == 0:
        _act(time.at(close_day, 12), owner, report, "complete", note="Terima kasih, sudah ditangani.")
        _act(time.at(close_day, 12, 5), owner, report, "rate", score=3 + (i // 3) % 3, comment="")
    elif closing == 1:
        _act(time.at(close_day, 23, 30), SYSTEM, report, "auto_close")
    else:
        _act(time.at(close_day, 13), admin, report, "complete", note="Penanganan selesai.")
    if i == REOPENED:
        reopen_day = time.after(close_day, 2)
        _act(time.at(reopen_day, 9), owner, report, "reopen", reason="Masalah muncul lagi.")
        _publish_follow_up(
            time.at(time.after(reopen_day, 2), 10),
            cast,
            lead,
            report,
            "Petugas telah kembali ke lokasi dan menuntaskan perbaikan.",
        )
        _act(time.at(time.after(reopen_day, 3), 11), owner, report, "complete")
        _act(time.at(time.after(reopen_day, 3), 11, 5), owner, report, "rate", score=4)
    return report


SCENARIOS: dict[str, Callable[[], Loaded]] = {PONOROGO_2022: load_ponorogo_2022}
