"""The table of teams: each team in view as a plain row, its figures with those of its
sub-teams rolled in (a loop over teams, never over missions), and the orders it sorts by.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kernel import tree
from kernel.models import Organisation

from .figures import Figures, TeamInfo, TeamRow
from .scope import Scope, teams_in_scope

TEAMS_PER_PAGE = 50


def team_infos(*, organisation: Organisation, scope: Scope) -> list[TeamInfo]:
    """The teams in view as plain rows, with their leaders' names: one query."""
    rows = teams_in_scope(organisation=organisation, scope=scope).values_list(
        "id",
        "name",
        "parent_id",
        "path",
        "leader__first_name",
        "leader__last_name",
        "leader__username",
    )
    return [
        TeamInfo(pk, name, parent, path, " ".join(filter(None, (first, last))) or username or "")
        for pk, name, parent, path, first, last, username in rows
    ]


def team_rows(
    teams: list[TeamInfo], own: dict[int | None, Figures], *, under: int | None = None
) -> list[TeamRow]:
    """Each team with its own figures and those of all its sub-teams in view; with
    ``under``, only that team and the teams right below it. A loop over teams, deepest
    first, each adding itself into its parent: never over missions."""
    rolled = {team.pk: Figures() for team in teams}
    for team in sorted(teams, key=lambda t: len(t.path), reverse=True):
        figures = rolled[team.pk]
        if team.pk in own:
            figures.add(own[team.pk])
        if team.parent_id in rolled:
            rolled[team.parent_id].add(figures)
    if under is not None:
        teams = [t for t in teams if under in (t.pk, t.parent_id)]
    top = min((tree.depth(t.path) for t in teams), default=0)
    return [TeamRow(t, tree.depth(t.path) - top, rolled[t.pk]) for t in teams]


SORTS: dict[str, Callable[[TeamRow], Any]] = {
    "name": lambda r: r.team.name.lower(),
    "missions": lambda r: r.figures.missions,
    "score": lambda r: r.figures.score,
    "open": lambda r: r.figures.open_findings,
    "critical": lambda r: r.figures.critical_findings,
    "on_track": lambda r: r.figures.kpi_share("on_track"),
    "at_risk": lambda r: r.figures.kpi_share("at_risk"),
    "off_track": lambda r: r.figures.kpi_share("off_track"),
    "compliance": lambda r: r.figures.compliance,
}
DEFAULT_SORT = "score"  # worst first: where the organisation drifts


def sort_rows(rows: list[TeamRow], sort: str) -> tuple[list[TeamRow], str]:
    """Rows by ``sort`` (a key of SORTS, "-" first for descending); empty values last.
    Returns the rows and the sort actually applied ("tree" keeps the teams' hierarchy)."""
    key = sort.lstrip("-")
    if key not in SORTS:
        return rows, "tree"
    by = SORTS[key]
    keyed = [(by(row), row) for row in rows]
    known = [(value, row.team.name.lower(), row) for value, row in keyed if value is not None]
    known.sort(key=lambda item: item[:2], reverse=sort.startswith("-"))
    return [item[2] for item in known] + [row for value, row in keyed if value is None], sort
