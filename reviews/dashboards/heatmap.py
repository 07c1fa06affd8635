"""The heat map of the cascade: missions level by level, each coloured by its health
(``measures.health``, computed in the query by ``reviews.health.with_health``) with its own
score, and the mean score of its whole branch (one GROUP BY per level shown)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr

from kernel import tree
from kernel.models import Organisation
from measures.health import TONE, Health
from missions.models import Mission

from ..checks import with_score
from ..health import with_health
from .figures import score_band
from .scope import Scope, missions_in_scope


@dataclass
class HeatNode:
    """A mission of the heat map: its health, its own score and that of its whole branch."""

    mission: Mission
    branch_score: float | None = None
    branch_missions: int = 1

    @property
    def health(self) -> str:
        """The mission's health, annotated by the query (``with_health``)."""
        return str(getattr(self.mission, "health", Health.NOT_STARTED))

    @property
    def band(self) -> str:
        """The mission's colour: that of its health, as on every other page."""
        return TONE[Health(self.health)]

    @property
    def score(self) -> int | None:
        """Its own score, none until it has started: a draft without data is not "100"."""
        return None if self.health == Health.NOT_STARTED else _score(self.mission)

    @property
    def score_tone(self) -> str:
        return score_band(self.score)

    @property
    def branch_band(self) -> str:
        return score_band(self.branch_score)


def _score(mission: Mission) -> int | None:
    """The mission's score, annotated by the query (``with_health_and_score``)."""
    return getattr(mission, "alignment_score", None)


def with_health_and_score(missions: QuerySet[Mission]) -> QuerySet[Mission]:
    """What a node of the heat map shows of each of these missions: its health and score."""
    return with_score(with_health(missions))


def _with_child_count(missions: QuerySet[Mission]) -> QuerySet[Mission]:
    return with_health_and_score(missions).annotate(
        child_count=Count("children", filter=~Q(children__status=Mission.Status.ARCHIVED))
    )


def heat_roots(*, organisation: Organisation, scope: Scope) -> QuerySet[Mission]:
    """The top of the heat map: missions with no parent; for a team-scoped coach, the
    missions of their teams whose parent lies outside them."""
    in_scope = missions_in_scope(organisation=organisation, scope=scope).exclude(
        status=Mission.Status.ARCHIVED
    )
    roots = in_scope.filter(parent__isnull=True)
    if scope is not None:
        roots = in_scope.filter(Q(parent__isnull=True) | ~Q(parent__in=in_scope.values("pk")))
    return _with_child_count(roots.with_owner().order_by("level", "title"))


def heat_children(*, mission: Mission, scope: Scope) -> QuerySet[Mission]:
    """One level under a mission (for a team-scoped coach, only their teams' missions)."""
    children = missions_in_scope(organisation=mission.organisation, scope=scope).filter(
        parent=mission
    )
    return _with_child_count(
        children.exclude(status=Mission.Status.ARCHIVED).with_owner().order_by("level", "title")
    )


def heat_nodes(missions: list[Mission], *, organisation: Organisation) -> list[HeatNode]:
    """Siblings (one branch level) with the mean score of each one's branch: one GROUP BY
    over their descendants, by the path segment that names the sibling they descend from."""
    if not missions:
        return []
    paths = {m.path for m in missions}
    nodes = [HeatNode(m) for m in missions]
    if len(paths) != 1:
        return nodes  # not siblings (a list of search results): own scores only
    prefix = paths.pop()
    start = len(prefix) + 1
    below = (
        Mission.objects.filter(
            organisation=organisation, status=Mission.Status.ACTIVE, path__startswith=prefix
        )
        .exclude(path=prefix)
        .annotate(segment=Substr("path", start, tree.SEGMENT_WIDTH))
        .values("segment")
        .annotate(
            total=Sum("alignment__score"), scored=Count("alignment__score"), count=Count("id")
        )
        .order_by()
    )
    branches = {int(r["segment"]): r for r in below}
    for node in nodes:
        own = _score(node.mission)
        branch = branches.get(node.mission.pk, {"total": 0, "scored": 0, "count": 0})
        total = (branch["total"] or 0) + (own or 0)
        scored = branch["scored"] + (own is not None)
        node.branch_score = total / scored if scored else None
        node.branch_missions = branch["count"] + 1
    return nodes
