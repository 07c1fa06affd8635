"""Rows written by the hundred: one ``INSERT … SELECT * FROM unnest(…)`` of plain values.

``bulk_create`` builds a model object for every row and prepares every value of each (a batch
of 500 review reminders' notifications spent more time there than in PostgreSQL). Here the
caller hands the values ready for the database (ints, strings, datetimes, None), one tuple a
row, and each column goes as one array. Columns left out are NULL. Elsewhere than PostgreSQL
(SQLite, the embedded default) it is ``bulk_create``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db import connection
from django.db.models import Field, Model


def insert_rows(
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert ``rows`` (values of ``columns``, field names or attnames such as ``mission_id``)
    into ``model``'s table; ``ignore_conflicts``: a row that breaks a unique constraint is
    left out (``ON CONFLICT DO NOTHING``), as ``bulk_create(ignore_conflicts=True)`` does."""
    if not rows:
        return
    fields = [cast("Field[Any, Any]", model._meta.get_field(column)) for column in columns]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**{f.attname: v for f, v in zip(fields, row, strict=True)}) for row in rows],
            ignore_conflicts=ignore_conflicts,
        )
        return
    quote = connection.ops.quote_name
    # Array types without their length (varchar[], not varchar(24)[]): a cast would cut a long
    # value where the insert must refuse it, as Django's own unnest insert does.
    arrays = ", ".join(f"%s::{str(f.db_type(connection)).split('(')[0]}[]" for f in fields)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(str(f.column)) for f in fields)}) SELECT * FROM unnest({arrays})"
    )
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
