"""The cascade as a tree, in two views of the same missions: a list, read down, and a map of
boxes, read across (``?view=map``). Top missions first; each branch loads when it is opened, and
"Expand all" opens a bounded number of levels at once: never the whole of a large organisation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kernel.permissions import Action, can
from kernel.types import OrgRequest
from kernel.web import actor_of, org_view
from measures.summary import MissionFigures
from missions.models import Mission
from reviews.health import health_figures

from .. import selectors
from ..forms import CascadeFilterForm
from .common import get_mission_for

LIST, MAP = "list", "map"
BRANCH_PAGE = 100  # children listed under an opened branch (and on the mission page)
MAP_BRANCH_PAGE = 8  # boxes side by side under one box of the map
TOP_PAGE = 25  # top missions per page of the cascade
# "Expand all" opens the levels under the top missions while they fit in both bounds; deeper
# branches open one at a time.
EXPAND_LEVELS = 4  # the top missions count as the first
EXPAND_MOST = 200  # missions shown at once


def under(mission: Mission) -> int:
    """How many missions are under this one: the ``child_count`` the cascade's selectors
    annotate."""
    count: int = mission.child_count  # type: ignore[attr-defined]
    return count


@dataclass
class Node:
    """A mission of the tree with its figures (health, progress) and, once its branch is
    open, the first page of its children."""

    mission: Mission
    figures: MissionFigures
    children: list[Node] | None = None  # None: not opened yet

    @property
    def more(self) -> int:
        """The children of an open branch that are on its next pages."""
        return under(self.mission) - len(self.children or ())


@dataclass
class Expansion:
    """What "Expand all" opened: how many levels and missions, and why it stopped."""

    levels: int
    missions: int
    held_back: bool = False  # deeper levels would have passed the bounds

    def __str__(self) -> str:
        shown = f"{self.levels} level{'s' if self.levels > 1 else ''} of the cascade, "
        shown += f"{self.missions} mission{'s' if self.missions > 1 else ''}"
        if not self.held_back:
            return f"Expanded: {shown}."
        return (
            f"Expanded {shown}. Expand all opens at most {EXPAND_LEVELS} levels and "
            f"{EXPAND_MOST} missions; open deeper branches one at a time."
        )


@dataclass
class Tree:
    nodes: list[Node]
    expansion: Expansion | None = field(default=None)


def view_of(request: HttpRequest) -> str:
    return MAP if request.GET.get("view") == MAP else LIST


def per_branch(view: str) -> int:
    return MAP_BRANCH_PAGE if view == MAP else BRANCH_PAGE


def _nodes(missions: Iterable[Mission]) -> list[Node]:
    """Each mission with its KPI figures and health: two queries for the whole list."""
    given = list(missions)
    figures = health_figures(given)
    return [Node(m, figures[m.pk]) for m in given]


def expand(top: list[Mission], *, per_branch: int) -> Tree:
    """The top missions with the levels under them opened while both bounds hold: one query
    a level, and two for the figures of all of them."""
    levels, opened, shown, held_back = [top], [], len(top), False
    while True:
        opening = [m for m in levels[-1] if under(m)]
        coming = sum(min(under(m), per_branch) for m in opening)
        if not coming:
            break
        if len(levels) == EXPAND_LEVELS or shown + coming > EXPAND_MOST:
            held_back = True
            break
        ids = [m.pk for m in opening]
        levels.append(list(selectors.cascade_branches(parent_ids=ids, per_branch=per_branch)))
        opened += ids
        shown += coming
    nodes = {n.mission.pk: n for n in _nodes(m for level in levels for m in level)}
    below: defaultdict[int | None, list[Node]] = defaultdict(list)
    for level in levels[1:]:
        for mission in level:
            below[mission.parent_id].append(nodes[mission.pk])
    for pk in opened:
        nodes[pk].children = below[pk]
    return Tree([nodes[m.pk] for m in top], Expansion(len(levels), shown, held_back))


def _view_links(request: HttpRequest) -> dict[str, str]:
    """This page's address in each view, with its filters and page."""
    query = request.GET.copy()
    query.pop("view", None)
    rest = query.urlencode()
    return {LIST: f"?{rest}", MAP: "?view=map" + (f"&{rest}" if rest else "")}


def _tree(request: OrgRequest, view: str) -> dict[str, Any]:
    """The top missions, a page of them, opened by "Expand all" when it was asked for."""
    top: Page = Paginator(selectors.cascade_roots(actor=actor_of(request)), TOP_PAGE).get_page(
        request.GET.get("page")
    )
    if request.GET.get("expand") == "all":
        tree = expand(list(top), per_branch=per_branch(view))
    else:
        tree = Tree(_nodes(top))
    return {"page": top, "nodes": tree.nodes, "expansion": tree.expansion}


@org_view
@require_safe
def cascade(request: OrgRequest) -> HttpResponse:
    """The vision at the root, the organisation missions under it; or a filtered list."""
    actor = actor_of(request)
    view = view_of(request)
    form = CascadeFilterForm(request.GET or None, organisation=actor.organisation)
    context: dict = {
        "vision": selectors.vision_of(organisation=actor.organisation),
        "form": form,
        "can_create_top": can(actor, Action.CREATE_TOP_MISSION),
        "view": view,
        "view_links": _view_links(request),
    }
    if form.is_bound and form.is_valid() and form.has_filters():
        matches = selectors.cascade_search(actor=actor, **form.cleaned_data)
        page = selectors.search_page(matches, request.GET.get("page"))
        context.update(
            page=page,
            results=_nodes(page),
            trails=selectors.ancestor_titles(missions=list(page)),
        )
    else:
        context.update(_tree(request, view))
        if request.htmx and not request.htmx.boosted:
            return render(request, "missions/partials/cascade_tree.html", context)
    return render(request, "missions/cascade.html", context)


@org_view
@require_safe
def cascade_children(request: OrgRequest, pk: int) -> HttpResponse:
    """One branch, opened: a page of the children of a mission (htmx partial, or a page
    without JS), in the list's or the map's page size."""
    mission = get_mission_for(request, pk)
    view = view_of(request)
    page = Paginator(selectors.cascade_children(mission=mission), per_branch(view)).get_page(
        request.GET.get("page")
    )
    context = {
        "parent": mission,
        "nodes": _nodes(page),
        "page": page,
        "view": view,
        "view_links": _view_links(request),
        "more": page.paginator.count - page.end_index() if page.has_next() else 0,
        "next_page": page.next_page_number() if page.has_next() else None,
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "missions/partials/cascade_items.html", context)
    return render(request, "missions/cascade_branch.html", context)
