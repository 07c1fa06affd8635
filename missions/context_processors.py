from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kernel.permissions import Action, can

from .selectors import unread_count


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
            "unread": unread_count(actor=actor),
        },
    }
