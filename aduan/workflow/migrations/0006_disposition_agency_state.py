"""An OPD's queue counts start from its own dispositions (issue 16)."""

from typing import Any

from django.conf import settings
from django.db import migrations, models


def serial_scans(apps: Any, schema_editor: Any) -> None:
    # Dispositions are read per report or, for a capped count, up to a cap's worth of one agency's
    # rows: starting parallel workers (~15 ms on a busy 2-core server) cost more than any such scan,
    # and the planner, misjudging how many of an agency's new dispositions sit on terdisposisi
    # reports (they all do), chose them for every badge.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE workflow_disposition SET (parallel_workers = 0)")


def parallel_scans(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE workflow_disposition RESET (parallel_workers)")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0003_merge_boundary_citizen_topic"),
        ("intake", "0014_queue_indexes"),
        ("workflow", "0005_merge_privacy_audit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="disposition",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["agency", "state", "report"],
                name="disposition_agency_state",
            ),
        ),
        migrations.RunPython(serial_scans, parallel_scans, elidable=False),
    ]
