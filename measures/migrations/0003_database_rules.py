"""Rules the database enforces beyond Django's field types.

- A KPI belongs to a mission of its own organisation, and contributes only to a KPI of its own
  organisation (composite foreign keys, PostgreSQL).
- Check-ins are append-only: a trigger refuses UPDATE, and DELETE unless the session has set
  ``missionlead.purge`` to ``on`` (the deliberate removal of an organisation's data). SQLite
  gets the same trigger without the escape hatch.
"""

from django.db import migrations

PG_FORWARD = [
    "ALTER TABLE measures_kpi ADD CONSTRAINT measures_kpi_mission_same_org "
    "FOREIGN KEY (organisation_id, mission_id) "
    "REFERENCES missions_mission (organisation_id, id)",
    "ALTER TABLE measures_kpi ADD CONSTRAINT measures_kpi_parent_kpi_same_org "
    "FOREIGN KEY (organisation_id, parent_kpi_id) "
    "REFERENCES measures_kpi (organisation_id, id)",
    """
    CREATE FUNCTION measures_checkin_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND current_setting('missionlead.purge', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'check-ins are append-only: record a new check-in instead'
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    "CREATE TRIGGER measures_checkin_append_only BEFORE UPDATE OR DELETE ON measures_checkin "
    "FOR EACH ROW EXECUTE FUNCTION measures_checkin_append_only()",
]
PG_BACKWARD = [
    "DROP TRIGGER measures_checkin_append_only ON measures_checkin",
    "DROP FUNCTION measures_checkin_append_only()",
    "ALTER TABLE measures_kpi DROP CONSTRAINT measures_kpi_parent_kpi_same_org",
    "ALTER TABLE measures_kpi DROP CONSTRAINT measures_kpi_mission_same_org",
]
SQLITE_FORWARD = [
    "CREATE TRIGGER measures_checkin_no_update BEFORE UPDATE ON measures_checkin "
    "BEGIN SELECT RAISE(ABORT, 'check-ins are append-only'); END",
]
SQLITE_BACKWARD = ["DROP TRIGGER measures_checkin_no_update"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("measures", "0002_initial"), ("missions", "0002_same_organisation_keys")]
    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
            elidable=False,
        )
    ]
