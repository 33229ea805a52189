from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "aduan.federation"
    label = "federation"
    verbose_name = "Federasi antarinstansi"

    def ready(self) -> None:
        from aduan.core import outboxes
        from aduan.federation import delivery, hooks
        from aduan.workflow import services

        # In the action's transaction: a message to a peer commits (or rolls back) with the action.
        if hooks.on_event not in services.in_transaction_hooks:
            services.in_transaction_hooks.append(hooks.on_event)
        outboxes.register("federation", due=delivery.deliver_due, drain=delivery.deliver_all)
