# The address field as the public reads it (issue 13), derived for reports already public.

from django.db import migrations, models

PUBLIC_STATUSES = ["terverifikasi", "terdisposisi", "ditindaklanjuti", "ditanggapi_pelapor", "selesai"]


def derive_public_address(apps, schema_editor):
    from aduan.intake.redaction import mask_address_field, own_data_of

    Report = apps.get_model("intake", "Report")
    reports = (
        Report.objects.filter(status__in=PUBLIC_STATUSES, is_confidential=False)
        .exclude(address="")
        .select_related("reporter")
    )
    for report in reports.iterator(chunk_size=500):
        own = own_data_of(report.reporter) if report.reporter_id else None
        report.public_address = mask_address_field(report.address, own)
        report.save(update_fields=["public_address"])


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0007_identity_masked_report"),
    ]

    operations = [
        migrations.AddField(model_name="report", name="public_address", field=models.TextField(blank=True)),
        migrations.RunPython(derive_public_address, migrations.RunPython.noop),
    ]
