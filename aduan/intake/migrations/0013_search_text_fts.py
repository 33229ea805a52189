"""Full-text search over the stemmed shadow: a GIN index on PostgreSQL, FTS5 on SQLite (issue 16)."""

from typing import Any

from django.db import migrations

from aduan.intake.search import PG_INDEX, PG_VECTOR_SQL, SQLITE_FTS, SQLITE_FTS_OBJECTS, ensure_sqlite_fts


def forwards(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON intake_report USING gin ({PG_VECTOR_SQL})")
    else:
        ensure_sqlite_fts(connection)


def backwards(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    elif connection.vendor == "sqlite":
        for trigger in sorted(SQLITE_FTS_OBJECTS - {SQLITE_FTS}):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {SQLITE_FTS}")


class Migration(migrations.Migration):
    dependencies = [("intake", "0012_queue_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
