from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0009_merge_privacy_audit"),
    ]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="is_public",
            field=models.BooleanField(default=False),
        ),
    ]
