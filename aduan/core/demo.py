"""The Ponorogo demo: directory, one user per role, and sample reports driven through the lifecycle."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from aduan.accounts.models import User
from aduan.core import clock
from aduan.core.actors import Actor, actor_for_user, citizen_with_access
from aduan.core.roles import Role
from aduan.directory.models import Agency, Category, Region
from aduan.directory.ponorogo import AGENCIES, ILLEGAL_BANNERS, ponorogo_directory
from aduan.directory.services import category_code
from aduan.intake.models import Report
from aduan.intake.services import report_submit
from aduan.workflow.services import report_act

DEMO_PASSWORD = "aduan-demo-2026"  # printed by `aduan demo`; change or remove demo users in production
OPD_USERS = [code for code, *_ in AGENCIES if code not in ("diskominfo", "inspektorat")]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    agency: str | None
    name: str


def demo_users() -> list[DemoUser]:
    users = [
        DemoUser("koordinator", Role.COORDINATOR, "diskominfo", "Admin Koordinator Diskominfo"),
        DemoUser("apip", Role.APIP, "inspektorat", "Auditor Inspektorat"),
        DemoUser("pimpinan", Role.LEADER, None, "Sekretaris Daerah"),
        DemoUser("warga", Role.CITIZEN, None, "Warga Ponorogo"),
    ]
    for code in OPD_USERS:
        users.append(DemoUser(f"admin-{code}", Role.OPD_ADMIN, code, f"Admin Penghubung {code.upper()}"))
        users.append(
            DemoUser(f"pejabat-{code}", Role.LIAISON_OFFICER, code, f"Pejabat Penghubung {code.upper()}")
        )
    return users


def ensure_demo_users() -> list[DemoUser]:
    from django.contrib.auth.hashers import make_password

    users = demo_users()
    agencies = {a.code: a for a in Agency.objects.all()}
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: PBKDF2 per user would take seconds
    for u in users:
        first, _, last = u.name.partition(" ")
        user, created = User.objects.get_or_create(
            username=u.username,
            defaults={
                "role": u.role,
                "agency": agencies.get(u.agency) if u.agency else None,
                "first_name": first,
                "last_name": last,
                "email": f"{u.username}@demo.ponorogo.go.id",
                # The coordinator also manages the directory in the Django admin.
                "is_staff": u.role == Role.COORDINATOR,
                "is_superuser": u.role == Role.COORDINATOR,
            },
        )
        if created:
            user.password = password_hash
            user.save(update_fields=["password"])
    return users


# (kind, category top or local, title, text, channel)
SAMPLES: list[tuple[str, str, str, str, str]] = [
    (
        "pengaduan",
        "PEKERJAAN UMUM DAN PENATAAN RUANG",
        "Jalan berlubang di Jl. Soekarno-Hatta",
        "Ada lubang besar di depan pasar, sudah dua minggu. Sepeda motor sering jatuh saat malam hari.",
        "web",
    ),
    (
        "pengaduan",
        "KESEHATAN",
        "Antrean Puskesmas sangat lama",
        "Saya antre di Puskesmas sejak pukul 07.00 dan baru dilayani pukul 12.00. Loket pendaftaran hanya satu.",
        "mobile",
    ),
    (
        "pengaduan",
        "SOSIAL DAN KESEJAHTERAAN",
        "Bantuan sosial tidak tepat sasaran",
        "Tetangga yang mampu menerima BPNT, sedangkan janda lansia di RT kami tidak terdaftar.",
        "web",
    ),
    (
        "pengaduan",
        ILLEGAL_BANNERS,
        "Spanduk liar menutupi rambu lalu lintas",
        "Banyak spanduk promosi dipasang di tiang rambu di perempatan, rambu tidak terlihat pengendara.",
        "web",
    ),
    (
        "aspirasi",
        "PEKERJAAN UMUM DAN PENATAAN RUANG",
        "Usulan penerangan jalan di jalur sawah",
        "Mohon dipasang lampu penerangan jalan di jalur sawah antar desa karena rawan kejahatan.",
        "web",
    ),
    (
        "permintaan_informasi",
        "KESEHATAN",
        "Jadwal vaksinasi anak",
        "Mohon informasi jadwal imunisasi dasar lengkap di posyandu desa kami bulan ini.",
        "sms",
    ),
    (
        "pengaduan",
        "PENDIDIKAN DAN KEBUDAYAAN",
        "Pungutan di sekolah negeri",
        "Sekolah meminta sumbangan wajib Rp500.000 untuk seragam dan buku, padahal katanya gratis.",
        "web",
    ),
    (
        "pengaduan",
        "KEPENDUDUKAN",
        "KTP elektronik belum jadi tiga bulan",
        "Saya rekam KTP-el tiga bulan lalu, tiap datang dibilang blangko habis.",
        "mobile",
    ),
    (
        "pengaduan",
        "PERHUBUNGAN",
        "Lampu lalu lintas mati",
        "Lampu lalu lintas di simpang empat mati sejak kemarin, rawan kecelakaan pada jam sibuk.",
        "web",
    ),
    (
        "pengaduan",
        "PEKERJAAN UMUM DAN PENATAAN RUANG",
        "Saluran air tersumbat",
        "Selokan di depan rumah warga tersumbat sampah, setiap hujan air meluap ke jalan.",
        "web",
    ),
    (
        "pengaduan",
        "KESEHATAN",
        "Obat di RSUD sering kosong",
        "Pasien BPJS diminta membeli obat di luar karena stok di apotek rumah sakit kosong.",
        "email",
    ),
    (
        "aspirasi",
        "SOSIAL DAN KESEJAHTERAAN",
        "Pelatihan kerja bagi penyandang disabilitas",
        "Mohon diadakan pelatihan keterampilan bagi penyandang disabilitas di kecamatan.",
        "web",
    ),
]

# The path each sample takes: the list of (action, params) after submission.
PATHS: list[list[tuple[str, dict[str, Any]]]] = [
    [],  # new
    [("hold", {"question": "Mohon sebutkan lokasi tepatnya (nama jalan atau patokan)."})],
    [("verify", {})],
    [("verify", {}), ("dispose", {})],
    [("verify", {}), ("dispose", {}), ("accept", {})],
    [
        ("verify", {}),
        ("dispose", {}),
        ("follow_up", {"text": "Petugas sudah meninjau lokasi; perbaikan dijadwalkan minggu ini."}),
    ],
    [
        ("verify", {}),
        ("dispose", {}),
        ("follow_up", {"text": "Sudah kami tindak lanjuti."}),
        ("reply", {"text": "Belum ada perubahan di lapangan, mohon dicek lagi."}),
    ],
    [
        ("verify", {}),
        ("dispose", {}),
        ("follow_up", {"text": "Perbaikan telah selesai dikerjakan."}),
        ("rate", {"score": 5, "comment": "Terima kasih, cepat."}),
        ("complete", {}),
    ],
    [
        ("verify", {}),
        ("dispose", {}),
        ("return", {"reason": "Kewenangan ada di instansi lain.", "proposed_agency": "dishub"}),
    ],
    [("archive", {"reason": "not_actionable", "note": "Isi laporan tidak memuat keluhan pelayanan publik."})],
]


# Roughly the middle of each Ponorogo kecamatan (lat, lon): sample pins fall within ~1 km of it, all
# inside ADUAN_MAP_BOUNDS, so /peta/ and the console's maps show the demo's reports.
KECAMATAN_CENTRES: dict[str, tuple[float, float]] = {
    "35.02.01": (-7.985, 111.410),  # Slahung
    "35.02.02": (-8.085, 111.440),  # Ngrayun
    "35.02.03": (-7.960, 111.455),  # Bungkal
    "35.02.04": (-7.920, 111.530),  # Sambit
    "35.02.05": (-7.980, 111.580),  # Sawoo
    "35.02.06": (-7.870, 111.615),  # Sooko
    "35.02.07": (-7.835, 111.600),  # Pulung
    "35.02.08": (-7.930, 111.490),  # Mlarak
    "35.02.09": (-7.915, 111.450),  # Jetis
    "35.02.10": (-7.895, 111.500),  # Siman
    "35.02.11": (-7.950, 111.370),  # Balong
    "35.02.12": (-7.880, 111.385),  # Kauman
    "35.02.13": (-7.920, 111.330),  # Badegan
    "35.02.14": (-7.850, 111.305),  # Sampung
    "35.02.15": (-7.840, 111.410),  # Sukorejo
    "35.02.16": (-7.830, 111.480),  # Babadan
    "35.02.17": (-7.866, 111.462),  # Ponorogo
    "35.02.18": (-7.845, 111.525),  # Jenangan
    "35.02.19": (-7.805, 111.630),  # Ngebel
    "35.02.20": (-7.920, 111.390),  # Jambon
    "35.02.21": (-7.860, 111.690),  # Pudak
}


def demo_pin(region: str, index: int, seed: int) -> tuple[str, str] | tuple[None, None]:
    """A plausible point in the kecamatan (its own generator: the demo's other draws stay as they
    were), or none for a kecamatan without a known centre."""
    centre = KECAMATAN_CENTRES.get(region)
    if centre is None:
        return None, None
    rng = random.Random(f"{seed}-pin-{index}")  # noqa: S311 - demo data, not security
    lat = centre[0] + rng.uniform(-0.008, 0.008)
    lon = centre[1] + rng.uniform(-0.008, 0.008)
    return f"{lat:.6f}", f"{lon:.6f}"


def _kecamatan_codes() -> list[str]:
    return list(
        Region.objects.filter(level=Region.Level.KECAMATAN, code__startswith="35.02.").values_list(
            "code", flat=True
        )
    )


def load_demo_reports(count: int = 36, *, seed: int = 2026) -> int:
    """Sample reports over the last weeks, each driven through the lifecycle service."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    users = {u.username: u for u in User.objects.all()}
    coordinator = actor_for_user(users["koordinator"])
    kecamatan = _kecamatan_codes()
    from aduan.directory.services import suggest_lead_agency

    start = clock.now() - dt.timedelta(days=30)
    created = 0
    for i in range(count):
        kind, top, title, text, channel = SAMPLES[i % len(SAMPLES)]
        path = PATHS[i % len(PATHS)]
        moment = start + dt.timedelta(days=i * 27 / count, hours=rng.randint(0, 8))
        code = (
            category_code(top)
            if top != ILLEGAL_BANNERS
            else category_code(
                ILLEGAL_BANNERS, category_code("KETENTERAMAN, KETERTIBAN UMUM, DAN PELINDUNGAN MASYARAKAT")
            )
        )
        category = Category.objects.get(code=code)
        region = "35.02.17" if i % 3 == 0 else rng.choice(kecamatan)
        latitude, longitude = demo_pin(region, i, seed)
        with clock.travel(moment):
            submitted = report_submit(
                actor=Actor(role=Role.CITIZEN, user=users["warga"] if i % 5 == 0 else None, label="Pelapor"),
                channel=channel,
                kind=kind,
                title=title,
                description=text,
                region=region,
                latitude=latitude,
                longitude=longitude,
                name=rng.choice(
                    ["Siti Aminah", "Budi Santoso", "Sri Wahyuni", "Agus Prasetyo", "Dewi Lestari"]
                ),
                phone=f"0812{rng.randint(10_000_000, 99_999_999)}",
                email=f"pelapor{i}@contoh.id" if i % 2 else "",
                anonymous=i % 4 == 1,
                confidential=i % 9 == 4,
            )
        report = submitted.report
        lead = suggest_lead_agency(category=category, kecamatan=report.kecamatan)
        lead_code = lead.code if lead else "pupr"
        classification = {
            "aspirasi": "aspirasi",
            "permintaan_informasi": "permintaan_informasi",
        }.get(kind, "pengaduan_tidak_berkadar_pengawasan")
        supporting: list[str] = []
        if "Pungutan" in title:
            classification = "pengaduan_berkadar_pengawasan"
            supporting = ["inspektorat"]
        opd_admin = actor_for_user(users.get(f"admin-{lead_code}") or users["apip"])
        opd_liaison = actor_for_user(users.get(f"pejabat-{lead_code}") or users["apip"])
        owner = citizen_with_access(report.pk)
        step_time = moment
        for action, params in path:
            step_time += dt.timedelta(hours=rng.randint(3, 30))
            if step_time > clock.now():
                break
            actor: Actor = coordinator
            params = dict(params)
            if action == "verify":
                params.update(classification=classification, category=category.code)
            elif action == "dispose":
                params.update(
                    lead=lead_code,
                    supporting=supporting,
                    instruction="Mohon ditindaklanjuti sesuai kewenangan.",
                )
            elif action in ("accept", "return"):
                actor = opd_admin
                if action == "return" and params.get("proposed_agency") == lead_code:
                    params["proposed_agency"] = "pupr"
            elif action == "follow_up":
                actor = opd_liaison  # the pejabat penghubung may publish directly, approval or not
            elif action in ("reply", "rate", "complete"):
                actor = owner
            with clock.travel(step_time):
                report_act(actor=actor, report_id=report.pk, action=action, params=params)
        created += 1
    return created


def demo_is_loaded() -> bool:
    return User.objects.filter(username="koordinator").exists()


@transaction.atomic
def load_demo(*, reports: int = 36) -> list[DemoUser]:
    from aduan.notifications.services import suppressed

    ponorogo_directory()
    users = ensure_demo_users()
    if not Report.objects.exists():
        # Sample reporters are made up: tell nobody anything about them.
        with suppressed():
            load_demo_reports(reports)
    return users
