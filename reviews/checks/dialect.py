"""The SQL that differs between PostgreSQL and SQLite (the embedded default of ``make run``):
adding days to a date column, the larger of two numbers, a null-safe comparison, an object built
from grouped rows and an object's rows, and a date written for people as ``kernel.formats.day``
writes it ("26 Nov 2026")."""

from __future__ import annotations

from django.db import connection


def dialect(vendor: str = "") -> dict[str, str]:
    """The SQL of ``vendor``, by default the connection's."""
    if (vendor or connection.vendor) == "postgresql":
        return {
            "plus_days": "({date} + {days})",
            "greatest": "GREATEST",
            "text": "CAST({x} AS TEXT)",
            "distinct": "{a} IS DISTINCT FROM {b}",
            "object_agg": "jsonb_object_agg",
            "object_each": "jsonb_each_text",  # an object's (key, value) rows
            # FM drops the day's leading zero; "Mon" is English whatever the server's locale.
            "day": "to_char({date}, 'FMDD Mon YYYY')",
        }
    return {
        "plus_days": "date({date}, '+' || {days} || ' days')",
        "greatest": "MAX",
        "text": "CAST({x} AS TEXT)",
        "distinct": "{a} IS NOT {b}",
        "object_agg": "json_group_object",
        "object_each": "json_each",
        # %% as the rules run with parameters; a month's name picked out by its number.
        "day": (
            "CAST(CAST(strftime('%%d', {date}) AS INTEGER) AS TEXT) || ' ' || "
            "substr('JanFebMarAprMayJunJulAugSepOctNovDec', strftime('%%m', {date}) * 3 - 2, 3)"
            " || ' ' || strftime('%%Y', {date})"
        ),
    }
