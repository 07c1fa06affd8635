"""The API's pages (``missionlead.pagination``): the count is exact up to a limit and the
database's estimate above it (``X-Count-Exact: false``), exact again on the last page;
``next`` is exact either way, and a page costs the same queries whatever the list's size."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from missionlead.pagination import Pagination
from tests.conftest import TENANT_SCOPE_QUERIES
from tests.measures.factories import KpiFactory
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def small_pages(settings, monkeypatch):
    """Pages of 2 and an exact count up to 3 rows, so a test's list is a large one."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "PAGE_SIZE": 2}
    monkeypatch.setattr(Pagination, "page_size", 2)
    monkeypatch.setattr(Pagination, "exact_count_up_to", 3)


def walk(client: APIClient, url: str) -> tuple[list[int], list[dict]]:
    ids, pages = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        pages.append({"count": body["count"], "exact": response["X-Count-Exact"]})
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    return ids, pages


def test_it_counts_a_small_list_exactly(world) -> None:
    response = client_for(world.staff).get("/api/v1/missions/")
    assert response.json()["count"] == 3
    assert response["X-Count-Exact"] == "true"


def test_it_estimates_a_large_count_and_walks_every_row_once(world, small_pages) -> None:
    for _ in range(6):
        MissionFactory(parent=world.team_mission, owner_team=world.team)
    client = client_for(world.staff)
    ids, pages = walk(client, "/api/v1/missions/")
    assert len(ids) == len(set(ids)) == 9
    assert all(page["exact"] == "false" for page in pages[:-1])
    # The last page knows how many there are: every row before it and its own.
    assert pages[-1] == {"count": 9, "exact": "true"}
    assert all(page["count"] >= 4 for page in pages)  # above the exact limit: never less
    # A filter that leaves a small list is counted exactly again.
    response = client.get("/api/v1/missions/", {"level": "organisation"})
    assert response.json()["count"] == 1 and response["X-Count-Exact"] == "true"


def test_a_page_beyond_the_last_answers_404(world, small_pages) -> None:
    for _ in range(6):
        MissionFactory(parent=world.team_mission, owner_team=world.team)
    client = client_for(world.staff)
    assert client.get("/api/v1/missions/", {"page": 5}).status_code == 200
    assert client.get("/api/v1/missions/", {"page": 6}).status_code == 404
    assert client.get("/api/v1/missions/", {"page": 10**30}).status_code == 404
    assert client.get("/api/v1/missions/", {"page": 0}).status_code == 404


def test_the_last_page_is_the_last_whatever_the_estimate(world, small_pages) -> None:
    for _ in range(6):
        MissionFactory(parent=world.team_mission, owner_team=world.team)
    response = client_for(world.staff).get("/api/v1/missions/", {"page": "last"})
    body = response.json()
    assert response.status_code == 200 and body["next"] is None
    assert body["count"] == 9 and len(body["results"]) == 1
    assert response["X-Count-Exact"] == "true"


def test_a_large_list_costs_constant_queries(world, small_pages, django_assert_max_num_queries):
    client = client_for(world.staff)
    for _ in range(4):
        KpiFactory(mission=world.staff_mission)
    # The capped count, the estimate, the page (one row more than it shows).
    with django_assert_max_num_queries(3 + TENANT_SCOPE_QUERIES) as few:
        assert client.get("/api/v1/kpis/").json()["next"] is not None
    for _ in range(30):
        KpiFactory(mission=world.staff_mission)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/kpis/", {"page": 3}).json()["next"] is not None


def test_the_schema_says_how_the_count_is_made(world) -> None:
    schema = client_for(world.staff).get("/api/schema/", {"format": "json"}).json()
    page = schema["components"]["schemas"]["PaginatedMissionList"]
    assert "estimate" in page["properties"]["count"]["description"]


def walk_cursor(client: APIClient, url: str) -> tuple[list[int], list[dict]]:
    ids, bodies = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        bodies.append(body)
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    return ids, bodies


@pytest.mark.parametrize("resource", ["missions", "kpis"])
def test_a_cursor_walks_every_row_once_in_id_order(world, small_pages, resource) -> None:
    for _ in range(6):
        mission = MissionFactory(parent=world.team_mission, owner_team=world.team)
        KpiFactory(mission=mission)
    for _ in range(3):
        KpiFactory(mission=world.staff_mission)
    client = client_for(world.staff)
    ids, bodies = walk_cursor(client, f"/api/v1/{resource}/?cursor=&ordering=-id")
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 9
    expected, _ = walk(client, f"/api/v1/{resource}/")
    assert ids == sorted(expected)
    assert bodies[0]["previous"] is None and bodies[-1]["next"] is None
    assert all(body["count"] >= 4 for body in bodies)
    # Back from the last page: the pages before it, in the same order.
    back = client.get(bodies[-1]["previous"]).json()
    assert [row["id"] for row in back["results"]] == [r["id"] for r in bodies[-2]["results"]]
    assert back["next"] is not None


def test_a_cursor_is_checked_and_offered_only_where_documented(world) -> None:
    client = client_for(world.staff)
    response = client.get("/api/v1/missions/", {"cursor": "x1"})
    assert response.status_code == 400 and set(response.json()) == {"cursor"}
    # A list that does not offer cursors pages by number whatever is sent.
    assert client.get("/api/v1/teams/", {"cursor": "x1"}).status_code == 200
    schema = client.get("/api/schema/", {"format": "json"}).json()
    names = {
        path: {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
        for path in ("/api/v1/missions/", "/api/v1/kpis/", "/api/v1/teams/")
    }
    assert "cursor" in names["/api/v1/missions/"] and "cursor" in names["/api/v1/kpis/"]
    assert "cursor" not in names["/api/v1/teams/"]


def test_a_cursor_page_costs_constant_queries(world, small_pages, django_assert_max_num_queries):
    client = client_for(world.staff)
    for _ in range(4):
        KpiFactory(mission=world.staff_mission)
    # The page (one row more than it shows), the capped count, the estimate.
    with django_assert_max_num_queries(3 + TENANT_SCOPE_QUERIES) as few:
        first = client.get("/api/v1/kpis/", {"cursor": ""}).json()
    for _ in range(30):
        KpiFactory(mission=world.staff_mission)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(first["next"]).json()["next"] is not None
