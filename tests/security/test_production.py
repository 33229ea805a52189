"""Production settings (issue 13, item 6): `aduan check --deploy` on the documented configuration,
what ADUAN_HTTPS turns on, and the headers every answer carries."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import submit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def documented_production_env() -> dict[str, str]:
    """The variables of the deployment guide's production block, as an operator would copy them."""
    guide = (ROOT / "docs" / "deploy.md").read_text()
    block = re.search(r"```sh\n# production configuration[^\n]*\n(.*?)```", guide, re.S)
    assert block, "docs/deploy.md has no production configuration block"
    pairs = [line.split("=", 1) for line in block.group(1).splitlines() if re.match(r"^[A-Z_]+=", line)]
    assert len(pairs) >= 5
    return dict(pairs)


def run_aduan(args: list[str], extra: dict[str, str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    # As on a server: none of the test run's own variables (DJANGO_ALLOW_ASYNC_UNSAFE is one).
    drop = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADUAN_") and k not in drop}
    env |= {"ADUAN_DATA_DIR": str(data_dir), **extra}
    return subprocess.run(
        [str(BIN / "aduan"), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_on_the_documented_production_configuration(tmp_path: Path) -> None:
    production = run_aduan(
        ["check", "--deploy", "--fail-level", "WARNING"], documented_production_env(), tmp_path
    )
    assert production.returncode == 0, production.stdout + production.stderr
    assert "no issues" in production.stdout + production.stderr


def test_check_deploy_names_what_is_missing(tmp_path: Path) -> None:
    bare = run_aduan(["check", "--deploy", "--fail-level", "WARNING"], {}, tmp_path)
    output = bare.stdout + bare.stderr
    assert bare.returncode != 0
    for check_id in ("aduan.W001", "security.W004", "security.W008", "security.W012", "security.W016"):
        assert check_id in output
    proxy_without_client_ip = {**documented_production_env(), "ADUAN_CLIENT_IP_HEADER": ""}
    weak = {**documented_production_env(), "ADUAN_OTP_REQUIRED_ROLES": "opd_admin"}
    assert "aduan.W005" in run_aduan(["check", "--deploy"], proxy_without_client_ip, tmp_path).stderr
    assert "aduan.W004" in run_aduan(["check", "--deploy"], weak, tmp_path).stderr


def test_https_turns_on_secure_cookies_hsts_redirect_and_the_proxy_header(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s; import json; print(json.dumps([s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_SSL_REDIRECT, getattr(s, 'SECURE_PROXY_SSL_HEADER', None)]))"
    )
    on = run_aduan(["shell", "-c", code], documented_production_env(), tmp_path)
    assert json.loads(on.stdout.splitlines()[-1]) == [
        True,
        True,
        31_536_000,
        True,
        True,
        ["HTTP_X_FORWARDED_PROTO", "https"],
    ]
    off = run_aduan(["shell", "-c", code], {}, tmp_path)
    assert json.loads(off.stdout.splitlines()[-1]) == [False, False, 0, True, False, None]
    bad = run_aduan(["shell", "-c", code], {"ADUAN_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"}, tmp_path)
    assert bad.returncode != 0 and "ADUAN_PROXY_SSL_HEADER" in bad.stderr


def test_behind_the_proxy_http_is_redirected_and_https_gets_hsts(settings, db) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = Client().get("/laporan/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = Client().get("/laporan/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


CSP_REQUIRED = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/", "/lapor/", "/lacak/", "/laporan/", "/statistik/", "/konsol/masuk/", "/akun/masuk/", "/privasi/"],
)
def test_every_page_carries_the_csp_permissions_policy_and_no_store(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200, path
    csp = response["Content-Security-Policy"]
    assert all(part in csp for part in CSP_REQUIRED), csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert (
        "camera=()" in response["Permissions-Policy"]
        and "geolocation=(self)" in response["Permissions-Policy"]
    )
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    # No inline script or style for the policy to block: scripts come from files, no style="".
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html), path
    assert " style=" not in html and "<style" not in html and " on" + "change=" not in html


@pytest.mark.django_db
def test_api_answers_with_personal_data_are_not_stored(koordinator) -> None:  # type: ignore[no-untyped-def]
    created = Client().post(
        "/api/v1/reports",
        json.dumps({"kind": "pengaduan", "title": "Jalan", "description": "Rusak.", "region": "35.02.17"}),
        content_type="application/json",
    )
    assert created.status_code == 201 and created["Cache-Control"] == "no-store"
    number, code = created.json()["tracking_number"], created.json()["access_code"]
    read = Client().get(f"/api/v1/reports/{number}", headers={"X-Access-Code": code})
    assert read.status_code == 200 and read["Cache-Control"] == "no-store"
    staff = Client()
    staff.force_login(koordinator)
    page = staff.get(f"/konsol/laporan/{submit().report.tracking_number}/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
