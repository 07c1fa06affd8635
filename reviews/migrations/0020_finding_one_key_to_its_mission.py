"""A finding's two foreign keys (to its organisation, to its mission) become one, to the
mission's ``(organisation_id, id)``: the mission exists, and it is of the finding's
organisation (whose existence the mission's own key holds). The checks open findings by the
hundred thousand, and each key is a lookup of each at commit.

Deferred to commit, as the two keys it replaces were. SQLite (the embedded default) cannot add
a foreign key to an existing table; there the checks, the only writer of findings, open them
from the missions they have just read.
"""

from django.db import migrations, models
import django.db.models.deletion

KEY = "reviews_finding_mission_same_org"


def add_key(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE reviews_finding ADD CONSTRAINT {KEY} "
        "FOREIGN KEY (organisation_id, mission_id) "
        "REFERENCES missions_mission (organisation_id, id) DEFERRABLE INITIALLY DEFERRED"
    )


def drop_key(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE reviews_finding DROP CONSTRAINT {KEY}")


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0015_index_of_the_organisations_missions"),
        ("reviews", "0019_drop_second_index_of_open_findings"),
    ]

    operations = [
        migrations.AlterField(
            model_name="finding",
            name="mission",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="findings",
                to="missions.mission",
            ),
        ),
        migrations.AlterField(
            model_name="finding",
            name="organisation",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="findings",
                to="kernel.organisation",
            ),
        ),
        migrations.RunPython(add_key, drop_key, elidable=False),
    ]
