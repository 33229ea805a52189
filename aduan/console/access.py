"""Who may use the console: signed-in staff only; the actor of a request; domain errors as HTTP."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from aduan.core.actors import Actor, actor_for_user
from aduan.core.errors import DomainError
from aduan.core.roles import AGENCY_ROLES, STAFF_ROLES, Role

View = Callable[..., HttpResponseBase]


def console_actor(request: HttpRequest) -> Actor:
    """The actor of a signed-in staff request (views are wrapped in `staff_required`)."""
    return actor_for_user(request.user)  # type: ignore[arg-type]


def is_coordinator_like(actor: Actor) -> bool:
    """Coordinator and pimpinan share the kabupaten-wide queues (pimpinan only reads)."""
    return actor.role in (Role.COORDINATOR, Role.LEADER)


def is_agency(actor: Actor) -> bool:
    return actor.role in AGENCY_ROLES


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "console/error.html", {"message": message, "status": 403}, status=403)


def domain_error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    """A NotFound/PermissionDenied from a selector as a plain 404/403 page."""
    return render(
        request,
        "console/error.html",
        {"message": error.message, "status": error.http_status},
        status=error.http_status,
    )


def htmx_refresh() -> HttpResponse:
    """The answer to an htmx request that cannot be served in place: htmx reloads the whole page."""
    response = HttpResponse(status=200)
    response["HX-Refresh"] = "true"
    return response


def staff_required(view: View) -> View:
    """Sign-in required; then a staff role (a citizen account, or a staff account without an
    agency where one is needed, gets 403)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            if request.headers.get("HX-Request"):
                # A background htmx request (e.g. the polled tabs) after the session ended:
                # reload the whole page, which then lands on the login form.
                return htmx_refresh()
            return redirect_to_login(request.get_full_path())
        role = getattr(user, "role", None)
        if role not in {r.value for r in STAFF_ROLES}:
            return forbidden(request, _("Konsol hanya untuk petugas. Akun pelapor tidak dapat membukanya."))
        if role in {r.value for r in AGENCY_ROLES} and getattr(user, "agency_id", None) is None:
            return forbidden(
                request, _("Akun Anda belum terhubung dengan instansi. Hubungi admin koordinator.")
            )
        return view(request, *args, **kwargs)

    return wrapped


def coordinator_required(message: str | Promise) -> Callable[[View], View]:
    """The coordinator only (inside `staff_required`): anyone else gets 403 with `message`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if console_actor(request).role != Role.COORDINATOR:
                return forbidden(request, str(message))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
