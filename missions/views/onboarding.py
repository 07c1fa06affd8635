"""A new organisation's first steps, and its settings, in the browser (never the admin)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kernel import services as kernel_services
from kernel.forms import InviteForm, OrganisationSettingsForm, TeamsForm, save_through
from kernel.models import Membership
from kernel.permissions import Action, can, require
from kernel.types import OrgRequest
from kernel.web import actor_of, org_view

from .. import selectors, services
from ..forms import IntentForm


@org_view
@require_http_methods(["GET", "POST"])
def organisation_settings(request: OrgRequest) -> HttpResponse:
    """Name, review cadence, the "get real" limit, dashboard visibility, currency, time zone."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    form = OrganisationSettingsForm(request.POST or None, instance=actor.organisation)
    if request.method == "POST" and save_through(
        form,
        lambda d: kernel_services.organisation_update(
            organisation=actor.organisation, data=d, by=request.user
        ),
    ):
        messages.success(request, "The organisation's settings are saved.")
        return redirect("missions:settings", org=actor.organisation.slug)
    return render(
        request,
        "missions/organisation_settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@org_view
@require_http_methods(["GET", "POST"])
def welcome(request: OrgRequest) -> HttpResponse:
    """The onboarding: the CEO's intent, the first teams, the first invitations, then the
    first organisation mission; each step saves through the same services as the full pages."""
    actor = actor_of(request)
    require(actor, Action.MANAGE_ORGANISATION)
    organisation, user = actor.organisation, request.user
    vision = selectors.vision_of(organisation=organisation)
    step = request.POST.get("step") if request.method == "POST" else None
    intent_form = IntentForm(
        request.POST if step == "vision" else None,
        initial={"ceo_intent": vision.ceo_intent, "purpose": vision.purpose} if vision else {},
        prefix="vision",
    )
    teams_form = TeamsForm(request.POST if step == "teams" else None, prefix="teams")
    invite_form = InviteForm(
        request.POST if step == "invite" else None, prefix="invite", organisation=organisation
    )
    top_team = organisation.teams.filter(parent__isnull=True, leader=user).first()
    saves = {
        "vision": (
            intent_form,
            lambda d: services.vision_update(organisation=organisation, data=d, by=user),
            "The CEO's intent is saved.",
        ),
        "teams": (
            teams_form,
            lambda d: kernel_services.teams_create(
                organisation=organisation, names=d["names"], parent=top_team, by=user
            ),
            "The teams are added.",
        ),
        "invite": (
            invite_form,
            lambda d: kernel_services.invitations_create_many(
                organisation=organisation,
                emails=d["emails"],
                role=d["role"],
                team=d["team"],
                by=user,
            ),
            "The invitations are sent.",
        ),
    }
    if step in saves:
        form, save, done = saves[step]
        if save_through(form, save) is not None:
            messages.success(request, done)
            return redirect(f"{request.path}#{step}")
    steps = selectors.onboarding_steps(organisation=organisation)
    context = {
        "steps": steps,
        "done_count": sum(s["done"] for s in steps),
        "intent_form": intent_form,
        "teams_form": teams_form,
        "invite_form": invite_form,
        "can_write_mission": can(actor, Action.CREATE_TOP_MISSION),
        "roles": Membership.Role,
    }
    status = 400 if any(f.errors for f, _, _ in saves.values()) else 200
    return render(request, "missions/welcome.html", context, status=status)
