"""The organisation dashboard: its figures, trend and table of teams, or the part of it a
team-scoped coach sees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kernel.models import Organisation

from .figures import Figures, TeamRow, total_of
from .queries import figures_by_team, organisation_figures, trend
from .scope import Scope
from .teams import DEFAULT_SORT, sort_rows, team_infos, team_rows


@dataclass
class Dashboard:
    """The organisation dashboard, or the part of it a team-scoped coach sees."""

    organisation: Organisation
    scope: Scope
    figures: Figures
    trend: list[tuple[dt.date, float]]
    rows: list[TeamRow]
    sort: str
    # The alignment check the table's scores and findings come from (whole organisation
    # only); None when they are live.
    checked_on: dt.date | None = None


def organisation_dashboard(*, organisation: Organisation, scope: Scope, sort: str) -> Dashboard:
    """Figures, trend and table of teams: seven queries for any number of missions (six for
    a team-scoped coach, whose figures are computed live over their teams)."""
    checked_on = None
    if scope is None:
        figures = organisation_figures(organisation=organisation)
        own, total, checked_on = figures.teams, figures.total, figures.checked_on
    else:
        own = figures_by_team(organisation=organisation, scope=scope)
        total = total_of(own)
    teams = team_infos(organisation=organisation, scope=scope)
    rows, applied = sort_rows(team_rows(teams, own), sort or DEFAULT_SORT)
    return Dashboard(
        organisation=organisation,
        scope=scope,
        figures=total,
        trend=trend(organisation=organisation, scope=scope),
        rows=rows,
        sort=applied,
        checked_on=checked_on,
    )
