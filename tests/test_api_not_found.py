"""An API address that matches no route answers 404 in the API's JSON shape, as documented."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_an_unmatched_api_address_answers_json(world, client) -> None:
    client.force_login(world.staff)
    response = client.get("/api/v1/missions/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_an_unmatched_page_keeps_the_sites_404_page(world, client) -> None:
    client.force_login(world.staff)
    response = client.get("/o/acme/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
