"""Aduan settings. Every value comes from the environment (see .env.example); none is needed."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from aduan.env import env_bbox, env_bool, env_choice, env_int, env_ints, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("ADUAN_DATA_DIR", BASE_DIR.parent / "var")
DATA_DIR.mkdir(parents=True, exist_ok=True)
# The Ed25519 key this installation signs federation messages and webhooks with (core/signing.py).
ADUAN_INSTANCE_KEY_FILE = env_str("ADUAN_INSTANCE_KEY_FILE") or str(
    DATA_DIR / "keys" / "instance_ed25519.pem"
)
# Outbound webhooks (aduan/webhooks/targets.py): private/loopback receivers and plain http, both off.
ADUAN_WEBHOOK_ALLOW_PRIVATE = env_bool("ADUAN_WEBHOOK_ALLOW_PRIVATE", False)
ADUAN_WEBHOOK_ALLOW_HTTP = env_bool("ADUAN_WEBHOOK_ALLOW_HTTP", False)


def _secret_key() -> str:
    """The SECRET_KEY from the environment, else one generated once and kept in the data dir."""
    from_env = env_str("ADUAN_SECRET_KEY")
    if from_env:
        if len(from_env) < 32:
            raise ImproperlyConfigured("ADUAN_SECRET_KEY must be at least 32 characters long")
        return from_env
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # Several nodes sharing the data dir may start at once on a fresh one: the key is written
        # aside and linked into place (atomic, and refused if another process was first), so all
        # of them read the same key and none reads a half-written file.
        draft = DATA_DIR / f".secret_key.{os.getpid()}"
        # Readable by the owner only from its first byte.
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
            out.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("ADUAN_DEBUG", False)
ALLOWED_HOSTS = env_list("ADUAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("ADUAN_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("ADUAN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
INSTALLATION_NAME = env_str("ADUAN_INSTALLATION_NAME", "Pemerintah Kabupaten Ponorogo")

# Production behind TLS (issue 13): ADUAN_HTTPS=true turns on Secure cookies, HSTS and the redirect
# to https; behind a reverse proxy that terminates TLS, ADUAN_PROXY_SSL_HEADER names the header it
# sets (e.g. X-Forwarded-Proto), trusted only then. `aduan check --deploy` checks the whole set.
HTTPS = env_bool("ADUAN_HTTPS", False)
SECURE_COOKIES = env_bool("ADUAN_SECURE_COOKIES", HTTPS)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env_bool("ADUAN_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = env_int("ADUAN_HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0, maximum=63_072_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ADUAN_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("ADUAN_HSTS_PRELOAD", False)
_proxy_ssl_header = env_str("ADUAN_PROXY_SSL_HEADER").strip()
if _proxy_ssl_header:
    if not all(ch.isalnum() or ch == "-" for ch in _proxy_ssl_header):
        raise ImproperlyConfigured(
            f"ADUAN_PROXY_SSL_HEADER must be a header name such as X-Forwarded-Proto, not {_proxy_ssl_header!r}"
        )
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
# Probes from a load balancer or supervisor on plain HTTP must not be redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Prometheus' scrape of /metrics: with a token, only `Authorization: Bearer <token>`; without,
# only from this machine (127.0.0.1, ::1). Anyone else gets 404.
ADUAN_METRICS_TOKEN = env_str("ADUAN_METRICS_TOKEN")
# The HSTS preload list is for registrable domains; a kabupaten's host under go.id is not one,
# so Django's reminder to preload (security.W021) does not apply.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "aduan.core",
    "aduan.accounts",
    "aduan.directory",
    "aduan.sla",
    "aduan.intake",
    "aduan.workflow",
    "aduan.notifications",
    "aduan.webhooks",
    "aduan.federation",
    "aduan.portal",
    "aduan.console",
    "aduan.api",
    "aduan.channels",
    "aduan.evaluation",
    "aduan.ops",
]

MIDDLEWARE = [
    # First: the request id (aduan/core/requestlog.py) is on every log line of what runs below.
    "aduan.core.requestlog.RequestIdMiddleware",
    # Outermost: sees every write of the request, the session's too (pins a browser to the
    # primary after it wrote; takes itself out without DATABASE_REPLICA_URL).
    "aduan.core.dbrouter.ReplicaPinMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "aduan.middleware.NulInAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files are answered before these and keep their cache headers.
    "csp.middleware.CSPMiddleware",
    "aduan.core.middleware.PrivacyHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "aduan.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "aduan.console.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Maps (Leaflet, vendored): the tile server, its attribution, and the box a pin must fall in
# ("south,west,north,east"; Kabupaten Ponorogo by default: set it with ADUAN_HOME_REGION). With
# boundaries imported (`aduan import_boundaries`) a pin must also fall inside one of them.
ADUAN_MAP_TILE_URL = env_str("ADUAN_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
ADUAN_MAP_ATTRIBUTION = env_str(
    "ADUAN_MAP_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)
ADUAN_MAP_BOUNDS = env_bbox("ADUAN_MAP_BOUNDS", (-8.36, 111.26, -7.78, 111.89))
# "Sudah ada laporan serupa?" before a new report (form and GET /api/v1/nearby-reports): how far
# around the pin, in metres (besides the same desa).
ADUAN_NEARBY_RADIUS_M = env_int("ADUAN_NEARBY_RADIUS_M", 500, minimum=50, maximum=5000)


def _tile_origin(url: str) -> list[str]:
    """The scheme and host of the tile URL, for the CSP's img-src (none for tiles served here)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return []
    return [f"{parts.scheme}://{parts.netloc}"]


