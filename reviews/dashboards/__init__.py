"""Reads of the alignment dashboards: the figures of an organisation or of a team with its
sub-teams, the table of teams, a team's dashboard, the heat map of the cascade, and the
coaching notes a person may read.

What each figure means (each page says the same in one sentence):

- **Alignment score** (0–100): the mean alignment score of the active missions in view. A
  mission's score is 100 minus the weights of its open findings (``reviews.checks``), stored
  on the mission by the alignment checks. Its **trend** is the daily ``AlignmentSnapshot``
  of the last 90 days (for teams: their snapshots, weighted by their number of missions).
- **Review compliance**: of the reviews of active missions whose due date fell in the last
  90 days (before today, cancelled ones left out), the share held on or before that date.
- **KPI forecasts**: the active KPIs of active missions by their stored forecast status
  (on track, at risk, off track, not enough data), as shares of all of them.
- **Open findings**, by kind and by severity.

A mission belongs to the team that owns it, or to the team of the person who owns it (as in
the checks' team snapshots); a team's figures include its sub-teams'.

Cost: once the checks have run, the figures are read from their snapshots: the organisation's
row, and each team with its sub-teams from its ``SubtreeSnapshot`` (the table of teams sorted
and paged in SQL; a team's dashboard reads its own rows). Before the first check, one GROUP BY
per kind of row (missions, KPIs, findings, reviews), grouped by team, and rolling teams up into
their parents is a loop over teams, never over missions. The SQL is plain enough to run on
PostgreSQL and on SQLite.

``figures`` holds the figures' types and score bands, ``scope`` what is in view, ``queries``
the figures read from the database, ``teams`` the table of teams, ``organisation`` and ``team``
the two dashboards, ``heatmap`` the heat map of the cascade, ``coaching`` the coaching reads.
Callers import from here.
"""

from .coaching import CoachingAttention, coachees_for, coaching_attention, coaching_notes_for
from .figures import (
    GOOD_FROM,
    STATUSES,
    WATCH_FROM,
    WINDOW_DAYS,
    Figures,
    TeamInfo,
    TeamRow,
    score_band,
)
from .heatmap import HeatNode, heat_children, heat_nodes, heat_roots, with_health_and_score
from .organisation import Dashboard, organisation_dashboard
from .queries import OrganisationFigures, figures_by_team, organisation_figures, trend
from .scope import Scope, mission_ids_in_scope, missions_in_scope, teams_in_scope
from .team import (
    DUE_SOON_DAYS,
    KPI_LIMIT,
    LIST_LIMIT,
    MISSIONS_PER_PAGE,
    SPARK_POINTS,
    MissionHealth,
    TeamDashboard,
    mission_health,
    team_dashboard,
    worst_kpis,
)
from .teams import (
    DEFAULT_SORT,
    SORTS,
    TEAMS_PER_PAGE,
    CheckedTable,
    checked_table,
    sort_rows,
    team_infos,
    team_rows,
)

__all__ = [
    "CoachingAttention",
    "coaching_attention",
    "DEFAULT_SORT",
    "DUE_SOON_DAYS",
    "GOOD_FROM",
    "KPI_LIMIT",
    "LIST_LIMIT",
    "MISSIONS_PER_PAGE",
    "SORTS",
    "CheckedTable",
    "checked_table",
    "SPARK_POINTS",
    "STATUSES",
    "TEAMS_PER_PAGE",
    "WATCH_FROM",
    "WINDOW_DAYS",
    "Dashboard",
    "Figures",
    "HeatNode",
    "MissionHealth",
    "OrganisationFigures",
    "Scope",
    "TeamDashboard",
    "TeamInfo",
    "TeamRow",
    "coachees_for",
    "coaching_notes_for",
    "figures_by_team",
    "heat_children",
    "heat_nodes",
    "heat_roots",
    "with_health_and_score",
    "mission_health",
    "mission_ids_in_scope",
    "missions_in_scope",
    "organisation_dashboard",
    "organisation_figures",
    "score_band",
    "sort_rows",
    "team_dashboard",
    "team_infos",
    "team_rows",
    "teams_in_scope",
    "trend",
    "worst_kpis",
]
