"""SCIM provisioning: an organisation's bearer tokens and the external ids its identity provider
knows people and teams by; each table under its organisation's row-level security."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kernel.row_security import secure_tenant_tables


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_users_by_name'),
        ('kernel', '0014_membership_deactivated'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ScimGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('external_id', models.CharField(blank=True, max_length=255, verbose_name='External id')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='kernel.organisation')),
                ('team', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='kernel.team')),
            ],
            options={
                'verbose_name': 'SCIM group',
            },
        ),
        migrations.CreateModel(
            name='ScimToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=100, verbose_name='Name')),
                ('digest', models.CharField(editable=False, max_length=64, unique=True)),
                ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='Last used')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='Revoked')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scim_tokens', to='kernel.organisation')),
            ],
            options={
                'verbose_name': 'SCIM token',
            },
        ),
        migrations.CreateModel(
            name='ScimUser',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('external_id', models.CharField(blank=True, max_length=255, verbose_name='External id')),
                ('organisation', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='kernel.organisation')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'SCIM user',
                'constraints': [models.UniqueConstraint(fields=('organisation', 'user'), name='accounts_scimuser_one_per_member')],
            },
        ),
        secure_tenant_tables(
            "accounts_scimtoken",
            "accounts_scimuser",
            "accounts_scimgroup",
            same_organisation=[("accounts_scimgroup", "team_id", "missions_team")],
        ),
    ]
