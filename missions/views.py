"""Browser views of the missions app: thin, each asks missions.permissions first."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from reviews.selectors import reviews_due_for

from . import selectors
from .models import Organisation
from .permissions import Action, actor_for, can

View = Callable[..., HttpResponse]


def org_view(view: View) -> View:
    """Resolve ``/o/<org>/`` to ``request.organisation`` and ``request.actor``; 404 outsiders."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, org: str, *args: Any, **kwargs: Any) -> HttpResponse:
        organisation = get_object_or_404(Organisation, slug=org)
        actor = actor_for(request.user, organisation)
        if actor is None:
            raise Http404("No such organisation.")
        request.organisation, request.actor = organisation, actor  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Send the user to their organisation, or let them pick one."""
    organisations = list(selectors.organisations_of(user=request.user))
    if len(organisations) == 1:
        return redirect("missions:home", org=organisations[0].slug)
    return render(request, "missions/organisation_list.html", {"organisations": organisations})


@org_view
def home(request: HttpRequest) -> HttpResponse:
    """Vision, CEO's intent, the top missions and the user's own missions."""
    actor = request.actor  # type: ignore[attr-defined]
    context = {
        "vision": selectors.vision_of(organisation=actor.organisation),
        "top_missions": selectors.top_missions(actor=actor),
        "my_missions": selectors.missions_owned_by(actor=actor),
        "due_reviews": reviews_due_for(actor=actor),
        "can_edit_vision": can(actor, Action.EDIT_VISION),
    }
    return render(request, "missions/home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and compose health checks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
