from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kernel.models import Membership
from kernel.notifications import nav_counts
from kernel.permissions import Action, can

Role = Membership.Role


def organisation(request: HttpRequest) -> dict[str, Any]:
    """The organisation, the user's standing in it and what the navigation needs.

    Set by ``views.org_view``; pages outside an organisation get nothing (and no query).
    """
    actor = getattr(request, "actor", None)
    if actor is None:
        return {"organisation": None, "actor": None}
    return {
        "organisation": actor.organisation,
        "actor": actor,
        "nav": {
            "dashboard": can(actor, Action.VIEW_DASHBOARD),
            "people": can(actor, Action.MANAGE_ORGANISATION),
            "coaching": actor.is_coach,
            # Leaders read their weekly brief; anyone may open theirs (reviews:brief).
            "brief": can(actor, Action.VIEW_BRIEF)
            and (bool(actor.led_team_ids) or actor.role == Role.LEADER),
            # "todo": the length of My work's inbox; "unread": the notifications not read.
            **nav_counts(actor=actor),
        },
    }
