"""The suggestions of the type-ahead pickers (static/js/combobox.js): small HTML fragments of
options, one endpoint per kind of choice. What they offer is what the forms accept
(``selectors.pickers``); a member sees only their organisation's missions and people."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kernel import pickers
from kernel.permissions import Action, Actor, require
from kernel.types import OrgRequest
from kernel.validators import parse_id
from kernel.web import actor_of, org_view

from .. import selectors
from ..models import Mission
from .common import get_mission_for

OPTIONS = "missions/partials/pick_options.html"


def _mission_of_query(request: OrgRequest) -> Mission | None:
    """The mission of ``?for=`` (the one the choice is for), if one is named; 404 otherwise."""
    pk = parse_id(request.GET.get("for"))
    return get_mission_for(request, pk) if pk else None


def _owner_scope(request: OrgRequest) -> tuple[Actor, Mission | None, Mission | None]:
    """For the owner pickers of the mission form (``?purpose=owner``): the parent and the
    mission edited, read as the form's pages read them (``?for=``: the mission edited, which
    one may edit; else ``?parent=``: the parent of a new one, which one may write under)."""
    actor = actor_of(request)
    pk = parse_id(request.GET.get("for"))
    if pk:
        current = get_mission_for(request, pk, Action.EDIT)
        return actor, current.parent, current
    pk = parse_id(request.GET.get("parent"))
    return actor, get_mission_for(request, pk, Action.CREATE_CHILD) if pk else None, None


def _team_given(request: OrgRequest) -> int | None:
    """The team of ``?team=``: its number, or its exact name (an owner team typed or picked
    on the page that writes a mission shows its name)."""
    text = request.GET.get("team") or ""
    pk = parse_id(text)
    if pk or not text.strip():
        return pk
    found = pickers.teams_named(organisation=actor_of(request).organisation, text=text)
    return found[0].pk if len(found) == 1 else None


@org_view
@require_safe
def pick_missions(request: OrgRequest) -> HttpResponse:
    """Missions to ask or offer support, or to move a KPI or key task to (``?purpose=move``:
    only those one may edit); the likely ones first."""
    near = _mission_of_query(request)
    missions = selectors.mission_suggestions(
        actor=actor_of(request),
        q=request.GET.get("q", ""),
        near=near,
        editable=request.GET.get("purpose") == "move",
    )
    options = [
        {"value": m.pk, "label": m.title, "detail": f"{m.owner_display} · #{m.pk}"}
        for m in missions
    ]
    return render(request, OPTIONS, {"options": options, "kind": "mission"})


@org_view
@require_safe
def pick_people(request: OrgRequest) -> HttpResponse:
    """People who may own a key task of ``?for=`` (a mission), or of a mission being written
    for ``?team=`` (its owner team, on the page that writes it); with ``?purpose=owner``,
    people who may own the mission itself (``selectors.mission_owner_people``, as the form);
    with ``?purpose=member``, any member of the organisation (a stakeholder, a plan's owner)."""
    q = request.GET.get("q", "")
    people: list[Any]
    if request.GET.get("purpose") == "member":
        organisation = actor_of(request).organisation
        return _people_options(request, pickers.member_suggestions(organisation=organisation, q=q))
    if request.GET.get("purpose") == "owner":
        actor, parent, current = _owner_scope(request)
        among = selectors.mission_owner_people(actor=actor, parent=parent, current=current)
        people = pickers.member_suggestions(organisation=actor.organisation, q=q, among=among)
        return _people_options(request, people)
    mission = _mission_of_query(request)
    if mission is None:
        team = _team_given(request)
        mission = Mission(organisation=actor_of(request).organisation, owner_team_id=team)
    people = (
        selectors.person_suggestions(mission=mission, q=q)
        if mission.owner_user_id or mission.owner_team_id
        else []
    )
    return _people_options(request, people)


def _people_options(request: OrgRequest, people: list[Any]) -> HttpResponse:
    options = [
        {
            "value": person.get_username(),
            "label": person.get_full_name() or person.get_username(),
            "detail": person.get_username(),
        }
        for person in people
    ]
    return render(request, OPTIONS, {"options": options, "kind": "person"})


@org_view
@require_safe
def pick_teams(request: OrgRequest) -> HttpResponse:
    """Teams of the organisation (a parent team, an invitation's or a member's team); with
    ``?purpose=owner``, the teams that may own the mission of the form
    (``selectors.mission_owner_teams``, as the form)."""
    actor, among = actor_of(request), None
    if request.GET.get("purpose") == "owner":
        actor, parent, current = _owner_scope(request)
        among = selectors.mission_owner_teams(actor=actor, parent=parent, current=current)
    teams = pickers.team_suggestions(
        organisation=actor.organisation, q=request.GET.get("q", ""), among=among
    )
    options = [
        {
            "value": team.pk,
            "label": team.name,
            "detail": f"under {team.parent.name}" if team.parent else "top team",
        }
        for team in teams
    ]
    return render(request, OPTIONS, {"options": options, "kind": "team"})


@org_view
@require_safe
def pick_members(request: OrgRequest) -> HttpResponse:
    """Members of the organisation (a team's leader): for those who manage its people only,
    as the forms that receive the choice are theirs."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    people = pickers.member_suggestions(organisation=actor.organisation, q=request.GET.get("q", ""))
    options = [
        {
            "value": person.get_username(),
            "label": person.get_full_name() or person.get_username(),
            "detail": person.email or person.get_username(),
        }
        for person in people
    ]
    return render(request, OPTIONS, {"options": options, "kind": "member"})
