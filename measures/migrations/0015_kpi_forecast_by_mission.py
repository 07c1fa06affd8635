"""The KPIs' index by organisation and forecast carries the mission too: the checks' snapshot
reads each mission's KPI forecasts from it alone (index-only), not from the KPIs' wide rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0014_drop_indexes_that_others_cover"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="kpi", name="measures_kpi_org_forecast"),
        migrations.AddIndex(
            model_name="kpi",
            index=models.Index(
                fields=["organisation", "status", "forecast_status"],
                include=("mission",),
                name="measures_kpi_org_forecast",
            ),
        ),
    ]
