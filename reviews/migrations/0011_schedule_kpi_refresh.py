from django.db import migrations


def install(apps, schema_editor):
    """The periodic task added since 0009: the nightly refresh of every KPI's figures."""
    from reviews.schedule import install as install_schedule

    install_schedule(
        apps.get_model("django_celery_beat", "CrontabSchedule"),
        apps.get_model("django_celery_beat", "PeriodicTask"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0010_snapshot_score_unknown"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
