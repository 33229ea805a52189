"""/api/v1/auth: citizen accounts for the mobile app, answered with a bearer token."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Router

from aduan.accounts.services import citizen_register
from aduan.api import ratelimit
from aduan.api.clients import client_of, require_token
from aduan.api.problems import ApiProblem
from aduan.api.reports import json_response
from aduan.api.schemas import LoginIn, Problem, RegisterIn, TokenOut
from aduan.api.services import citizen_login, token_create, token_revoke
from aduan.intake.models import Channel

router = Router(tags=["akun"])


@router.post(
    "/auth/register",
    response={201: TokenOut, 400: Problem, 401: Problem, 422: Problem, 429: Problem},
    summary="Daftar akun warga",
)
def register(request: HttpRequest, body: RegisterIn) -> HttpResponse:
    client = client_of(request)
    ratelimit.check_create(client)
    with transaction.atomic():
        user = citizen_register(
            username=body.username, password=body.password, name=body.name, email=body.email, phone=body.phone
        )
        _, raw = token_create(user=user, name="aplikasi mobile", channel=Channel.MOBILE)
    return json_response({"token": raw, "username": user.username, "role": user.role}, 201)


@router.post(
    "/auth/login",
    response={200: TokenOut, 400: Problem, 401: Problem, 403: Problem, 422: Problem, 429: Problem},
    summary="Masuk, mendapat token",
)
def login(request: HttpRequest, body: LoginIn) -> HttpResponse:
    client = client_of(request)
    ratelimit.check_secret(client, f"login:{body.username}")
    user = citizen_login(username=body.username, password=body.password)
    if user is None:
        # Staff accounts land here even with their right password: their tokens are issued by an
        # administrator (`aduan token create`), and a different answer would confirm the password.
        ratelimit.secret_failed(client, f"login:{body.username}")
        raise ApiProblem(401, "invalid_credentials", "Nama pengguna atau kata sandi salah.")
    _, raw = token_create(user=user, name="aplikasi mobile", channel=Channel.MOBILE)
    return json_response({"token": raw, "username": user.username, "role": user.role})


@router.post("/auth/logout", response={204: None, 400: Problem, 401: Problem}, summary="Cabut token ini")
def logout(request: HttpRequest) -> HttpResponse:
    client = client_of(request)
    require_token(client)
    assert client.token is not None
    token_revoke(token=client.token)
    return HttpResponse(status=204)
