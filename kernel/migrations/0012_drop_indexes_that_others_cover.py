"""Foreign keys' own indexes that another index starts with: dropped (``kernel.indexes``)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kernel.indexes import drop_indexes

INDEXES = [
    ("kernel_notificationpreference_user_id_dd1d918e", "kernel_notificationpreference", "user_id"),
    ("missions_auditevent_content_type_id_5ca9cd9b", "missions_auditevent", "content_type_id"),
    ("missions_auditevent_mission_id_6412f99b", "missions_auditevent", "mission_id"),
    ("missions_membership_organisation_id_1f798a33", "missions_membership", "organisation_id"),
    ("missions_membership_team_id_3d1bea3c", "missions_membership", "team_id"),
    ("missions_notification_recipient_id_4232f5db", "missions_notification", "recipient_id"),
    ("missions_team_organisation_id_d384173a", "missions_team", "organisation_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("kernel", "0011_coalitions"),
        ("missions", "0016_drop_indexes_that_others_cover"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="content_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="mission",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="audit_events",
                        to="missions.mission",
                    ),
                ),
                migrations.AlterField(
                    model_name="membership",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="kernel.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="membership",
                    name="team",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="memberships",
                        to="kernel.team",
                        verbose_name="Team",
                    ),
                ),
                migrations.AlterField(
                    model_name="notification",
                    name="recipient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="notificationpreference",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notification_preferences",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="team",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="teams",
                        to="kernel.organisation",
                    ),
                ),
            ],
            database_operations=drop_indexes(INDEXES),
        ),
    ]
