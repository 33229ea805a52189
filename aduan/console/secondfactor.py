"""The second step of a staff sign-in: enrol an authenticator app, or type its code.

Thin: the rules live in aduan.accounts.secondfactor; failures count in the console's sign-in
throttle under the account's name, like wrong passwords.
"""

from __future__ import annotations

from typing import Protocol, TypeVar
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login

from aduan.accounts.models import User
from aduan.accounts.secondfactor import (
    RECOVERY_CODES,
    second_factor_enrolled,
    second_factor_verify,
    totp_confirm,
    totp_enrolment,
    totp_qr_svg,
    totp_secret,
)
from aduan.console import throttle
from aduan.core.redirects import next_url

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


def _next_url(request: HttpRequest) -> str:
    return next_url(request, reverse("console:home"))


def _staff(request: HttpRequest) -> User | None:
    user = request.user
    if not user.is_authenticated:
        return None
    assert isinstance(user, User)
    if not user.is_staff_account:
        return None
    return user


class _CodeCheck(Protocol[T_co]):
    def __call__(self, *, user: User, token: str) -> T_co | None: ...


def second_step_url(view_name: str, next_url: str) -> str:
    """A second-factor page that goes on to `next_url` when passed."""
    return f"{reverse(view_name)}?{urlencode({'next': next_url})}"


def _code_attempt(
    request: HttpRequest,
    user: User,
    check: _CodeCheck[T],
    template: str,
    context: dict[str, object],
    wrong: str,
) -> T | HttpResponse:
    """One typed code, within the sign-in throttle: what `check` accepted, or the form again."""
    if throttle.login_blocked(request, user.get_username()):
        context["error"] = throttle.BLOCKED_MESSAGE
        return render(request, template, context, status=429)
    accepted = check(user=user, token=request.POST.get("token", ""))
    if accepted is None:
        throttle.login_failed(request, user.get_username())
        context["error"] = wrong
        return render(request, template, context, status=400)
    return accepted


@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: QR code or key, then its first code; recovery codes shown once."""
    user = _staff(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    replacing = second_factor_enrolled(user)
    if replacing and not request.user.is_verified():  # type: ignore[union-attr]
        # Replacing the authenticator needs the current one first: a password alone is not enough.
        return redirect(second_step_url("console:verify", reverse("console:enrol")))
    device = totp_enrolment(user=user)
    template = "console/second_factor_enrol.html"
    context: dict[str, object] = {
        "secret": totp_secret(device),
        "next": _next_url(request),
        "replacing": replacing,
    }
    if request.method == "POST":
        confirmed = _code_attempt(
            request,
            user,
            totp_confirm,
            template,
            context,
            _("Kode tidak cocok. Periksa jam ponsel Anda lalu masukkan kode yang baru."),
        )
        if isinstance(confirmed, HttpResponse):
            return confirmed
        device, codes = confirmed
        otp_login(request, device)
        return render(
            request,
            "console/second_factor_codes.html",
            {"codes": codes, "next": _next_url(request), "count": RECOVERY_CODES},
        )
    return render(request, template, context)


@never_cache
@require_GET
def enrol_qr(request: HttpRequest) -> HttpResponse:
    """The QR code of the authenticator being set up (an image: no inline markup on the page)."""
    user = _staff(request)
    if user is None or (second_factor_enrolled(user) and not request.user.is_verified()):  # type: ignore[union-attr]
        raise Http404
    return HttpResponse(totp_qr_svg(totp_enrolment(user=user)), content_type="image/svg+xml")


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The code from the authenticator app, or one recovery code."""
    user = _staff(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(_next_url(request))
    if not second_factor_enrolled(user):
        return redirect(second_step_url("console:enrol", _next_url(request)))
    template = "console/second_factor_verify.html"
    context: dict[str, object] = {"next": _next_url(request)}
    if request.method == "POST":
        device = _code_attempt(
            request,
            user,
            second_factor_verify,
            template,
            context,
            _("Kode tidak cocok."),
        )
        if isinstance(device, HttpResponse):
            return device
        otp_login(request, device)
        return redirect(_next_url(request))
    return render(request, template, context)
