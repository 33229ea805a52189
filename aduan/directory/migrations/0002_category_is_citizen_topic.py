from django.db import migrations, models


def default_topics(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Existing installations get the kabupaten default list, as a fresh import would.
    from aduan.directory.services import DEFAULT_CITIZEN_TOPICS

    Category = apps.get_model("directory", "Category")
    Category.objects.filter(parent__isnull=True, code__in=DEFAULT_CITIZEN_TOPICS).update(is_citizen_topic=True)
    Category.objects.filter(parent__isnull=True, is_national=False).update(is_citizen_topic=True)


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="category",
            name="is_citizen_topic",
            field=models.BooleanField(default=False, verbose_name="ditawarkan kepada warga"),
        ),
        migrations.RunPython(default_topics, migrations.RunPython.noop),
    ]
