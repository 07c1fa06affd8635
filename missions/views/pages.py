"""The organisation's home, its vision, notifications, and the landing page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from kernel.models import Notification
from kernel.notifications import CENTRE_VIEWS, notification_centre, notifications_mark_read
from kernel.permissions import Action, Actor, can, require
from kernel.types import OrgRequest, User
from kernel.web import actor_of, org_view
from reviews.health import with_health
from reviews.selectors import reviews_due_for

from .. import selectors, services
from ..forms import VisionForm


@login_required
@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """Send the user to their organisation, or let them pick one."""
    user = request.user
    assert isinstance(user, User), "login_required lets in signed-in people only"
    organisations = list(selectors.organisations_of(user=user))
    if len(organisations) == 1:
        return redirect("missions:home", org=organisations[0].slug)
    return render(request, "missions/organisation_list.html", {"organisations": organisations})


HOME_LIST = 10  # home's own missions and due reviews; My work and the reviews page list all


@org_view
@require_safe
def home(request: OrgRequest) -> HttpResponse:
    """Vision, CEO's intent, the top missions and the user's own missions and reviews."""
    actor = actor_of(request)
    # One more than shown, to know whether there are more: those are one link away.
    mine = list(with_health(selectors.missions_owned_by(actor=actor))[: HOME_LIST + 1])
    due = list(reviews_due_for(actor=actor)[: HOME_LIST + 1])
    context = {
        "vision": selectors.vision_of(organisation=actor.organisation),
        # Each with its health, computed in the same query (``reviews.health``).
        "top_missions": with_health(selectors.top_missions(actor=actor)),
        "my_missions": mine[:HOME_LIST],
        "more_missions": len(mine) > HOME_LIST,
        "due_reviews": due[:HOME_LIST],
        "more_reviews": len(due) > HOME_LIST,
        "can_edit_vision": can(actor, Action.EDIT_VISION),
        "onboarding": _onboarding(actor),
    }
    return render(request, "missions/home.html", context)


def _onboarding(actor: Actor) -> list[dict[str, object]] | None:
    """The getting-started checklist, for the organisation's admins, until every step is done."""
    if not can(actor, Action.MANAGE_ORGANISATION):
        return None
    steps = selectors.onboarding_steps(organisation=actor.organisation)
    return None if all(step["done"] for step in steps) else steps


@org_view
@require_http_methods(["GET", "POST"])
def vision(request: OrgRequest) -> HttpResponse:
    """Everyone reads the vision; leaders of the top team write it."""
    actor = actor_of(request)
    current = selectors.vision_of(organisation=actor.organisation)
    may_edit = can(actor, Action.EDIT_VISION)
    editing = may_edit and (request.method == "POST" or "edit" in request.GET or current is None)
    form = None
    if editing:
        form = VisionForm(request.POST or None, instance=current)
    if request.method == "POST":
        require(actor, Action.EDIT_VISION)
        if form is not None and form.is_valid():
            services.vision_update(
                organisation=actor.organisation, data=form.cleaned_data, by=request.user
            )
            messages.success(request, "The vision is saved.")
            return redirect("missions:vision", org=actor.organisation.slug)
    context = {"vision": current, "form": form, "can_edit": may_edit}
    return render(
        request, "missions/vision.html", context, status=400 if form and form.errors else 200
    )


@org_view
@require_http_methods(["GET", "POST"])
def notifications(request: OrgRequest) -> HttpResponse:
    """The notification centre: unread, to do, done or all, of one kind or every kind; POST
    marks the given notifications read, or all of them."""
    actor = actor_of(request)
    if request.method == "POST":
        notifications_mark_read(actor=actor, ids=request.POST.getlist("id"))
        return redirect(request.get_full_path())
    show = request.GET.get("show", "all")
    show = show if show in CENTRE_VIEWS else "all"
    kind = request.GET.get("kind", "")
    kind = kind if kind in Notification.Kind.values else ""
    rows = notification_centre(actor=actor, show=show, kind=kind)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show": show,
        "kind": kind,
        "views": [(key, label) for key, (label, _) in CENTRE_VIEWS.items()],
        "kinds": Notification.Kind.choices,
    }
    return render(request, "missions/notifications.html", context)


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and compose health checks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
