"""The idea exchange under ``/o/<org>/``: the organisation's innovation challenges, a
challenge with its ideas, an idea with its comments and supporters, and taking an idea
forward as a key task or a mission. Every permission comes from ``kernel.permissions``; every
write from ``leadership.services``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kernel.errors import StateConflict
from kernel.forms import save_through_with_status
from kernel.permissions import Action, abilities, can, require
from kernel.types import OrgRequest
from kernel.web import org_view
from measures.missions import mission_create_with_first_steps
from missions.forms import KeyTaskForm
from missions.views.common import get_mission_for
from missions.views.mission import mission_form_page

from .. import selectors, services
from ..forms import IdeaCommentForm, IdeaForm, InnovationChallengeForm
from ..models import Idea, InnovationChallenge

CHALLENGE_ACTIONS = {"take_part": Action.TAKE_PART, "edit": Action.EDIT}
IDEA_ACTIONS = {
    "take_part": Action.TAKE_PART,
    "edit": Action.EDIT,
    "choose": Action.CHOOSE_IDEAS,
}


def _challenge_for(request: OrgRequest, pk: int) -> InnovationChallenge:
    return get_object_or_404(
        InnovationChallenge.objects.select_related(
            "organisation", "mission__owner_team", "mission__parent", "opened_by"
        ),
        pk=pk,
        organisation=request.organisation,
    )


def _idea_for(request: OrgRequest, pk: int) -> Idea:
    return get_object_or_404(
        Idea.objects.select_related(
            "organisation",
            "challenge__organisation",
            "challenge__mission__owner_team",
            "challenge__mission__parent",
            "key_task",
            "child_mission",
            "submitted_by",
        ).prefetch_related("authors"),
        pk=pk,
        organisation=request.organisation,
    )


@require_http_methods(["GET"])
@org_view
def innovation(request: OrgRequest) -> HttpResponse:
    """The organisation's innovation challenges: those taking ideas first."""
    organisation = request.actor.organisation
    page = Paginator(selectors.innovation_challenges(organisation=organisation), 20)
    challenges = page.get_page(request.GET.get("page"))
    return render(request, "leadership/innovation.html", {"challenges": challenges})


@require_http_methods(["GET", "POST"])
@org_view
def innovation_open(request: OrgRequest, pk: int) -> HttpResponse:
    """Open a challenge on a mission: for whoever may edit the mission."""
    actor = request.actor
    mission = get_mission_for(request, pk, Action.EDIT)
    form = InnovationChallengeForm(request.POST or None, organisation=actor.organisation)
    if request.method == "POST":
        challenge, status = save_through_with_status(
            form, lambda data: services.innovation_open(actor=actor, mission=mission, data=data)
        )
        if challenge is not None:
            messages.success(request, "The challenge is open: the people invited are told.")
            return redirect(challenge.get_absolute_url())
    else:
        status = 200
    context = {"mission": mission, "form": form}
    return render(request, "leadership/innovation_form.html", context, status=status)


