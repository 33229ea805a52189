"""Background tasks (Django's Tasks API through django-tasks; run by `aduan worker`)."""

from __future__ import annotations

from django_tasks import task

from aduan.notifications.delivery import deliver_due

BATCH = 200


@task()
def deliver_pending() -> dict[str, int]:
    """Send the outbox's due messages; a backlog larger than one batch continues in a new task."""
    result = deliver_due(limit=BATCH)
    if sum(result.values()) >= BATCH:
        deliver_pending.enqueue()
    return result
