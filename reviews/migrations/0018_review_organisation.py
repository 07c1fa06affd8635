"""Each review keeps its mission's organisation, so that its tenant policy and "this
organisation's reviews" read the review alone.

The policy of ``missions 0008`` followed the review's mission (``EXISTS`` over the missions,
their own policy applying inside). Where PostgreSQL expected many reviews it answered that by
hashing every mission of the organisations in scope first: 100,000 missions, about 50 ms, for
a list of 50 reviews due (the team dashboard of a large directorate). Compared with a column of
the row, the policy costs nothing whatever the size of the organisation.
"""

import django.db.models.deletion
from django.db import migrations, models

SETTING = "current_setting('missionlead.organisations', true)"
TENANTS = f"(SELECT NULLIF({SETTING}, ''))"
SET = f"(SELECT string_to_array({SETTING}, ',')::bigint[])::bigint[]"
BY_COLUMN = f"({TENANTS} IS NULL OR organisation_id = ANY ({SET}))"
BY_MISSION = (
    f"({TENANTS} IS NULL OR EXISTS (SELECT 1 FROM missions_mission p WHERE p.id = mission_id))"
)


def _policy(rule):
    def alter(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER POLICY reviews_review_tenant ON reviews_review USING {rule} "
                f"WITH CHECK {rule}"
            )

    return alter


class Migration(migrations.Migration):
    dependencies = [
        ("kernel", "0005_organisation_likely_miss_below"),
        ("reviews", "0017_organisation_snapshot_findings"),
    ]

    operations = [
        migrations.AddField(
            model_name="review",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="kernel.organisation",
            ),
        ),
        migrations.RunSQL(
            "UPDATE reviews_review SET organisation_id = (SELECT m.organisation_id "
            "FROM missions_mission m WHERE m.id = reviews_review.mission_id)",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="review",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="kernel.organisation",
            ),
        ),
        migrations.RunPython(_policy(BY_COLUMN), _policy(BY_MISSION)),
    ]
