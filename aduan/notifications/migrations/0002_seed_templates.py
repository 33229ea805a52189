"""Seed the default message texts (Bahasa Indonesia); admins edit them afterwards."""

from django.db import migrations

# A frozen copy at the time of this migration would be purer; the defaults module only grows,
# and rows an admin already edited are never touched (get_or_create).
from aduan.notifications.defaults import DEFAULT_TEMPLATES


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, channel, subject, body in DEFAULT_TEMPLATES:
        MessageTemplate.objects.get_or_create(key=key, channel=channel, defaults={"subject": subject, "body": body})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
