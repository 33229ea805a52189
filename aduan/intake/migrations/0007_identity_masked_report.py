# A proxy (no table change): an anonymous report as staff who may not know its reporter read it.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0006_report_confidential_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='IdentityMaskedReport',
            fields=[
            ],
            options={
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('intake.publicreport',),
        ),
    ]
