"""Development plans on the four behaviour themes: a person's own, read by them, the leader of
their team and their coach (nobody else, admins included); goals and evidence; recognition
for a goal's behaviour shown as evidence; a review asked of the leader waits in their inbox
until it is held."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kernel.models import Notification
from kernel.permissions import Action, actor_for, can
from leadership import services
from leadership.models import DevelopmentPlan, DevelopmentReview
from reviews.inbox import inbox_sweep_organisation
from reviews.models import CoachingNote

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
GOAL = {
    "behaviour": "communicating_with_impact",
    "goal": "Say the one thing the board must decide, in the first minute.",
    "actions": "Write the ask first\nRehearse with a peer",
}


def actor(world, user):
    return actor_for(user, world.organisation)


def staff_plan(world) -> DevelopmentPlan:
    plan = services.development_plan_of(actor=actor(world, world.staff))
    services.development_plan_update(
        actor=actor(world, world.staff), plan=plan, data={"aspiration": "Lead a ward team."}
    )
    return plan


def asked(user):
    return Notification.objects.filter(
        recipient=user, kind="development_review", done_at__isnull=True
    )


def test_a_plan_is_read_by_its_person_their_leader_and_their_coach_only(world) -> None:
    plan = staff_plan(world)
    readers = {
        u.username
        for u in (world.staff, world.lead, world.coach, world.leader, world.org_admin)
        if can(actor(world, u), Action.VIEW, plan)
    }
    assert readers == {"staff", "lead", "coach"}
    assert can(actor(world, world.staff), Action.EDIT, plan)
    assert not can(actor(world, world.lead), Action.EDIT, plan)
    assert can(actor(world, world.lead), Action.REVIEW_DEVELOPMENT, plan)
    assert not can(actor(world, world.staff), Action.REVIEW_DEVELOPMENT, plan)
    # One plan per person: asking again returns the same one.
    assert services.development_plan_of(actor=actor(world, world.staff)) == plan


def test_goals_evidence_and_recognition_as_evidence(world) -> None:
    plan = staff_plan(world)
    goal = services.development_goal_add(actor=actor(world, world.staff), plan=plan, data=GOAL)
    assert goal.theme == "inspiring"
    with pytest.raises(PermissionDenied):
        services.development_goal_add(actor=actor(world, world.lead), plan=plan, data=GOAL)
    with pytest.raises(ValidationError):
        services.development_goal_add(
            actor=actor(world, world.staff), plan=plan, data={**GOAL, "behaviour": "juggling"}
        )
    services.development_evidence_add(
        actor=actor(world, world.lead),
        goal=goal,
        data={"observed_on": TODAY, "note": "Opened the bed-state briefing with the decision."},
    )
    told = Notification.objects.get(recipient=world.staff, kind="development_news")
    assert "noted evidence of communicating with impact" in told.message
    with pytest.raises(ValidationError):  # not ahead of today
        services.development_evidence_add(
            actor=actor(world, world.staff),
            goal=goal,
            data={"observed_on": TODAY + dt.timedelta(days=1), "note": "Tomorrow."},
        )
    services.recognition_give(
        actor=actor(world, world.leader),
        data={"receiver": world.staff, "behaviour": "communicating_with_impact", "story": "Clear."},
    )
    from leadership.selectors import development_plan_page

    [shown] = development_plan_page(plan=plan, actor=actor(world, world.staff))["goals"]
    assert [e.note for e in shown.evidence.all()] == [
        "Opened the bed-state briefing with the decision."
    ]
    assert [r.story for r in shown.recognitions] == ["Clear."]


def test_a_review_asked_waits_in_the_inbox_until_it_is_held(world) -> None:
    plan = staff_plan(world)
    with pytest.raises(ValidationError):  # the CEO does not lead staff's team
        services.development_review_ask(
            actor=actor(world, world.staff), plan=plan, reviewer=world.leader
        )
    services.development_review_ask(actor=actor(world, world.staff), plan=plan, reviewer=world.lead)
    [item] = asked(world.lead)
    assert item.url == plan.get_absolute_url()
    # Asked of the coach instead: the item moves.
    services.development_review_ask(
        actor=actor(world, world.staff), plan=plan, reviewer=world.coach
    )
    assert not asked(world.lead).exists() and asked(world.coach).count() == 1
    inbox_sweep_organisation(world.organisation, only=["development"])
    assert asked(world.coach).count() == 1  # the sweep agrees
    services.development_review_hold(
        actor=actor(world, world.coach),
        plan=plan,
        data={"held_on": TODAY, "note": "Two goals; the board paper in March."},
    )
    assert not asked(world.coach).exists()
    plan.refresh_from_db()
    assert plan.review_asked_of is None
    assert DevelopmentReview.objects.get().reviewer == world.coach
    inbox_sweep_organisation(world.organisation, only=["development"])
    assert not asked(world.coach).exists()


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_pages_and_the_coaching_notes_link(world) -> None:
    staff = browser(world.staff)
    page = staff.get(reverse("leadership:development", kwargs={"org": "acme"}))
    assert page.status_code == 200 and "Start your development plan" in page.content.decode()
    plan = DevelopmentPlan.objects.get(person=world.staff)
    goals = reverse("leadership:development-goal", kwargs={"org": "acme", "pk": plan.pk})
    assert staff.post(goals, {"behaviour": "", "goal": ""}).status_code == 400
    answer = staff.post(goals, {**GOAL, "status": "active"})
    assert answer.status_code == 302
    assert browser(world.leader).get(plan.get_absolute_url()).status_code == 404
    assert browser(world.org_admin).get(plan.get_absolute_url()).status_code == 404
    lead_page = browser(world.lead).get(plan.get_absolute_url()).content.decode()
    assert "Say the one thing the board must decide" in lead_page
    assert "Record a review held" in lead_page and "Add a goal" not in lead_page
    assert browser(world.lead).post(goals, GOAL).status_code == 403
    # The coach's notes about staff link to staff's plan, and staff's to their own.
    CoachingNote.objects.create(
        organisation=world.organisation, coach=world.coach, coachee=world.staff, body="Brave."
    )
    coaching = reverse("dashboards:coaching", kwargs={"org": "acme"})
    assert plan.get_absolute_url() in browser(world.coach).get(coaching).content.decode()
    assert plan.get_absolute_url() in staff.get(coaching).content.decode()


def test_the_api(world) -> None:
    staff, lead = APIClient(), APIClient()
    staff.force_authenticate(world.staff)
    lead.force_authenticate(world.lead)
    answer = staff.post(
        "/api/v1/development-plans/",
        {"organisation": world.organisation.pk, "aspiration": "Lead a ward team."},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    plan = answer.json()["id"]
    goal = staff.post(f"/api/v1/development-plans/{plan}/goals/", GOAL, format="json")
    assert goal.status_code == 201 and goal.json()["theme"] == "inspiring"
    goal_id = goal.json()["id"]
    assert lead.post(f"/api/v1/development-plans/{plan}/goals/", GOAL).status_code == 403
    changed = staff.patch(
        f"/api/v1/development-plans/{plan}/goals/{goal_id}/", {"status": "achieved"}
    )
    assert changed.status_code == 200 and changed.json()["status"] == "achieved"
    evidence = lead.post(
        f"/api/v1/development-plans/{plan}/evidence/",
        {"goal": goal_id, "observed_on": TODAY.isoformat(), "note": "Clear ask."},
    )
    assert evidence.status_code == 201, evidence.json()
    ask = staff.post(f"/api/v1/development-plans/{plan}/ask-review/", {"reviewer": world.lead.pk})
    assert ask.status_code == 200 and ask.json()["review_asked_of"] == world.lead.pk
    review = lead.post(
        f"/api/v1/development-plans/{plan}/reviews/",
        {"held_on": TODAY.isoformat(), "note": "Agreed."},
    )
    assert review.status_code == 201
    assert not asked(world.lead).exists()
    others = APIClient()
    others.force_authenticate(world.org_admin)
    assert others.get(f"/api/v1/development-plans/{plan}/").status_code == 404
    assert [p["id"] for p in lead.get("/api/v1/development-plans/").json()["results"]] == [plan]


def test_a_plans_page_costs_the_same_for_one_goal_or_ten(
    world, django_assert_max_num_queries
) -> None:
    plan = staff_plan(world)

    def goals(n: int) -> None:
        for _ in range(n):
            goal = services.development_goal_add(
                actor=actor(world, world.staff), plan=plan, data=GOAL
            )
            services.development_evidence_add(
                actor=actor(world, world.lead),
                goal=goal,
                data={"observed_on": TODAY, "note": "Seen."},
            )

    goals(1)
    lead = browser(world.lead)
    lead.get(plan.get_absolute_url())
    with django_assert_max_num_queries(100) as few:
        lead.get(plan.get_absolute_url())
    goals(9)
    with django_assert_max_num_queries(len(few.captured_queries)):
        lead.get(plan.get_absolute_url())
