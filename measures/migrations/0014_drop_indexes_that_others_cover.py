"""Four foreign keys' own indexes, each the first column of another index: one copy too many
to keep up to date on every check-in and KPI written (and to build when an organisation is
loaded). The state says ``db_index=False``; the database drops the index only, by name
(Django's ``AlterField`` would drop and re-add the foreign key itself, checking every row
again, and keep the index)."""

import django.db.models.deletion
from django.db import migrations, models

from kernel.indexes import drop_indexes

# (index, table, column): Django's names for the foreign keys' indexes.
INDEXES = [
    ("measures_checkin_kpi_id_59b0f051", "measures_checkin", "kpi_id"),
    ("measures_kpi_organisation_id_8bd9b593", "measures_kpi", "organisation_id"),
    ("measures_kpi_parent_kpi_id_08036228", "measures_kpi", "parent_kpi_id"),
    ("measures_kpi_mission_id_c059a2f9", "measures_kpi", "mission_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("kernel", "0011_coalitions"),
        ("measures", "0013_kpi_worst_first"),
        ("missions", "0015_index_of_the_organisations_missions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="checkin",
                    name="kpi",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="check_ins",
                        to="measures.kpi",
                    ),
                ),
                migrations.AlterField(
                    model_name="kpi",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="kpis",
                        to="kernel.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="kpi",
                    name="mission",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="kpis",
                        to="missions.mission",
                    ),
                ),
                migrations.AlterField(
                    model_name="kpi",
                    name="parent_kpi",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="contributions",
                        to="measures.kpi",
                        verbose_name="Contributes to",
                    ),
                ),
            ],
            database_operations=drop_indexes(INDEXES),
        ),
    ]
