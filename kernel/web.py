"""What every organisation page shares: the organisation and the actor, resolved once."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from rest_framework.request import Request

from missionlead.timezones import activate as activate_time_zone

from .models import Organisation
from .permissions import Actor, actor_for
from .tenancy import tenant_scope
from .types import OrgRequest, User

View = Callable[..., HttpResponseBase]  # a page, or a streamed export


def org_view(view: View) -> View:
    """Resolve ``/o/<org>/`` to ``request.organisation`` and ``request.actor``; 404 outsiders.

    The view receives an ``OrgRequest``: a signed-in member's request (``login_required`` lets
    no one else in, and ``actor_for`` no outsider), with the two attributes set here."""

    @login_required
    @wraps(view)
    def wrapper(request: OrgRequest, org: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        organisation = get_object_or_404(Organisation, slug=org)
        actor = actor_for(request.user, organisation)
        if actor is None:
            raise Http404("No such organisation.")
        request.organisation, request.actor = organisation, actor
        if not getattr(request, "time_zone_chosen", False):
            activate_time_zone(organisation.time_zone)  # the person has not chosen their own
        # The page's queries run in one transaction that row-level security limits to this
        # organisation (kernel.tenancy): a query that forgets its filter finds nothing else.
        with tenant_scope([organisation.pk]):
            return view(request, *args, **kwargs)

    return wrapper


def actor_of(request: OrgRequest) -> Actor:
    return request.actor


def signed_in_user(request: HttpRequest | Request) -> User:
    """The person of a request that only signed-in people reach (``login_required``, the
    admin, an API view with ``IsAuthenticated``); ``PermissionDenied`` should anyone else
    get there."""
    user = request.user
    if not isinstance(user, User):  # anonymous: never, behind those doors
        raise PermissionDenied
    return user
