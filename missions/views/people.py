"""Teams and people, for organisation admins: the org chart, by hand or from a CSV file."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from kernel import services as kernel_services
from kernel.forms import (
    ImportForm,
    InviteForm,
    MembershipForm,
    TeamEditForm,
    TeamForm,
    save_through,
    save_versioned,
)
from kernel.models import Invitation, Membership, Team
from kernel.permissions import Action, require
from kernel.types import OrgRequest
from kernel.web import actor_of, org_view

from .. import selectors


@org_view
@require_http_methods(["GET", "POST"])
def people(request: OrgRequest) -> HttpResponse:
    """Teams, members and invitations; admins add teams and invite people here."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    organisation = actor.organisation
    team_form = TeamForm(prefix="team", organisation=organisation)
    invite_form = InviteForm(prefix="invite", organisation=organisation)
    if request.method == "POST" and "team-name" in request.POST:
        team_form = TeamForm(request.POST, prefix="team", organisation=organisation)
        if save_through(
            team_form,
            lambda d: kernel_services.team_create(organisation=organisation, by=request.user, **d),
        ):
            messages.success(request, "The team is added.")
            return redirect("missions:people", org=organisation.slug)
    elif request.method == "POST":
        invite_form = InviteForm(request.POST, prefix="invite", organisation=organisation)
        sent = save_through(
            invite_form,
            lambda d: kernel_services.invitations_create_many(
                organisation=organisation,
                emails=d["emails"],
                role=d["role"],
                team=d["team"],
                by=request.user,
            ),
        )
        if sent:
            count = len(sent)
            messages.success(request, f"{count} invitation{pluralize(count)} sent.")
            return redirect("missions:people", org=organisation.slug)
    context = {
        "teams": Paginator(selectors.teams_with_counts(organisation=organisation), 100).get_page(
            request.GET.get("teams")
        ),
        "page": Paginator(selectors.memberships_of(organisation=organisation), 50).get_page(
            request.GET.get("page")
        ),
        "invitations": selectors.open_invitations(organisation=organisation)[:200],
        "team_form": team_form,
        "invite_form": invite_form,
    }
    status = 400 if team_form.errors or invite_form.errors else 200
    return render(request, "missions/people.html", context, status=status)


@org_view
@require_http_methods(["GET", "POST"])
def membership_edit(request: OrgRequest, pk: int) -> HttpResponse:
    """Change a member's role, team or job title."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "team"), pk=pk, organisation=actor.organisation
    )
    form = MembershipForm(request.POST or None, instance=membership)
    conflict = None
    if request.method == "POST":

        def save(*, data: dict[str, Any], read_at: Any) -> Any:
            return kernel_services.membership_set(
                organisation=actor.organisation,
                user=membership.user,
                by=request.user,
                role=data["role"],
                team=data["team"],
                job_title=data["job_title"],
                read_at=read_at,
            )

        saved, conflict = save_versioned(form, save)
        if saved:
            name = membership.user.get_full_name() or membership.user
            messages.success(request, f"{name} is saved.")
            return redirect("missions:people", org=actor.organisation.slug)
    status = 409 if conflict else 400 if form.errors else 200
    context = {"form": form, "membership": membership, "conflict": conflict}
    return render(request, "missions/membership_form.html", context, status=status)


@org_view
@require_http_methods(["GET", "POST"])
def team_edit(request: OrgRequest, pk: int) -> HttpResponse:
    """Rename a team, move it under another, change its leader (``team_update``, as the
    API's PATCH); its sub-teams move with it. A save made on an older version than the one
    stored comes back (409) with the user's values, and says who changed the team when."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    team = get_object_or_404(
        Team.objects.select_related("parent", "leader"), pk=pk, organisation=actor.organisation
    )
    team.organisation = actor.organisation
    form = TeamEditForm(request.POST or None, instance=team)
    conflict = None
    if request.method == "POST":
        saved, conflict = save_versioned(
            form, partial(kernel_services.team_update, team=team, by=request.user)
        )
        if saved:
            messages.success(request, "The team is saved.")
            return redirect(
                reverse("missions:people", kwargs={"org": actor.organisation.slug}) + "#teams"
            )
    status = 409 if conflict else 400 if form.errors else 200
    return render(
        request,
        "missions/team_form.html",
        {"team": team, "form": form, "conflict": conflict},
        status=status,
    )


@org_view
@require_POST
def invitation_action(request: OrgRequest, pk: int, action: str) -> HttpResponse:
    """Resend or revoke a pending invitation."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    invitation = get_object_or_404(Invitation, pk=pk, organisation=actor.organisation)
    service = {
        "resend": kernel_services.invitation_resend,
        "revoke": kernel_services.invitation_revoke,
    }[action]
    try:
        service(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = "sent again with a new link" if action == "resend" else "revoked"
        messages.success(request, f"The invitation to {invitation.email} is {done}.")
    return redirect("missions:people", org=actor.organisation.slug)


@org_view
@require_http_methods(["GET", "POST"])
def org_chart_import(request: OrgRequest) -> HttpResponse:
    """Upload a CSV, see what it would do, then import all of it or nothing."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    form = ImportForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["content"]
        plan = kernel_services.org_chart_plan(organisation=actor.organisation, text=content)
        if "confirm" in request.POST and plan.ok:
            try:
                kernel_services.org_chart_import(
                    organisation=actor.organisation, text=content, by=request.user
                )
            except ValidationError:
                # Planned again under the organisation's lock, the file no longer fits what
                # an import a moment before stored: show the plan as it stands now.
                plan = kernel_services.org_chart_plan(organisation=actor.organisation, text=content)
                plan.file_errors.insert(
                    0, "Someone imported or changed people a moment ago; check the file again."
                )
            else:
                messages.success(request, f"Imported {len(plan.rows)} people.")
                return redirect("missions:people", org=actor.organisation.slug)
        form = ImportForm(initial={"content": content})
    status = 400 if (plan is not None and not plan.ok) or form.errors else 200
    return render(
        request, "missions/org_chart_import.html", {"form": form, "plan": plan}, status=status
    )
