"""Pickers for the organisation's teams and members (a team's parent and leader, an
invitation's team, a member's team): what they suggest, what the forms accept by name, and a
People page whose size does not grow with the number of teams."""

from __future__ import annotations

import pytest

from kernel.models import Invitation, Membership, Team
from tests.missions.factories import TeamFactory

pytestmark = pytest.mark.django_db

TEAMS = "/o/acme/pick/teams/"
MEMBERS = "/o/acme/pick/members/"


def test_teams_are_suggested_by_part_of_their_name_starting_ones_first(world, client) -> None:
    TeamFactory(organisation=world.organisation, name="Night operations", parent=world.team)
    TeamFactory(organisation=world.other_organisation, name="Operations elsewhere")
    client.force_login(world.staff)
    html = client.get(TEAMS, {"q": "operat"}).content.decode()
    assert html.index("Operations") < html.index("Night operations")
    assert "elsewhere" not in html  # another organisation's team is never offered
    assert 'role="option"' in html and "under Board" in html


def test_members_are_suggested_to_those_who_manage_people_only(world, client) -> None:
    world.lead.first_name, world.lead.last_name, world.lead.email = "Lee", "Adams", "lee@acme.org"
    world.lead.save()
    client.force_login(world.org_admin)
    html = client.get(MEMBERS, {"q": "ada"}).content.decode()
    assert "Lee Adams" in html and "lee@acme.org" in html and 'data-value="lead"' in html
    assert "outsider" not in client.get(MEMBERS, {"q": "out"}).content.decode()
    client.force_login(world.staff)
    assert client.get(MEMBERS, {"q": "ada"}).status_code == 403


def test_a_team_is_added_with_its_parent_and_leader_typed_by_name(world, client) -> None:
    world.lead.first_name, world.lead.last_name = "Lee", "Adams"
    world.lead.save()
    client.force_login(world.org_admin)
    response = client.post(
        "/o/acme/people/",
        {"team-name": "Pharmacy", "team-parent": "operations", "team-leader": "lee adams"},
    )
    assert response.status_code == 302
    pharmacy = Team.objects.get(name="Pharmacy")
    assert pharmacy.parent == world.team and pharmacy.leader == world.lead


def test_an_ambiguous_leader_is_refused_and_keeps_what_was_typed(world, client) -> None:
    for user in (world.lead, world.staff):  # two members of the same name
        user.first_name, user.last_name = "Lee", "Adams"
        user.save()
    client.force_login(world.org_admin)
    response = client.post(
        "/o/acme/people/",
        {"team-name": "Pharmacy", "team-parent": "Operations", "team-leader": "Lee Adams"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Several members have that name: choose one from the list." in html
    assert 'value="Pharmacy"' in html and 'value="Operations"' in html
    assert 'value="Lee Adams"' in html
    assert not Team.objects.filter(name="Pharmacy").exists()


def test_an_invitation_takes_its_team_by_name_or_by_the_pickers_number(world, client) -> None:
    client.force_login(world.org_admin)
    for emails, team in (("a@acme.org", "Operations"), ("b@acme.org", str(world.team.pk))):
        response = client.post(
            "/o/acme/people/",
            {"invite-emails": emails, "invite-role": "staff", "invite-team": team},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Invitation.objects.get(email=emails).team == world.team
    response = client.post(
        "/o/acme/people/",
        {"invite-emails": "c@acme.org", "invite-role": "staff", "invite-team": "Nowhere"},
    )
    assert response.status_code == 400
    assert "No team of this organisation has that name or number." in response.content.decode()


def test_a_members_team_shows_by_name_and_changes_by_name(world, client) -> None:
    membership = Membership.objects.get(organisation=world.organisation, user=world.staff)
    client.force_login(world.org_admin)
    url = f"/o/acme/people/{membership.pk}/"
    html = client.get(url).content.decode()
    assert 'value="Operations"' in html and 'role="combobox"' in html
    response = client.post(url, {"role": "staff", "team": "board", "job_title": "Nurse"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.team == world.top_team and membership.job_title == "Nurse"


def test_the_people_page_lists_no_team_in_its_forms(
    world, client, django_assert_max_num_queries
) -> None:
    """Its forms pick teams by typing: 300 more teams add no <option> and no query."""
    client.force_login(world.org_admin)
    few = client.get("/o/acme/people/").content.decode()
    Team.objects.bulk_create(
        Team(organisation=world.organisation, name=f"Ward {i}", path="") for i in range(300)
    )
    with django_assert_max_num_queries(20):
        many = client.get("/o/acme/people/").content.decode()
    assert many.count("<option") == few.count("<option") < 20
