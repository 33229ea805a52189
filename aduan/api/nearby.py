"""Open public reports near a place, for the app's "already reported?" step before a new report."""

from __future__ import annotations

import math

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from aduan.api import ratelimit
from aduan.api.clients import client_of
from aduan.api.problems import ApiProblem
from aduan.api.reports import ERRORS, json_response
from aduan.workflow.selectors import location_for, reports_nearby

router = Router(tags=["laporan"])


class NearbyReport(Schema):
    tracking_number: str
    title: str
    status: str
    category: str | None = None
    kecamatan: str | None = None
    desa: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    location_exact: bool
    support_count: int


@router.get(
    "/nearby-reports",
    response={200: list[NearbyReport], **ERRORS},
    summary="Laporan publik yang masih terbuka di sekitar satu tempat",
)
def nearby_reports(
    request: HttpRequest,
    desa: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    category: str = "",
) -> HttpResponse:
    """Same desa or within ADUAN_NEARBY_RADIUS_M of the point, the category's reports first;
    support one with POST /reports/{tracking_number}/support instead of filing again. An anonymous
    report's place is its ~500 m grid cell, as on the public map."""
    ratelimit.check_read(client_of(request))
    if (latitude is None) != (longitude is None) or any(
        v is not None and not math.isfinite(v) for v in (latitude, longitude)
    ):
        raise ApiProblem(
            400, "invalid_point", _("Isi latitude dan longitude bersama-sama (angka)."), field="latitude"
        )
    if not desa and latitude is None:
        raise ApiProblem(400, "place_required", _("Sertakan desa atau latitude dan longitude."), field="desa")
    reports = reports_nearby(desa=desa, latitude=latitude, longitude=longitude, category=category)
    body = []
    for report in reports:
        place = location_for(None, report)
        body.append(
            {
                "tracking_number": report.tracking_number,
                "title": report.display_title,
                "status": report.status,
                "category": report.category.code if report.category else None,
                "kecamatan": report.kecamatan_id,
                "desa": report.desa_id,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "location_exact": place.exact,
                "support_count": report.support_count,
            }
        )
    return json_response(body)
