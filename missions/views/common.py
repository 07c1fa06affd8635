"""What the missions pages share: the request they get, and object look-ups through the
permission module."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from kernel.permissions import Action, require
from kernel.types import OrgRequest
from kernel.web import actor_of

from ..models import Mission


def get_mission_for(request: OrgRequest, pk: int, action: Action = Action.VIEW) -> Mission:
    """The mission of this organisation, if the actor may do ``action`` to it (404 / 403)."""
    actor = actor_of(request)
    mission = get_object_or_404(
        Mission.objects.select_related(
            "organisation",
            "owner_team__leader",
            "owner_user",
            "parent__owner_team",
            "parent__owner_user",
            "period",
        ),
        pk=pk,
        organisation=actor.organisation,
    )
    mission.organisation = actor.organisation
    require(actor, action, mission)
    return mission
