"""Row-level security on the leadership tables, as every tenant table has it (missions
0008_row_level_security, read once per statement as since missions 0013); and composite keys
that keep a stakeholder on a mission of its own organisation and a contact on a stakeholder of
its own (as missions 0002 does for the cascade). SQLite has neither: there the services and
the permission module hold the same rules."""

from django.db import migrations

SETTING = "current_setting('missionlead.organisations', true)"
TENANTS = f"(SELECT NULLIF({SETTING}, ''))"
SET = f"(SELECT string_to_array({SETTING}, ',')::bigint[])::bigint[]"
TABLES = ("leadership_stakeholder", "leadership_contact")
KEYS = [
    # (table, column, referenced table)
    ("leadership_stakeholder", "mission_id", "missions_mission"),
    ("leadership_contact", "stakeholder_id", "leadership_stakeholder"),
]


def _key(table: str, column: str) -> str:
    return f"{table}_{column.removesuffix('_id')}_same_org"


def secure(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    rule = f"({TENANTS} IS NULL OR organisation_id = ANY ({SET}))"
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        schema_editor.execute(
            f"CREATE POLICY {table}_tenant ON {table} USING {rule} WITH CHECK {rule}"
        )
    for table, column, target in KEYS:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {_key(table, column)} "
            f"FOREIGN KEY (organisation_id, {column}) REFERENCES {target} (organisation_id, id)"
        )


def unsecure(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, _ in KEYS:
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_key(table, column)}")
    for table in TABLES:
        schema_editor.execute(f"DROP POLICY {table}_tenant ON {table}")
        schema_editor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


class Migration(migrations.Migration):
    dependencies = [("leadership", "0001_initial")]
    operations = [migrations.RunPython(secure, unsecure, elidable=False)]
