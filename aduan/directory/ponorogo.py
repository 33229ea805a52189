"""Kabupaten Ponorogo's directory: its OPDs and category → OPD routing (used by the demo and tests)."""

from __future__ import annotations

from django.db import transaction

from aduan.directory.models import Agency, Category, RoutingRule
from aduan.directory.services import categories_import, category_add, category_code, regions_import

# code, name, short name, kind
AGENCIES: list[tuple[str, str, str, str]] = [
    ("diskominfo", "Dinas Komunikasi, Informatika dan Statistik", "Diskominfo", Agency.Kind.COORDINATOR),
    ("inspektorat", "Inspektorat Daerah", "Inspektorat", Agency.Kind.APIP),
    ("dinkes", "Dinas Kesehatan", "Dinkes", Agency.Kind.OPD),
    ("rsud", "RSUD dr. Harjono", "RSUD", Agency.Kind.HOSPITAL),
    ("pupr", "Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas PUPR", Agency.Kind.OPD),
    ("dinsos", "Dinas Sosial", "Dinsos", Agency.Kind.OPD),
    ("satpolpp", "Satuan Polisi Pamong Praja", "Satpol PP", Agency.Kind.OPD),
    ("dindik", "Dinas Pendidikan", "Dindik", Agency.Kind.OPD),
    ("dispendukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "Dispendukcapil", Agency.Kind.OPD),
    ("dishub", "Dinas Perhubungan", "Dishub", Agency.Kind.OPD),
]
# Agencies whose follow-ups the pejabat penghubung approves before the citizen sees them.
REQUIRES_APPROVAL = {"dinkes"}

ILLEGAL_BANNERS = "Reklame dan Spanduk Ilegal"
TOP_CATEGORY_ROUTING: dict[str, str] = {
    "KESEHATAN": "dinkes",
    "PEKERJAAN UMUM DAN PENATAAN RUANG": "pupr",
    "SOSIAL DAN KESEJAHTERAAN": "dinsos",
    "KETENTERAMAN, KETERTIBAN UMUM, DAN PELINDUNGAN MASYARAKAT": "satpolpp",
    "PENDIDIKAN DAN KEBUDAYAAN": "dindik",
    "KEPENDUDUKAN": "dispendukcapil",
    "PERHUBUNGAN": "dishub",
}


def ponorogo_directory() -> None:
    """Regions (Jawa Timur to kecamatan, Ponorogo to desa), categories, OPDs and routing. Idempotent."""
    regions_import(provinces_down_to_kecamatan=("35",), desa_of=("35.02",))
    categories_import()
    with transaction.atomic():
        government, _ = Agency.objects.get_or_create(
            code="pemkab-ponorogo",
            defaults={
                "name": "Pemerintah Kabupaten Ponorogo",
                "short_name": "Pemkab Ponorogo",
                "kind": Agency.Kind.GOVERNMENT,
            },
        )
        for code, name, short, kind in AGENCIES:
            Agency.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "short_name": short,
                    "kind": kind,
                    "parent": government,
                    "email": f"{code}@ponorogo.go.id",
                    "head_email": f"kepala.{code}@ponorogo.go.id",
                    "requires_approval": code in REQUIRES_APPROVAL,
                },
            )
        ketertiban = Category.objects.get(
            code=category_code("KETENTERAMAN, KETERTIBAN UMUM, DAN PELINDUNGAN MASYARAKAT")
        )
        banners_code = category_code(ILLEGAL_BANNERS, ketertiban.code)
        if not Category.objects.filter(code=banners_code).exists():
            category_add(name=ILLEGAL_BANNERS, parent_code=ketertiban.code)
        for top_name, agency_code in TOP_CATEGORY_ROUTING.items():
            RoutingRule.objects.get_or_create(
                category=Category.objects.get(code=category_code(top_name)),
                kecamatan=None,
                defaults={"agency": Agency.objects.get(code=agency_code)},
            )


def ensure_ponorogo_directory() -> None:
    """Load the directory unless it is already there (cheap enough to call before every test)."""
    if not Agency.objects.filter(code="diskominfo").exists():
        ponorogo_directory()
