from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "aduan.federation"
    label = "federation"
    verbose_name = "Federasi antarinstansi"

    def ready(self) -> None:
        from aduan.core.outbox import Drainer, drainer_register
        from aduan.federation import delivery, hooks
        from aduan.workflow import services

        # In the action's transaction: a message to a peer commits (or rolls back) with the action.
        if hooks.on_event not in services.in_transaction_hooks:
            services.in_transaction_hooks.append(hooks.on_event)
        # Its own thread in the worker: a peer that is down never delays an SMS or a webhook.
        drainer_register(
            Drainer(
                name="federation",
                drain=lambda limit: delivery.deliver_due(limit=limit),
                drain_all=delivery.deliver_all,
            )
        )
