"""The production nginx site (`aduan nginx-site`, docs/deploy.md): TLS, the redirect from http,
static files from disk, and around them the same directives `aduan serve` runs with
(aduan/core/server.py: body limits, request buffering, gzip, the uWSGI socket).

Rendered from the installation's own settings so that it cannot disagree with them: the host
and port from ADUAN_SITE_URL, the upload limit from ADUAN_ATTACHMENT_MAX_MB x
ADUAN_ATTACHMENTS_PER_REPORT, the static files' directory from ADUAN_DATA_DIR, the certificate
from ADUAN_TLS_CERTIFICATE and ADUAN_TLS_CERTIFICATE_KEY (certbot's paths for the host unless set).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from aduan.core import server
from aduan.env import env_str

# Where deploy/systemd/aduan-web.service has uWSGI listen (RuntimeDirectory=aduan).
SOCKET = Path("/run/aduan/uwsgi.sock")
# certbot --webroot writes its challenges here; Debian's default nginx site serves it too, so the
# first certificate can be had before this site is enabled.
ACME_WEBROOT = "/var/www/html"

# Behind nginx the application trusts these two headers (ADUAN_PROXY_SSL_HEADER,
# ADUAN_CLIENT_IP_HEADER): nginx sets both itself, so a client's own values never get through
# (an HTTP_* parameter replaces the request header of that name).
FORWARDED_PARAMS = """
            uwsgi_param HTTP_X_FORWARDED_PROTO $scheme;
            uwsgi_param HTTP_X_FORWARDED_FOR $remote_addr;"""

SITE = """# /etc/nginx/sites-available/aduan: written by `aduan nginx-site` (aduan/ops/deploy.py) from the
# settings in /etc/aduan/aduan.env. Write it again after changing ADUAN_SITE_URL, ADUAN_TLS_* or the
# attachment limits, then `nginx -t && systemctl reload nginx` (docs/deploy.md).

# Plain http: only certbot's challenges, and a redirect of everything else to https.
server {
    listen @HTTP_PORT@;@HTTP_PORT6@
    server_name @HOST@;
    server_tokens off;
    location /.well-known/acme-challenge/ {
        root @ACME_WEBROOT@;
    }
    location / {
        return 301 @ORIGIN@$request_uri;
    }
}

server {
    listen @HTTPS_PORT@ ssl http2;@HTTPS_PORT6@
    server_name @HOST@;
    server_tokens off;
    ssl_certificate @CERTIFICATE@;
    ssl_certificate_key @CERTIFICATE_KEY@;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    ssl_session_cache shared:aduan_tls:10m;
    ssl_session_timeout 1d;
    ssl_session_tickets off;
    # Kept-alive connections with TCP_NODELAY (aduan/core/server.py: without it a kept-alive
    # answer in several pieces waited ~40 ms for the client's delayed ACK).
    keepalive_timeout 65s;
    tcp_nodelay on;
    access_log off;

    # Static files (`aduan collectstatic` writes them here) straight from disk, the .gz copies
    # WhiteNoise's storage made first. Their names carry no hash: cached for a minute, as
    # WhiteNoise would, so an upgrade's CSS reaches browsers with its pages.
    location /static/ {
        alias @STATIC_ROOT@/;
        gzip_static on;
        add_header Cache-Control "public, max-age=60";
        add_header X-Content-Type-Options nosniff;
    }
    # Attachments are never served from disk: the application decides who may see each one
    # (aduan/core/http.py), so /media/ has no location here and goes to it like any page.
@APP@}
"""


class SiteError(Exception):
    """The settings cannot make a production site; the message says which one to fix."""


@dataclass(frozen=True)
class Site:
    host: str
    origin: str
    https_port: int
    certificate: str
    certificate_key: str


def site_settings() -> Site:
    """The host, port and certificate the site serves, from ADUAN_SITE_URL and ADUAN_TLS_*."""
    url = urlsplit(settings.SITE_URL)
    if url.scheme != "https" or not url.hostname:
        raise SiteError(
            f"ADUAN_SITE_URL must be the public https address, e.g. https://aduan.ponorogo.go.id, "
            f"not {settings.SITE_URL!r}"
        )
    try:
        port = url.port or 443
    except ValueError:
        raise SiteError(f"ADUAN_SITE_URL has an invalid port: {settings.SITE_URL!r}") from None
    host = url.hostname
    live = f"/etc/letsencrypt/live/{host}"
    return Site(
        host=host,
        origin=f"https://{url.netloc}",
        https_port=port,
        certificate=env_str("ADUAN_TLS_CERTIFICATE") or f"{live}/fullchain.pem",
        certificate_key=env_str("ADUAN_TLS_CERTIFICATE_KEY") or f"{live}/privkey.pem",
    )


def nginx_site(*, socket: Path = SOCKET, http_port: int = 80, ipv6: bool = True) -> str:
    """The nginx site file of this installation (see the module's docstring)."""
    site = site_settings()
    for name, value in (
        ("ADUAN_TLS_CERTIFICATE", site.certificate),
        ("ADUAN_TLS_CERTIFICATE_KEY", site.certificate_key),
    ):
        if not value.startswith("/") or any(ch.isspace() or ch in ";{}\"'" for ch in value):
            raise SiteError(f"{name} must be an absolute path without spaces, quotes or ;{{}}, not {value!r}")
    replacements = {
        "@HTTP_PORT@": str(http_port),
        "@HTTP_PORT6@": f"\n    listen [::]:{http_port};" if ipv6 else "",
        "@HTTPS_PORT@": str(site.https_port),
        "@HTTPS_PORT6@": f"\n    listen [::]:{site.https_port} ssl http2;" if ipv6 else "",
        "@HOST@": site.host,
        "@ORIGIN@": site.origin,
        "@ACME_WEBROOT@": ACME_WEBROOT,
        "@CERTIFICATE@": site.certificate,
        "@CERTIFICATE_KEY@": site.certificate_key,
        "@STATIC_ROOT@": str(settings.STATIC_ROOT),
        # Indented as a server block at the top level of the file.
        "@APP@": textwrap.indent(
            textwrap.dedent(
                server.app_directives(socket=socket, params=server.UWSGI_PARAMS + FORWARDED_PARAMS)
            ),
            "    ",
        ),
    }
    text = SITE
    for placeholder, value in replacements.items():
        text = text.replace(placeholder, value)
    return text
