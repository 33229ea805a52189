"""/api/v1/categories, /regions, /agencies: the codes that payloads use."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from aduan.api.problems import ApiProblem
from aduan.api.schemas import AgencyOut, CategoryOut, Problem, RegionOut, RoutingSuggestion
from aduan.core.dbrouter import replica_reads_during
from aduan.directory.models import Agency, Category, Region
from aduan.directory.services import suggest_lead_agency

router = Router(tags=["direktori"])


@router.get("/categories", response={200: list[CategoryOut]}, summary="Kategori laporan")
def category_list(request: HttpRequest) -> list[dict[str, object]]:
    rows = Category.objects.filter(is_active=True).values(
        "code", "name", "parent__code", "is_national", "is_citizen_topic"
    )
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "parent": r["parent__code"],
            "is_national": r["is_national"],
            "citizen_topic": r["is_citizen_topic"],
        }
        for r in rows
    ]


@router.get(
    "/regions",
    response={200: list[RegionOut], 400: Problem, 404: Problem},
    summary="Wilayah (kode Kemendagri)",
)
def region_list(request: HttpRequest, parent: str = "") -> list[dict[str, object]]:
    """The children of `parent` (default: this installation's kabupaten, i.e. its kecamatan)."""
    parent = parent.strip() or settings.ADUAN_HOME_REGION
    if not Region.objects.filter(code=parent).exists():
        raise ApiProblem(404, "unknown_region", f"Kode wilayah {parent!r} tidak dikenal.", field="parent")
    rows = (
        Region.objects.filter(parent_id=parent)
        .order_by("code")
        .values("code", "name", "level", "kind", "parent_id", "postal_code")
    )
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "level": r["level"],
            "kind": r["kind"],
            "parent": r["parent_id"],
            "postal_code": r["postal_code"],
        }
        for r in rows
    ]


@router.get("/agencies", response={200: list[AgencyOut]}, summary="Instansi (OPD), sebagai pohon")
def agency_list(request: HttpRequest) -> list[dict[str, object]]:
    """Every active agency with its parent and children (the agency tree) and whether its
    follow-ups need the pejabat penghubung's approval."""
    agencies = list(Agency.objects.filter(is_active=True).select_related("parent"))
    children: dict[int, list[str]] = {}
    for agency in agencies:
        if agency.parent_id is not None:
            children.setdefault(agency.parent_id, []).append(agency.code)
    return [agency_out(agency, children=children.get(agency.pk, [])) for agency in agencies]


def agency_out(agency: Agency, *, children: list[str] | None = None) -> dict[str, object]:
    return {
        "code": agency.code,
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind,
        "parent": agency.parent.code if agency.parent else None,
        "children": children or [],
        "requires_approval": agency.requires_approval,
    }


@router.get(
    "/routing/suggest",
    response={200: RoutingSuggestion, 400: Problem, 422: Problem},
    summary="Saran OPD utama untuk kategori dan wilayah",
)
def routing_suggest(
    request: HttpRequest,
    category: str = Query(..., max_length=120, pattern=r"^[\w-]+$", description="Kode kategori"),
    region: str = Query(
        "", max_length=13, pattern=r"^[\d.]*$", description="Kode kecamatan atau desa (opsional)"
    ),
) -> dict[str, object]:
    """The lead OPD the console suggests when disposing (the directory's routing rules, walking up
    the category tree; a rule for the kecamatan wins over the kabupaten-wide one)."""
    found = Category.objects.filter(code=category.strip(), is_active=True).first()
    if found is None:
        raise ApiProblem(400, "unknown_category", f"Kategori {category!r} tidak dikenal.", field="category")
    kecamatan = None
    if region.strip():
        area = Region.objects.filter(code=region.strip()).select_related("parent").first()
        if area is None or area.level < Region.Level.KECAMATAN:
            raise ApiProblem(
                400, "unknown_region", f"Kode kecamatan/desa {region!r} tidak dikenal.", field="region"
            )
        kecamatan = area.parent if area.level == Region.Level.DESA else area
    lead = suggest_lead_agency(category=found, kecamatan=kecamatan)
    return {
        "category": found.code,
        "region": kecamatan.code if kecamatan else None,
        "lead": agency_out(
            lead, children=list(lead.children.filter(is_active=True).values_list("code", flat=True))
        )
        if lead
        else None,
    }


@router.get(
    "/stats",
    response={200: dict[str, Any], 400: Problem, 422: Problem},
    summary="Statistik publik (data terbuka)",
    tags=["statistik"],
)
def public_stats(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100, description="Tahun; bawaan: tahun ini"),
    quarter: int | None = Query(None, ge=1, le=4, description="Triwulan dalam `year`"),
    month: int | None = Query(None, ge=1, le=12, description="Bulan dalam `year`"),
    date_from: Annotated[dt.date | None, Query(description="Awal rentang (bersama date_to)")] = None,
    date_to: Annotated[dt.date | None, Query(description="Akhir rentang (bersama date_from)")] = None,
    scope: Literal["kabupaten", "agency", "kecamatan"] = Query("kabupaten", description="Cakupan"),
    agency: str = Query("", max_length=40, description="Kode instansi bila scope=agency"),
    kecamatan: str = Query("", max_length=13, description="Kode kecamatan bila scope=kecamatan"),
) -> HttpResponse:
    """Aggregates for a period (`year`, or `quarter`/`month`/`date_from`+`date_to`; see
    docs/evaluation.md), without personal data or confidential details: the public variant of
    `aduan report --format json`. A period or scope it cannot read answers 400 (a problem)."""
    from aduan.evaluation.views import public_stats_response

    with replica_reads_during(request):
        return public_stats_response(request)
