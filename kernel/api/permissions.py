"""The API's bridge to ``kernel.permissions``: the same rules as the pages, not a copy."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from ..models import Organisation
from ..permissions import Action, Actor, actor_for, can

# How a viewset action maps onto a permission action for an existing object.
OBJECT_ACTIONS = {
    "retrieve": Action.VIEW,
    "tree": Action.VIEW,
    "update": Action.EDIT,
    "partial_update": Action.EDIT,
    "destroy": Action.ARCHIVE,
    "propose": Action.PROPOSE,
    "align": Action.ALIGN,
    "send_back": Action.ALIGN,
}


def request_actor(request: Request, organisation: Organisation) -> Actor | None:
    """The caller's ``Actor`` in an organisation, cached on the request."""
    cache: dict[int, Actor | None] = request.__dict__.setdefault("_actors", {})
    if organisation.pk not in cache:
        cache[organisation.pk] = actor_for(request.user, organisation)
    return cache[organisation.pk]


def organisation_of(obj: Any) -> Organisation:
    """The organisation an object belongs to (querysets select it, so no extra query)."""
    if isinstance(obj, Organisation):
        return obj
    if hasattr(obj, "organisation_id"):
        return obj.organisation
    return obj.mission.organisation


class ActorPermission(permissions.BasePermission):
    """Object permissions from ``kernel.permissions.can``; outsiders get 404, members 403."""

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        actor = request_actor(request, organisation_of(obj))
        if actor is None:
            raise Http404
        # A viewset's action (None for a method it does not map); DRF's APIView has none.
        name: str = getattr(view, "action", None) or ""
        action = getattr(view, "permission_actions", {}).get(name) or OBJECT_ACTIONS.get(
            name, Action.EDIT
        )
        return can(actor, action, obj)


def require_api(request: Request, action: Action, obj: Any) -> Actor:
    """For creates: the same check as the pages, answering 404 or 403 the DRF way."""
    from rest_framework.exceptions import NotFound, PermissionDenied

    actor = request_actor(request, organisation_of(obj))
    if actor is None:
        raise NotFound
    if not can(actor, action, obj):
        raise PermissionDenied
    return actor
