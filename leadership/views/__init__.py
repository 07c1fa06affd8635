"""The leadership pages under ``/o/<org>/``: a person's influence page (their own stakeholder
map and the plans they own), a mission's stakeholder map, and each stakeholder with its
plan, contacts and history. Every permission comes from ``kernel.permissions``; every write
from ``leadership.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kernel.errors import StateConflict
from kernel.forms import save_through
from kernel.models import Team
from kernel.permissions import Action, can, can_keep_stakeholder_map, require
from kernel.types import OrgRequest
from kernel.web import org_view
from missions.models import Mission
from missions.views.common import get_mission_for
from missions.views.mission import render_mission_page

from .. import grid, selectors, services, sharing
from ..forms import (
    AnswerForm,
    ChallengeForm,
    ContactForm,
    LearningGroupForm,
    NoteForm,
    RecognitionForm,
    SessionForm,
    StakeholderForm,
)
from ..models import LearningGroup, PriorityChallenge, Stakeholder


def _stakeholder_for(request: OrgRequest, pk: int) -> Stakeholder:
    """A stakeholder the actor may read; 404 for anyone else (its existence is not theirs
    to know)."""
    stakeholder = get_object_or_404(
        Stakeholder.objects.select_related(
            "organisation", "mission__owner_team", "mission__parent", "member", "plan_owner"
        ),
        pk=pk,
        organisation=request.organisation,
    )
    if not can(request.actor, Action.VIEW, stakeholder):
        raise Http404
    return stakeholder


def _map_context(stakeholders: list[Stakeholder], uid: str) -> dict[str, Any]:
    return {
        "stakeholders": stakeholders,
        "grid": grid.influence_interest_grid(stakeholders, uid=uid),
        "today": timezone.localdate(),
    }


def _add(request: OrgRequest, form: StakeholderForm, mission: Mission | None) -> bool:
    """Save the form's stakeholder through the service; False with the errors on the form."""
    stakeholder = save_through(
        form,
        lambda data: services.stakeholder_create(actor=request.actor, mission=mission, data=data),
    )
    if stakeholder is None:
        return False
    messages.success(request, f"{stakeholder.display_name} is on the map.")
    return True


@require_http_methods(["GET", "POST"])
@org_view
def influence(request: OrgRequest) -> HttpResponse:
    """The person's own stakeholder map, the plans they own with the contacts due, and a form
    to map someone."""
    actor = request.actor
    form = StakeholderForm(request.POST or None, organisation=actor.organisation)
    if request.method == "POST" and _add(request, form, None):
        return redirect("leadership:influence", org=actor.organisation.slug)
    own = list(selectors.map_of(organisation=actor.organisation, leader=actor.user))
    plans = list(selectors.plans_of(actor=actor)[: selectors.MAP_LIMIT])
    context = {**_map_context(own, "own-map"), "plans": plans, "form": form}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "leadership/influence.html", context, status=status)


@require_http_methods(["GET", "POST"])
@org_view
def mission_map(request: OrgRequest, pk: int) -> HttpResponse:
    """A mission's stakeholder map: its keepers (whoever may edit the mission) read it and
    add to it."""
    actor = request.actor
    mission = get_object_or_404(
        Mission.objects.select_related("owner_team", "parent"),
        pk=pk,
        organisation=actor.organisation,
    )
    if not can_keep_stakeholder_map(actor, mission):
        raise PermissionDenied
    form = StakeholderForm(request.POST or None, organisation=actor.organisation)
    if request.method == "POST" and _add(request, form, mission):
        return redirect("leadership:mission-map", org=actor.organisation.slug, pk=mission.pk)
    stakeholders = list(
        selectors.map_of(organisation=actor.organisation, mission=mission)[: selectors.MAP_LIMIT]
    )
    context = {**_map_context(stakeholders, "mission-map"), "mission": mission, "form": form}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "leadership/mission_map.html", context, status=status)


def _stakeholder_page(
    request: OrgRequest, stakeholder: Stakeholder, contact_form: ContactForm | None = None
) -> HttpResponse:
    actor = request.actor
    may_log = can(actor, Action.LOG_CONTACT, stakeholder)
    if contact_form is None and may_log:
        contact_form = ContactForm(stakeholder=stakeholder)
    context = {
        "stakeholder": stakeholder,
        "contacts": selectors.contacts_of(stakeholder=stakeholder),
        "history": selectors.stakeholder_history(stakeholder=stakeholder),
        "contact_form": contact_form if may_log else None,
        "may_edit": can(actor, Action.EDIT, stakeholder),
        "today": timezone.localdate(),
    }
    status = 400 if contact_form is not None and contact_form.errors else 200
    return render(request, "leadership/stakeholder.html", context, status=status)


