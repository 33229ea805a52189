from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "aduan.sla"
    label = "sla"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from aduan.sla.calendar import clear_caches
        from aduan.sla.models import CalendarDay, StepLimit

        for model in (CalendarDay, StepLimit):
            post_save.connect(
                clear_caches, sender=model, dispatch_uid=f"sla.clear_caches.save.{model.__name__}"
            )
            post_delete.connect(
                clear_caches, sender=model, dispatch_uid=f"sla.clear_caches.delete.{model.__name__}"
            )
