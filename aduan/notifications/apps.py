from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "aduan.notifications"
    label = "notifications"
    verbose_name = "Notifikasi"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from aduan.intake.erasure import forget_hooks
        from aduan.notifications.events import on_report_event
        from aduan.notifications.models import MessageTemplate
        from aduan.notifications.services import forget_recipients
        from aduan.notifications.texts import clear_template_cache
        from aduan.workflow.models import ReportEvent

        # Erasing a reporter's data (on request, by retention) blanks their messages in the outbox.
        if forget_recipients not in forget_hooks:
            forget_hooks.append(forget_recipients)
        post_save.connect(on_report_event, sender=ReportEvent, dispatch_uid="notifications.on_report_event")
        post_save.connect(
            clear_template_cache, sender=MessageTemplate, dispatch_uid="notifications.templates.save"
        )
        post_delete.connect(
            clear_template_cache, sender=MessageTemplate, dispatch_uid="notifications.templates.delete"
        )
