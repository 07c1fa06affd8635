"""Filtering and ordering the API's lists, and the owners a writer may give a mission."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from missions.models import Mission
from tests.missions.factories import MembershipFactory, MissionFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_missions_filter_by_team_owner_parent_level_and_status(world) -> None:
    client = client_for(world.staff)
    get = lambda query: set(ids(client.get(f"/api/v1/missions/?{query}")))  # noqa: E731
    # ?team: the team's own missions and those of the people in it.
    assert get(f"team={world.team.pk}") == {world.team_mission.pk, world.staff_mission.pk}
    assert get(f"team={world.top_team.pk}") == {world.org_mission.pk}
    # ?owner: in person, or as the leader of the owning team.
    assert get(f"owner={world.lead.pk}") == {world.team_mission.pk}
    assert get(f"owner={world.staff.pk}") == {world.staff_mission.pk}
    assert get(f"parent={world.team_mission.pk}") == {world.staff_mission.pk}
    assert get("parent__isnull=true") == {world.org_mission.pk}
    assert get("level=individual") == {world.staff_mission.pk}
    assert get(f"organisation={world.organisation.pk}&status=active") == {
        world.org_mission.pk,
        world.team_mission.pk,
        world.staff_mission.pk,
    }
    # Another organisation's id matches nothing; it is not an error that would reveal it.
    assert get(f"organisation={world.other_organisation.pk}") == set()
    assert get(f"owner={world.outsider.pk}") == set()


def test_mine_is_what_the_caller_owns(api_world) -> None:
    world = api_world.world
    lead, staff = client_for(world.lead), client_for(world.staff)
    assert ids(lead.get("/api/v1/missions/?mine=true")) == [world.team_mission.pk]
    assert world.team_mission.pk not in ids(lead.get("/api/v1/missions/?mine=false"))
    assert ids(staff.get("/api/v1/kpis/?mine=true")) == [api_world.kpi.pk]
    assert ids(lead.get("/api/v1/kpis/?mine=true")) == []
    assert ids(staff.get("/api/v1/key-tasks/?mine=true")) == [api_world.key_task.pk]
    assert ids(staff.get("/api/v1/reviews/?mine=true")) == [api_world.review.pk]


def test_missions_filter_by_updated_since(world) -> None:
    client = client_for(world.staff)
    Mission.objects.filter(pk=world.org_mission.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=10)
    )
    since = (timezone.now() - dt.timedelta(days=1)).date().isoformat()
    assert world.org_mission.pk not in ids(client.get(f"/api/v1/missions/?updated_since={since}"))
    assert world.team_mission.pk in ids(
        client.get("/api/v1/missions/?updated_since=2000-01-01T00:00:00%2B02:00")
    )


@pytest.mark.parametrize(
    "query",
    [
        "team=abc",
        "owner=-1",
        "organisation=99999999999999999999",
        "level=galaxy",
        "updated_since=yesterday",
        # Before the year 1 in UTC.
        "updated_since=0001-01-01T00:00:00%2B14:00",
    ],
)
def test_bad_filters_answer_400_with_the_field(world, query) -> None:
    response = client_for(world.staff).get(f"/api/v1/missions/?{query}")
    assert response.status_code == 400
    assert set(response.json()) == {query.split("=")[0]}


def test_an_offset_postgresql_refuses_is_converted_first(world) -> None:
    """Found by schemathesis: PostgreSQL refuses offsets beyond ±15:59 (a 500 before); the
    filter compares in UTC."""
    response = client_for(world.staff).get(
        "/api/v1/missions/", {"updated_since": "1870-09-28T14:53:01.98-20:37"}
    )
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_missions_order_by_title(world) -> None:
    client = client_for(world.staff)
    titles = [
        row["title"] for row in client.get("/api/v1/missions/?ordering=-title").json()["results"]
    ]
    assert titles == sorted(titles, reverse=True)


def test_other_lists_filter_by_team_and_updated_since(api_world) -> None:
    world = api_world.world
    client = client_for(world.coach)
    for resource in ("kpis", "key-tasks", "reviews", "findings"):
        assert ids(client.get(f"/api/v1/{resource}/?team={world.team.pk}")), resource
        assert ids(client.get(f"/api/v1/{resource}/?team={world.top_team.pk}")) == [], resource
        assert ids(client.get(f"/api/v1/{resource}/?owner={world.staff.pk}")), resource
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()
    for resource in ("teams", "visions", "missions", "kpis", "key-tasks", "reviews"):
        response = client.get(f"/api/v1/{resource}/", {"updated_since": future})
        assert ids(response) == [], resource
    assert ids(client.get("/api/v1/findings/", {"updated_since": future})) == []
    lead = client_for(world.lead)
    assert ids(lead.get("/api/v1/notifications/?unread=true")) == [api_world.notification.pk]
    assert ids(lead.get("/api/v1/interdependencies/", {"mission": world.team_mission.pk})) == [
        api_world.link.pk
    ]


def test_a_writer_gives_a_mission_only_to_owners_the_form_offers(world) -> None:
    """Staff may write their own individual mission under their team's mission, but not one
    owned by the CEO, nor a team mission for a team they do not lead."""
    staff = client_for(world.staff)
    base = {
        "title": "Weekend discharges",
        "parent": world.team_mission.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
    }
    mine = {**base, "level": "individual", "owner_user": world.staff.pk}
    assert staff.post("/api/v1/missions/", mine, format="json").status_code == 201
    theirs = {**base, "level": "individual", "owner_user": world.leader.pk}
    response = staff.post("/api/v1/missions/", theirs, format="json")
    assert response.status_code == 400 and "owner_user" in response.json()
    team = {**base, "level": "team", "owner_team": world.top_team.pk}
    response = staff.post("/api/v1/missions/", team, format="json")
    assert response.status_code == 400 and "owner_team" in response.json()
    # Changing the owner of an existing mission is held to the same rule.
    url = f"/api/v1/missions/{world.staff_mission.pk}/"
    response = staff.patch(url, {"owner_user": world.leader.pk}, format="json")
    assert response.status_code == 400 and "owner_user" in response.json()
    # The organisation admin may give a mission to anyone of the organisation.
    admin = client_for(world.org_admin)
    assert admin.post("/api/v1/missions/", theirs, format="json").status_code == 201


def test_a_key_task_is_owned_by_someone_of_the_missions_team(world) -> None:
    stranger = UserFactory(username="stranger")
    MembershipFactory(organisation=world.organisation, user=stranger, team=world.top_team)
    lead = client_for(world.lead)
    payload = {"mission": world.team_mission.pk, "title": "Hire", "owner": stranger.pk}
    response = lead.post("/api/v1/key-tasks/", payload, format="json")
    assert response.status_code == 400 and "owner" in response.json()
    payload["owner"] = world.staff.pk
    assert lead.post("/api/v1/key-tasks/", payload, format="json").status_code == 201


def test_decision_rights_are_three_lists_of_lines(world) -> None:
    lead = client_for(world.lead)
    url = f"/api/v1/missions/{world.staff_mission.pk}/"
    bad = {"operating_space": {"decision_rights": "decide everything"}}
    response = lead.patch(url, bad, format="json")
    assert response.status_code == 400
    assert "decision_rights" in response.json()["operating_space"]
    good = {"operating_space": {"decision_rights": {"free": ["rota"], "must_not": ["close"]}}}
    body = lead.patch(url, good, format="json").json()
    assert body["operating_space"]["decision_rights"] == {"free": ["rota"], "must_not": ["close"]}
    # The mission page reads them back.
    web = APIClient()
    web.force_login(world.lead)
    assert web.get(f"/o/acme/missions/{world.staff_mission.pk}/edit/").status_code == 200


def test_an_outsider_filtering_by_our_ids_sees_nothing(world) -> None:
    other_team_mission = MissionFactory(parent=world.other_mission)
    client = client_for(world.outsider)
    assert ids(client.get(f"/api/v1/missions/?parent={world.org_mission.pk}")) == []
    assert ids(client.get(f"/api/v1/missions/?team={world.team.pk}")) == []
    assert other_team_mission.pk in ids(client.get("/api/v1/missions/"))


def test_a_service_error_about_the_operating_space_comes_back_where_it_was_sent(world) -> None:
    world.team_mission.budget = 1000
    world.team_mission.save(update_fields=["budget"])
    payload = {
        "level": "individual",
        "title": "Too dear",
        "parent": world.team_mission.pk,
        "owner_user": world.staff.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "operating_space": {"budget": "5000.00"},
    }
    response = client_for(world.staff).post("/api/v1/missions/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["operating_space"]
    assert "at most €1,000 is left" in response.json()["operating_space"]["budget"][0]
