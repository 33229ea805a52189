"""Who is acting: a role, maybe a user, maybe an agency; services take an Actor, never a request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aduan.core.roles import AGENCY_ROLES, Role

if TYPE_CHECKING:
    from aduan.accounts.models import User


@dataclass(frozen=True)
class Actor:
    role: Role
    user: User | None = None
    agency_id: int | None = None
    # A citizen without an account proves ownership of a report by its access code;
    # those reports' ids are carried here.
    report_ids: frozenset[int] = field(default_factory=frozenset)
    label: str = ""

    @property
    def is_agency_role(self) -> bool:
        return self.role in AGENCY_ROLES

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    def display(self) -> str:
        if self.user is not None:
            return self.user.get_full_name() or self.user.get_username()
        return self.label or str(self.role.label)


SYSTEM = Actor(role=Role.SYSTEM, label="Sistem")


def actor_for_user(user: User) -> Actor:
    """The actor a signed-in user acts as."""
    role = Role(user.role)
    return Actor(role=role, user=user, agency_id=user.agency_id)


def citizen_with_access(report_id: int, *, user: User | None = None) -> Actor:
    """A citizen who proved, by access code or account, that the report is theirs."""
    return Actor(role=Role.CITIZEN, user=user, report_ids=frozenset({report_id}), label="Pelapor")
