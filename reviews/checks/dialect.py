"""The SQL that differs between PostgreSQL and SQLite (the embedded default of ``make run``):
adding days to a date column, the larger of two numbers, a null-safe comparison."""

from __future__ import annotations

from django.db import connection


def dialect() -> dict[str, str]:
    if connection.vendor == "postgresql":
        return {
            "plus_days": "({date} + {days})",
            "greatest": "GREATEST",
            "text": "CAST({x} AS TEXT)",
            "distinct": "{a} IS DISTINCT FROM {b}",
        }
    return {
        "plus_days": "date({date}, '+' || {days} || ' days')",
        "greatest": "MAX",
        "text": "CAST({x} AS TEXT)",
        "distinct": "{a} IS NOT {b}",
    }
