"""Every tenant policy reads the tenant setting once per statement, not once per row.

The policies of ``0008_row_level_security`` (and the tables secured the same way since) called
``current_setting`` twice, split the string and cast it to ``bigint[]`` for every row a query
reads. A count of 100,000 missions under a tenant scope spent 4 to 6 times as long in that as in
the count itself (66-83 ms against 14-18 ms; 300,000 KPIs 190-228 ms against 35-59 ms, on a
shared machine). Written as scalar sub-selects, PostgreSQL evaluates them once per statement (an
InitPlan) and compares each row's organisation with the array it holds; which rows are visible
is unchanged, and the index-only scans stay index-only.

Every ``<table>_tenant`` policy with the per-row form is rewritten, whichever app created it;
a policy that follows its parent row (``EXISTS``) keeps its condition and reads the setting once
too. ``tests/tenancy`` checks that no policy reads it per row.
"""

from django.db import migrations

SETTING = "current_setting('missionlead.organisations', true)"
# Once per statement: the organisations set for this transaction (NULL when none is set), and
# as an array of ids.
TENANTS = f"(SELECT NULLIF({SETTING}, ''))"
SET = f"(SELECT string_to_array({SETTING}, ',')::bigint[])::bigint[]"
# The per-row form, as 0008 wrote it.
PER_ROW_TENANTS = f"NULLIF({SETTING}, '')"
PER_ROW_SET = f"string_to_array({SETTING}, ',')::bigint[]"

# Policies that follow their parent row (0008); the parent's own policy applies inside.
PARENTS = {
    "missions_keytask": "EXISTS (SELECT 1 FROM missions_mission p WHERE p.id = mission_id)",
    "reviews_review": "EXISTS (SELECT 1 FROM missions_mission p WHERE p.id = mission_id)",
    "measures_checkin": "EXISTS (SELECT 1 FROM measures_kpi p WHERE p.id = kpi_id)",
    "reviews_reminder": "EXISTS (SELECT 1 FROM reviews_review p WHERE p.id = review_id)",
}


def _policies(schema_editor):
    """``{table: column}`` of the tenant policies that compare a column with the setting's
    organisations (``id`` for the organisations themselves, else ``organisation_id``)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, qual FROM pg_policies WHERE schemaname = current_schema() "
            "AND policyname = tablename || '_tenant'"
        )
        rows = cursor.fetchall()
    found = {}
    for table, qual in rows:
        for column in ("organisation_id", "id"):
            if f"({column} = ANY (" in qual:
                found[table] = column
                break
    return found


def _rewrite(schema_editor, tenants, organisations):
    if schema_editor.connection.vendor != "postgresql":
        return
    rules = {
        table: f"({tenants} IS NULL OR {column} = ANY ({organisations}))"
        for table, column in _policies(schema_editor).items()
    }
    rules.update(
        {table: f"({tenants} IS NULL OR {condition})" for table, condition in PARENTS.items()}
    )
    for table, rule in sorted(rules.items()):
        schema_editor.execute(
            f"ALTER POLICY {table}_tenant ON {table} USING {rule} WITH CHECK {rule}"
        )


def forward(apps, schema_editor):
    _rewrite(schema_editor, TENANTS, SET)


def backward(apps, schema_editor):
    _rewrite(schema_editor, PER_ROW_TENANTS, PER_ROW_SET)


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0012_interdependency_for_task"),
        ("measures", "0012_forecast_calibration_row_level_security"),
        ("reviews", "0013_briefclaim"),
    ]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
