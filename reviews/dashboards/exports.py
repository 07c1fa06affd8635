"""The rows of the mission export, ready for a spreadsheet, read at the speed of the database.

Every value is computed by the query itself (the labels of the choices, the owner's name, the
guard against text read as a formula), and PostgreSQL writes each CSV line
(``kernel.spreadsheets.csv_response``): no model objects and no Python per value, and memory
bounded by one block whatever the number of missions (read through a server-side cursor)."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

from kernel.spreadsheets import FORMULA_STARTS, ROWS_PER_BLOCK, Kind, as_text, label_of
from missions.models import Mission
from missions.querysets import MissionQuerySet

__all__ = [
    "FORMULA_STARTS",
    "MISSION_HEADER",
    "MISSION_KINDS",
    "ROWS_PER_BLOCK",
    "as_text",
    "label_of",
    "mission_query",
]

MISSION_HEADER = ["Id", "Mission", "Level", "Owner", "Alignment", "Alignment score", "Next review"]
MISSION_KINDS: list[Kind] = ["number", "text", "text", "text", "text", "number", "date"]


def _owner_name() -> Coalesce:
    """``Mission.owner_display`` in SQL: the owner's full name or username, else the team."""
    full_name = Trim(
        Concat("owner_user__first_name", Value(" "), "owner_user__last_name"),
        output_field=CharField(),
    )
    return Coalesce(
        NullIf(full_name, Value("")),
        "owner_user__username",
        "owner_team__name",
        Value("—"),
        output_field=CharField(),
    )


def mission_query(missions: MissionQuerySet) -> QuerySet[Any, Any]:
    """The export's columns of ``missions`` (already ordered), as tuples."""
    return missions.annotate(
        title_text=as_text("title"),
        level_label=label_of("level", Mission.Level.choices),
        owner_text=as_text(_owner_name()),
        alignment_label=label_of("alignment_status", Mission.AlignmentStatus.choices),
    ).values_list(
        "id",
        "title_text",
        "level_label",
        "owner_text",
        "alignment_label",
        "alignment__score",
        "next_review_due",
    )
