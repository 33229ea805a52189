"""Prometheus metrics, counted from the database at scrape time: every web process and worker
shares it, so any one process answers for the whole installation (no per-process counters to
add up, nothing lost on a restart)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Q
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from aduan.core import clock


class AduanCollector(Collector):
    """Reports by channel, lifecycle actions, queue depths, overdue reports, delivery failures."""

    def collect(self) -> Iterator[Metric]:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from aduan.intake.models import Report
        from aduan.notifications.models import OutboundMessage
        from aduan.sla.selectors import overdue_q
        from aduan.sla.tasks import last_worker_seen
        from aduan.workflow.models import ReportEvent

        received = CounterMetricFamily(
            "aduan_reports_received", "Reports received since installation, by channel.", labels=["channel"]
        )
        for row in Report.objects.values("channel").annotate(n=Count("pk")).order_by("channel"):
            received.add_metric([row["channel"]], row["n"])
        yield received

        actions = CounterMetricFamily(
            "aduan_lifecycle_actions", "Audited lifecycle actions on reports, by action.", labels=["action"]
        )
        for row in ReportEvent.objects.values("action").annotate(n=Count("pk")).order_by("action"):
            actions.add_metric([row["action"]], row["n"])
        yield actions

        tasks = GaugeMetricFamily(
            "aduan_tasks", "Background tasks waiting (READY) or being run (RUNNING).", labels=["status"]
        )
        counts = dict(
            DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        for status in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
            tasks.add_metric([str(status)], counts.get(status, 0))
        yield tasks

        outbox = GaugeMetricFamily(
            "aduan_outbox_messages",
            "Outgoing messages not sent (pending or failed), by channel.",
            labels=["state", "channel"],
        )
        failures = GaugeMetricFamily(
            "aduan_delivery_failures",
            "Outgoing messages whose delivery failed: given up (failed) or still retrying after a failed attempt.",
            labels=["kind", "channel"],
        )
        pending, failed = OutboundMessage.State.PENDING, OutboundMessage.State.FAILED
        rows = (
            OutboundMessage.objects.filter(state__in=[pending, failed])
            .values("state", "channel")
            .annotate(n=Count("pk"), retrying=Count("pk", filter=Q(state=pending, attempts__gt=0)))
            .order_by("state", "channel")
        )
        for row in rows:
            outbox.add_metric([row["state"], row["channel"]], row["n"])
            if row["state"] == failed:
                failures.add_metric(["gave_up", row["channel"]], row["n"])
            elif row["retrying"]:
                failures.add_metric(["retrying", row["channel"]], row["retrying"])
        yield outbox
        yield failures

        from aduan.webhooks.models import WebhookDelivery

        webhooks = GaugeMetricFamily(
            "aduan_webhook_deliveries",
            "Webhook deliveries to agency systems not sent (pending, of which retrying; or failed), by agency.",
            labels=["state", "agency"],
        )
        waiting = WebhookDelivery.State.PENDING
        hook_rows = (
            WebhookDelivery.objects.filter(state__in=[waiting, WebhookDelivery.State.FAILED])
            .values("state", "subscription__agency__code")
            .annotate(n=Count("pk"), retrying=Count("pk", filter=Q(state=waiting, attempts__gt=0)))
            .order_by("state", "subscription__agency__code")
        )
        for row in hook_rows:
            agency = row["subscription__agency__code"]
            webhooks.add_metric([row["state"], agency], row["n"])
            if row["retrying"]:
                webhooks.add_metric(["retrying", agency], row["retrying"])
        yield webhooks

        overdue = GaugeMetricFamily(
            "aduan_overdue_reports",
            "Open reports on the staff's step past its deadline (the console's overdue queue), by lead"
            " agency (empty: none yet).",
            labels=["agency"],
        )
        late = (
            Report.objects.filter(overdue_q())
            .values("lead_agency__code")
            .annotate(n=Count("pk"))
            .order_by("lead_agency__code")
        )
        for row in late:
            overdue.add_metric([row["lead_agency__code"] or ""], row["n"])
        yield overdue

        last = last_worker_seen()
        if last is not None:
            age = GaugeMetricFamily(
                "aduan_worker_heartbeat_age_seconds", "Seconds since a background worker last reported."
            )
            age.add_metric([], (clock.now() - last).total_seconds())
            yield age


def exposition() -> bytes:
    """The metrics in Prometheus' text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AduanCollector())
    return generate_latest(registry)
