"""Foreign keys' own indexes that another index starts with: dropped (``kernel.indexes``)."""

import django.db.models.deletion
from django.db import migrations, models

from kernel.indexes import drop_indexes

INDEXES = [
    (
        "missions_interdependency_to_mission_id_2d610b75",
        "missions_interdependency",
        "to_mission_id",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0015_index_of_the_organisations_missions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="interdependency",
                    name="to_mission",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="interdependencies_in",
                        to="missions.mission",
                    ),
                ),
            ],
            database_operations=drop_indexes(INDEXES),
        ),
    ]
