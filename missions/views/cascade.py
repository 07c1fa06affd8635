"""The cascade as a tree: top missions first, each branch loaded when it is opened."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kernel.permissions import Action, can
from kernel.types import OrgRequest
from kernel.web import actor_of, org_view
from reviews.health import health_figures

from .. import selectors
from ..forms import CascadeFilterForm
from .common import get_mission_for

BRANCH_PAGE = 100  # children shown per opened branch; "Show more" loads the next ones


def _nodes(missions: list) -> list[dict]:
    """Each mission with its KPI figures and health: two queries for the whole list."""
    figures = health_figures(missions)
    return [{"mission": m, "figures": figures[m.pk]} for m in missions]


@org_view
@require_safe
def cascade(request: OrgRequest) -> HttpResponse:
    """The vision at the root, the organisation missions under it; or a filtered list."""
    actor = actor_of(request)
    form = CascadeFilterForm(request.GET or None, organisation=actor.organisation)
    context: dict = {
        "vision": selectors.vision_of(organisation=actor.organisation),
        "form": form,
        "can_create_top": can(actor, Action.CREATE_TOP_MISSION),
    }
    if form.is_bound and form.is_valid() and form.has_filters():
        matches = selectors.cascade_search(actor=actor, **form.cleaned_data)
        page = Paginator(matches, 50).get_page(request.GET.get("page"))
        context.update(
            page=page,
            results=_nodes(list(page)),
            trails=selectors.ancestor_titles(missions=list(page)),
        )
    else:
        context["nodes"] = _nodes(list(selectors.cascade_roots(actor=actor)))
    return render(request, "missions/cascade.html", context)


@org_view
@require_safe
def cascade_children(request: OrgRequest, pk: int) -> HttpResponse:
    """One branch, opened: the children of a mission (htmx partial, or a page without JS)."""
    mission = get_mission_for(request, pk)
    page = Paginator(selectors.cascade_children(mission=mission), BRANCH_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"parent": mission, "nodes": _nodes(list(page)), "page": page}
    if request.htmx and not request.htmx.boosted:
        return render(request, "missions/partials/cascade_nodes.html", context)
    return render(request, "missions/cascade_branch.html", context)
