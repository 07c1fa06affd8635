"""What a migration that creates tenant tables runs on PostgreSQL, in one place: each table's
row-level security policy (as ``missions/0008_row_level_security``, reading the tenant setting
once per statement as since ``missions/0013``) and the composite foreign keys that keep its
links inside one organisation (as ``missions/0002_same_organisation_keys``). The migrations
written before this module keep their own copies, as history.

SQLite (the embedded default) has neither: there the services and the permission module hold
the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations

SETTING = "current_setting('missionlead.organisations', true)"
TENANTS = f"(SELECT NULLIF({SETTING}, ''))"
SET = f"(SELECT string_to_array({SETTING}, ',')::bigint[])::bigint[]"
RULE = f"({TENANTS} IS NULL OR organisation_id = ANY ({SET}))"


def same_organisation_key(table: str, column: str) -> str:
    """The name of the composite key of ``table.column``: ``<table>_<name>_same_org``."""
    return f"{table}_{column.removesuffix('_id')}_same_org"


def secure_tenant_tables(
    *tables: str, same_organisation: Sequence[tuple[str, str, str]] = ()
) -> migrations.RunPython:
    """The operation that gives ``tables`` their forced tenant policy, and adds a key
    ``(organisation_id, column) → target (organisation_id, id)`` for each ``(table, column,
    target)`` of ``same_organisation``; reversible."""

    def secure(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            schema_editor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            schema_editor.execute(
                f"CREATE POLICY {table}_tenant ON {table} USING {RULE} WITH CHECK {RULE}"
            )
        for table, column, target in same_organisation:
            schema_editor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {same_organisation_key(table, column)} "
                f"FOREIGN KEY (organisation_id, {column}) "
                f"REFERENCES {target} (organisation_id, id)"
            )

    def unsecure(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column, _ in same_organisation:
            key = same_organisation_key(table, column)
            schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {key}")
        for table in tables:
            schema_editor.execute(f"DROP POLICY {table}_tenant ON {table}")
            schema_editor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            schema_editor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")

    return migrations.RunPython(secure, unsecure, elidable=False)


def same_organisation_keys(
    *keys: tuple[str, str, str], deferred: bool = False
) -> migrations.RunPython:
    """The composite keys alone, for tables that already have their policy: a key
    ``(organisation_id, column) → target (organisation_id, id)`` for each ``(table, column,
    target)``, so a link between two tenant tables stays inside one organisation (and a
    distributed PostgreSQL can place both rows on the organisation's node); reversible.
    ``deferred``: checked at commit, as Django's own keys are (rows the checks write by the
    hundred thousand, each key a look-up)."""
    when = " DEFERRABLE INITIALLY DEFERRED" if deferred else ""

    def add(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column, target in keys:
            schema_editor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {same_organisation_key(table, column)} "
                f"FOREIGN KEY (organisation_id, {column}) "
                f"REFERENCES {target} (organisation_id, id){when}"
            )

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column, _ in keys:
            key = same_organisation_key(table, column)
            schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {key}")

    return migrations.RunPython(add, drop, elidable=False)
