# The masked public title and text of reports (issue 13), derived for reports already public.

from django.db import migrations, models

PUBLIC_STATUSES = ["terverifikasi", "terdisposisi", "ditindaklanjuti", "ditanggapi_pelapor", "selesai"]


def derive_public_text(apps, schema_editor):
    from aduan.intake.redaction import mask_personal_data, own_data_of

    Report = apps.get_model("intake", "Report")
    reports = Report.objects.filter(status__in=PUBLIC_STATUSES, is_confidential=False).select_related("reporter")
    for report in reports.iterator(chunk_size=500):
        own = own_data_of(report.reporter) if report.reporter_id else None
        report.public_title = mask_personal_data(report.edited_title or report.title, own)
        report.public_text = mask_personal_data(report.edited_text or report.original_text, own)
        report.save(update_fields=["public_title", "public_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0004_report_fewer_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicReport",
            fields=[],
            options={"proxy": True, "indexes": [], "constraints": []},
            bases=("intake.report",),
        ),
        migrations.AddField(model_name="report", name="public_text", field=models.TextField(blank=True)),
        migrations.AddField(model_name="report", name="public_title", field=models.TextField(blank=True)),
        migrations.RunPython(derive_public_text, migrations.RunPython.noop),
    ]
