"""Rules that Django's field types cannot state, enforced by PostgreSQL itself.

Composite foreign keys keep every link inside one organisation: a mission's parent, a team's
parent, a mission's owner team, a membership's team, a coach's team and both ends of an
interdependency must belong to the same organisation as the row that points at them. Each one
references the ``(organisation_id, id)`` unique constraints of the 0001 migration. They are
checked at once, not deferred to commit, so an error points at the statement that caused it.

SQLite (the embedded ``make run`` default) cannot add foreign keys to an existing table; there
the services enforce the same rules.
"""

from django.db import migrations

SAME_ORGANISATION_KEYS = [
    # (table, column, referenced table)
    ("missions_mission", "parent_id", "missions_mission"),
    ("missions_mission", "owner_team_id", "missions_team"),
    ("missions_team", "parent_id", "missions_team"),
    ("missions_membership", "team_id", "missions_team"),
    ("missions_coachassignment", "team_id", "missions_team"),
    ("missions_interdependency", "from_mission_id", "missions_mission"),
    ("missions_interdependency", "to_mission_id", "missions_mission"),
]


def _name(table: str, column: str) -> str:
    return f"{table}_{column.removesuffix('_id')}_same_org"


def add_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, target in SAME_ORGANISATION_KEYS:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {_name(table, column)} "
            f"FOREIGN KEY (organisation_id, {column}) REFERENCES {target} (organisation_id, id)"
        )


def drop_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, _ in SAME_ORGANISATION_KEYS:
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_name(table, column)}")


class Migration(migrations.Migration):
    dependencies = [("missions", "0001_initial")]
    operations = [migrations.RunPython(add_keys, drop_keys, elidable=False)]
