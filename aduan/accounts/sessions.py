"""Staff sessions end a fixed time after sign-in (ADUAN_STAFF_SESSION_SECONDS), however busy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


def staff_session_expiry(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """On every sign-in (console, admin, tests' force_login): a staff session gets its end time.

    An absolute time, not an idle timeout: a console left open on a shared office computer still
    closes by the end of the working day. Citizens keep Django's session length.
    """
    if request is None or not hasattr(request, "session"):
        return
    if user.is_staff_account:
        # Django's clock, not aduan.core.clock: the session store compares with timezone.now().
        request.session.set_expiry(
            timezone.now() + dt.timedelta(seconds=settings.ADUAN_STAFF_SESSION_SECONDS)
        )
