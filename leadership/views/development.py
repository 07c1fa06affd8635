"""Development plans under ``/o/<org>/development/``: one's own plan and those of the people
one leads or coaches, each with its goals on the four themes, evidence, the recognition received
for each goal's behaviour, and reviews held with the person's leader or coach. Every
permission comes from ``kernel.permissions``; every write from ``leadership.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kernel.forms import save_through
from kernel.permissions import Action, abilities, can, require
from kernel.types import OrgRequest
from kernel.web import org_view

from .. import selectors, services
from ..behaviours import THEMES
from ..forms import AskReviewForm, AspirationForm, DevelopmentReviewForm, EvidenceForm, GoalForm
from ..models import DevelopmentGoal, DevelopmentPlan

PLAN_ACTIONS = {
    "edit": Action.EDIT,
    "note": Action.WRITE_NOTE,
    "review": Action.REVIEW_DEVELOPMENT,
}


def _plan_for(request: OrgRequest, pk: int) -> DevelopmentPlan:
    """A plan the actor may read; 404 for anyone else (admins included: it is personal)."""
    plan = get_object_or_404(
        DevelopmentPlan.objects.select_related("organisation", "person", "review_asked_of"),
        pk=pk,
        organisation=request.organisation,
    )
    if not can(request.actor, Action.VIEW, plan):
        raise Http404
    return plan


@require_http_methods(["GET"])
@org_view
def development(request: OrgRequest) -> HttpResponse:
    """One's own plan (started the first time), and the plans of the people one supports."""
    actor = request.actor
    plan = services.development_plan_of(actor=actor)
    context = {
        "plan": plan,
        "goal_count": plan.goals.count(),
        "supported": selectors.development_plans_supported(actor=actor),
    }
    return render(request, "leadership/development.html", context)


def _plan_page(
    request: OrgRequest, plan: DevelopmentPlan, *, status: int = 200, **posted: Any
) -> HttpResponse:
    actor = request.actor
    may = abilities(actor, plan, PLAN_ACTIONS)
    page = selectors.development_plan_page(plan=plan, actor=actor)
    evidence_forms = posted.pop("evidence_forms", {})
    context = {
        "plan": plan,
        "may": may,
        **page,
        "goals": [
            (g, evidence_forms.get(g.pk) or EvidenceForm(goal_id=g.pk)) for g in page["goals"]
        ],
        "themes": [label for label, _ in THEMES.values()],
        "aspiration_form": posted.pop("aspiration_form", None)
        or (AspirationForm(instance=plan) if may["edit"] else None),
        "goal_form": posted.pop("goal_form", None) or (GoalForm() if may["edit"] else None),
        "ask_form": posted.pop("ask_form", None)
        or (
            AskReviewForm(reviewers=selectors.development_reviewers(plan=plan))
            if may["edit"]
            else None
        ),
        "review_form": posted.pop("review_form", None)
        or (DevelopmentReviewForm() if may["review"] else None),
        **posted,
    }
    return render(request, "leadership/development_plan.html", context, status=status)


@require_http_methods(["GET", "POST"])
@org_view
def development_plan(request: OrgRequest, pk: int) -> HttpResponse:
    """A plan; POST (its person) writes where they want to grow."""
    plan = _plan_for(request, pk)
    if request.method == "GET":
        return _plan_page(request, plan)
    actor = request.actor
    require(actor, Action.EDIT, plan)
    form = AspirationForm(request.POST, instance=plan)
    if save_through(
        form, lambda data: services.development_plan_update(actor=actor, plan=plan, data=data)
    ):
        messages.success(request, "Saved.")
        return redirect(plan.get_absolute_url())
    return _plan_page(request, plan, status=400, aspiration_form=form)


@require_POST
@org_view
def development_goal_add(request: OrgRequest, pk: int) -> HttpResponse:
    actor = request.actor
    plan = _plan_for(request, pk)
    require(actor, Action.EDIT, plan)
    form = GoalForm(request.POST)
    goal = save_through(
        form, lambda data: services.development_goal_add(actor=actor, plan=plan, data=data)
    )
    if goal is None:
        return _plan_page(request, plan, status=400, goal_form=form)
    messages.success(request, "Goal added.")
    return redirect(f"{plan.get_absolute_url()}#goal-{goal.pk}")


def _goal_for(request: OrgRequest, pk: int) -> DevelopmentGoal:
    goal = get_object_or_404(
        DevelopmentGoal.objects.select_related("plan__organisation", "plan__person"),
        pk=pk,
        organisation=request.organisation,
    )
    _plan_for(request, goal.plan_id)  # 404 unless the actor may read its plan
    return goal


@require_http_methods(["GET", "POST"])
@org_view
def development_goal_edit(request: OrgRequest, pk: int) -> HttpResponse:
    """Its person changes a goal: words, actions, date, achieved or set aside."""
    actor = request.actor
    goal = _goal_for(request, pk)
    require(actor, Action.EDIT, goal.plan)
    form = GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and save_through(
        form, lambda data: services.development_goal_update(actor=actor, goal=goal, data=data)
    ):
        messages.success(request, "Saved.")
        return redirect(f"{goal.plan.get_absolute_url()}#goal-{goal.pk}")
    status = 400 if form.is_bound and form.errors else 200
    context = {"goal": goal, "plan": goal.plan, "form": form}
    return render(request, "leadership/development_goal_form.html", context, status=status)


@require_POST
@org_view
def development_evidence_add(request: OrgRequest, pk: int) -> HttpResponse:
    """The person, their leader or their coach notes evidence of a goal's behaviour."""
    actor = request.actor
    goal = _goal_for(request, pk)
    require(actor, Action.WRITE_NOTE, goal.plan)
    form = EvidenceForm(request.POST, goal_id=goal.pk)
    if save_through(
        form, lambda data: services.development_evidence_add(actor=actor, goal=goal, data=data)
    ):
        messages.success(request, "Evidence noted.")
        return redirect(f"{goal.plan.get_absolute_url()}#goal-{goal.pk}")
    return _plan_page(request, goal.plan, status=400, evidence_forms={goal.pk: form})


@require_POST
@org_view
def development_review_ask(request: OrgRequest, pk: int) -> HttpResponse:
    """The person asks their leader or a coach to review the plan with them."""
    actor = request.actor
    plan = _plan_for(request, pk)
    require(actor, Action.EDIT, plan)
    form = AskReviewForm(request.POST, reviewers=selectors.development_reviewers(plan=plan))
    asked = save_through(
        form,
        lambda data: services.development_review_ask(
            actor=actor, plan=plan, reviewer=data["reviewer"]
        ),
    )
    if asked is None:
        return _plan_page(request, plan, status=400, ask_form=form)
    reviewer = asked.review_asked_of
    name = reviewer.get_full_name() or reviewer.get_username()
    messages.success(request, f"{name} is asked to review your plan with you.")
    return redirect(plan.get_absolute_url())


@require_POST
@org_view
def development_review_hold(request: OrgRequest, pk: int) -> HttpResponse:
    """The person's leader or coach records the review held with them."""
    actor = request.actor
    plan = _plan_for(request, pk)
    require(actor, Action.REVIEW_DEVELOPMENT, plan)
    form = DevelopmentReviewForm(request.POST)
    if save_through(
        form, lambda data: services.development_review_hold(actor=actor, plan=plan, data=data)
    ):
        messages.success(request, "Review recorded; the person is told.")
        return redirect(f"{plan.get_absolute_url()}#reviews")
    return _plan_page(request, plan, status=400, review_form=form)
