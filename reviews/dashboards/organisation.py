"""The organisation dashboard: its figures, trend and table of teams, or the part of it a
team-scoped coach sees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kernel.models import Organisation

from .figures import Figures, TeamRow, ending_today
from .queries import health_states, organisation_figures, team_figures, trend
from .scope import Scope, missions_in_scope
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
    # The alignment check the table's figures and the missions' health come from; None when
    # they are live (the checks have not run yet).
    checked_on: dt.date | None = None
    # The active missions in view by health (``measures.health``): the headline's verdict.
    states: dict[str, int] | None = None


def organisation_dashboard(*, organisation: Organisation, scope: Scope, sort: str) -> Dashboard:
    """Figures, missions by health, trend and table of teams: seven queries for any number of
    missions (three for a team-scoped coach). The teams' figures and the missions' health are
    the latest alignment check's; the trend ends with the score the headline shows."""
    if scope is None:
        figures = organisation_figures(organisation=organisation)
        own, total, checked_on = figures.teams, figures.total, figures.checked_on
    else:
        own, total, checked_on = team_figures(organisation=organisation, scope=scope)
    teams = team_infos(organisation=organisation, scope=scope)
    rows, applied = sort_rows(team_rows(teams, own), sort or DEFAULT_SORT)
    return Dashboard(
        organisation=organisation,
        scope=scope,
        figures=total,
        trend=ending_today(trend(organisation=organisation, scope=scope), total.score),
        rows=rows,
        sort=applied,
        checked_on=checked_on,
        states=health_states(
            total, checked_on, missions_in_scope(organisation=organisation, scope=scope)
        ),
    )
