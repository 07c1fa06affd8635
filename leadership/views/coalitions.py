"""Coalitions under ``/o/<org>/``: the organisation's coalitions and invitations, and a
coalition's page as its members share it. Every permission comes from ``kernel.permissions``,
every write from ``leadership.services``, and every read of a partner from
``leadership.selectors`` (in the members' scope, ``leadership.sharing``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kernel.errors import StateConflict
from kernel.forms import save_through_with_status
from kernel.permissions import Action, can, require
from kernel.types import OrgRequest
from kernel.web import org_view

from .. import selectors, services
from ..forms import (
    CoalitionForm,
    CoalitionInviteForm,
    CoalitionLinkForm,
    CoalitionMissionForm,
    ContributionAnswerForm,
    ContributionOfferForm,
)
from ..models import Coalition, Contribution


def _coalition_for(request: OrgRequest, pk: int, action: Action = Action.VIEW) -> Coalition:
    """The coalition, if shared with the organisation (404 otherwise) and the actor may."""
    coalition = get_object_or_404(Coalition, pk=pk)
    require(request.actor, action, coalition)
    return coalition


def _contribution_for(request: OrgRequest, pk: int, action: Action) -> Contribution:
    contribution = selectors.contribution_for(actor=request.actor, pk=pk)
    if contribution is None:
        raise Http404("No such contribution.")
    require(request.actor, action, contribution)
    return contribution


@require_http_methods(["GET", "POST"])
@org_view
def coalitions(request: OrgRequest) -> HttpResponse:
    """The organisation's coalitions and invitations; POST forms a new one."""
    actor = request.actor
    form = CoalitionForm(request.POST or None) if actor.leads_organisation else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        coalition, status = save_through_with_status(
            form, lambda data: services.coalition_form(actor=actor, data=data)
        )
        if coalition is not None:
            messages.success(request, "Coalition formed. Invite the organisations to join it.")
            return redirect(coalition.url_for(actor.organisation))
    context = {"places": selectors.coalitions_of(organisation=actor.organisation), "form": form}
    return render(request, "leadership/coalitions.html", context, status=status)


def _page(
    request: OrgRequest, coalition: Coalition, *, status: int = 200, **forms: Any
) -> HttpResponse:
    actor = request.actor
    page = selectors.coalition_page(actor=actor, coalition=coalition)
    leads = can(actor, Action.LEAD_COALITION, coalition)
    active = coalition.status_of(actor.organisation.pk) == Coalition.ACTIVE
    context = {
        "coalition": coalition,
        "page": page,
        "leads": leads,
        "joins": can(actor, Action.JOIN_COALITION, coalition),
        "invite_form": forms.get("invite_form") or CoalitionInviteForm(),
        "mission_form": forms.get("mission_form") or CoalitionMissionForm(),
        "offer_form": (
            forms.get("offer_form")
            or ContributionOfferForm(actor=actor, missions=[m.mission for m in page.missions])
        )
        if active and page.missions
        else None,
        "link_form": forms.get("link_form")
        or CoalitionLinkForm(own=page.own_aligned, others=page.others_aligned)
        if page.own_aligned and page.others_aligned
        else None,
        "answer_form": ContributionAnswerForm(),
        "learning_groups": selectors.coalition_learning_groups(actor=actor, coalition=coalition),
    }
    return render(request, "leadership/coalition.html", context, status=status)


@require_http_methods(["GET"])
@org_view
def coalition(request: OrgRequest, pk: int) -> HttpResponse:
    return _page(request, _coalition_for(request, pk))


