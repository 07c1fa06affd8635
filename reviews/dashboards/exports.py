"""The rows of the mission export, ready for a spreadsheet, read at the speed of the database.

Every value is computed by the query itself (the labels of the choices, the owner's name, the
guard against text read as a formula), so the view only hands rows to the C ``csv`` writer in
blocks: no model objects and no Python per value, and memory bounded by one block whatever the
number of missions (PostgreSQL reads them through a server-side cursor)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import CharField, F, QuerySet, Value
from django.db.models.expressions import Case, Combinable, When
from django.db.models.functions import Coalesce, Concat, Left, NullIf, Trim
from django.db.models.lookups import In

from missions.models import Mission
from missions.querysets import MissionQuerySet

MISSION_HEADER = ["Id", "Mission", "Level", "Owner", "Alignment", "Alignment score", "Next review"]
# What starts a formula in a spreadsheet: such text is written with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_BLOCK = 2000


def as_text(expression: Combinable | str) -> Case:
    """Text for a spreadsheet: as it is, unless it would be read as a formula."""
    expression = F(expression) if isinstance(expression, str) else expression
    return Case(
        When(
            In(Left(expression, 1), FORMULA_STARTS),
            then=Concat(Value("'"), expression, output_field=CharField()),
        ),
        default=expression,
        output_field=CharField(),
    )


def label_of(field: str, choices: Any) -> Case:
    """A choice field's label, by SQL."""
    return Case(
        *(When(**{field: value}, then=Value(label)) for value, label in choices),
        default=F(field),
        output_field=CharField(),
    )


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
        "alignment_score",
        "next_review_due",
    )


def mission_rows(missions: MissionQuerySet) -> Iterator[list[tuple[Any, ...]]]:
    """The export's rows of ``missions`` (already ordered), in blocks of ``ROWS_PER_BLOCK``."""
    rows = mission_query(missions)
    block: list[tuple[Any, ...]] = []
    for row in rows.iterator(chunk_size=ROWS_PER_BLOCK):
        block.append(row)
        if len(block) == ROWS_PER_BLOCK:
            yield block
            block = []
    if block:
        yield block
