"""The organisation, its people, the audit log and the inbox, taken over from the missions app.

State only: the tables exist (created by the missions app's migrations) and keep their names
(``db_table``) and their constraints' names; nothing in the database changes.
"""

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import kernel.models
import kernel.validators
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('missions', '0010_link_not_self_message'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Organisation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('name', models.CharField(max_length=200, validators=[kernel.validators.NoControlCharacters(multiline=False)], verbose_name='Name')),
                        ('slug', models.SlugField(max_length=60, unique=True, verbose_name='Slug')),
                        ('review_cadence_days', models.PositiveSmallIntegerField(default=30, validators=[django.core.validators.MinValueValidator(1)], verbose_name='Review cadence (days)')),
                        ('max_active_missions', models.PositiveSmallIntegerField(default=5, help_text='Owners with more active missions are told to get real about priorities.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='Most active missions per owner')),
                        ('staff_see_dashboard', models.BooleanField(default=True, verbose_name='Staff see the organisation dashboard')),
                        ('currency', models.CharField(default='EUR', help_text='Budgets are in this currency (ISO 4217 code).', max_length=3, validators=[django.core.validators.RegexValidator('^[A-Z]{3}$', 'Three capital letters, e.g. EUR, GBP, USD.')], verbose_name='Currency')),
                        ('time_zone', models.CharField(default='UTC', help_text='Dates and times are shown in it to members who have not chosen their own.', max_length=64, validators=[kernel.models.validate_time_zone], verbose_name='Time zone')),
                    ],
                    options={
                        'db_table': 'missions_organisation',
                        'ordering': ['name'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('review_cadence_days__gt', 0)), name='missions_organisation_review_cadence_positive'), models.CheckConstraint(condition=models.Q(('max_active_missions__gt', 0)), name='missions_organisation_max_active_missions_positive')],
                    },
                ),
                migrations.CreateModel(
                    name='Team',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('name', models.CharField(max_length=200, validators=[kernel.validators.NoControlCharacters(multiline=False)], verbose_name='Name')),
                        ('path', models.CharField(blank=True, db_index=True, default='', editable=False, max_length=400)),
                        ('leader', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='led_teams', to=settings.AUTH_USER_MODEL, verbose_name='Leader')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='teams', to='kernel.organisation')),
                        ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='kernel.team', verbose_name='Parent team')),
                    ],
                    options={
                        'db_table': 'missions_team',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('role', models.CharField(choices=[('admin', 'Organisation admin'), ('leader', 'Leader'), ('staff', 'Staff'), ('coach', 'Coach')], default='staff', max_length=10, verbose_name='Role')),
                        ('job_title', models.CharField(blank=True, max_length=200, validators=[kernel.validators.NoControlCharacters(multiline=False)], verbose_name='Job title')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='kernel.organisation')),
                        ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='memberships', to='kernel.team', verbose_name='Team')),
                    ],
                    options={
                        'db_table': 'missions_membership',
                        'ordering': ['organisation', 'user__username'],
                    },
                ),
                migrations.CreateModel(
                    name='Invitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('email', models.EmailField(max_length=254, verbose_name='Email')),
                        ('role', models.CharField(choices=[('admin', 'Organisation admin'), ('leader', 'Leader'), ('staff', 'Staff'), ('coach', 'Coach')], default='staff', max_length=10, verbose_name='Role')),
                        ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                        ('expires_at', models.DateTimeField(verbose_name='Expires at')),
                        ('sent_count', models.PositiveSmallIntegerField(default=0)),
                        ('last_sent_at', models.DateTimeField(blank=True, null=True)),
                        ('accepted_at', models.DateTimeField(blank=True, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('invited_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='kernel.organisation')),
                        ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invitations', to='kernel.team', verbose_name='Team')),
                    ],
                    options={
                        'db_table': 'missions_invitation',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='CoachAssignment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('coach', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coach_assignments', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coach_assignments', to='kernel.organisation')),
                        ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='coach_assignments', to='kernel.team')),
                    ],
                    options={
                        'db_table': 'missions_coachassignment',
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('alignment_requested', 'Alignment requested'), ('aligned', 'Mission aligned'), ('sent_back', 'Mission sent back'), ('support_requested', 'Support requested'), ('support_answered', 'Support answered'), ('review_reminder', 'Review reminder'), ('review_escalation', 'Review overdue'), ('finding', 'Alignment finding')], max_length=24)),
                        ('message', models.CharField(max_length=500)),
                        ('url', models.CharField(blank=True, max_length=300)),
                        ('dedupe_key', models.CharField(blank=True, max_length=200, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('read_at', models.DateTimeField(blank=True, null=True)),
                        ('mission', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='missions.mission')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='kernel.organisation')),
                    ],
                    options={
                        'db_table': 'missions_notification',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(condition=models.Q(('read_at__isnull', True)), fields=['recipient', 'organisation'], name='missions_notification_unread'), models.Index(fields=['recipient', '-created_at'], name='missions_notification_inbox')],
                        'constraints': [models.UniqueConstraint(fields=('recipient', 'dedupe_key'), name='missions_notification_once')],
                    },
                ),
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('verb', models.CharField(choices=[('created', 'created'), ('updated', 'updated'), ('archived', 'archived'), ('proposed', 'proposed'), ('aligned', 'aligned'), ('sent_back', 'sent back'), ('checked_in', 'checked in'), ('reviewed', 'reviewed'), ('moved', 'moved')], max_length=12)),
                        ('object_id', models.PositiveBigIntegerField()),
                        ('object_repr', models.CharField(max_length=200)),
                        ('changes', models.JSONField(blank=True, default=dict)),
                        ('comment', models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000), kernel.validators.NoControlCharacters(multiline=True)])),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype')),
                        ('mission', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='audit_events', to='missions.mission')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='audit_events', to='kernel.organisation')),
                    ],
                    options={
                        'db_table': 'missions_auditevent',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['mission', '-created_at'], name='missions_audit_mission'), models.Index(fields=['content_type', 'object_id'], name='missions_audit_object')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='team',
                    constraint=models.UniqueConstraint(fields=('organisation', 'name'), name='missions_team_unique_name'),
                ),
                migrations.AddConstraint(
                    model_name='team',
                    constraint=models.UniqueConstraint(fields=('organisation', 'id'), name='missions_team_org_id'),
                ),
                migrations.AddConstraint(
                    model_name='team',
                    constraint=models.CheckConstraint(condition=models.Q(('parent', models.F('id')), _negated=True), name='missions_team_not_own_parent'),
                ),
                migrations.AddIndex(
                    model_name='membership',
                    index=models.Index(fields=['team'], name='missions_membership_team'),
                ),
                migrations.AddConstraint(
                    model_name='membership',
                    constraint=models.UniqueConstraint(fields=('organisation', 'user'), name='missions_membership_one_per_org'),
                ),
                migrations.AddConstraint(
                    model_name='membership',
                    constraint=models.CheckConstraint(condition=models.Q(('role__in', ['admin', 'leader', 'staff', 'coach'])), name='missions_membership_role_valid'),
                ),
                migrations.AddConstraint(
                    model_name='invitation',
                    constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('email'), models.F('organisation'), condition=models.Q(('accepted_at__isnull', True), ('revoked_at__isnull', True)), name='missions_invitation_one_open_per_email'),
                ),
                migrations.AddConstraint(
                    model_name='invitation',
                    constraint=models.CheckConstraint(condition=models.Q(('accepted_at__isnull', True), ('revoked_at__isnull', True), _connector='OR'), name='missions_invitation_accepted_or_revoked'),
                ),
                migrations.AddConstraint(
                    model_name='coachassignment',
                    constraint=models.UniqueConstraint(condition=models.Q(('team__isnull', False)), fields=('organisation', 'coach', 'team'), name='missions_coachassignment_unique_team'),
                ),
                migrations.AddConstraint(
                    model_name='coachassignment',
                    constraint=models.UniqueConstraint(condition=models.Q(('team__isnull', True)), fields=('organisation', 'coach'), name='missions_coachassignment_unique_whole_org'),
                ),
            ],
        ),
    ]
