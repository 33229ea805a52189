from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "aduan.notifications"
    label = "notifications"
    verbose_name = "Notifikasi"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from aduan.notifications.services import on_report_event
        from aduan.workflow.models import ReportEvent

        post_save.connect(on_report_event, sender=ReportEvent, dispatch_uid="notifications.on_report_event")
