"""Notifications written before items knew their cause never complete: mark the ones that
asked for something read, so an upgraded inbox does not start with requests long handled.
The hourly inbox sweep writes an item for each of them that still waits."""

from django.db import migrations
from django.utils import timezone

ASKING_KINDS = [
    "alignment_requested",
    "sent_back",
    "support_requested",
    "review_reminder",
    "review_escalation",
    "finding",
]


def mark_read(apps, schema_editor):
    Notification = apps.get_model("kernel", "Notification")
    Notification.objects.filter(
        cause__isnull=True, kind__in=ASKING_KINDS, read_at__isnull=True
    ).update(read_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("kernel", "0002_inbox_items")]

    operations = [migrations.RunPython(mark_read, migrations.RunPython.noop)]
