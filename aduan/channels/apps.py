from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "aduan.channels"
    label = "channels"

    def ready(self) -> None:
        from aduan.channels.services import forget_senders
        from aduan.intake.erasure import forget_hooks

        # Erasing a reporter's data (on request, by retention) blanks the sender of their messages.
        if forget_senders not in forget_hooks:
            forget_hooks.append(forget_senders)
