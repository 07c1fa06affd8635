"""A mission's alignment score moves to a narrow row of its own (``MissionScore``): the first
check of a large organisation writes every score at once, and each was a rewrite of the
mission's wide row and its fourteen indexes. The scores kept so far are copied over; the
mission's column goes in ``missions`` 0020, after this.

Under the tenant policy, with one key in the database, ``(organisation, mission)`` to the
mission's ``(organisation, id)``, deferred to commit as a finding's (``0020``)."""

import django.db.models.deletion
from django.db import migrations, models

from kernel.row_security import same_organisation_keys, secure_tenant_tables


class Migration(migrations.Migration):
    dependencies = [
        ("kernel", "0016_organisation_in_every_key"),
        ("missions", "0019_organisation_in_every_key"),
        ("reviews", "0027_organisation_in_every_key"),
    ]

    operations = [
        migrations.CreateModel(
            name="MissionScore",
            fields=[
                (
                    "mission",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="alignment",
                        serialize=False,
                        to="missions.mission",
                    ),
                ),
                ("score", models.PositiveSmallIntegerField(verbose_name="Alignment score")),
                (
                    "organisation",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="kernel.organisation",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["organisation", "score"], name="reviews_missionscore_by_score"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("score__lte", 100)),
                        name="reviews_missionscore_at_most_100",
                    )
                ],
            },
        ),
        # The scores kept so far, before the mission's column goes (rows first, then the
        # key: a table with deferred keys takes no ALTER while their checks are pending).
        migrations.RunSQL(
            "INSERT INTO reviews_missionscore (mission_id, organisation_id, score) "
            "SELECT id, organisation_id, alignment_score FROM missions_mission "
            "WHERE alignment_score IS NOT NULL",
            migrations.RunSQL.noop,
        ),
        same_organisation_keys(
            ("reviews_missionscore", "mission_id", "missions_mission"), deferred=True
        ),
        secure_tenant_tables("reviews_missionscore"),
    ]
