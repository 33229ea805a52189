"""Background tasks (Django's Tasks API through django-tasks; run by `aduan worker`)."""

from __future__ import annotations

from django_tasks import task

from aduan.notifications.delivery import deliver_due


@task()
def deliver_pending() -> dict[str, int]:
    """Send the outbox's due messages."""
    return deliver_due()
