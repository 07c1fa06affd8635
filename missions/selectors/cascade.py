"""Reads of the cascade within the actor's organisation: missions, their place (subtree,
ancestors, children), the search of the cascade page, and a mission's tasks and links."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.functional import cached_property

from kernel import tree
from kernel.models import Team
from kernel.querysets import owned_by_person

from ..models import Interdependency, KeyTask, Mission, Period
from ..querysets import in_play, owned_by_teams

if TYPE_CHECKING:
    from kernel.permissions import Actor

    from ..querysets import MissionQuerySet


def mission_list_visible_to(*, actor: Actor) -> MissionQuerySet:
    """Every mission of the actor's organisation (members read the whole cascade)."""
    return Mission.objects.filter(organisation=actor.organisation).with_owner()


def top_missions(*, actor: Actor) -> QuerySet[Mission]:
    """The organisation-level missions, tied to the vision."""
    return (
        mission_list_visible_to(actor=actor)
        .filter(level=Mission.Level.ORGANISATION)
        .exclude(status=Mission.Status.ARCHIVED)
        .order_by("title")
    )


def missions_owned_by(*, actor: Actor) -> QuerySet[Mission]:
    """The actor's own missions: in person, or through a team they lead (the teams they lead
    are known already: no join to the teams' leaders, so both owners are read by index)."""
    return (
        mission_list_visible_to(actor=actor)
        .filter(owned_by_person(actor.user.pk, led_team_ids=actor.led_team_ids))
        .exclude(status=Mission.Status.ARCHIVED)
        .order_by("level", "title", "id")
    )


def mission_subtree(*, mission: Mission) -> QuerySet[Mission]:
    """The mission and all its descendants: one query, a prefix scan of the path index."""
    return Mission.objects.descendants_of(mission, include_self=True).order_by("path", "id")


def mission_ancestors(*, mission: Mission) -> QuerySet[Mission]:
    """The missions above this one, root first: one query by primary key."""
    return Mission.objects.ancestors_of(mission).order_by("path")


TREE_FIELDS = (
    "id",
    "parent_id",
    "level",
    "title",
    "owner_team_id",
    "owner_user_id",
    "status",
    "alignment_status",
    "period_start",
    "period_end",
)


def mission_tree(*, mission: Mission) -> dict[str, Any]:
    """The mission and its descendants as nested dicts under ``children``: one query.

    Rows come as plain values, not model instances: a 10,000-node subtree would spend most of
    its time building objects and serializing them one by one.
    """
    nodes: dict[int, dict[str, Any]] = {}
    for values in mission_subtree(mission=mission).values_list(*TREE_FIELDS):
        row = dict(zip(TREE_FIELDS, values, strict=True))
        row["children"] = []
        nodes[row["id"]] = row
    for node in nodes.values():
        parent = nodes.get(node["parent_id"])
        if parent is not None and node["id"] != mission.pk:
            parent["children"].append(node)
    return nodes[mission.pk]


def _with_child_count(queryset: QuerySet[Mission]) -> QuerySet[Mission]:
    return queryset.annotate(
        child_count=Count("children", filter=~Q(children__status=Mission.Status.ARCHIVED))
    )


# The order of the missions of one level of the cascade; the id last, so that the pages of a
# long branch follow on from one another.
BRANCH_ORDER = ("level", "title", "id")


def cascade_roots(*, actor: Actor) -> QuerySet[Mission]:
    """The top of the cascade: missions with no parent, with their child counts."""
    return _with_child_count(
        mission_list_visible_to(actor=actor)
        .filter(parent__isnull=True)
        .exclude(status=Mission.Status.ARCHIVED)
        .order_by(*BRANCH_ORDER)
    )


def cascade_children(*, mission: Mission) -> QuerySet[Mission]:
    """One level under a mission, with their own child counts (for lazy expansion)."""
    return _with_child_count(
        Mission.objects.filter(parent=mission)
        .exclude(status=Mission.Status.ARCHIVED)
        .with_owner()
        .order_by(*BRANCH_ORDER)
    )


def cascade_branches(*, parent_ids: list[int], per_branch: int) -> QuerySet[Mission]:
    """The first ``per_branch`` children of each of these missions (the first page of each
    branch, as ``cascade_children`` orders it), with their own child counts: one query,
    however many branches, for opening a whole level of the cascade at once."""
    place = Window(
        RowNumber(), partition_by=F("parent_id"), order_by=[F(name).asc() for name in BRANCH_ORDER]
    )
    first = (
        Mission.objects.filter(parent_id__in=parent_ids)
        .exclude(status=Mission.Status.ARCHIVED)
        .annotate(place=place)
        .filter(place__lte=per_branch)
    )
    # Counted for the missions shown only, not for every child of a branch of thousands.
    return _with_child_count(
        Mission.objects.filter(pk__in=first.values("pk"))
        .with_owner()
        .order_by("parent_id", *BRANCH_ORDER)
    )


