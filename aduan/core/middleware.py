"""Language choice (Bahasa Indonesia unless the visitor picked English); privacy headers."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


class LanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but the browser's Accept-Language is not followed: many
    citizens' phones are set to English, and the service speaks Bahasa Indonesia by default
    (English is a choice in the footer, kept in the language cookie by /i18n/setlang/)."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PrivacyHeadersMiddleware(MiddlewareMixin):
    """Permissions-Policy on every answer, and `Cache-Control: no-store` on every answer that did
    not choose its own caching: pages and API answers may carry personal data (a tracking page, a
    console report, an access code), and no shared proxy or browser cache may keep them. Static
    files never get here (WhiteNoise answers them above this middleware)."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response.headers.setdefault("Permissions-Policy", settings.ADUAN_PERMISSIONS_POLICY)
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response
