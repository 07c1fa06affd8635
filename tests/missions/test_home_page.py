"""The organisation home page (``/o/<org>/``) and the start page (``/``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kernel.models import Membership
from missions.models import Mission, Vision
from reviews.models import Review
from tests.conftest import TENANT_SCOPE_QUERIES
from tests.missions.factories import MissionFactory, UserFactory, align

pytestmark = pytest.mark.django_db

HOME = "/o/acme/"
# The home page, whatever the size of the organisation:
#   1 session, 2 user, 3 organisation, 4 membership, 5 teams the user leads (the actor),
#   6 vision, 7 top missions with owners, 8 my missions with owners, 9 my due reviews,
#   10 the unread notifications count in the navigation.
HOME_QUERIES = 10 + TENANT_SCOPE_QUERIES


def test_it_sends_anonymous_visitors_to_log_in(client: Any, world: Any) -> None:
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=/o/acme/" in response["Location"]


def test_it_shows_the_vision_intent_and_missions(client: Any, world: Any) -> None:
    client.force_login(world.staff)
    response = client.get(HOME)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Keep our community healthy." in page  # purpose
    assert "Care closer to home for everyone by 2031." in page  # vision
    assert "CEO's intent" in page
    assert "Shift care out of hospital without losing quality." in page
    assert "Care closer to home" in page  # top mission
    assert "Open two virtual wards" in page  # the staff member's own mission
    assert f'href="/o/acme/missions/{world.org_mission.pk}/"' in page


def test_it_shows_a_leader_the_missions_of_the_teams_they_lead(client: Any, world: Any) -> None:
    client.force_login(world.lead)
    page = client.get(HOME).content.decode()
    my_missions = page.split("My missions", 1)[1]
    assert "Community wards" in my_missions
    assert "Open two virtual wards" not in my_missions


def test_it_offers_edit_vision_only_to_who_may(client: Any, world: Any) -> None:
    client.force_login(world.leader)
    assert 'href="/o/acme/vision/?edit">Edit vision' in client.get(HOME).content.decode()
    client.force_login(world.staff)
    assert "Edit vision" not in client.get(HOME).content.decode()


def test_it_shows_an_empty_state_without_a_vision(client: Any, world: Any) -> None:
    Vision.objects.filter(organisation=world.organisation).delete()
    client.force_login(world.leader)
    page = client.get(HOME).content.decode()
    assert "No vision yet" in page
    assert "Write the vision" in page
    client.force_login(world.staff)
    page = client.get(HOME).content.decode()
    assert "No vision yet" in page
    assert "Write the vision" not in page


def test_it_shows_the_alignment_status_in_words(client: Any, world: Any) -> None:
    Mission.objects.filter(pk=world.staff_mission.pk).update(alignment_status="sent_back")
    client.force_login(world.staff)
    page = client.get(HOME).content.decode()
    assert "badge--sent-back" in page
    assert "Sent back" in page


def test_it_shows_my_due_reviews(client: Any, world: Any) -> None:
    align(world.staff_mission)  # in play: its reviews are due
    Review.objects.create(mission=world.staff_mission, due_date=timezone.localdate())
    Review.objects.create(
        mission=world.staff_mission, due_date=timezone.localdate() - dt.timedelta(days=3)
    )
    client.force_login(world.staff)
    page = client.get(HOME).content.decode()
    reviews = page.split("My due reviews", 1)[1]
    assert "Open two virtual wards" in reviews
    assert "Overdue:" in reviews


def test_it_shows_the_organisation_nav(client: Any, world: Any) -> None:
    client.force_login(world.staff)
    page = client.get(HOME).content.decode()
    for path in ("vision/", "cascade/", "me/", "reviews/", "dashboard/", "notifications/"):
        assert f'href="/o/acme/{path}"' in page
    assert 'href="/o/acme/" aria-current="page"' in page
    assert 'action="/accounts/logout/"' in page


def test_it_hides_the_organisation_from_outsiders(client: Any, world: Any) -> None:
    client.force_login(world.outsider)
    response = client.get(HOME)
    assert response.status_code == 404
    page = response.content.decode()
    assert "Acme" not in page
    assert "We can't find that page" in page


def test_it_sends_a_one_organisation_member_home(client: Any, world: Any) -> None:
    client.force_login(world.staff)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_it_lets_a_member_of_several_organisations_pick(client: Any, world: Any) -> None:
    Membership.objects.create(organisation=world.other_organisation, user=world.staff)
    client.force_login(world.staff)
    page = client.get("/").content.decode()
    assert 'href="/o/acme/"' in page
    assert 'href="/o/other/"' in page


def test_it_tells_a_newcomer_they_belong_nowhere_yet(client: Any, world: Any) -> None:
    client.force_login(UserFactory(username="newcomer"))
    response = client.get("/")
    assert response.status_code == 200
    assert "You are not a member of any organisation yet" in response.content.decode()


@pytest.mark.parametrize("more", [1, 30])
def test_it_runs_the_same_queries_however_many_missions(
    client: Any, world: Any, django_assert_max_num_queries: Any, more: int
) -> None:
    for _ in range(more):
        MissionFactory(organisation=world.organisation, level=Mission.Level.ORGANISATION)
        MissionFactory(parent=world.team_mission, level=Mission.Level.TEAM, owner_team=world.team)
    Review.objects.create(mission=world.team_mission, due_date=timezone.localdate())
    client.force_login(world.lead)
    with django_assert_max_num_queries(HOME_QUERIES):
        response = client.get(HOME)
    assert response.status_code == 200
    assert response.content.decode().count("mission-card") == 1 + more


def test_it_shows_ten_of_my_missions_and_due_reviews_and_links_to_the_rest(
    client: Any, world: Any
) -> None:
    """Someone who owns many missions: home lists ten of each, then a link to where all are
    (My work, the reviews page); with ten or fewer, no such link."""
    from missions.views.pages import HOME_LIST

    client.force_login(world.staff)
    html = client.get(HOME).content.decode()
    assert "All my missions" not in html and "All my reviews" not in html
    today = timezone.localdate()
    for n in range(HOME_LIST + 2):
        mission = MissionFactory(
            parent=world.team_mission, level="individual", owner_user=world.staff
        )
        align(mission)
        Review.objects.create(mission=mission, due_date=today + dt.timedelta(days=n % 7))
    response = client.get(HOME)
    assert len(response.context["my_missions"]) == HOME_LIST
    assert len(response.context["due_reviews"]) == HOME_LIST
    html = response.content.decode()
    assert 'href="/o/acme/me/">All my missions' in html
    assert 'href="/o/acme/reviews/">All my reviews' in html
