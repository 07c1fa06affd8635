"""The schema and the API agree (hardening item 10): what the schema allows is accepted, what it
forbids is refused, and each answer the API gives is documented. Each test is a disagreement
`make fuzz` found."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from kernel.validators import validate_line, validate_text
from missions.models import Interdependency
from reviews.models import Review

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_a_number_where_the_schema_says_text_is_refused(world) -> None:
    """DRF's CharField stores 12 as "12": a title, a comment or a decision right sent as a
    number was accepted."""
    client = client_for(world.lead)
    url = f"/api/v1/missions/{world.team_mission.pk}/"
    for body in (
        {"title": 12},
        {"statement": 1.5},
        {"operating_space": {"decision_rights": {"must_not": [0]}}},
    ):
        answer = client.patch(url, body, format="json")
        assert answer.status_code == 400, body
    world.team_mission.refresh_from_db()
    assert world.team_mission.title != "12"


def test_text_rules_are_in_the_schema_as_patterns(schema) -> None:
    """The control-character rule is a ``pattern`` the schema states, the same one the server
    applies, so a client (and the fuzzer) knows which text is accepted."""
    title = schema["components"]["schemas"]["MissionRequest"]["properties"]["title"]
    pattern = re.compile(title["pattern"])
    for text in ("Open two wards", "Ünïcödé ✓", ""):
        assert pattern.search(text)
        validate_line(text)
    for text in ("a\tb", "a\nb", "bell\x07"):
        assert not pattern.search(text)
    statement = schema["components"]["schemas"]["MissionRequest"]["properties"]["statement"]
    multiline = re.compile(statement["anyOf"][0]["pattern"])
    assert multiline.search("line one\r\nline two\twith a tab")
    validate_text("line one\r\nline two\twith a tab")
    assert not multiline.search("nul\x00")


def test_bodies_are_documented_as_json_only(schema) -> None:
    """The form parsers serve the browsable API; a documented multipart body cannot say null."""
    for operations in schema["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                assert list(operation["requestBody"]["content"]) == ["application/json"]


def test_an_empty_filter_is_a_filter_left_out_and_the_schema_says_so(world, schema) -> None:
    """The browsable API's filter form sends every field: ``?updated_since=`` is not a 400."""
    answer = client_for(world.lead).get("/api/v1/missions/?updated_since=&page=")
    assert answer.status_code == 200
    assert answer.json()["count"] >= 1
    parameters = schema["paths"]["/api/v1/missions/"]["get"]["parameters"]
    updated_since = next(p for p in parameters if p["name"] == "updated_since")
    assert updated_since["allowEmptyValue"] is True
    assert client_for(world.lead).get("/api/v1/missions/?updated_since=soon").status_code == 400


def test_a_review_held_twice_is_a_conflict_not_bad_input(world) -> None:
    review = Review.objects.create(mission=world.staff_mission, due_date="2026-11-30")
    client = client_for(world.staff)
    url = f"/api/v1/reviews/{review.pk}/complete/"
    body = {"working": "Clear decision rights.", "still_aligned": True}
    assert client.post(url, body, format="json").status_code == 200
    again = client.post(url, body, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "This review has already been held or cancelled."}


def test_answering_a_resolved_link_is_a_conflict(world) -> None:
    link = Interdependency.objects.create(
        organisation=world.organisation,
        from_mission=world.staff_mission,
        to_mission=world.team_mission,
        kind=Interdependency.Kind.DEPENDS_ON,
        status=Interdependency.Status.RESOLVED,
        created_by=world.staff,
    )
    answer = client_for(world.lead).post(
        f"/api/v1/interdependencies/{link.pk}/respond/", {"status": "acknowledged"}, format="json"
    )
    assert answer.status_code == 409
    assert "resolved" in answer.json()["detail"]


def test_conflicts_are_documented_on_every_write(schema) -> None:
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            if method in ("post", "put", "patch", "delete"):
                assert "409" in operation["responses"], operation["operationId"]


def test_marking_read_for_an_organisation_takes_a_positive_id(world, schema) -> None:
    client = client_for(world.lead)
    answer = client.post("/api/v1/notifications/read-all/?organisation=0")
    assert answer.status_code == 400
    assert answer.json() == {"organisation": ["Give the id of one of your organisations."]}
    assert client.post("/api/v1/notifications/read-all/?organisation=").status_code == 200
    parameter = schema["paths"]["/api/v1/notifications/read-all/"]["post"]["parameters"][0]
    assert parameter["schema"]["minimum"] == 1