# Content-Security-Policy (django-csp): only this site's own files; no inline script or style
# anywhere (page scripts live in static files), no plugins, no framing, forms post here only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Photo previews before upload; map tiles from the tile server's origin.
        "img-src": ["'self'", "data:", "blob:", *_tile_origin(ADUAN_MAP_TILE_URL)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Features no page uses are off; geolocation only for this site ("gunakan lokasi saya").
ADUAN_PERMISSIONS_POLICY = (
    "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), serial=(), "
    "midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), browsing-topics=()"
)

ROOT_URLCONF = "aduan.urls"
WSGI_APPLICATION = "aduan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "aduan.core.context_processors.installation",
            ],
        },
    }
]

# Database: SQLite under the data dir unless DATABASE_URL says otherwise.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://", "sqlite://")):
        raise ImproperlyConfigured("DATABASE_URL must start with postgres://, postgresql:// or sqlite://")
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("ADUAN_DB_CONN_MAX_AGE", 60))
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "aduan.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (web, worker) share one file: take the write lock at BEGIN and wait for it.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
DATABASES["default"].setdefault("TEST", {})
# A PostgreSQL streaming replica for the heavy read paths (aduan/core/dbrouter.py; docs/scaling.md):
# public feed and map, public statistics and open data, the dashboard, Open311 reads. Reads fall
# back to the primary when the replica is more than ADUAN_REPLICA_MAX_LAG_SECONDS behind.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
ADUAN_REPLICA_MAX_LAG_SECONDS = env_int("ADUAN_REPLICA_MAX_LAG_SECONDS", 10, minimum=0, maximum=3600)
if DATABASE_REPLICA_URL:
    if not DATABASE_REPLICA_URL.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must start with postgres:// or postgresql://")
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs DATABASE_URL on PostgreSQL (the replica's primary)"
        )
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("ADUAN_DB_CONN_MAX_AGE", 60)
    )
    # A replica that does not answer must not hold a request: the lag check fails fast and the
    # reads go to the primary.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    # Tests have no replica of their test database: the alias reads the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["aduan.core.dbrouter.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "console:login"

