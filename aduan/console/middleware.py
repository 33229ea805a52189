"""Staff who must pass a second factor reach nothing but its pages until they have."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from aduan.accounts.secondfactor import second_factor_enrolled, second_factor_required
from aduan.console.access import htmx_refresh
from aduan.console.secondfactor import second_step_url


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware: a signed-in account that needs a second factor and has not
    passed it in this session is sent to the verification page (or to enrolment when it has no
    authenticator yet), from every page: the console, the Django admin, the portal alike."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Without a session cookie nobody is signed in; not touching request.user then keeps the
        # session unread, so API answers carry no "Vary: Cookie" (and the lane's answers match).
        user = getattr(request, "user", None) if settings.SESSION_COOKIE_NAME in request.COOKIES else None
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and second_factor_required(user)
            and not self._exempt(request.path_info)
        ):
            if request.headers.get("HX-Request"):
                return htmx_refresh()
            target = "console:verify" if second_factor_enrolled(user) else "console:enrol"
            next_url = request.get_full_path() if request.method == "GET" else reverse("console:home")
            return redirect(second_step_url(target, next_url))
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = (
            reverse("console:verify"),
            reverse("console:enrol"),
            reverse("console:logout"),
            settings.STATIC_URL,
            "/i18n/",
        )
        return path.startswith(exempt)
