"""The coach's journey: Coaching in the navigation, what needs attention in the coached teams
on My work (not "write yours", which a coach may not), and their reviews to read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kernel.models import CoachAssignment, Membership
from missions.models import Mission
from reviews.checks import run_checks
from reviews.models import Review
from tests.missions.factories import MissionFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
ME = "/o/acme/me/"


@pytest.fixture
def team_coach(world):
    """A coach of the Operations team only (the world's coach coaches everyone)."""
    coach = UserFactory(username="teamcoach")
    Membership.objects.create(organisation=world.organisation, user=coach, role=Role.COACH)
    CoachAssignment.objects.create(organisation=world.organisation, coach=coach, team=world.team)
    return coach


@pytest.fixture
def elsewhere(world):
    """A mission of another team, out of the team coach's view, with an overdue review."""
    estates = TeamFactory(organisation=world.organisation, name="Estates", parent=world.top_team)
    mission = MissionFactory(
        organisation=world.organisation,
        parent=world.org_mission,
        level=Mission.Level.TEAM,
        owner_team=estates,
        title="Estates mission",
        alignment_status="aligned",
    )
    Review.objects.create(mission=mission, due_date=timezone.localdate() - dt.timedelta(days=5))
    return mission


def test_coaching_is_in_the_navigation_of_coaches_only(world, client) -> None:
    client.force_login(world.coach)
    assert 'href="/o/acme/coaching/"' in client.get(ME).content.decode()
    client.force_login(world.staff)
    assert 'href="/o/acme/coaching/"' not in client.get(ME).content.decode()


def test_a_coachs_my_work_shows_what_needs_attention_in_the_coached_teams(
    world, client, team_coach, elsewhere, django_assert_max_num_queries
) -> None:
    Mission.objects.filter(pk=world.staff_mission.pk).update(alignment_status="aligned")
    overdue = Review.objects.create(
        mission=world.staff_mission, due_date=timezone.localdate() - dt.timedelta(days=9)
    )
    run_checks(organisation=world.organisation)  # the staff mission has no KPI: a finding
    client.force_login(team_coach)
    with django_assert_max_num_queries(20):
        html = client.get(ME).content.decode()
    section = html[html.index('id="coaching-heading"') :]
    assert "You coach" in section and "Operations" in section
    assert f'href="/o/acme/reviews/{overdue.pk}/"' in section
    assert "No measure of success" in section or "measure of success" in section.lower()
    assert "Estates mission" not in section  # not a team they coach
    assert "write yours" not in html  # a coach writes no mission


def test_a_coach_reads_the_coached_teams_reviews_and_cannot_hold_them(
    world, client, team_coach, elsewhere
) -> None:
    Mission.objects.filter(pk=world.staff_mission.pk).update(alignment_status="aligned")
    review = Review.objects.create(mission=world.staff_mission, due_date=timezone.localdate())
    client.force_login(team_coach)
    html = client.get("/o/acme/reviews/").content.decode()
    assert "the teams you coach" in html and "Open two virtual wards" in html
    assert "Estates mission" not in html
    detail = client.get(f"/o/acme/reviews/{review.pk}/")
    assert detail.status_code == 200
    assert 'name="still_aligned"' not in detail.content.decode()  # no form to hold it
    held = client.post(f"/o/acme/reviews/{review.pk}/", {"still_aligned": "true"})
    assert held.status_code == 403
    assert Review.objects.get(pk=review.pk).status == "scheduled"
