"""Foreign keys' own indexes that another index starts with: dropped (``kernel.indexes``)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kernel.indexes import drop_indexes

INDEXES = [
    (
        "leadership_coalitionmember_coalition_id_3ac069cc",
        "leadership_coalitionmember",
        "coalition_id",
    ),
    ("leadership_coalitionmember_member_id_3ba36e66", "leadership_coalitionmember", "member_id"),
    (
        "leadership_contribution_coalition_mission_id_eeffc619",
        "leadership_contribution",
        "coalition_mission_id",
    ),
    ("leadership_contribution_mission_id_1b2d95c8", "leadership_contribution", "mission_id"),
    (
        "leadership_contribution_organisation_id_5140d84c",
        "leadership_contribution",
        "organisation_id",
    ),
    (
        "leadership_developmentgoal_organisation_id_4fb5f613",
        "leadership_developmentgoal",
        "organisation_id",
    ),
    (
        "leadership_developmentplan_organisation_id_491f7acf",
        "leadership_developmentplan",
        "organisation_id",
    ),
    ("leadership_idea_challenge_id_d6ae4e54", "leadership_idea", "challenge_id"),
    ("leadership_idea_organisation_id_81f7070f", "leadership_idea", "organisation_id"),
    ("leadership_ideasupport_idea_id_8d60d20b", "leadership_ideasupport", "idea_id"),
    (
        "leadership_innovationchallenge_mission_id_db55e33d",
        "leadership_innovationchallenge",
        "mission_id",
    ),
    (
        "leadership_innovationchallenge_organisation_id_df050806",
        "leadership_innovationchallenge",
        "organisation_id",
    ),
    (
        "leadership_learninggroup_organisation_id_9bae48c8",
        "leadership_learninggroup",
        "organisation_id",
    ),
    (
        "leadership_prioritychallenge_mission_id_d47a3d00",
        "leadership_prioritychallenge",
        "mission_id",
    ),
    ("leadership_recognition_receiver_id_3fdfc3a7", "leadership_recognition", "receiver_id"),
    ("leadership_recognition_team_id_88920c59", "leadership_recognition", "team_id"),
    ("leadership_stakeholder_leader_id_bfc36ca2", "leadership_stakeholder", "leader_id"),
    ("leadership_stakeholder_mission_id_398e5f1f", "leadership_stakeholder", "mission_id"),
    (
        "leadership_stakeholder_organisation_id_f04dc88f",
        "leadership_stakeholder",
        "organisation_id",
    ),
    ("leadership_stakeholder_plan_owner_id_7e784b65", "leadership_stakeholder", "plan_owner_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("kernel", "0012_drop_indexes_that_others_cover"),
        ("leadership", "0008_coalitions"),
        ("missions", "0016_drop_indexes_that_others_cover"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="coalitionmember",
                    name="coalition",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="members",
                        to="leadership.coalition",
                    ),
                ),
                migrations.AlterField(
                    model_name="coalitionmember",
                    name="member",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="coalition_memberships",
                        to="kernel.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="contribution",
                    name="coalition_mission",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contributions",
                        to="leadership.coalitionmission",
                        verbose_name="Coalition mission",
                    ),
                ),
                migrations.AlterField(
                    model_name="contribution",
                    name="mission",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contributions",
                        to="missions.mission",
                        verbose_name="Your mission",
                    ),
                ),
                migrations.AlterField(
                    model_name="contribution",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contributions",
                        to="kernel.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="developmentgoal",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="kernel.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="developmentplan",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="kernel.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="idea",
                    name="challenge",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ideas",
                        to="leadership.innovationchallenge",
                    ),
                ),
                migrations.AlterField(
                    model_name="idea",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="kernel.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="ideasupport",
                    name="idea",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="supports",
                        to="leadership.idea",
                    ),
                ),
                migrations.AlterField(
                    model_name="innovationchallenge",
                    name="mission",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="innovation_challenges",
                        to="missions.mission",
                        verbose_name="Mission",
                    ),
                ),
                migrations.AlterField(
                    model_name="innovationchallenge",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="innovation_challenges",
                        to="kernel.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="learninggroup",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="learning_groups",
                        to="kernel.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="prioritychallenge",
                    name="mission",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="challenges",
                        to="missions.mission",
                        verbose_name="Mission",
                    ),
                ),
                migrations.AlterField(
                    model_name="recognition",
                    name="receiver",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recognitions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="Colleague",
                    ),
                ),
                migrations.AlterField(
                    model_name="recognition",
                    name="team",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="kernel.team",
                    ),
                ),
                migrations.AlterField(
                    model_name="stakeholder",
                    name="leader",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="own_stakeholders",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="Leader",
                    ),
                ),
                migrations.AlterField(
                    model_name="stakeholder",
                    name="mission",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stakeholders",
                        to="missions.mission",
                        verbose_name="Mission",
                    ),
                ),
                migrations.AlterField(
                    model_name="stakeholder",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stakeholders",
                        to="kernel.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="stakeholder",
                    name="plan_owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="stakeholder_plans",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="Plan owner",
                    ),
                ),
            ],
            database_operations=drop_indexes(INDEXES),
        ),
    ]
