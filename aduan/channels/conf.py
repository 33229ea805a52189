"""Channel settings: read from Django settings when set there (tests, site settings), else from the
environment through aduan.env's typed readers. Read at call time, so a change needs no restart of tests."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from aduan import env
from aduan.accounts.conf import AttemptLimit

_MISSING = object()


def _setting(name: str, read_env: Any) -> Any:
    value = getattr(settings, name, _MISSING)
    return read_env() if value is _MISSING else value


def sms_backend() -> str:
    return str(
        _setting(
            "ADUAN_SMS_BACKEND",
            lambda: env.env_choice("ADUAN_SMS_BACKEND", "console", {"console", "gammu", "http"}),
        )
    )


def webhook_secret() -> str:
    return str(_setting("ADUAN_SMS_WEBHOOK_SECRET", lambda: env.env_str("ADUAN_SMS_WEBHOOK_SECRET")))


# How far a webhook's X-Aduan-Timestamp may be from our clock before it is refused as stale.
WEBHOOK_MAX_SKEW_SECONDS = 300
# A gateway never needs more than this for one SMS; bigger bodies are refused before parsing.
WEBHOOK_MAX_BODY_BYTES = 64 * 1024


def sms_http_url() -> str:
    return str(_setting("ADUAN_SMS_HTTP_URL", lambda: env.env_str("ADUAN_SMS_HTTP_URL")))


def sms_http_secret() -> str:
    """Secret that signs outbound requests to the HTTP gateway; the inbound webhook secret by default."""
    return (
        str(_setting("ADUAN_SMS_HTTP_SECRET", lambda: env.env_str("ADUAN_SMS_HTTP_SECRET")))
        or webhook_secret()
    )


def sms_http_timeout() -> int:
    return int(
        _setting(
            "ADUAN_SMS_HTTP_TIMEOUT",
            lambda: env.env_int("ADUAN_SMS_HTTP_TIMEOUT", 10, minimum=1, maximum=120),
        )
    )


def gammu_database_url() -> str:
    return str(_setting("ADUAN_GAMMU_DATABASE_URL", lambda: env.env_str("ADUAN_GAMMU_DATABASE_URL")))


def gammu_multipart_timeout() -> int:
    """Seconds to wait for the missing parts of a multipart SMS before taking what arrived."""
    return int(
        _setting(
            "ADUAN_GAMMU_MULTIPART_TIMEOUT",
            lambda: env.env_int("ADUAN_GAMMU_MULTIPART_TIMEOUT", 600, minimum=0, maximum=86400),
        )
    )


def gammu_creator_id() -> str:
    return str(_setting("ADUAN_GAMMU_CREATOR_ID", lambda: env.env_str("ADUAN_GAMMU_CREATOR_ID", "Aduan")))


def imap_host() -> str:
    return str(_setting("ADUAN_IMAP_HOST", lambda: env.env_str("ADUAN_IMAP_HOST")))


def imap_port() -> int:
    return int(
        _setting("ADUAN_IMAP_PORT", lambda: env.env_int("ADUAN_IMAP_PORT", 993, minimum=1, maximum=65535))
    )


def imap_user() -> str:
    return str(_setting("ADUAN_IMAP_USER", lambda: env.env_str("ADUAN_IMAP_USER")))


def imap_password() -> str:
    return str(_setting("ADUAN_IMAP_PASSWORD", lambda: env.env_str("ADUAN_IMAP_PASSWORD")))


def imap_ssl() -> bool:
    return bool(_setting("ADUAN_IMAP_SSL", lambda: env.env_bool("ADUAN_IMAP_SSL", True)))


def imap_folder() -> str:
    return str(_setting("ADUAN_IMAP_FOLDER", lambda: env.env_str("ADUAN_IMAP_FOLDER", "INBOX")))


def poll_interval() -> int:
    return int(
        _setting(
            "ADUAN_CHANNELS_POLL_SECONDS",
            lambda: env.env_int("ADUAN_CHANNELS_POLL_SECONDS", 30, minimum=1, maximum=3600),
        )
    )


def whatsapp_verify_token() -> str:
    return str(_setting("ADUAN_WHATSAPP_VERIFY_TOKEN", lambda: env.env_str("ADUAN_WHATSAPP_VERIFY_TOKEN")))


def whatsapp_app_secret() -> str:
    return str(_setting("ADUAN_WHATSAPP_APP_SECRET", lambda: env.env_str("ADUAN_WHATSAPP_APP_SECRET")))


# Meta retries an undelivered webhook for up to 7 days: a signed WhatsApp body is remembered that
# long (a replay within it gets nothing), and a message older than that is not taken in at all.
WHATSAPP_REPLAY_WINDOW_SECONDS = 7 * 24 * 3600


def code_failure_limit() -> AttemptLimit:
    """Wrong access codes one sender (phone number) may text per window (CEK/BALAS/… <nomor> <kode>)."""
    return AttemptLimit(
        attempts=int(
            _setting(
                "ADUAN_SMS_CODE_FAILURES",
                lambda: env.env_int("ADUAN_SMS_CODE_FAILURES", 5, minimum=1, maximum=1000),
            )
        ),
        window_seconds=int(
            _setting(
                "ADUAN_SMS_CODE_WINDOW_SECONDS",
                lambda: env.env_int("ADUAN_SMS_CODE_WINDOW_SECONDS", 3600, minimum=60, maximum=86_400),
            )
        ),
    )
