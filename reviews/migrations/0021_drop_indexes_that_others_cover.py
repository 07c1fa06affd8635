"""Foreign keys' own indexes that another index starts with: dropped (``kernel.indexes``)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kernel.indexes import drop_indexes

INDEXES = [
    ("reviews_briefclaim_organisation_id_5dad56cc", "reviews_briefclaim", "organisation_id"),
    ("reviews_coachingnote_coach_id_6bb355d2", "reviews_coachingnote", "coach_id"),
    ("reviews_digestclaim_user_id_33757e10", "reviews_digestclaim", "user_id"),
    ("reviews_reminder_review_id_46bf3582", "reviews_reminder", "review_id"),
    ("reviews_review_mission_id_835fcc54", "reviews_review", "mission_id"),
    (
        "reviews_subtreesnapshot_organisation_id_bf001412",
        "reviews_subtreesnapshot",
        "organisation_id",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("kernel", "0012_drop_indexes_that_others_cover"),
        ("missions", "0016_drop_indexes_that_others_cover"),
        ("reviews", "0020_finding_one_key_to_its_mission"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="briefclaim",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="brief_claims",
                        to="kernel.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="coachingnote",
                    name="coach",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="coaching_notes_written",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="Coach",
                    ),
                ),
                migrations.AlterField(
                    model_name="digestclaim",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="digest_claims",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="reminder",
                    name="review",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to="reviews.review",
                    ),
                ),
                migrations.AlterField(
                    model_name="review",
                    name="mission",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reviews",
                        to="missions.mission",
                    ),
                ),
                migrations.AlterField(
                    model_name="subtreesnapshot",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subtree_snapshots",
                        to="kernel.organisation",
                    ),
                ),
            ],
            database_operations=drop_indexes(INDEXES),
        ),
    ]
