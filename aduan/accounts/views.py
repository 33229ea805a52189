"""The citizen's account pages on the portal: register, sign in/out, "Laporan saya", erase.

Routes live in aduan/portal/urls.py (namespace "portal"); the rules in accounts.services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from aduan.accounts import conf, ratelimit
from aduan.accounts.forms import EraseForm, LoginForm, RegisterForm
from aduan.accounts.services import citizen_authenticate, citizen_erase, citizen_register
from aduan.core.actors import actor_for_user
from aduan.core.clients import client_ip
from aduan.core.errors import DomainError
from aduan.core.redirects import next_url
from aduan.core.roles import Role
from aduan.portal.access import citizen_user
from aduan.portal.presenters import status_badge
from aduan.workflow.selectors import reports_visible_to

BACKEND = "django.contrib.auth.backends.ModelBackend"
PAGE_SIZE = 20
_TOO_MANY = gettext_lazy("Terlalu banyak percobaan dari alamat ini. Coba lagi dalam 15 menit.")


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing in: a local `next`, else "Laporan saya"."""
    return next_url(request, reverse("portal:account"))


def _is_staff(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and getattr(user, "role", "") != Role.CITIZEN)


def _form_error(form: Any, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _form_page(request: HttpRequest, template: str, form: forms.Form, status: int) -> HttpResponse:
    """The sign-up or sign-in form, carrying where to go after it."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, template, {"form": form, "next": next_url, "nav": "account"}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if citizen_user(request) is not None:
        return redirect("portal:account")
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        ip, limit = client_ip(request), conf.register_limit()
        if ratelimit.exhausted("register", ip, limit):
            form.add_error(None, _TOO_MANY)
            status = 429
        elif form.is_valid():
            # Every complete attempt counts, so that "sudah terdaftar" cannot be used to probe
            # many numbers from one address.
            ratelimit.count("register", ip, limit)
            data = form.cleaned_data
            try:
                user = citizen_register(
                    name=data["name"], phone=data["phone"], email=data["email"], password=data["password"]
                )
            except DomainError as error:
                _form_error(form, error)
                status = error.http_status
            else:
                auth_login(request, user, backend=BACKEND)
                messages.success(request, _("Akun Anda sudah dibuat dan Anda sudah masuk."))
                return redirect(_next_url(request))
        else:
            status = 400
    return _form_page(request, "accounts/register.html", form, status)


@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Citizen sign-in by phone, email or username; staff are sent to the console's sign-in."""
    if citizen_user(request) is not None:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        ip, limit = client_ip(request), conf.login_limit()
        if ratelimit.exhausted("login", ip, limit):
            form.add_error(None, _TOO_MANY)
            status = 429
        elif form.is_valid():
            user = citizen_authenticate(
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
                request=request,
            )
            if user is None:
                # Only failures count: many citizens share one address (mobile carriers' NAT).
                # A staff account's right password lands here too (no oracle for staff passwords).
                ratelimit.count("login", ip, limit)
                form.add_error(None, _("Nomor HP/email atau kata sandi salah."))
                status = 400
            else:
                auth_login(request, user, backend=BACKEND)
                return redirect(_next_url(request))
        else:
            status = 400
    return _form_page(request, "accounts/login.html", form, status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.info(request, _("Anda sudah keluar."))
    return redirect("portal:home")


def _signed_in_citizen_or_redirect(request: HttpRequest) -> HttpResponse | None:
    if _is_staff(request):
        return redirect("console:home")
    if citizen_user(request) is None:
        return redirect(f"{reverse('portal:account_login')}?next={request.path}")
    return None


@never_cache
def account(request: HttpRequest) -> HttpResponse:
    """ "Laporan saya": every report linked to the signed-in citizen, newest first."""
    elsewhere = _signed_in_citizen_or_redirect(request)
    if elsewhere is not None:
        return elsewhere
    user = citizen_user(request)
    assert user is not None
    reports = (
        reports_visible_to(actor_for_user(user)).select_related("kecamatan").order_by("-submitted_at", "-pk")
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("halaman"))
    rows = [{"report": r, "badge": status_badge(r.status)} for r in page.object_list]
    response = render(
        request, "accounts/account.html", {"account": user, "page": page, "rows": rows, "nav": "account"}
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest) -> HttpResponse:
    """ "Hapus data saya": confirm with the password, erase, sign out."""
    elsewhere = _signed_in_citizen_or_redirect(request)
    if elsewhere is not None:
        return elsewhere
    user = citizen_user(request)
    assert user is not None
    form = EraseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        ip, limit = client_ip(request), conf.login_limit()
        if ratelimit.exhausted("login", ip, limit):
            form.add_error(None, _TOO_MANY)
            status = 429
        elif form.is_valid():
            if not user.check_password(form.cleaned_data["password"]):
                ratelimit.count("login", ip, limit)
                form.add_error("password", _("Kata sandi salah."))
                status = 400
            else:
                try:
                    citizen_erase(user=user)
                except DomainError as error:
                    _form_error(form, error)
                    status = error.http_status
                else:
                    auth_logout(request)
                    messages.success(
                        request,
                        _(
                            "Data pribadi Anda sudah dihapus dan akun ditutup. Laporan Anda tetap ada "
                            "tanpa identitas Anda."
                        ),
                    )
                    return redirect("portal:home")
        else:
            status = 400
    return render(request, "accounts/erase.html", {"form": form, "nav": "account"}, status=status)
