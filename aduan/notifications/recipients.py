"""Who the messages go to: the reporter's contacts (less opt-outs), officers and their choices."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Q

from aduan.core import clock
from aduan.core.roles import Role
from aduan.core.scoped import ScopedCache
from aduan.directory.models import Agency
from aduan.intake.models import Channel, Report, Reporter
from aduan.notifications.models import ContactOptOut, StaffPreference

if TYPE_CHECKING:
    from aduan.accounts.models import User


def unique_emails(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        value = (value or "").strip().lower()
        if value and "@" in value:
            seen.setdefault(value, None)
    return list(seen)


T = TypeVar("T")
_staff_groups = ScopedCache()
# Look up each group of officers once in this block (a sweep telling the staff of hundreds of
# reports), as `texts.templates_cached` does for templates.
staff_cached = _staff_groups.scope


def _cached(key: tuple[Any, ...], load: Callable[[], list[T]]) -> list[T]:
    return list(_staff_groups.get(key, load))  # a copy: a caller may extend what it was given


def _staff(**filters: Any) -> list[User]:
    from aduan.accounts.models import User

    return list(User.objects.filter(is_active=True, **filters).select_related("notification_preference"))


def agency_staff(agency: Agency) -> list[User]:
    """The agency's admins (admin penghubung; the APIP's auditors)."""
    return _cached(
        ("agency_staff", agency.pk), lambda: _staff(agency=agency, role__in=[Role.OPD_ADMIN, Role.APIP])
    )


def liaison_officers(agency: Agency) -> list[User]:
    return _staff(agency=agency, role=Role.LIAISON_OFFICER)


def coordinators() -> list[User]:
    return _cached(("coordinators",), lambda: _staff(role=Role.COORDINATOR))


def coordinating_heads() -> list[tuple[str, str]]:
    """(address, agency name) of the heads of the agencies the coordinators work in (level-2
    escalation of the coordinator's own steps: verification, re-disposition after a return)."""
    return _cached(("coordinating_heads",), _coordinating_heads)


def _coordinating_heads() -> list[tuple[str, str]]:
    from aduan.accounts.models import User

    # One query: the coordinators' agencies as a subquery (the agency of every active one).
    coordinator_agencies = User.objects.filter(
        is_active=True, role=Role.COORDINATOR, agency__isnull=False
    ).values("agency_id")
    heads = Agency.objects.filter(Q(pk__in=coordinator_agencies) | Q(kind=Agency.Kind.COORDINATOR)).exclude(
        head_email=""
    )
    return [(head.head_email.strip().lower(), head.name) for head in heads]


def preference(user: User) -> StaffPreference:
    """The officer's choice, or the default (e-mail and the console bell) when they made none."""
    try:
        return user.notification_preference
    except StaffPreference.DoesNotExist:
        return StaffPreference(user=user)


def reporter_addresses(report: Report) -> list[tuple[str, str]]:
    reporter: Reporter | None = report.reporter
    if reporter is None:
        return []
    result: list[tuple[str, str]] = []
    if reporter.phone:
        # A WhatsApp reporter's number is their WhatsApp: news goes back the way the report came.
        result.append(("whatsapp" if report.channel == Channel.WHATSAPP else "sms", reporter.phone))
    email = reporter.email or (reporter.user.email if reporter.user is not None else "")
    if email:
        result.append(("email", email.strip().lower()))
    return result


def citizen_addresses(report: Report) -> list[tuple[str, str]]:
    """(channel, address) pairs for status news: every contact given, less those that opted out."""
    addresses = reporter_addresses(report)
    if not addresses:
        return []
    opted_out = set(
        ContactOptOut.objects.filter(address__in=[to for _, to in addresses]).values_list(
            "address", flat=True
        )
    )
    return [(channel, to) for channel, to in addresses if to not in opted_out]


def contact_opt_out(*, addresses: Iterable[str], source: str) -> int:
    """Stop status news to these phone numbers / e-mail addresses; returns how many were new."""
    added = 0
    for address in {a.strip().lower() for a in addresses if a and a.strip()}:
        _, created = ContactOptOut.objects.get_or_create(
            address=address, defaults={"source": source, "created_at": clock.now()}
        )
        added += created
    return added


def contact_opt_in(*, addresses: Iterable[str]) -> int:
    """Status news again to these contacts."""
    deleted, _ = ContactOptOut.objects.filter(address__in=[a.strip().lower() for a in addresses]).delete()
    return deleted


def report_contacts_opted_out(report: Report) -> bool:
    """True when every contact of the report's reporter opted out of status news."""
    addresses = reporter_addresses(report)
    return bool(addresses) and not citizen_addresses(report)


def staff_preference_set(*, user: User, by_email: bool, in_console: bool) -> StaffPreference:
    """How the officer hears of their work; at least one way stays on (the default is both)."""
    if not by_email and not in_console:
        in_console = True
    preference, _ = StaffPreference.objects.update_or_create(
        user=user, defaults={"by_email": by_email, "in_console": in_console}
    )
    return preference


def report_news_set(*, report: Report, on: bool) -> None:
    """The reporter's switch on the tracking page: news to every contact of the report, or none."""
    addresses = [to for _channel, to in reporter_addresses(report)]
    if on:
        contact_opt_in(addresses=addresses)
    else:
        contact_opt_out(addresses=addresses, source="portal")
