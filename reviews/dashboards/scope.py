"""What is in view: the whole organisation, or some teams with their sub-teams (``Scope``),
and the teams and missions that makes, as querysets (also used as subqueries) or as a
condition of the dashboards' SQL.

A mission belongs to the team that owns it, or to the team of the person who owns it (as in
the checks' team snapshots).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from kernel import tree
from kernel.models import Organisation, Team
from missions.models import Mission
from missions.querysets import MissionQuerySet, team_mission_ids

from ..checks import OWNER_TEAM

Scope = list[Team] | None  # None: the whole organisation; else these teams and their sub-teams


def scope_sql(scope: Scope, params: dict[str, Any]) -> str:
    """An extra WHERE condition keeping the missions of the teams in scope."""
    if scope is None:
        return ""
    return f" AND {OWNER_TEAM} IN ({team_ids_sql(scope, params)})"


def team_ids_sql(scope: list[Team], params: dict[str, Any]) -> str:
    """A SELECT of the ids of the teams in scope (named parameters, ``org`` among them)."""
    if not scope:
        return "SELECT NULL WHERE 1 = 0"
    conditions = []
    for i, root in enumerate(scope):
        params[f"root{i}"] = root.pk
        params[f"prefix{i}"] = tree.child_path(root.path, root.pk) + "%"
        conditions.append(f"t.id = %(root{i})s OR t.path LIKE %(prefix{i})s")
    return (
        "SELECT t.id FROM missions_team t WHERE t.organisation_id = %(org)s"
        f" AND ({' OR '.join(conditions)})"
    )


def teams_in_scope(*, organisation: Organisation, scope: Scope) -> QuerySet[Team]:
    """The teams in view (a queryset, also used as a subquery)."""
    teams = Team.objects.filter(organisation=organisation)
    if scope is not None:
        condition = Q(pk__in=[])
        for root in scope:
            condition |= Q(pk=root.pk) | Q(path__startswith=tree.child_path(root.path, root.pk))
        teams = teams.filter(condition)
    return teams.order_by(tree.depth_first())


def mission_ids_in_scope(*, organisation: Organisation, scope: Scope, **filters: Any) -> QuerySet:
    """The ids of the missions of the teams in scope that match ``filters`` (e.g. their
    status), as a subquery for the rows of those missions (``mission_id__in=``): no join
    back to the missions themselves."""
    missions = Mission.objects.filter(organisation=organisation, **filters)
    if scope is None:
        return missions.values("pk")
    teams = teams_in_scope(organisation=organisation, scope=scope).values("pk")
    return team_mission_ids(teams, missions)


def missions_in_scope(*, organisation: Organisation, scope: Scope) -> MissionQuerySet:
    """Missions of the teams in scope: owned by one of them or by one of their members."""
    missions = Mission.objects.filter(organisation=organisation)
    if scope is None:
        return missions
    return missions.filter(pk__in=mission_ids_in_scope(organisation=organisation, scope=scope))
