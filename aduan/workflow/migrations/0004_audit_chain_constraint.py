"""One event per (report, position) of the audit chain; that unique index replaces the (report,
created_at) one for looking events up by report. Its own migration: on PostgreSQL an ALTER TABLE
cannot follow the backfill's updates in one transaction (pending trigger events)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0003_audit_chain"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="reportevent",
            constraint=models.UniqueConstraint(
                fields=("report", "seq"), name="reportevent_seq_once_per_report"
            ),
        ),
        migrations.RemoveIndex(
            model_name="reportevent",
            name="workflow_re_report__c891ce_idx",
        ),
    ]
