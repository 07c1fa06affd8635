"""What a migration runs to drop the index Django made for a foreign key when another index
already starts with that column (``tests/test_indexes.py`` finds such pairs). The model's
field says ``db_index=False``; its ``AlterField`` only changes the migration state, because
Django's own operation would drop and re-add the foreign key, checking every row again, and
keep the index. Dropped by name: Django names the index the same way on every database."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import migrations


def drop_indexes(indexes: Sequence[tuple[str, str, str]]) -> list[migrations.RunSQL]:
    """Drop each ``(index, table, column)``; reversed, create it again."""
    return [
        migrations.RunSQL(
            f"DROP INDEX IF EXISTS {name}",
            reverse_sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})",
        )
        for name, table, column in indexes
    ]
