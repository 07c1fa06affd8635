"""The rows of the cascade and KPI exports, as queries whose every value PostgreSQL computes
(``kernel.spreadsheets`` streams them as CSV or as an Excel workbook).

Each builder takes the missions or KPIs the person may see (the selectors' querysets) and
``for_csv``: the CSV's text carries the apostrophe guard against formulas, the workbook's
stays as it is (its cells get Excel's quote prefix instead).
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    CharField,
    Count,
    DecimalField,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import Case, Combinable
from django.db.models.functions import Coalesce, Concat, Length, NullIf, Trim

from kernel import tree
from kernel.spreadsheets import Kind, Sheet, as_text, label_of
from missions.models import Mission

from .models import ForecastStatus, Kpi

CASCADE_COLUMNS: list[tuple[str, Kind]] = [
    ("Id", "number"),
    ("Parent id", "number"),
    ("Depth", "number"),
    ("Parent mission", "text"),
    ("Mission", "text"),
    ("Level", "text"),
    ("Team", "text"),
    ("Owner", "text"),
    ("Status", "text"),
    ("Alignment", "text"),
    ("Period start", "date"),
    ("Period end", "date"),
    ("KPIs", "number"),
    ("Alignment score", "number"),
    ("Next review", "date"),
]
KPI_COLUMNS: list[tuple[str, Kind]] = [
    ("Mission id", "number"),
    ("Mission", "text"),
    ("KPI id", "number"),
    ("KPI", "text"),
    ("Unit", "text"),
    ("Direction", "text"),
    ("Baseline", "number"),
    ("Target", "number"),
    ("Target max", "number"),
    ("Due date", "date"),
    ("KPI status", "text"),
    ("Forecast", "text"),
    ("Progress %", "number"),
]
CHECK_IN_COLUMNS: list[tuple[str, Kind]] = [
    ("Check-in id", "number"),
    ("Date", "date"),
    ("Value", "number"),
    ("Confidence", "number"),
    ("Comment", "text"),
    ("Author", "text"),
    ("Recorded at (UTC)", "datetime"),
    ("Supersedes", "number"),
]


def _text(expression: Combinable | str, for_csv: bool) -> Combinable | Case | F:
    if for_csv:
        return as_text(expression)
    return F(expression) if isinstance(expression, str) else expression


def person_name(prefix: str) -> Coalesce:
    """A person's full name, else their username (the person reached through ``prefix``)."""
    full_name = Trim(
        Concat(f"{prefix}first_name", Value(" "), f"{prefix}last_name"),
        output_field=CharField(),
    )
    return Coalesce(NullIf(full_name, Value("")), f"{prefix}username", output_field=CharField())


def _owner_team_name() -> Coalesce:
    """The team that owns the mission, or the team of the person who does (their membership
    of the mission's organisation, joined: one per person and organisation)."""
    return Coalesce("owner_team__name", "owner_membership__team__name", Value(""))


