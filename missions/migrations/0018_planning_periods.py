"""The organisation's planning periods (a year, its quarters), and a mission's period."""

import datetime
import django.core.validators
import django.db.models.deletion
import kernel.validators
from django.db import migrations, models

from kernel.row_security import secure_tenant_tables


class Migration(migrations.Migration):

    dependencies = [
        ('kernel', '0015_mentioned'),
        ('missions', '0017_mission_templates'),
    ]

    operations = [
        migrations.CreateModel(
            name='Period',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(help_text='For example “Q1 FY2027”.', max_length=80, validators=[kernel.validators.NoControlCharacters(multiline=False)], verbose_name='Name')),
                ('starts_on', models.DateField(validators=[django.core.validators.MinValueValidator(datetime.date(2000, 1, 1), message='Give a date from 1 Jan 2000 on.'), django.core.validators.MaxValueValidator(datetime.date(2100, 12, 31), message='Give a date up to 31 Dec 2100.')], verbose_name='Starts on')),
                ('ends_on', models.DateField(validators=[django.core.validators.MinValueValidator(datetime.date(2000, 1, 1), message='Give a date from 1 Jan 2000 on.'), django.core.validators.MaxValueValidator(datetime.date(2100, 12, 31), message='Give a date up to 31 Dec 2100.')], verbose_name='Ends on')),
                ('organisation', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='periods', to='kernel.organisation')),
                ('parent', models.ForeignKey(blank=True, help_text='The year a quarter belongs to.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='parts', to='missions.period', verbose_name='Part of')),
            ],
            options={
                'ordering': ['starts_on', '-ends_on', 'id'],
            },
        ),
        migrations.AddField(
            model_name='mission',
            name='period',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='missions', to='missions.period', verbose_name='Period'),
        ),
        migrations.AddConstraint(
            model_name='period',
            constraint=models.CheckConstraint(condition=models.Q(('starts_on__lt', models.F('ends_on'))), name='missions_period_ends_after_start', violation_error_message='A period ends after it starts.'),
        ),
        migrations.AddConstraint(
            model_name='period',
            constraint=models.CheckConstraint(condition=models.Q(('parent', models.F('id')), _negated=True), name='missions_period_not_own_parent'),
        ),
        migrations.AddConstraint(
            model_name='period',
            constraint=models.UniqueConstraint(fields=('organisation', 'name'), name='missions_period_name_once', violation_error_message='The organisation has a period of that name already.'),
        ),
        migrations.AddConstraint(
            model_name='period',
            constraint=models.UniqueConstraint(fields=('organisation', 'id'), name='missions_period_org_id'),
        ),
        secure_tenant_tables(
            "missions_period",
            same_organisation=[
                ("missions_period", "parent_id", "missions_period"),
                ("missions_mission", "period_id", "missions_period"),
            ],
        ),
    ]