# Staff sessions end at a fixed time after sign-in (a working day by default), whatever the
# activity; a password change ends them too (Django's session hash). Citizens keep Django's default.
ADUAN_STAFF_SESSION_SECONDS = env_int(
    "ADUAN_STAFF_SESSION_SECONDS", 8 * 3600, minimum=300, maximum=30 * 86400
)
# Who must pass a second factor (TOTP, or a recovery code) after the password: staff roles by
# name, plus "admin" for anyone who may open the Django admin (is_staff or is_superuser). Staff who
# enrolled an authenticator on their own are always asked for it.
ADUAN_OTP_ROLE_CHOICES = {"coordinator", "opd_admin", "liaison_officer", "apip", "leader", "admin"}
ADUAN_OTP_REQUIRED_ROLES = frozenset(env_list("ADUAN_OTP_REQUIRED_ROLES", ["coordinator", "admin"]))
if not ADUAN_OTP_REQUIRED_ROLES <= ADUAN_OTP_ROLE_CHOICES:
    raise ImproperlyConfigured(
        f"ADUAN_OTP_REQUIRED_ROLES may name only {sorted(ADUAN_OTP_ROLE_CHOICES)}, "
        f"not {sorted(ADUAN_OTP_REQUIRED_ROLES - ADUAN_OTP_ROLE_CHOICES)}"
    )
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = env_str("ADUAN_OTP_ISSUER", "Aduan")
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "portal:home"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("ADUAN_TIME_ZONE", "Asia/Jakarta")
if TIME_ZONE not in {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC"}:
    raise ImproperlyConfigured(
        "ADUAN_TIME_ZONE must be Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)"
    )
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from here after collectstatic; finders before
# The shared CSS, vendored libraries and the portal files live in aduan/static (not inside an app).
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Attachments in S3-compatible object storage (MinIO, Ceph, a cloud's) instead of MEDIA_ROOT: every
# file goes through Django's storage API (docs/scaling.md), so several hosts share them without a
# shared disk. Needs the optional extra: pip install 'aduan[s3]' (django-storages, boto3).
ADUAN_STORAGE = env_choice("ADUAN_STORAGE", "filesystem", {"filesystem", "s3"})
if ADUAN_STORAGE == "s3":
    import importlib.util

    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured("ADUAN_STORAGE=s3 needs django-storages: pip install 'aduan[s3]'")
    if not env_str("ADUAN_S3_BUCKET"):
        raise ImproperlyConfigured("ADUAN_STORAGE=s3 needs ADUAN_S3_BUCKET (the bucket's name)")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("ADUAN_S3_BUCKET"),
            # Empty: AWS itself; else the object store's address, e.g. https://minio.pemkab.go.id
            "endpoint_url": env_str("ADUAN_S3_ENDPOINT_URL") or None,
            "region_name": env_str("ADUAN_S3_REGION") or None,
            # Empty: boto3's own chain (instance role, ~/.aws, AWS_* variables).
            "access_key": env_str("ADUAN_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("ADUAN_S3_SECRET_ACCESS_KEY") or None,
            # A key prefix inside the bucket, so that one bucket may hold several installations.
            "location": env_str("ADUAN_S3_PREFIX", "media").strip("/"),
            "addressing_style": env_choice("ADUAN_S3_ADDRESSING_STYLE", "path", {"path", "virtual"}),
            # Attachments are personal data: private objects, served only through Aduan's views
            # that check who may see them (aduan/core/http.py), never by a public bucket URL.
            "default_acl": "private",
            "querystring_auth": True,
            # A name never overwrites another file: the storage picks a free one, as on disk.
            "file_overwrite": False,
        },
    }
WHITENOISE_USE_FINDERS = True
# Files served at the site's root: /favicon.ico (browsers ask for it on every first visit).
WHITENOISE_ROOT = BASE_DIR / "public"
WHITENOISE_AUTOREFRESH = DEBUG

# Caches. "ratelimit" (API rate limits) must be shared by all server processes: files under the
# data dir by default (one host), Redis when ADUAN_REDIS_URL is set (several hosts), which then
# also serves "default"; otherwise "default" stays Django's per-process memory cache.
ADUAN_REDIS_URL = env_str("ADUAN_REDIS_URL")
if ADUAN_REDIS_URL:
    _redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": ADUAN_REDIS_URL}
    CACHES = {"default": _redis, "ratelimit": {**_redis, "KEY_PREFIX": "rl"}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache" / "ratelimit"),
        },
    }

