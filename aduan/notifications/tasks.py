"""Background tasks (Django's Tasks API through django-tasks).

On the database backend (production) no delivery task is queued: `aduan worker` claims due
messages straight from the outbox. This task is what a transaction enqueues after commit on
the other backends (the immediate one of development runs it at once, in the request that
committed: one thread on the request's connection, not `deliver_all`'s threads)."""

from __future__ import annotations

from django_tasks import task

from aduan.notifications.delivery import deliver_due


@task()
def deliver_pending() -> dict[str, int]:
    """Send every message of the outbox that is due."""
    return deliver_due(limit=None)
