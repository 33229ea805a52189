# The masked public text of follow-ups (issue 13), derived for follow-ups already published.

from django.db import migrations, models


def derive_public_text(apps, schema_editor):
    from aduan.intake.redaction import mask_personal_data, own_data_of

    FollowUp = apps.get_model("workflow", "FollowUp")
    follow_ups = FollowUp.objects.filter(state="published").select_related("report__reporter")
    for follow_up in follow_ups.iterator(chunk_size=500):
        reporter = follow_up.report.reporter
        follow_up.public_text = mask_personal_data(follow_up.text, own_data_of(reporter) if reporter else None)
        follow_up.save(update_fields=["public_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0005_report_public_text"),
        ("workflow", "0002_reportevent_report_no_own_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicFollowUp",
            fields=[],
            options={"proxy": True, "indexes": [], "constraints": []},
            bases=("workflow.followup",),
        ),
        migrations.AddField(model_name="followup", name="public_text", field=models.TextField(blank=True)),
        migrations.RunPython(derive_public_text, migrations.RunPython.noop),
    ]
