"""Bulk verify + dispose for surges: each report goes through `report_act` on its own."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aduan.console import actions as console_actions
from aduan.console.access import console_actor, coordinator_required, staff_required
from aduan.console.views import nav_context
from aduan.core.actors import Actor
from aduan.core.errors import DomainError, InvalidInput
from aduan.directory.models import Agency
from aduan.directory.services import suggest_lead_agency
from aduan.intake.models import Classification, Report, Status
from aduan.workflow.selectors import report_get_for
from aduan.workflow.services import report_act
from aduan.workflow.transitions import Action

MAX_BULK = 100


@staff_required
@require_POST
@coordinator_required(gettext_lazy("Hanya admin koordinator yang dapat memverifikasi dan mendisposisikan."))
def bulk(request: HttpRequest) -> HttpResponse:
    """Verify and dispose several new reports at once; each goes through `report_act` on its own."""
    actor = console_actor(request)
    numbers = [n for n in request.POST.getlist("report") if n]
    classification = request.POST.get("classification", "")
    category = console_actions.category_from(request.POST)
    lead_code = request.POST.get("lead", "")
    instruction = request.POST.get("instruction", "")
    results = []
    if not numbers:
        messages.error(request, _("Pilih minimal satu laporan."))
        return redirect("console:queue", key="baru")
    for number in numbers[:MAX_BULK]:
        results.append(_bulk_one(actor, number, classification, category, lead_code, instruction))
    context = {
        **nav_context(actor, "baru"),
        "results": results,
        "ok_count": sum(1 for r in results if r["ok"]),
    }
    return render(request, "console/bulk_result.html", context)


def _bulk_one(
    actor: Actor, number: str, classification: str, category: str, lead_code: str, instruction: str
) -> dict[str, Any]:
    result: dict[str, Any] = {"number": number, "ok": False, "steps": []}
    try:
        report = report_get_for(actor, tracking_number=number)
        result["report"] = report
        if report.status == Status.BELUM_TERVERIFIKASI:
            report_act(
                actor=actor,
                report_id=report.pk,
                action=Action.VERIFY,
                params={"classification": classification, "category": category},
            )
            result["steps"].append(_("Terverifikasi"))
            report.refresh_from_db()
        lead = lead_code or _suggested_code(report)
        if not lead:
            raise InvalidInput(
                _("Tidak ada aturan disposisi untuk kategori ini; pilih OPD utama."), code="lead_required"
            )
        supporting = []
        if report.classification == Classification.BERKADAR_PENGAWASAN:
            supporting = [
                a.code for a in Agency.objects.filter(kind=Agency.Kind.APIP, is_active=True) if a.code != lead
            ]
        report_act(
            actor=actor,
            report_id=report.pk,
            action=Action.DISPOSE,
            params={"lead": lead, "supporting": supporting, "instruction": instruction},
        )
        report.refresh_from_db()
        result["steps"].append(_("Terdisposisi ke %(agency)s") % {"agency": report.lead_agency})
        result["ok"] = True
    except DomainError as error:
        result["error"] = error.message
    return result


def _suggested_code(report: Report) -> str:
    agency = suggest_lead_agency(category=report.category, kecamatan=report.kecamatan)
    return agency.code if agency else ""
