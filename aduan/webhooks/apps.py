from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "aduan.webhooks"
    label = "webhooks"
    verbose_name = _("Webhook instansi")

    def ready(self) -> None:
        from aduan.core.outbox import Drainer, drainer_register
        from aduan.intake.erasure import forget_hooks
        from aduan.webhooks.delivery import deliver_all, deliver_due
        from aduan.webhooks.events import on_report_event
        from aduan.webhooks.services import deliveries_forget
        from aduan.workflow.services import in_transaction_hooks

        # Every audited action of the workflow's writer, inside its transaction.
        if on_report_event not in in_transaction_hooks:
            in_transaction_hooks.append(on_report_event)
        # Erasing a reporter's data drops their identity from deliveries not yet sent.
        if deliveries_forget not in forget_hooks:
            forget_hooks.append(deliveries_forget)
        drainer_register(
            Drainer(name="webhooks", drain=lambda limit: deliver_due(limit=limit), drain_all=deliver_all)
        )