def _challenge_page(
    request: OrgRequest,
    challenge: InnovationChallenge,
    idea_form: IdeaForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    may = abilities(actor, challenge, CHALLENGE_ACTIONS)
    if idea_form is None and may["take_part"]:
        idea_form = IdeaForm(organisation=actor.organisation)
    ideas = list(selectors.ideas_of(challenge=challenge)[: selectors.IDEAS_LIMIT])
    context = {
        "challenge": challenge,
        "ideas": ideas,
        "invited": list(challenge.teams.order_by("name")),
        "may": may,
        "may_choose": can(actor, Action.CHOOSE_IDEAS, challenge),
        "idea_form": idea_form if may["take_part"] else None,
    }
    return render(request, "leadership/innovation_challenge.html", context, status=status)


@require_http_methods(["GET", "POST"])
@org_view
def innovation_challenge(request: OrgRequest, pk: int) -> HttpResponse:
    """A challenge and its ideas; POST submits an idea (for those it invites, while open)."""
    actor = request.actor
    challenge = _challenge_for(request, pk)
    if request.method == "GET":
        return _challenge_page(request, challenge)
    require(actor, Action.TAKE_PART, challenge)
    form = IdeaForm(request.POST, organisation=actor.organisation)
    idea, status = save_through_with_status(
        form, lambda data: services.idea_submit(actor=actor, challenge=challenge, data=data)
    )
    if idea is None:
        return _challenge_page(request, challenge, form, status=status)
    messages.success(request, "Your idea is in. Colleagues can now support it and comment.")
    return redirect(idea.get_absolute_url())


@require_POST
@org_view
def innovation_close(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    challenge = _challenge_for(request, pk)
    require(actor, Action.EDIT, challenge)
    try:
        services.innovation_close(actor=actor, challenge=challenge)
    except StateConflict as conflict:
        messages.error(request, conflict.messages[0])
        return _challenge_page(request, challenge, status=409)
    messages.success(request, "Closed: no more ideas. Shortlist and take ideas forward.")
    return redirect(challenge.get_absolute_url())


def _idea_page(request: OrgRequest, idea: Idea, *, status: int = 200, **forms: Any) -> HttpResponse:
    actor = request.actor
    may = abilities(actor, idea, IDEA_ACTIONS)
    context = {
        "idea": idea,
        "challenge": idea.challenge,
        "authors": list(idea.authors.all()),
        "may": may,
        "open": idea.challenge.accepts_ideas(),
        "comment_form": forms.get("comment_form") or IdeaCommentForm(),
        "task_form": forms.get("task_form") or _task_form(idea),
        "may_write_mission": can(actor, Action.CREATE_CHILD, idea.challenge.mission),
        **selectors.idea_page(idea=idea, actor=actor),
    }
    return render(request, "leadership/idea.html", context, status=status)


def _task_form(idea: Idea, data: Any = None) -> KeyTaskForm:
    """The key task an idea becomes: its title to start with, on the challenge's mission."""
    form = KeyTaskForm(
        data, prefix="task", mission=idea.challenge.mission, initial={"title": idea.title}
    )
    del form.fields["status"]  # a new key task starts to do
    return form


@require_http_methods(["GET"])
@org_view
def idea(request: OrgRequest, pk: int) -> HttpResponse:
    return _idea_page(request, _idea_for(request, pk))


@require_http_methods(["GET", "POST"])
@org_view
def idea_edit(request: OrgRequest, pk: int) -> HttpResponse:
    """Its authors reword an idea until it is taken forward."""
    actor = request.actor
    idea = _idea_for(request, pk)
    require(actor, Action.EDIT, idea)
    form = IdeaForm(request.POST or None, instance=idea, organisation=actor.organisation)
    status = 200
    if request.method == "POST":
        saved, status = save_through_with_status(
            form, lambda data: services.idea_update(actor=actor, idea=idea, data=data)
        )
        if saved is not None:
            messages.success(request, "Saved.")
            return redirect(idea.get_absolute_url())
    context = {"idea": idea, "form": form}
    return render(request, "leadership/idea_form.html", context, status=status)


def _idea_button(
    request: OrgRequest, idea: Idea, act: Callable[[], Any], done: str
) -> HttpResponse:
    """A button of the idea's page: ``act`` (a service); a refusal is said above the page
    again, 409 when the idea's state refused it, else 400."""
    try:
        act()
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
        status = 409 if isinstance(refusal, StateConflict) else 400
        return _idea_page(request, idea, status=status)
    messages.success(request, done)
    return redirect(idea.get_absolute_url())


@require_POST
@org_view
def idea_support(request: OrgRequest, pk: int) -> HttpResponse:
    """Support an idea, or (``support=0``) take one's support back."""
    actor = request.actor
    idea = _idea_for(request, pk)
    require(actor, Action.TAKE_PART, idea)
    support = request.POST.get("support", "1") != "0"
    return _idea_button(
        request,
        idea,
        lambda: services.idea_support(actor=actor, idea=idea, support=support),
        "You support this idea." if support else "Support taken back.",
    )


@require_POST
@org_view
def idea_comment(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    idea = _idea_for(request, pk)
    require(actor, Action.TAKE_PART, idea)
    form = IdeaCommentForm(request.POST)
    comment, status = save_through_with_status(
        form, lambda data: services.idea_comment(actor=actor, idea=idea, body=data["body"])
    )
    if comment is None:
        return _idea_page(request, idea, status=status, comment_form=form)
    messages.success(request, "Comment added; the idea's authors are told.")
    return redirect(f"{idea.get_absolute_url()}#comment-{comment.pk}")


@require_POST
@org_view
def idea_shortlist(request: OrgRequest, pk: int) -> HttpResponse:
    """Put an idea on its challenge's shortlist, or (``shortlisted=0``) take it off."""
    actor = request.actor
    idea = _idea_for(request, pk)
    require(actor, Action.CHOOSE_IDEAS, idea)
    shortlisted = request.POST.get("shortlisted", "1") != "0"
    return _idea_button(
        request,
        idea,
        lambda: services.idea_shortlist(actor=actor, idea=idea, shortlisted=shortlisted),
        "On the shortlist." if shortlisted else "Off the shortlist.",
    )


@require_POST
@org_view
def idea_adopt_task(request: OrgRequest, pk: int) -> HttpResponse:
    """Take an idea forward as a key task of the challenge's mission."""
    actor = request.actor
    idea = _idea_for(request, pk)
    require(actor, Action.CHOOSE_IDEAS, idea)
    form = _task_form(idea, request.POST)
    adopted, status = save_through_with_status(
        form,
        lambda data: services.idea_adopt(
            actor=actor, idea=idea, make=services.key_task_from_idea(actor=actor, data=data)
        ),
    )
    if adopted is None:
        return _idea_page(request, idea, status=status, task_form=form)
    messages.success(request, "Taken forward as a key task, crediting its authors.")
    return redirect(f"{idea.challenge.mission.get_absolute_url()}#key-task-{adopted.key_task_id}")


@require_http_methods(["GET", "POST"])
@org_view
def idea_adopt_mission(request: OrgRequest, pk: int) -> HttpResponse:
    """Take an idea forward as a mission right under the challenge's: the usual form for a
    new mission, started from the idea, saved with the link to it in one transaction."""
    actor = request.actor
    idea = _idea_for(request, pk)
    require(actor, Action.CHOOSE_IDEAS, idea)
    require(actor, Action.CREATE_CHILD, idea.challenge.mission)
    if not idea.state_allows(Action.CHOOSE_IDEAS):
        messages.info(request, "This idea has been taken forward already.")
        return redirect(idea.get_absolute_url())

    def create(**kwargs: Any) -> Any:
        adopted = services.idea_adopt(
            actor=actor,
            idea=idea,
            make=lambda _: mission_create_with_first_steps(**kwargs),
        )
        return adopted.child_mission

    return mission_form_page(
        request,
        parent=idea.challenge.mission,
        initial={"title": idea.title[:200], "statement": idea.description},
        create=create,
        context={"idea": idea, "idea_authors": list(idea.authors.all())},
    )
