from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IntakeConfig(AppConfig):
    name = "aduan.intake"
    label = "intake"

    def ready(self) -> None:
        post_migrate.connect(_search_index, sender=self)


def _search_index(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from aduan.intake.search import ensure_sqlite_fts

    ensure_sqlite_fts(connections[using])
