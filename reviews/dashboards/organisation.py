"""The organisation dashboard: its figures, trend and table of teams, or the part of it a
team-scoped coach sees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kernel.models import Organisation
from missions.models import Mission

from ..health import health_counts
from .figures import Figures, TeamRow, ending_today, total_of
from .queries import figures_by_team, organisation_figures, trend
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
    # The alignment check the table's scores and findings come from (whole organisation
    # only); None when they are live.
    checked_on: dt.date | None = None
    # The active missions in view by health (``measures.health``): the headline's verdict.
    states: dict[str, int] | None = None


def organisation_dashboard(*, organisation: Organisation, scope: Scope, sort: str) -> Dashboard:
    """Figures, missions by health, trend and table of teams: eight queries for any number of
    missions (seven for a team-scoped coach, whose figures are computed live over their
    teams). The trend ends with the score the headline shows."""
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
        trend=ending_today(trend(organisation=organisation, scope=scope), total.score),
        rows=rows,
        sort=applied,
        checked_on=checked_on,
        states=health_counts(
            missions_in_scope(organisation=organisation, scope=scope).filter(
                status=Mission.Status.ACTIVE
            )
        ),
    )
