"""The mission's alignment score lives in a row of its own (``reviews.MissionScore``, which
copied it in ``reviews`` 0028): the column and its index go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0019_organisation_in_every_key"),
        ("reviews", "0028_mission_scores"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="mission",
            name="missions_mission_org_score",
        ),
        migrations.RemoveField(
            model_name="mission",
            name="alignment_score",
        ),
    ]
