"""The audit hash chain (aduan/workflow/audit.py): new columns, existing events chained in the order
they were written (time, then id), each report's head set, then one event per (report, position)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def chain_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    from aduan.workflow.audit import HASHED_FIELDS, anchor, digest

    Report = apps.get_model("intake", "Report")
    ReportEvent = apps.get_model("workflow", "ReportEvent")
    alias = schema_editor.connection.alias
    events_done, reports_done = [], []

    def flush():  # type: ignore[no-untyped-def]
        ReportEvent.objects.using(alias).bulk_update(
            events_done, ["seq", "prev_hash", "hash"], batch_size=500
        )
        Report.objects.using(alias).bulk_update(reports_done, ["audit_seq", "audit_head"], batch_size=500)
        events_done.clear()
        reports_done.clear()

    reports = Report.objects.using(alias).order_by("pk").only("pk", "tracking_number")
    for report in reports.iterator(chunk_size=2000):
        prev = anchor(report.tracking_number)
        seq = 0
        events = ReportEvent.objects.using(alias).filter(report_id=report.pk).order_by("created_at", "pk")
        for event in events:
            seq += 1
            event.seq, event.prev_hash = seq, prev
            event.hash = digest(
                prev_hash=prev, seq=seq, values={name: getattr(event, name) for name in HASHED_FIELDS}
            )
            prev = event.hash
            events_done.append(event)
        report.audit_seq, report.audit_head = seq, (prev if seq else "")
        reports_done.append(report)
        if len(events_done) >= 5000:
            flush()
    flush()


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("intake", "0005_report_audit_head"),
        ("workflow", "0002_reportevent_report_no_own_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="reportevent",
            name="hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="reportevent",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="reportevent",
            name="seq",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="actor_agency",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.agency",
            ),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="actor_user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
    ]