def _active_kpis() -> Subquery:
    """A mission's active KPIs, counted by the index of (mission, status). A subquery: a
    ``COUNT`` over a join would group the rows by every column of the export."""
    counted = (
        Kpi.objects.filter(mission_id=OuterRef("pk"), status=Kpi.Status.ACTIVE)
        .order_by()
        .values("mission_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(counted, output_field=IntegerField())


def cascade_rows(missions: QuerySet[Mission], *, for_csv: bool) -> QuerySet[Any, Any]:
    """Every mission of ``missions`` depth first (each right before the missions under it),
    with its parent, depth, team, owner, state, period and active KPIs."""
    owner = Coalesce(person_name("owner_user__"), "owner_team__name", Value("—"))
    return (
        missions.annotate(
            owner_membership=FilteredRelation(
                "owner_user__memberships",
                condition=Q(owner_user__memberships__organisation=F("organisation")),
            )
        )
        .annotate(
            x_depth=Length("path") / tree.SEGMENT_WIDTH,
            x_parent=_text("parent__title", for_csv),
            x_title=_text("title", for_csv),
            x_level=label_of("level", Mission.Level.choices),
            x_team=_text(_owner_team_name(), for_csv),
            x_owner=_text(owner, for_csv),
            x_status=label_of("status", Mission.Status.choices),
            x_alignment=label_of("alignment_status", Mission.AlignmentStatus.choices),
            x_kpis=Coalesce(_active_kpis(), 0),
            x_order=tree.depth_first(),
        )
        .order_by("x_order")
        .values_list(
            "id",
            "parent_id",
            "x_depth",
            "x_parent",
            "x_title",
            "x_level",
            "x_team",
            "x_owner",
            "x_status",
            "x_alignment",
            "period_start",
            "period_end",
            "x_kpis",
            "alignment__score",
            "next_review_due",
        )
    )


def _percent(field: str) -> Func:
    """A fraction as a percentage to one decimal, a decimal number (the progress is stored
    as a float, whose sixteen digits say no more; and the exports write a number as its
    digits, which for a float PostgreSQL and Python write differently: "100" and "100.0")."""
    return Func(
        F(field) * 100,
        template="ROUND(CAST(%(expressions)s AS numeric), 1)",
        output_field=DecimalField(),
    )


def _kpi_annotations(for_csv: bool, prefix: str = "") -> dict[str, Any]:
    return {
        "x_mission": _text(f"{prefix}mission__title", for_csv),
        "x_kpi": _text(f"{prefix}name", for_csv),
        "x_unit": _text(f"{prefix}unit", for_csv),
        "x_direction": label_of(f"{prefix}direction", Kpi.Direction.choices),
        "x_kpi_status": label_of(f"{prefix}status", Kpi.Status.choices),
        "x_forecast": label_of(f"{prefix}forecast_status", ForecastStatus.choices),
        "x_progress": _percent(f"{prefix}progress"),
    }


def _kpi_columns(prefix: str = "") -> list[str]:
    return [
        f"{prefix}mission_id",
        "x_mission",
        f"{prefix}id" if prefix else "id",
        "x_kpi",
        "x_unit",
        "x_direction",
        f"{prefix}baseline",
        f"{prefix}target",
        f"{prefix}target_max",
        f"{prefix}due_date",
        "x_kpi_status",
        "x_forecast",
        "x_progress",
    ]


def kpis_with_check_ins(kpis: QuerySet[Kpi], *, for_csv: bool) -> QuerySet[Any, Any]:
    """One row per check-in with its KPI and mission; a KPI without check-ins once, its
    check-in columns empty. KPI by KPI, each one's check-ins oldest first."""
    return (
        kpis.annotate(
            **_kpi_annotations(for_csv),
            x_comment=_text("check_ins__comment", for_csv),
            x_author=_text(person_name("check_ins__author__"), for_csv),
        )
        .order_by("id", "check_ins__recorded_on", "check_ins__created_at", "check_ins__id")
        .values_list(
            *_kpi_columns(),
            "check_ins__id",
            "check_ins__recorded_on",
            "check_ins__value",
            "check_ins__confidence",
            "x_comment",
            "x_author",
            "check_ins__created_at",
            "check_ins__supersedes_id",
        )
    )


def kpi_sheets(kpis: QuerySet[Kpi]) -> list[Sheet]:
    """The workbook of KPIs: a sheet of KPIs, and a sheet of their check-ins, each with its
    KPI's id and name (a KPI's many check-ins do not repeat all its columns)."""
    kpi_rows = kpis.annotate(**_kpi_annotations(False)).order_by("id").values_list(*_kpi_columns())
    check_ins = (
        kpis.filter(check_ins__isnull=False)
        .annotate(
            x_kpi=F("name"),
            x_comment=F("check_ins__comment"),
            x_author=person_name("check_ins__author__"),
        )
        .order_by("id", "check_ins__recorded_on", "check_ins__created_at", "check_ins__id")
        .values_list(
            "id",
            "x_kpi",
            "check_ins__id",
            "check_ins__recorded_on",
            "check_ins__value",
            "check_ins__confidence",
            "x_comment",
            "x_author",
            "check_ins__created_at",
            "check_ins__supersedes_id",
        )
    )
    return [
        Sheet(
            "KPIs",
            [h for h, _ in KPI_COLUMNS],
            [k for _, k in KPI_COLUMNS],
            kpi_rows,
        ),
        Sheet(
            "Check-ins",
            ["KPI id", "KPI", *(h for h, _ in CHECK_IN_COLUMNS)],
            ["number", "text", *(k for _, k in CHECK_IN_COLUMNS)],
            check_ins,
        ),
    ]


def cascade_sheets(missions: QuerySet[Mission]) -> list[Sheet]:
    return [
        Sheet(
            "Cascade",
            [h for h, _ in CASCADE_COLUMNS],
            [k for _, k in CASCADE_COLUMNS],
            cascade_rows(missions, for_csv=False),
        )
    ]


KPI_HEADER = [h for h, _ in KPI_COLUMNS] + [h for h, _ in CHECK_IN_COLUMNS]
KPI_KINDS = [k for _, k in KPI_COLUMNS] + [k for _, k in CHECK_IN_COLUMNS]
CASCADE_HEADER = [h for h, _ in CASCADE_COLUMNS]
CASCADE_KINDS = [k for _, k in CASCADE_COLUMNS]
