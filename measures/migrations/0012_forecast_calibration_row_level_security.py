"""Row-level security on the forecast calibrations, as on every tenant table
(``missions/migrations/0008_row_level_security.py``): a row is visible when no tenant is set for
the transaction (the nightly refresh, the admin) or when its organisation is among those set."""

from django.db import migrations

TABLE = "measures_forecastcalibration"
RULE = (
    "(NULLIF(current_setting('missionlead.organisations', true), '') IS NULL OR organisation_id "
    "= ANY (string_to_array(current_setting('missionlead.organisations', true), ',')::bigint[]))"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
    schema_editor.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
    schema_editor.execute(f"CREATE POLICY {TABLE}_tenant ON {TABLE} USING {RULE} WITH CHECK {RULE}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP POLICY {TABLE}_tenant ON {TABLE}")
    schema_editor.execute(f"ALTER TABLE {TABLE} NO FORCE ROW LEVEL SECURITY")
    schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE ROW LEVEL SECURITY")


class Migration(migrations.Migration):
    dependencies = [("measures", "0011_forecast_calibration")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
