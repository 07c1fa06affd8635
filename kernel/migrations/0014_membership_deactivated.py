"""A membership can be deactivated (SCIM deprovisioning) without deleting it: access to that
organisation ends, the person's other organisations are untouched."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('kernel', '0013_webhooks'),
    ]

    operations = [
        migrations.AddField(
            model_name='membership',
            name='deactivated_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='Deactivated'),
        ),
    ]
