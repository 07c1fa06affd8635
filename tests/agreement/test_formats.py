"""A date in the alignment checks' SQL (``reviews.checks.dialect``, "day") reads as
``kernel.formats.day`` writes it, on PostgreSQL and on SQLite."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from django.db import connection

from kernel.formats import day
from reviews.checks.dialect import dialect

DATES = [dt.date(2026, month, d) for month in range(1, 13) for d in (1, 9, 26)] + [
    dt.date(2024, 2, 29),
    dt.date(1999, 12, 31),
]


@pytest.mark.django_db
def test_postgresql_writes_the_day_as_python_does() -> None:
    expression = dialect("postgresql")["day"].format(date="d")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {expression} FROM unnest(%(days)s::date[]) AS d", {"days": DATES})
        written = [row[0] for row in cursor.fetchall()]
    assert written == [day(d) for d in DATES]


def test_sqlite_writes_the_day_as_python_does() -> None:
    # The rules run with parameters, so their "%%" reaches the database as "%".
    expression = dialect("sqlite")["day"].format(date="?") % {}
    with sqlite3.connect(":memory:") as db:
        written = [
            db.execute(f"SELECT {expression}", [d.isoformat()] * 3).fetchone()[0] for d in DATES
        ]
    assert written == [day(d) for d in DATES]