# Uploads: attachments are checked by content; these are the limits.
# The server process's garbage collector, its three generations' thresholds (aduan/wsgi.py);
# "700,10,10" are Python's own.
ADUAN_GC_THRESHOLD = env_ints("ADUAN_GC_THRESHOLD", (50_000, 50, 100))
ADUAN_ATTACHMENT_MAX_BYTES = env_int("ADUAN_ATTACHMENT_MAX_MB", 10, minimum=1, maximum=100) * 1024 * 1024
ADUAN_ATTACHMENTS_PER_REPORT = env_int("ADUAN_ATTACHMENTS_PER_REPORT", 5, minimum=1, maximum=20)
# Images larger than this (after a JPEG's reduced decoding) are refused before they are decoded
# (aduan/intake/uploads.py). Pillow holds a colour pixel in 4 bytes: 24 megapixels are 96 MB
# decoded, and a worker peaked at 274 MB with such a PNG (30: 307 MB, 40: 337 MB, against the
# 300 MB of uwsgi.ini's reload-on-rss; bench/image_memory.py). Camera JPEGs of any size Pillow
# opens decode reduced to a side under 4096 pixels (at most ~17 megapixels), so pass.
ADUAN_IMAGE_MAX_PIXELS = env_int("ADUAN_IMAGE_MAX_MEGAPIXELS", 24, minimum=1, maximum=100) * 1_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# The kabupaten this installation serves (Kemendagri code), used for pickers and routing.
ADUAN_HOME_REGION = env_str("ADUAN_HOME_REGION", "35.02")
# Public statistics withhold any count from 1 to this minus one for a slice narrower than the
# kabupaten and a year (aduan.evaluation.disclosure; docs/evaluation.md). 1 withholds nothing.
ADUAN_PUBLIC_STATS_MIN_COUNT = env_int("ADUAN_PUBLIC_STATS_MIN_COUNT", 5, minimum=1, maximum=100)
# Years after a report is closed (completed or archived) before its reporter's personal data,
# exact location and attachments are erased (UU 27/2022; `aduan retention apply`, daily sweep).
ADUAN_RETENTION_YEARS = env_int("ADUAN_RETENTION_YEARS", 5, minimum=1, maximum=100)

# Background work: Django's Tasks API (django-tasks backport) on the database backend.
TASKS = {
    "default": {
        "BACKEND": env_choice(
            "ADUAN_TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend",
            {"django_tasks_db.DatabaseBackend", "django_tasks.backends.immediate.ImmediateBackend"},
        )
    }
}

# Outgoing mail and SMS.
EMAIL_BACKEND = env_str("ADUAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("ADUAN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ADUAN_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("ADUAN_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("ADUAN_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("ADUAN_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("ADUAN_FROM_EMAIL", "aduan@localhost")
ADUAN_SMS_BACKEND = env_choice("ADUAN_SMS_BACKEND", "console", {"console", "gammu", "http"})
ADUAN_SMS_WEBHOOK_SECRET = env_str("ADUAN_SMS_WEBHOOK_SECRET")
ADUAN_SMS_HTTP_URL = env_str("ADUAN_SMS_HTTP_URL")
ADUAN_GAMMU_DATABASE_URL = env_str("ADUAN_GAMMU_DATABASE_URL")

# Log lines as text (readable, `make run`) or as one JSON object per line for a log collector
# (time, level, logger, message, request_id, method, path, status, duration_ms, role).
ADUAN_LOG_FORMAT = env_choice("ADUAN_LOG_FORMAT", "text", {"text", "json"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Access codes never reach a log line (aduan/core/logscrub.py): the filter is on the handler,
    # so it sees the records of every logger, Django's request and server logs included. The
    # request id (aduan/core/requestlog.py) is put on every record the same way.
    "filters": {
        "scrub_access_codes": {"()": "aduan.core.logscrub.ScrubAccessCodes"},
        "request_context": {"()": "aduan.core.requestlog.RequestContext"},
    },
    "formatters": {"json": {"()": "aduan.core.requestlog.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["scrub_access_codes", "request_context"],
            **({"formatter": "json"} if ADUAN_LOG_FORMAT == "json" else {}),
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("ADUAN_LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"}),
    },
    "loggers": {
        # Django's own handlers (console when DEBUG, mail to ADMINS) would write request lines
        # unscrubbed: its records go to the root's handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},
        # Django's development server logs each request line, query string included: through ours.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # One line per request with its status and duration: in JSON, where it replaces uWSGI's
        # request line (`aduan serve` turns that off); in text uWSGI's line says it already.
        "aduan.request": {"level": "INFO" if ADUAN_LOG_FORMAT == "json" else "WARNING"},
    },
}