@require_http_methods(["GET", "POST"])
@org_view
def coalition_edit(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    coalition = _coalition_for(request, pk, Action.LEAD_COALITION)
    form = CoalitionForm(request.POST or None, instance=coalition)
    status = 200
    if request.method == "POST":
        saved, status = save_through_with_status(
            form,
            lambda data: services.coalition_update(actor=actor, coalition=coalition, data=data),
        )
        if saved is not None:
            messages.success(request, "Saved.")
            return redirect(coalition.url_for(actor.organisation))
    context = {"coalition": coalition, "form": form}
    return render(request, "leadership/coalition_form.html", context, status=status)


@require_POST
@org_view
def coalition_invite(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    coalition = _coalition_for(request, pk, Action.LEAD_COALITION)
    form = CoalitionInviteForm(request.POST)
    row, status = save_through_with_status(
        form,
        lambda data: services.coalition_invite(
            actor=actor, coalition=coalition, address=data["address"]
        ),
    )
    if row is None:
        return _page(request, coalition, status=status, invite_form=form)
    messages.success(request, f"Invited: {row.member.name}'s leaders are asked to answer.")
    return redirect(coalition.url_for(actor.organisation))


def _button(
    request: OrgRequest, coalition: Coalition, act: Callable[[], Any], done: str
) -> HttpResponse:
    """A button of the coalition's page: a refusal is said above the page again, 409 when the
    state refused it, else 400."""
    try:
        act()
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
        status = 409 if isinstance(refusal, StateConflict) else 400
        if not can(request.actor, Action.VIEW, coalition):
            return redirect("leadership:coalitions", org=request.actor.organisation.slug)
        return _page(request, coalition, status=status)
    messages.success(request, done)
    if can(request.actor, Action.VIEW, coalition):
        return redirect(coalition.url_for(request.actor.organisation))
    return redirect("leadership:coalitions", org=request.actor.organisation.slug)


@require_POST
@org_view
def coalition_answer(request: OrgRequest, pk: int) -> HttpResponse:
    """Join (``join=1``) or decline (``join=0``) the coalition an organisation is invited to."""
    actor = request.actor
    coalition = _coalition_for(request, pk)
    join = request.POST.get("join", "1") != "0"
    return _button(
        request,
        coalition,
        lambda: services.coalition_answer(actor=actor, coalition=coalition, join=join),
        f"Your organisation joined “{coalition.name}”." if join else "Invitation declined.",
    )


@require_POST
@org_view
def coalition_leave(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    coalition = _coalition_for(request, pk, Action.LEAD_COALITION)
    return _button(
        request,
        coalition,
        lambda: services.coalition_leave(actor=actor, coalition=coalition),
        f"Your organisation left “{coalition.name}”; your missions are as they were.",
    )


@require_POST
@org_view
def coalition_mission_add(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    coalition = _coalition_for(request, pk, Action.LEAD_COALITION)
    form = CoalitionMissionForm(request.POST)
    mission, status = save_through_with_status(
        form,
        lambda data: services.coalition_mission_write(actor=actor, coalition=coalition, data=data),
    )
    if mission is None:
        return _page(request, coalition, status=status, mission_form=form)
    messages.success(request, "Mission added: members can now offer their missions to it.")
    return redirect(f"{coalition.url_for(actor.organisation)}#coalition-mission-{mission.pk}")


@require_POST
@org_view
def contribution_offer(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    coalition = _coalition_for(request, pk)
    missions = list(coalition.missions.all())
    form = ContributionOfferForm(request.POST, actor=actor, missions=missions)
    offered, status = save_through_with_status(
        form,
        lambda data: services.contribution_offer(
            actor=actor,
            coalition_mission=data["coalition_mission"],
            mission=data["mission"],
            how=data["how"],
        ),
    )
    if offered is None:
        return _page(request, coalition, status=status, offer_form=form)
    messages.success(request, "Offered: the other members' leaders are asked to align it.")
    return redirect(coalition.url_for(actor.organisation))


@require_POST
@org_view
def contribution_answer(request: OrgRequest, pk: int) -> HttpResponse:
    """Align (``align=1``) or decline (``align=0``, with a comment) another member's offer."""
    actor = request.actor
    contribution = _contribution_for(request, pk, Action.VIEW)
    coalition = contribution.coalition_mission.coalition
    require(actor, Action.ALIGN, contribution)
    form = ContributionAnswerForm(request.POST)
    align = request.POST.get("align", "1") != "0"
    answered, status = save_through_with_status(
        form,
        lambda data: services.contribution_answer(
            actor=actor, contribution=contribution, align=align, comment=data["answer"]
        ),
    )
    if answered is None:
        for error in [*form.errors.get("answer", []), *form.non_field_errors()]:
            messages.error(request, str(error))
        return _page(request, coalition, status=status)
    messages.success(request, "Aligned." if align else "Declined; the member is told why.")
    return redirect(coalition.url_for(actor.organisation))


@require_POST
@org_view
def contribution_withdraw(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    contribution = _contribution_for(request, pk, Action.EDIT)
    coalition = contribution.coalition_mission.coalition
    return _button(
        request,
        coalition,
        lambda: services.contribution_withdraw(actor=actor, contribution=contribution),
        "Withdrawn.",
    )


@require_POST
@org_view
def coalition_link_add(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    coalition = _coalition_for(request, pk)
    page = selectors.coalition_page(actor=actor, coalition=coalition)
    form = CoalitionLinkForm(request.POST, own=page.own_aligned, others=page.others_aligned)
    link, status = save_through_with_status(
        form,
        lambda data: services.coalition_link(
            actor=actor,
            contribution=data["contribution"],
            depends_on=data["depends_on"],
            description=data["description"],
        ),
    )
    if link is None:
        return _page(request, coalition, status=status, link_form=form)
    messages.success(request, "Noted: the members see what your contribution needs.")
    return redirect(f"{coalition.url_for(actor.organisation)}#links-heading")