def problems_q() -> Q:
    """Missions needing attention: not aligned under a parent, or the review of a mission in
    play overdue (a completed one, such as a carried-over original, has no more reviews; a
    draft or sent-back one is here for its alignment already)."""
    overdue = in_play() & Q(next_review_due__lt=timezone.localdate())
    return (
        Q(parent__isnull=False) & ~Q(alignment_status=Mission.AlignmentStatus.ALIGNED)
    ) | overdue


# The order of search results: by place in the cascade, then title; the id last, so that
# the pages follow on from one another.
SEARCH_ORDER = ("path", "title", "id")
SEARCH_PAGE = 50  # matches per page of the cascade's (and the heat map's) search
# Matches counted one by one; beyond, "1,000+": a person refines a filter rather than read
# twenty pages, and counting every match of a one-letter filter grew with the organisation.
SEARCH_COUNT_LIMIT = 1_000


class CappedPaginator(Paginator):
    """A paginator whose count stops at ``limit``; ``more`` says there were more matches.
    The count reads at most ``limit + 1`` rows (no ordering: the first that match)."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, limit: int) -> None:
        super().__init__(object_list, per_page)
        self.matches = object_list
        self.limit = limit

    @cached_property
    def _counted(self) -> int:
        return self.matches.order_by()[: self.limit + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.limit)

    @property
    def more(self) -> bool:
        return self._counted > self.limit


def cascade_search(
    *,
    actor: Actor,
    q: str = "",
    team: str = "",
    owner: str = "",
    status: str = "",
    problems: bool = False,
    period: Period | None = None,
) -> MissionQuerySet:
    """Missions matching the cascade's filters, in the cascade's order: plain rows, nothing
    counted per mission; ``search_page`` takes a page of them and counts for that page only.

    A period keeps the missions that run within it: those in it or in one of its parts (a
    mission in a period has its dates), and those of free dates inside it. A year's mission
    is not a quarter's: it is planned for the year."""
    found = mission_list_visible_to(actor=actor).exclude(status=Mission.Status.ARCHIVED)
    if period is not None:
        found = found.filter(period_start__gte=period.starts_on, period_end__lte=period.ends_on)
    if q:
        found = found.filter(title__icontains=q)
    if team:
        # Missions of the teams whose name matches, and their members' own missions.
        teams = Team.objects.filter(organisation=actor.organisation, name__icontains=team)
        found = found.filter(owned_by_teams(teams.values("pk")))
    if owner:
        found = found.filter(
            Q(owner_user__username__iexact=owner)
            | Q(owner_user__first_name__icontains=owner)
            | Q(owner_user__last_name__icontains=owner)
            | Q(owner_team__leader__username__iexact=owner)
        )
    if status:
        found = found.filter(alignment_status=status)
    if problems:
        found = found.filter(problems_q())
    return found.order_by(*SEARCH_ORDER)


def search_page(
    matches: QuerySet[Mission],
    number: Any,
    *,
    per_page: int = SEARCH_PAGE,
    extras: Callable[[QuerySet[Mission]], QuerySet[Mission]] | None = None,
) -> Page[Mission]:
    """Page ``number`` of these matches (ordered), each with its child count and its owner,
    and whatever ``extras`` annotates: two queries, whatever the number of matches.

    The page is limited before anything is counted per mission: the number of matches is a
    plain count, up to ``SEARCH_COUNT_LIMIT`` (``CappedPaginator``), and the page's missions
    are those of ``ORDER BY … LIMIT`` over the missions table alone (a subquery), so the child
    counts (and ``extras``) are computed for them only, not for every match of a large
    organisation before it is sorted.
    """
    ids = matches.values_list("pk", flat=True)
    paginator = CappedPaginator(ids, per_page, limit=SEARCH_COUNT_LIMIT)
    page: Page[Any] = paginator.get_page(number)
    shown = _with_child_count(
        Mission.objects.filter(pk__in=page.object_list).with_owner().order_by(*SEARCH_ORDER)
    )
    page.object_list = list(extras(shown) if extras else shown)
    return page


def ancestor_titles(*, missions: list[Mission]) -> dict[int, list[tuple[int, str]]]:
    """For each mission, its ancestors' (id, title), root first: one query for all."""
    wanted = {pk for m in missions for pk in tree.ancestor_ids(m.path)}
    titles = dict(Mission.objects.filter(pk__in=wanted).values_list("id", "title"))
    return {m.pk: [(pk, titles.get(pk, "")) for pk in tree.ancestor_ids(m.path)] for m in missions}


def key_tasks_of(*, mission: Mission) -> QuerySet[KeyTask]:
    return mission.key_tasks.select_related("owner").order_by("status", "due_date", "id")


def links_from(*, mission: Mission) -> QuerySet[Interdependency]:
    """What this mission asks of, or offers to, others."""
    return mission.interdependencies_out.select_related(
        "to_mission__owner_team", "to_mission__owner_user"
    ).order_by("-created_at")


def links_to(*, mission: Mission) -> QuerySet[Interdependency]:
    """What others ask of, or offer to, this mission."""
    return mission.interdependencies_in.select_related(
        "from_mission__owner_team", "from_mission__owner_user"
    ).order_by("-created_at")
