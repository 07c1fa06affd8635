"""The CSV lines PostgreSQL writes (``kernel.spreadsheets.csv_text``) are the bytes Python's
``csv`` module writes for the same values as the database driver gives them: the exports' own
queries over rows that need care, and each kind of column over the values that do (quotes,
commas and line breaks, text read as a formula, nothing at all, an empty text, decimals,
dates, date-times with and without their microseconds, text beyond ASCII)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import CharField, DateField, DateTimeField, DecimalField, QuerySet, Value
from django.db.models.functions import Cast

from kernel.models import Organisation
from kernel.spreadsheets import Kind, csv_text
from measures import exports
from measures.models import Kpi
from missions.models import Mission
from reviews.dashboards.exports import MISSION_HEADER, MISSION_KINDS, mission_query
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db

TRICKY_TEXTS = [
    "plain",
    "",
    "a, b",
    'she said "no"',
    "two\nlines",
    "carriage\rreturn",
    "windows\r\nline",
    '=HYPERLINK("http://evil")',
    "-1 falls",
    "  spaced  ",
    "Ünïcödé 😀 ‘quotes’",
    "tab\there",
    "'already quoted",
]


def _as_python_writes(header: list[str], rows: QuerySet[Any, Any]) -> str:
    """What the exports wrote before: the driver's values through the ``csv`` module."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchall()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(values)
    return buffer.getvalue()


def _as_postgresql_writes(header: list[str], kinds: list[Kind], rows: QuerySet[Any, Any]) -> str:
    return "".join(csv_text(header, kinds, rows))


def test_each_kind_of_value_is_written_as_python_writes_it(world: Any) -> None:
    moments = [
        dt.datetime(2026, 6, 9, 17, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 6, 9, 17, 0, 0, 120, tzinfo=dt.UTC),
        dt.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
        # Written in another zone: the driver gives it in UTC, as the line does.
        dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    ]
    numbers = [Decimal("0"), Decimal("12.5000"), Decimal("-0.0001"), Decimal("123456789012.3456")]
    days = [dt.date(2026, 2, 28), dt.date(999, 1, 1)]
    one = Organisation.objects.filter(pk=world.organisation.pk)
    cases: list[tuple[Kind, list[Any], Any]] = [
        ("text", [*TRICKY_TEXTS, None], CharField()),
        ("number", [*numbers, None], DecimalField(max_digits=16, decimal_places=4)),
        ("date", [*days, None], DateField()),
        ("datetime", [*moments, None], DateTimeField()),
    ]
    for kind, values, field in cases:
        # Cast: a query's columns have their types, an empty parameter has none.
        annotations = {f"v{i}": Cast(Value(v), field) for i, v in enumerate(values)}
        rows = one.annotate(**annotations).values_list("id", *annotations)
        header = ["Id", *(f"{kind} {i}" for i in range(len(values)))]
        kinds: list[Kind] = ["number", *([kind] * len(values))]
        expected = _as_python_writes(header, rows)
        assert _as_postgresql_writes(header, kinds, rows) == expected, kind


def test_a_value_alone_in_each_line_is_written_the_same(world: Any) -> None:
    """One text per line, each of them: a value's quoting does not depend on its row."""
    for text in TRICKY_TEXTS:
        rows = Organisation.objects.filter(pk=world.organisation.pk).values_list(
            "id", Value(text, output_field=CharField())
        )
        header = ["Id", "Text"]
        kinds: list[Kind] = ["number", "text"]
        assert _as_postgresql_writes(header, kinds, rows) == _as_python_writes(header, rows)


def test_the_exports_queries_are_written_as_python_writes_them(world: Any) -> None:
    odd = MissionFactory(parent=world.team_mission, owner_team=world.team, title=TRICKY_TEXTS[7])
    kpi = KpiFactory(mission=odd, name='Beds, "staffed"\nat night', unit="", target=Decimal("5"))
    KpiFactory(mission=world.staff_mission, name="No check-in yet", unit="beds")
    for text in TRICKY_TEXTS:
        CheckInFactory(kpi=kpi, value=Decimal("-2.5"), comment=text, author=world.staff)
    kpis = Kpi.objects.filter(organisation=world.organisation)
    missions = Mission.objects.filter(organisation=world.organisation)
    for header, kinds, rows in (
        (exports.KPI_HEADER, exports.KPI_KINDS, exports.kpis_with_check_ins(kpis, for_csv=True)),
        (
            exports.CASCADE_HEADER,
            exports.CASCADE_KINDS,
            exports.cascade_rows(missions, for_csv=True),
        ),
        (MISSION_HEADER, MISSION_KINDS, mission_query(missions.order_by("path", "id"))),
    ):
        written = _as_postgresql_writes(header, kinds, rows)
        assert written == _as_python_writes(header, rows)
        assert written.count("\r\n") >= rows.count() + 1
