"""Federation settings from the environment (documented in .env.example and docs/federation.md)."""

from __future__ import annotations

from django.conf import settings

from aduan.env import env_choice, env_int, env_str

LEVELS = {"kabupaten_kota", "provinsi", "kementerian_lembaga", "nasional"}
# What this installation is, as peers see it at GET /api/federation/v1/identity. The name is
# ADUAN_INSTALLATION_NAME and the base URL ADUAN_SITE_URL, as everywhere else.
INSTANCE_LEVEL = env_choice("ADUAN_INSTANCE_LEVEL", "kabupaten_kota", LEVELS)
# The Kemendagri region code (35.02, 35) or the agency's code (a ministry's).
INSTANCE_CODE = env_str("ADUAN_INSTANCE_CODE", settings.ADUAN_HOME_REGION)
# A message is tried this many times, then left `failed` for an administrator to retry.
MAX_ATTEMPTS = env_int("ADUAN_FEDERATION_MAX_ATTEMPTS", 10, minimum=1, maximum=100)
# Seconds before the first retry; doubled after each failed attempt, at most an hour.
RETRY_BASE_SECONDS = env_int("ADUAN_FEDERATION_RETRY_SECONDS", 30, minimum=0, maximum=3600)
# How often the worker fetches each peer's agencies and categories again.
SYNC_SECONDS = env_int("ADUAN_FEDERATION_SYNC_SECONDS", 3600, minimum=60, maximum=7 * 86_400)
# Seconds a peer has to answer one request.
TIMEOUT_SECONDS = env_int("ADUAN_FEDERATION_TIMEOUT_SECONDS", 20, minimum=1, maximum=300)
# Attachments travel inline (base64) up to this many bytes per report; larger ones stay home.
ATTACHMENT_BUDGET = env_int("ADUAN_FEDERATION_ATTACHMENT_MB", 8, minimum=0, maximum=50) * 1024 * 1024
# A message body larger than this is refused by the receiver (attachments included).
MAX_BODY_BYTES = ATTACHMENT_BUDGET * 4 // 3 + 1024 * 1024
