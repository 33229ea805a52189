"""Who is calling the API: a bearer token, a device without an account, a client IP."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest

from aduan.accounts.models import User
from aduan.api.models import ApiToken
from aduan.api.problems import ApiProblem
from aduan.api.services import token_authenticate
from aduan.core.actors import Actor, actor_for_user, citizen_with_access
from aduan.core.clients import client_ip
from aduan.core.roles import STAFF_ROLES, Role
from aduan.intake.models import Channel, Report
from aduan.workflow.selectors import reports_visible_to

DEVICE_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")


@dataclass(frozen=True)
class Client:
    token: ApiToken | None
    device_id: str
    ip: str

    @property
    def user(self) -> User | None:
        return self.token.user if self.token is not None else None

    @property
    def is_staff(self) -> bool:
        return self.user is not None and self.user.role in STAFF_ROLES

    @property
    def scope(self) -> str:
        """Whose Idempotency-Keys these are: a token, else a device, else an address."""
        if self.token is not None:
            return f"token:{self.token.pk}"
        if self.device_id:
            return "device:" + hashlib.sha256(self.device_id.encode()).hexdigest()[:40]
        return f"ip:{self.ip}"[:80]

    @property
    def channel(self) -> str:
        # The mobile app's channel, unless an integration token of another system says otherwise.
        return self.token.channel if self.token is not None else Channel.MOBILE

    def actor(self) -> Actor | None:
        return actor_for_user(self.user) if self.user is not None else None

    def submitting_actor(self) -> Actor:
        return self.actor() or Actor(role=Role.CITIZEN, label="Pelapor")


def client_of(request: HttpRequest) -> Client:
    """The caller; a wrong or revoked token is refused (never silently treated as anonymous)."""
    cached: Client | None = getattr(request, "_aduan_client", None)
    if cached is not None:
        return cached
    token = None
    authorization = request.headers.get("Authorization", "")
    if authorization:
        scheme, _, value = authorization.partition(" ")
        token = token_authenticate(value.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            raise ApiProblem(
                401,
                "invalid_token",
                "Token tidak valid atau sudah dicabut.",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
    device_id = request.headers.get("X-Device-Id", "").strip()
    if device_id and not DEVICE_ID.fullmatch(device_id):
        raise ApiProblem(
            400,
            "invalid_device_id",
            "X-Device-Id harus 8–128 karakter huruf, angka, titik, titik dua atau tanda hubung.",
        )
    client = Client(token=token, device_id=device_id, ip=client_ip(request))
    request._aduan_client = client  # type: ignore[attr-defined]
    return client


def require_token(client: Client) -> Actor:
    actor = client.actor()
    if actor is None:
        raise ApiProblem(
            401,
            "authentication_required",
            "Diperlukan token (Authorization: Bearer …).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return actor


def access_code_of(request: HttpRequest) -> str:
    """The X-Access-Code header. Never the query string: addresses end up in server and proxy logs."""
    if "access_code" in request.GET:
        raise ApiProblem(
            400,
            "access_code_in_url",
            "Kirim kode akses di header X-Access-Code, bukan di alamat (alamat tercatat di log).",
            field="access_code",
        )
    return request.headers.get("X-Access-Code", "").strip()


def _no_such_report() -> ApiProblem:
    # One answer for a missing report, a wrong code and a citizen's look at someone else's
    # report: a citizen cannot learn which tracking numbers exist (issue 13).
    return ApiProblem(404, "report_not_found", "Laporan tidak ditemukan, atau kode aksesnya salah.")


def actor_for_report(request: HttpRequest, client: Client, tracking_number: str) -> tuple[Actor, int]:
    """The actor for one report (token, else access code) and the report's id; 401/404 otherwise."""
    from aduan.api.ratelimit import check_secret, secret_failed

    code = access_code_of(request)
    token_actor = client.actor()
    if code and not client.is_staff:
        check_secret(client, tracking_number)
        report = (
            Report.objects.filter(tracking_number=tracking_number).only("pk", "access_code_digest").first()
        )
        if report is None or not report.check_access_code(code):
            secret_failed(client, tracking_number)
            raise _no_such_report()
        return citizen_with_access(report.pk, user=client.user), report.pk
    if token_actor is None:
        raise ApiProblem(
            401,
            "access_code_required",
            "Sertakan kode akses (header X-Access-Code) atau token.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    report_id = (
        reports_to_act_on(token_actor)
        .filter(tracking_number=tracking_number)
        .values_list("pk", flat=True)
        .first()
    )
    if report_id is None:
        raise _no_such_report()
    return token_actor, report_id


def reports_to_act_on(actor: Actor) -> QuerySet[Report]:
    """Where a token's tracking numbers are looked up: a citizen's own reports, so someone else's
    answers as a missing one (issue 13); every report for staff, whom report_act answers itself."""
    if actor.role == Role.CITIZEN:
        return reports_visible_to(actor)
    return Report.objects.all()
