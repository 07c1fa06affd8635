"""The organisation's own snapshot now keeps its open findings by "kind:severity", as each
team's does: the organisation dashboard reads them from there instead of counting them
live. The latest row of each organisation is filled here, so the dashboard shows them before
the next check runs."""

from django.db import migrations
from django.db.models import Count


def fill_latest(apps, schema_editor):
    AlignmentSnapshot = apps.get_model("reviews", "AlignmentSnapshot")
    Finding = apps.get_model("reviews", "Finding")
    latest = (
        AlignmentSnapshot.objects.filter(team__isnull=True)
        .order_by("organisation_id", "-run_date")
        .distinct("organisation_id")
        if schema_editor.connection.vendor == "postgresql"
        else [
            AlignmentSnapshot.objects.filter(team__isnull=True, organisation_id=org)
            .order_by("-run_date")
            .first()
            for org in AlignmentSnapshot.objects.values_list("organisation_id", flat=True)
            .distinct()
            .order_by()
        ]
    )
    for row in latest:
        counted = (
            Finding.objects.filter(
                organisation_id=row.organisation_id,
                resolved_at__isnull=True,
                mission__status="active",
            )
            .values("kind", "severity")
            .annotate(n=Count("id"))
            .order_by()
        )
        row.findings = {f"{c['kind']}:{c['severity']}": c["n"] for c in counted}
        row.save(update_fields=["findings"])


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0016_subtree_snapshots"),
    ]

    operations = [
        migrations.RunPython(fill_latest, migrations.RunPython.noop),
    ]
