"""GET /api/v1/brief/: the caller's brief as structured sections, each item with the link to its
evidence; of their first organisation, or of the one ``?organisation=`` names (slug or id);
never of an organisation they are not in."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.reviews.brief_world import BriefWorld, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def bw(world: Any) -> BriefWorld:
    return build(world)


def _get(user: Any, query: str = "") -> Any:
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/brief/{query}")


def test_it_gives_the_lead_their_brief_in_sections(bw: BriefWorld) -> None:
    response = _get(bw.world.lead)
    assert response.status_code == 200
    body = response.json()
    assert body["organisation"] == "acme"
    assert body["owns_nothing"] is False and body["summarised"] is False
    assert [s["key"] for s in body["sections"]] == ["moved", "at_risk", "decisions", "preceded"]
    decisions = body["sections"][2]
    assert decisions["total"] == 1 and decisions["more"] == 0
    (item,) = decisions["items"]
    assert item["evidence"] == "Inbox item"
    assert item["url"] == f"/o/acme/missions/{bw.world.staff_mission.pk}/"
    moved = body["sections"][0]["items"]
    assert moved[0]["url"] == f"/o/acme/kpis/{bw.beds.pk}/#history-heading"
    assert moved[0]["notes"] == [n for n in moved[0]["notes"] if "second ward" in n]
    for section in body["sections"]:
        for entry in section["items"]:
            assert entry["text"] and entry["url"].startswith("/o/acme/")


@pytest.mark.parametrize("query", ["?organisation=acme", "?organisation={pk}"])
def test_it_reads_the_organisation_by_slug_or_id(bw: BriefWorld, query: str) -> None:
    query = query.format(pk=bw.world.organisation.pk)
    assert _get(bw.world.staff, query).json()["organisation"] == "acme"


def test_another_organisation_is_not_found(bw: BriefWorld) -> None:
    assert _get(bw.world.outsider, "?organisation=acme").status_code == 404
    assert _get(bw.world.outsider, f"?organisation={bw.world.organisation.pk}").status_code == 404
    assert _get(bw.world.staff, "?organisation=other").status_code == 404
    # Their own, by default: nothing of acme's.
    theirs = _get(bw.world.outsider).json()
    assert theirs["organisation"] == "other"
    assert "Virtual ward beds" not in str(theirs)


def test_it_needs_a_signed_in_caller() -> None:
    assert APIClient().get("/api/v1/brief/").status_code == 401


def test_a_token_works_as_for_every_endpoint(bw: BriefWorld) -> None:
    from accounts.tokens import api_token_create

    _, key = api_token_create(user=bw.world.leader, name="brief")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = client.get("/api/v1/brief/").json()
    assert body["sections"][3]["items"][0]["text"].startswith("On “Home visits a week”")


def test_an_organisation_that_is_no_slug_is_bad_input(bw: BriefWorld) -> None:
    response = _get(bw.world.lead, "?organisation=%00acme")
    assert response.status_code == 400
    assert list(response.json()) == ["organisation"]
