"""The organisation dashboard: its figures, trend and table of teams, or the part of it a
team-scoped coach sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator

from kernel.models import Organisation

from .figures import Figures, TeamRow, ending_today
from .queries import health_states, organisation_figures, team_figures, trend
from .scope import Scope, missions_in_scope
from .teams import (
    DEFAULT_SORT,
    TEAMS_PER_PAGE,
    CheckedTable,
    checked_table,
    sort_rows,
    team_infos,
    team_rows,
)


@dataclass
class Dashboard:
    """The organisation dashboard, or the part of it a team-scoped coach sees."""

    organisation: Organisation
    scope: Scope
    figures: Figures
    trend: list[tuple[dt.date, float]]
    # All the teams in view, sorted (read a page at a time, or streamed by the export), and
    # the page of them shown.
    table: Sequence[TeamRow] | CheckedTable
    page: Page[TeamRow]
    sort: str
    # The alignment check the table's figures and the missions' health come from; None when
    # they are live (the checks have not run yet).
    checked_on: dt.date | None = None
    # The active missions in view by health (``measures.health``): the headline's verdict.
    states: dict[str, int] | None = None

    @property
    def rows(self) -> list[TeamRow]:
        return list(self.page.object_list)


def organisation_dashboard(
    *, organisation: Organisation, scope: Scope, sort: str, page: Any = 1
) -> Dashboard:
    """Figures, missions by health, trend and a page of the table of teams: eight queries for
    any number of missions and teams. The teams' figures and the missions' health are the
    latest alignment check's, each team with its sub-teams read from its ``SubtreeSnapshot``
    and sorted and paged in SQL; the trend ends with the score the headline shows.

    A team-scoped coach's view is live before the checks first run (its teams' figures
    rolled up here); the whole organisation's table then shows its teams, without figures."""
    sort = sort or DEFAULT_SORT
    if scope is None:
        whole = organisation_figures(organisation=organisation)
        total, checked_on = whole.total, whole.checked_on
    else:
        own, total, checked_on = team_figures(organisation=organisation, scope=scope)
    table: Sequence[TeamRow] | CheckedTable
    if scope is not None and checked_on is None:
        table, applied = sort_rows(
            team_rows(team_infos(organisation=organisation, scope=scope), own), sort
        )
    else:
        table, applied = checked_table(
            organisation=organisation, scope=scope, day=checked_on, sort=sort
        )
    return Dashboard(
        organisation=organisation,
        scope=scope,
        figures=total,
        trend=ending_today(trend(organisation=organisation, scope=scope), total.score),
        table=table,
        page=Paginator(table, TEAMS_PER_PAGE).get_page(page),
        sort=applied,
        checked_on=checked_on,
        states=health_states(
            total, checked_on, missions_in_scope(organisation=organisation, scope=scope)
        ),
    )
