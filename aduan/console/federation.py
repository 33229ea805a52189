"""The coordinator's page of peer installations: who they are, when their agencies were last
fetched, and the federation messages waiting or failed, with a retry button. Writes go through
aduan.federation.services."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from aduan.console.access import console_actor, coordinator_required, staff_required
from aduan.console.views import nav_context
from aduan.federation import services
from aduan.federation.models import OutboxMessage, Peer

coordinator_only = coordinator_required(gettext_lazy("Federasi hanya untuk admin koordinator."))


@staff_required
@require_GET
@coordinator_only
def peers(request: HttpRequest) -> HttpResponse:
    waiting = (
        OutboxMessage.objects.exclude(state=OutboxMessage.State.SENT)
        .select_related("peer", "link")
        .order_by("state", "created_at")[:200]
    )
    context = {
        **nav_context(console_actor(request), ""),
        "peers": Peer.objects.prefetch_related("agencies__agency"),
        "waiting": waiting,
        "identity": services.identity(),
    }
    return render(request, "console/federation.html", context)


@staff_required
@require_POST
@coordinator_only
def retry(request: HttpRequest, message_id: str) -> HttpResponse:
    if services.outbox_retry(message_id=message_id):
        messages.success(request, _("Pesan dijadwalkan untuk dikirim ulang."))
    else:
        messages.error(request, _("Pesan itu tidak sedang gagal."))
    return redirect("console:federation")


@staff_required
@require_POST
@coordinator_only
def sync(request: HttpRequest, pk: int) -> HttpResponse:
    peer = get_object_or_404(Peer, pk=pk)
    count = services.peer_sync(peer=peer)
    peer.refresh_from_db()
    if peer.sync_error:
        messages.error(
            request, _("Direktori mitra tidak dapat diambil: %(error)s") % {"error": peer.sync_error}
        )
    else:
        messages.success(request, _("Direktori mitra diperbarui: %(n)d instansi.") % {"n": count})
    return redirect("console:federation")
