"""Findings, snapshots and coaching notes point to the organisation and teams in the kernel
app. State only: the tables are the same.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('kernel', '0001_initial'),
        ('reviews', '0007_bounds'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='alignmentsnapshot',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alignment_snapshots', to='kernel.organisation'),
                ),
                migrations.AlterField(
                    model_name='alignmentsnapshot',
                    name='team',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='alignment_snapshots', to='kernel.team'),
                ),
                migrations.AlterField(
                    model_name='coachingnote',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coaching_notes', to='kernel.organisation'),
                ),
                migrations.AlterField(
                    model_name='finding',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='findings', to='kernel.organisation'),
                ),
            ],
        ),
    ]