@require_http_methods(["GET"])
@org_view
def stakeholder(request: OrgRequest, pk: int) -> HttpResponse:
    return _stakeholder_page(request, _stakeholder_for(request, pk))


@require_http_methods(["GET", "POST"])
@org_view
def stakeholder_edit(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    stakeholder = _stakeholder_for(request, pk)
    require(actor, Action.EDIT, stakeholder)
    form = StakeholderForm(
        request.POST or None, instance=stakeholder, organisation=actor.organisation
    )
    if request.method == "POST" and save_through(
        form,
        lambda data: services.stakeholder_update(actor=actor, stakeholder=stakeholder, data=data),
    ):
        messages.success(request, "Saved.")
        return redirect(stakeholder.get_absolute_url())
    status = 400 if form.is_bound and form.errors else 200
    context = {"stakeholder": stakeholder, "form": form}
    return render(request, "leadership/stakeholder_form.html", context, status=status)


@require_POST
@org_view
def contact_create(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    stakeholder = _stakeholder_for(request, pk)
    require(actor, Action.LOG_CONTACT, stakeholder)
    form = ContactForm(request.POST, stakeholder=stakeholder)
    if save_through(
        form, lambda data: services.contact_log(actor=actor, stakeholder=stakeholder, data=data)
    ):
        messages.success(request, "Contact logged.")
        return redirect(stakeholder.get_absolute_url())
    return _stakeholder_page(request, stakeholder, form)


@require_POST
@org_view
def stakeholder_remove(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    stakeholder = _stakeholder_for(request, pk)
    require(actor, Action.ARCHIVE, stakeholder)
    mission_id, name = stakeholder.mission_id, stakeholder.display_name
    services.stakeholder_remove(actor=actor, stakeholder=stakeholder)
    messages.success(request, f"{name} is off the map.")
    if mission_id is not None:
        return redirect("leadership:mission-map", org=actor.organisation.slug, pk=mission_id)
    return redirect("leadership:influence", org=actor.organisation.slug)


# --- "Be brave": challenges to priorities, on the mission page ------------------------------


@require_POST
@org_view
def challenge_create(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    mission = get_mission_for(request, pk)
    require(actor, Action.CHALLENGE, mission)
    form = ChallengeForm(request.POST, mission=mission, actor=actor)
    challenge = save_through(
        form, lambda data: services.challenge_raise(actor=actor, mission=mission, data=data)
    )
    if challenge is None:
        return render_mission_page(request, mission, status=400, challenge_form=form)
    messages.success(request, "Your challenge is raised; it waits for an answer.")
    return redirect(f"{mission.get_absolute_url()}#challenge-{challenge.pk}")


@require_POST
@org_view
def challenge_answer(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    challenge = get_object_or_404(
        PriorityChallenge.objects.select_related(
            "mission__parent__owner_team", "mission__owner_team"
        ),
        pk=pk,
        organisation=actor.organisation,
    )
    require(actor, Action.ANSWER_CHALLENGE, challenge)
    form = AnswerForm(request.POST, challenge_id=challenge.pk)
    mission = challenge.mission
    if save_through(
        form,
        lambda data: services.challenge_answer(actor=actor, challenge=challenge, data=data),
    ):
        messages.success(request, "Answered. The person who raised it is told.")
        return redirect(f"{mission.get_absolute_url()}#challenge-{challenge.pk}")
    challenge.refresh_from_db()
    if not challenge.is_open:  # answered by someone else a moment ago: said above the page
        messages.error(request, " ".join(str(error) for error in form.non_field_errors()))
        return render_mission_page(request, mission, status=409)
    return render_mission_page(request, mission, status=400, answer_forms={challenge.pk: form})


# --- Action learning groups: a safe space, read by their members only -----------------------


def _group_for(request: OrgRequest, pk: int, action: Action = Action.VIEW) -> LearningGroup:
    """A group the actor is in (of their organisation, or open to a coalition of theirs);
    404 for anyone else, leaders and admins included."""
    group = selectors.learning_group_for(actor=request.actor, pk=pk)
    if group is None or not can(request.actor, action, group):
        raise Http404
    return group


@require_http_methods(["GET", "POST"])
@org_view
def learning(request: OrgRequest) -> HttpResponse:
    """The person's action learning groups, and a form to start one."""
    actor = request.actor
    form = LearningGroupForm(request.POST or None, organisation=actor.organisation)
    if request.method == "POST":
        group = save_through(
            form, lambda data: services.learning_group_create(actor=actor, data=data)
        )
        if group is not None:
            messages.success(request, f"“{group.name}” is started. Only its people read it.")
            return redirect("leadership:learning-group", org=actor.organisation.slug, pk=group.pk)
    context = {"groups": selectors.learning_groups_of(actor=actor), "form": form}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "leadership/learning.html", context, status=status)


def _group_page(
    request: OrgRequest, group: LearningGroup, *, status: int = 200, **posted: Any
) -> HttpResponse:
    actor = request.actor
    may_plan = can(actor, Action.EDIT, group)
    posted_notes = posted.pop("note_forms", {})
    sessions = [
        (s, posted_notes.get(s.pk) or NoteForm(session_id=s.pk))
        for s in selectors.learning_sessions_of(group=group)
    ]
    context = {
        "group": group,
        "sessions": sessions,
        "may_plan": may_plan,
        "session_form": posted.pop("session_form", None) or (SessionForm() if may_plan else None),
        **posted,
    }
    return render(request, "leadership/learning_group.html", context, status=status)


@require_http_methods(["GET"])
@org_view
def learning_group(request: OrgRequest, pk: int) -> HttpResponse:
    return _group_page(request, _group_for(request, pk))


@require_http_methods(["GET", "POST"])
@org_view
def learning_group_edit(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    group = _group_for(request, pk)
    require(actor, Action.EDIT, group)
    form = LearningGroupForm(request.POST or None, organisation=actor.organisation, group=group)
    if request.method == "POST" and save_through(
        form, lambda data: services.learning_group_update(actor=actor, group=group, data=data)
    ):
        messages.success(request, "Saved.")
        return redirect("leadership:learning-group", org=actor.organisation.slug, pk=group.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"group": group, "form": form}
    return render(request, "leadership/learning_group_form.html", context, status=status)


@require_POST
@org_view
def learning_group_join(request: OrgRequest, pk: int) -> HttpResponse:
    """Join a group open to a coalition of the organisation, from the coalition's page."""
    actor = request.actor
    group = _group_for(request, pk, Action.TAKE_PART)
    try:
        services.learning_group_join(actor=actor, group=group)
    except StateConflict as conflict:
        messages.error(request, conflict.messages[0])
        if group.coalition is None:
            raise Http404 from None
        return redirect(group.coalition.url_for(actor.organisation))
    messages.success(request, f"You are in “{group.name}”. Only its people read it.")
    return redirect("leadership:learning-group", org=actor.organisation.slug, pk=group.pk)


@require_POST
@org_view
def learning_group_leave(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    group = _group_for(request, pk)
    try:
        services.learning_group_leave(actor=actor, group=group)
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
        return _group_page(request, group, status=400)
    messages.success(request, f"You left “{group.name}”.")
    return redirect("leadership:learning", org=actor.organisation.slug)


@require_POST
@org_view
def learning_session_create(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    group = _group_for(request, pk)
    require(actor, Action.EDIT, group)
    form = SessionForm(request.POST)
    if save_through(
        form,
        lambda data: services.learning_session_create(actor=actor, group=group, data=data),
    ):
        messages.success(request, "Session added.")
        return redirect("leadership:learning-group", org=actor.organisation.slug, pk=group.pk)
    return _group_page(request, group, status=400, session_form=form)


@require_POST
@org_view
def session_note_create(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    group_id = sharing.group_id_of_session(pk)
    if group_id is None:
        raise Http404
    group = _group_for(request, group_id)
    session = next((s for s in selectors.learning_sessions_of(group=group) if s.pk == pk), None)
    if session is None:
        raise Http404
    form = NoteForm(request.POST, session_id=session.pk)
    if save_through(
        form,
        lambda data: services.session_note_write(actor=actor, session=session, body=data["body"]),
    ):
        messages.success(request, "Note kept. Only the group's people read it.")
        return redirect(
            reverse(
                "leadership:learning-group", kwargs={"org": actor.organisation.slug, "pk": group.pk}
            )
            + f"#session-{session.pk}"
        )
    return _group_page(request, group, status=400, note_forms={session.pk: form})


# --- Peer recognition -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@org_view
def recognition(request: OrgRequest) -> HttpResponse:
    """Recognise a colleague; the recognition one received, gave, and (for leaders and
    coaches) of the people one leads or coaches; and which themes one's team is recognised
    for, without names."""
    actor = request.actor
    form = RecognitionForm(request.POST or None, organisation=actor.organisation)
    if request.method == "POST":
        given = save_through(form, lambda data: services.recognition_give(actor=actor, data=data))
        if given is not None:
            name = given.receiver.get_full_name() or given.receiver.get_username()
            messages.success(request, f"{name} is told. Thank you for saying it.")
            return redirect("leadership:recognition", org=actor.organisation.slug)
    team = Team.objects.filter(pk=actor.team_id).first() if actor.team_id else None
    context = {
        "form": form,
        **selectors.recognitions_for(actor=actor),
        "team": team,
        "themes": selectors.themes_lived(team_id=team.pk) if team else [],
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "leadership/recognition.html", context, status=status)
