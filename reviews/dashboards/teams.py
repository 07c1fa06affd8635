"""The table of teams: each team in view as a plain row, its figures with those of its
sub-teams rolled in, and the orders it sorts by.

Once the checks have run, a team's figures with its sub-teams' are the check's
``SubtreeSnapshot`` row, so the table is sorted and paged in SQL (``CheckedTable``): a page of
an organisation's 11,000 teams costs a count and two queries, whatever their missions. Before
the first check, the teams' live figures are rolled up here, a loop over teams
(``team_rows``), never over missions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any, overload

from django.db.models import F, FilteredRelation, FloatField, Q, QuerySet
from django.db.models.functions import Cast, Coalesce, Lower, NullIf

from kernel import tree
from kernel.models import Organisation, Team

from .figures import STATUSES, Figures, TeamInfo, TeamRow
from .queries import HEALTH_ORDER, add_breakdown, fill_from_snapshot
from .scope import Scope, teams_in_scope

TEAMS_PER_PAGE = 50


TEAM_COLUMNS = (
    "pk",
    "name",
    "parent_id",
    "path",
    "leader__first_name",
    "leader__last_name",
    "leader__username",
)


def team_infos(*, organisation: Organisation, scope: Scope) -> list[TeamInfo]:
    """The teams in view as plain rows, with their leaders' names: one query."""
    rows = teams_in_scope(organisation=organisation, scope=scope).values_list(*TEAM_COLUMNS)
    return [_info(*row) for row in rows]


def _info(
    pk: int, name: str, parent: int | None, path: str, first: str, last: str, username: str
) -> TeamInfo:
    return TeamInfo(pk, name, parent, path, " ".join(filter(None, (first, last))) or username or "")


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


# --- The table as the latest check counted it ------------------------------------------------

# A SubtreeSnapshot's columns in the order ``fill_from_snapshot`` takes them.
ROW_FIGURES = (
    "score",
    "missions",
    "scored",
    "open_findings",
    "critical_findings",
    *(f"kpis_{status}" for status in STATUSES),
    "reviews_due",
    "reviews_on_time",
)
BREAKDOWN = (*(f"missions_{state}" for state in HEALTH_ORDER), "findings")


def _share(part: F, whole: Any) -> Any:
    """``part`` of ``whole`` (0–1); empty where there is no whole, as ``Figures`` says."""
    return Cast(part, FloatField()) / NullIf(whole, 0)


_KPIS = [F(f"checked__kpis_{status}") for status in STATUSES]
_ALL_KPIS = sum(_KPIS[1:], _KPIS[0])
# SORTS in SQL, over the joined ``checked`` row (empty for a team nothing was counted under).
CHECKED_SORTS: dict[str, Any] = {
    "name": Lower("name"),
    "missions": Coalesce("checked__missions", 0),
    "score": F("checked__score"),
    "open": Coalesce("checked__open_findings", 0),
    "critical": Coalesce("checked__critical_findings", 0),
    **{
        status: _share(F(f"checked__kpis_{status}"), _ALL_KPIS)
        for status in ("on_track", "at_risk", "off_track")
    },
    "compliance": _share(F("checked__reviews_on_time"), F("checked__reviews_due")),
}


class CheckedTable:
    """The teams in view, each with its figures and its sub-teams' as the check of ``day``
    counted them (its ``SubtreeSnapshot``), sorted in SQL: a sequence a ``Paginator`` counts
    and slices, reading one page's rows; iterating it streams all of them (the export)."""

    def __init__(
        self, teams: QuerySet[Team], *, organisation: Organisation, day: dt.date | None, top: int
    ) -> None:
        self.teams, self.top = teams, top
        self.rows = teams.annotate(
            checked=FilteredRelation(
                "subtree_snapshots",
                condition=Q(
                    subtree_snapshots__organisation=organisation, subtree_snapshots__run_date=day
                ),
            )
        ).values(*TEAM_COLUMNS, *(f"checked__{c}" for c in (*ROW_FIGURES, *BREAKDOWN)))

    def sorted(self, sort: str) -> str:
        """Sort by ``sort`` (a key of SORTS, "-" first for descending), empty values last and
        then by name, as ``sort_rows`` does; any other key keeps the tree. Returns the sort
        applied."""
        key = sort.lstrip("-")
        if key not in CHECKED_SORTS:
            self.rows = self.rows.order_by(tree.depth_first())
            return "tree"
        by, name = CHECKED_SORTS[key], Lower("name")
        if sort.startswith("-"):
            self.rows = self.rows.order_by(by.desc(nulls_last=True), name.desc(), "-pk")
        else:
            self.rows = self.rows.order_by(by.asc(nulls_last=True), name.asc(), "pk")
        return sort

    def count(self) -> int:
        return self.teams.count()  # the teams alone: no join to count them

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> TeamRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[TeamRow]: ...
    def __getitem__(self, index: int | slice) -> TeamRow | list[TeamRow]:
        if isinstance(index, int):
            return self._row(self.rows[index])
        if index.stop is None:  # all of them from a start (a team and the teams below it)
            return [self._row(values) for values in self.rows[index]]
        # A page: its teams first, sorted on the narrow columns the order needs, then their
        # rows whole. Sorting 11,000 teams with their leaders' names and figures carried
        # along took 36-40 ms of SQL; the two queries take about 11.
        page = list(self.rows.values_list("pk", flat=True)[index])
        whole = {values["pk"]: values for values in self.rows.order_by().filter(pk__in=page)}
        return [self._row(whole[pk]) for pk in page]

    def __iter__(self) -> Iterator[TeamRow]:
        return (self._row(values) for values in self.rows.iterator(chunk_size=2000))

    def _row(self, values: dict[str, Any]) -> TeamRow:
        info = _info(*(values[c] for c in TEAM_COLUMNS))
        figures = Figures()
        if values["checked__missions"] is not None:
            fill_from_snapshot(figures, *(values[f"checked__{c}"] for c in ROW_FIGURES))
            breakdown = Figures()
            health = [values[f"checked__missions_{state}"] for state in HEALTH_ORDER]
            add_breakdown(
                breakdown, dict(zip(HEALTH_ORDER, health, strict=True)), values["checked__findings"]
            )
            figures.take_breakdown(breakdown)
        return TeamRow(info, tree.depth(info.path) - self.top, figures)


def checked_table(
    *, organisation: Organisation, scope: Scope, day: dt.date | None, sort: str
) -> tuple[CheckedTable, str]:
    """The table of the teams in view as the check of ``day`` counted them, sorted by
    ``sort``; with no day (the checks have not run), the teams with empty figures."""
    top = min((tree.depth(t.path) for t in scope), default=0) if scope else 0
    teams = teams_in_scope(organisation=organisation, scope=scope).select_related(None)
    table = CheckedTable(teams, organisation=organisation, day=day, top=top)
    return table, table.sorted(sort)


def checked_subtree(*, team: Team, day: dt.date, sort: str) -> tuple[TeamRow, list[TeamRow], str]:
    """A team with its sub-teams as the check of ``day`` counted them (its figures with their
    breakdown), and the table of the team and the teams right below it: one query."""
    teams = Team.objects.filter(
        Q(pk=team.pk) | Q(parent_id=team.pk), organisation=team.organisation
    )
    table = CheckedTable(teams, organisation=team.organisation, day=day, top=tree.depth(team.path))
    applied = table.sorted(sort)
    rows = table[:]
    itself = next(row for row in rows if row.team.pk == team.pk)
    return itself, rows, applied
