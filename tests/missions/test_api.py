"""The missions API: tenancy, the same permissions as the pages, services behind writes."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kernel.models import AuditEvent
from missions.models import Interdependency, Mission
from tests.conftest import TENANT_SCOPE_QUERIES

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def child_payload(world, **overrides):
    payload = {
        "level": "team",
        "title": "Discharge to assess",
        "statement": "Assess patients at home, not on the ward.",
        "intent": "Free beds and get people home sooner.",
        "parent": world.team_mission.pk,
        "owner_team": world.team.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "operating_space": {
            "deadline": "2026-11-30",
            "budget": "25000.00",
            "headcount": 3,
            "decision_rights": {"free": ["rota"], "must_not": ["close beds"]},
        },
    }
    payload.update(overrides)
    return payload


def test_it_issues_a_token_and_accepts_it(world) -> None:
    anonymous = APIClient()
    response = anonymous.post(
        "/api/v1/auth/token/", {"username": "lead", "password": "mission-test"}, format="json"
    )
    assert response.status_code == 200
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert anonymous.get("/api/v1/missions/").status_code == 200


def test_anonymous_requests_are_refused(world) -> None:
    assert APIClient().get("/api/v1/missions/").status_code in (401, 403)


def test_lists_hold_only_the_callers_organisations(world) -> None:
    body = client_for(world.staff).get("/api/v1/missions/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    ids = {m["id"] for m in body["results"]}
    assert world.other_mission.pk not in ids
    assert {world.org_mission.pk, world.team_mission.pk, world.staff_mission.pk} <= ids
    orgs = client_for(world.staff).get("/api/v1/organisations/").json()["results"]
    assert [o["slug"] for o in orgs] == ["acme"]


def test_another_organisations_mission_answers_404(world) -> None:
    client = client_for(world.org_admin)
    assert client.get(f"/api/v1/missions/{world.other_mission.pk}/").status_code == 404
    assert client.post(f"/api/v1/missions/{world.other_mission.pk}/align/").status_code == 404


def test_a_lead_writes_a_child_mission_with_an_operating_space(world) -> None:
    response = client_for(world.lead).post("/api/v1/missions/", child_payload(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organisation"] == world.organisation.pk
    assert body["alignment_status"] == "draft"
    assert body["operating_space"]["budget"] == "25000.00"
    assert body["operating_space"]["decision_rights"]["must_not"] == ["close beds"]
    mission = Mission.objects.get(pk=body["id"])
    assert mission.created_by == world.lead
    assert AuditEvent.objects.filter(mission=mission, verb="created", actor=world.lead).exists()


def test_bad_input_answers_400_with_field_errors_and_stores_nothing(world) -> None:
    before = Mission.objects.count()
    client = client_for(world.lead)
    response = client.post(
        "/api/v1/missions/", child_payload(world, period_end="2025-01-01"), format="json"
    )
    assert response.status_code == 400
    assert "period_end" in str(response.json()) or "__all__" in response.json() or response.json()
    response = client.post(
        "/api/v1/missions/", child_payload(world, parent=world.other_mission.pk), format="json"
    )
    assert response.status_code == 400 and "parent" in response.json()
    response = client.post(
        "/api/v1/missions/",
        child_payload(world, operating_space={"budget": "-5", "headcount": "many"}),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["operating_space"]) == {"budget", "headcount"}
    assert Mission.objects.count() == before


def test_staff_cannot_write_under_the_ceos_mission(world) -> None:
    response = client_for(world.staff).post(
        "/api/v1/missions/", child_payload(world, parent=world.org_mission.pk), format="json"
    )
    assert response.status_code == 403


def test_the_alignment_actions_follow_the_cascade(world) -> None:
    staff, lead, ceo = (client_for(u) for u in (world.staff, world.lead, world.leader))
    url = f"/api/v1/missions/{world.staff_mission.pk}"
    assert staff.post(f"{url}/propose/", {}, format="json").status_code == 200
    assert staff.post(f"{url}/align/", {}, format="json").status_code == 403  # forged
    assert ceo.post(f"{url}/align/", {}, format="json").status_code == 403  # boss's boss
    response = lead.post(f"{url}/send-back/", {"comment": ""}, format="json")
    assert response.status_code == 400 and "comment" in response.json()
    assert (
        lead.post(f"{url}/align/", {"comment": "Good"}, format="json").json()["alignment_status"]
        == "aligned"
    )


def test_the_coach_reads_but_never_writes(world) -> None:
    coach = client_for(world.coach)
    url = f"/api/v1/missions/{world.team_mission.pk}/"
    assert coach.get(url).status_code == 200
    assert coach.patch(url, {"title": "Mine now"}, format="json").status_code == 403
    assert coach.delete(url).status_code == 403


def test_delete_archives(world) -> None:
    response = client_for(world.lead).delete(f"/api/v1/missions/{world.staff_mission.pk}/")
    assert response.status_code == 204
    world.staff_mission.refresh_from_db()
    assert world.staff_mission.status == "archived"


def test_the_subtree_is_nested_and_costs_constant_queries(
    world, django_assert_max_num_queries
) -> None:
    from tests.missions.factories import MissionFactory

    client = client_for(world.staff)
    url = f"/api/v1/missions/{world.org_mission.pk}/tree/"
    with django_assert_max_num_queries(4 + TENANT_SCOPE_QUERIES) as small:
        body = client.get(url).json()
    assert body["children"][0]["id"] == world.team_mission.pk
    assert body["children"][0]["children"][0]["id"] == world.staff_mission.pk
    for _ in range(30):
        MissionFactory(parent=world.team_mission, owner_team=world.team)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(url).json()
    assert len(body["children"][0]["children"]) == 31


def test_key_tasks_and_interdependencies(world) -> None:
    from tests.missions.factories import MissionFactory, TeamFactory

    lead = client_for(world.lead)
    response = lead.post(
        "/api/v1/key-tasks/",
        {"mission": world.team_mission.pk, "title": "Hire two nurses", "due_date": "2026-05-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    task_id = response.json()["id"]
    response = lead.patch(f"/api/v1/key-tasks/{task_id}/", {"status": "done"}, format="json")
    assert response.json()["completed_at"] is not None
    assert (
        client_for(world.coach)
        .patch(f"/api/v1/key-tasks/{task_id}/", {"status": "todo"}, format="json")
        .status_code
        == 403
    )

    other_team = TeamFactory(organisation=world.organisation, leader=world.staff)
    peer = MissionFactory(parent=world.org_mission, owner_team=other_team)
    response = lead.post(
        "/api/v1/interdependencies/",
        {
            "from_mission": world.team_mission.pk,
            "to_mission": peer.pk,
            "kind": "depends_on",
            "description": "We need your transport.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    link_id = response.json()["id"]
    assert (
        lead.post(
            f"/api/v1/interdependencies/{link_id}/respond/",
            {"status": "acknowledged"},
            format="json",
        ).status_code
        == 403
    )  # only the asked side answers
    response = client_for(world.staff).post(
        f"/api/v1/interdependencies/{link_id}/respond/", {"status": "acknowledged"}, format="json"
    )
    assert response.status_code == 200
    assert Interdependency.objects.get(pk=link_id).responded_by == world.staff


def test_the_vision_is_edited_by_the_top_leader_only(world) -> None:
    vision_id = world.organisation.vision.pk
    url = f"/api/v1/visions/{vision_id}/"
    assert client_for(world.lead).patch(url, {"ceo_intent": "x"}, format="json").status_code == 403
    response = client_for(world.leader).patch(url, {"ceo_intent": "Home first."}, format="json")
    assert response.status_code == 200 and response.json()["ceo_intent"] == "Home first."


def test_the_schema_renders(world) -> None:
    response = client_for(world.staff).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/missions/{id}/tree/" in response.content


def test_the_fast_mission_list_renders_what_the_serializer_renders(world, client) -> None:
    """The list builds its rows without DRF fields; they must stay the serializer's document."""
    import datetime as dt
    from decimal import Decimal

    from missions.models import Mission

    Mission.objects.filter(pk=world.team_mission.pk).update(
        budget=Decimal("1234.5"),
        headcount=3,
        deadline=dt.date(2026, 11, 30),
        decision_rights={"free": ["rota"], "must_not": ["close beds"]},
    )
    api = client_for(world.staff)
    listed = {m["id"]: m for m in api.get("/api/v1/missions/").json()["results"]}
    for mission in (world.org_mission, world.team_mission, world.staff_mission):
        assert listed[mission.pk] == api.get(f"/api/v1/missions/{mission.pk}/").json()
    assert listed[world.team_mission.pk]["operating_space"]["budget"] == "1234.50"
