"""No index is a copy of the start of another: each is one more write on every insert and
update of its table (and one more to build when an organisation is loaded), for reads the
longer index serves as well. A foreign key whose column starts another index says
``db_index=False`` (``kernel.indexes``)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db

# Indexes of the tables Django and its contributed apps create, which we do not declare.
THEIRS = r"^(django_|auth_|celery_)"


def _through_tables() -> list[str]:
    """The tables Django makes for many-to-many fields (an index on each side, its own)."""
    return [
        m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.auto_created
    ]


def test_no_index_is_the_start_of_another() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.indexrelid::regclass::text, b.indexrelid::regclass::text
            FROM pg_index a
            JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
            JOIN pg_class t ON t.oid = a.indrelid
            WHERE t.relnamespace = current_schema()::regnamespace AND t.relname !~ %s
              AND t.relname <> ALL(%s)
              AND NOT a.indisunique AND a.indpred IS NULL AND a.indexprs IS NULL
              AND b.indpred IS NULL
              -- a's columns, with the same operator classes, begin b's
              AND (string_to_array(b.indkey::text, ' ')::int[])
                  [1:array_length(string_to_array(a.indkey::text, ' '), 1)]
                  = string_to_array(a.indkey::text, ' ')::int[]
              AND (string_to_array(b.indclass::text, ' ')::oid[])
                  [1:array_length(string_to_array(a.indclass::text, ' '), 1)]
                  = string_to_array(a.indclass::text, ' ')::oid[]
              -- two equal indexes: name one of them once
              AND (b.indisunique OR b.indnatts > a.indnatts OR a.indexrelid > b.indexrelid)
            ORDER BY 1, 2
            """,
            [THEIRS, _through_tables()],
        )
        copies = cursor.fetchall()
    assert copies == []
