"""The organisation, its people, the audit log and the inbox now belong to the kernel app.

State only for the models (their tables stay as they are); the content types move with them,
so the audit log's and the admin's references keep pointing at the same rows.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = [
    "auditevent",
    "coachassignment",
    "invitation",
    "membership",
    "notification",
    "organisation",
    "team",
]


def move_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="missions", model__in=MOVED).update(app_label="kernel")


def restore_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="kernel", model__in=MOVED).update(app_label="missions")



class Migration(migrations.Migration):

    dependencies = [
        ('kernel', '0001_initial'),
        ('measures', '0008_organisation_in_kernel'),
        ('missions', '0010_link_not_self_message'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('reviews', '0008_organisation_in_kernel'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='coachassignment',
                    name='coach',
                ),
                migrations.RemoveField(
                    model_name='coachassignment',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='coachassignment',
                    name='team',
                ),
                migrations.RemoveField(
                    model_name='invitation',
                    name='accepted_by',
                ),
                migrations.RemoveField(
                    model_name='invitation',
                    name='invited_by',
                ),
                migrations.RemoveField(
                    model_name='invitation',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='invitation',
                    name='team',
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='team',
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='mission',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='recipient',
                ),
                migrations.RemoveField(
                    model_name='team',
                    name='organisation',
                ),
                migrations.AlterField(
                    model_name='interdependency',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='interdependencies', to='kernel.organisation'),
                ),
                migrations.AlterField(
                    model_name='mission',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='missions', to='kernel.organisation'),
                ),
                migrations.AlterField(
                    model_name='vision',
                    name='organisation',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='vision', to='kernel.organisation'),
                ),
                migrations.RemoveField(
                    model_name='team',
                    name='leader',
                ),
                migrations.RemoveField(
                    model_name='team',
                    name='parent',
                ),
                migrations.AlterField(
                    model_name='mission',
                    name='owner_team',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='missions', to='kernel.team', verbose_name='Owner team'),
                ),
                migrations.DeleteModel(
                    name='AuditEvent',
                ),
                migrations.DeleteModel(
                    name='CoachAssignment',
                ),
                migrations.DeleteModel(
                    name='Invitation',
                ),
                migrations.DeleteModel(
                    name='Membership',
                ),
                migrations.DeleteModel(
                    name='Notification',
                ),
                migrations.DeleteModel(
                    name='Organisation',
                ),
                migrations.DeleteModel(
                    name='Team',
                ),
            ],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
