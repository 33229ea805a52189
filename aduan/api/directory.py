"""/api/v1/categories, /regions, /agencies: the codes that payloads use."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router

from aduan.api.problems import ApiProblem
from aduan.api.schemas import AgencyOut, CategoryOut, Problem, RegionOut
from aduan.directory.models import Agency, Category, Region

router = Router(tags=["direktori"])


@router.get("/categories", response={200: list[CategoryOut]}, summary="Kategori laporan")
def category_list(request: HttpRequest) -> list[dict[str, object]]:
    rows = Category.objects.filter(is_active=True).values("code", "name", "parent__code", "is_national")
    return [
        {"code": r["code"], "name": r["name"], "parent": r["parent__code"], "is_national": r["is_national"]}
        for r in rows
    ]


@router.get("/regions", response={200: list[RegionOut], 404: Problem}, summary="Wilayah (kode Kemendagri)")
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


@router.get("/agencies", response={200: list[AgencyOut]}, summary="Instansi (OPD)")
def agency_list(request: HttpRequest) -> list[dict[str, object]]:
    rows = Agency.objects.filter(is_active=True).values("code", "name", "short_name", "kind", "parent__code")
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "short_name": r["short_name"],
            "kind": r["kind"],
            "parent": r["parent__code"],
        }
        for r in rows
    ]


@router.get(
    "/stats",
    response={200: dict[str, object], 400: Problem},
    summary="Statistik publik (data terbuka)",
    tags=["statistik"],
)
def public_stats(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """Aggregates for a period (`year`, or `quarter`/`month`/`date_from`+`date_to`; see
    docs/evaluation.md), without personal data or confidential details: the public variant of
    `aduan report --format json`."""
    from aduan.evaluation.views import public_stats_json

    return public_stats_json(request)
