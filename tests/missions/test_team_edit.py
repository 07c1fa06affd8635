"""Editing a team on its own page (name, parent, leader), through ``team_update`` as the API's
PATCH: stored, in the history, sub-teams moved with it; a save on an older version is refused
with who changed it; bad input comes back on its field with nothing written; only the
organisation's admin sees the link and the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from kernel.models import AuditEvent, Team
from tests.missions.factories import TeamFactory
from tests.roundtrip.helpers import api_get, form_data

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(team: Team) -> str:
    return f"/o/acme/people/teams/{team.pk}/"


def test_the_admin_moves_renames_and_hands_over_a_team(world: Any) -> None:
    wards = TeamFactory(organisation=world.organisation, name="Wards", parent=world.team)
    night = TeamFactory(organisation=world.organisation, name="Night", parent=wards)
    client = _client(world.org_admin)
    data = form_data(client.get(_url(wards)))
    assert (data["parent"], data.get("leader")) == ("Operations", None)
    response = client.post(
        _url(wards),
        {**data, "name": "Virtual wards", "parent": str(world.top_team.pk), "leader": "staff"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/people/#teams"

    wards.refresh_from_db()
    night.refresh_from_db()
    assert (wards.name, wards.parent, wards.leader) == (
        "Virtual wards",
        world.top_team,
        world.staff,
    )
    assert night.path.startswith(wards.path)  # the sub-team moved with it
    api = api_get(world.lead, f"/api/v1/teams/{wards.pk}/")
    assert (api["name"], api["parent"], api["leader"]) == (
        "Virtual wards",
        world.top_team.pk,
        world.staff.pk,
    )
    event = AuditEvent.objects.get(object_id=wards.pk, verb=AuditEvent.Verb.UPDATED)
    assert event.actor == world.org_admin
    assert event.changes == {
        "name": ["Wards", "Virtual wards"],
        "parent": [world.team.pk, world.top_team.pk],
        "leader": [None, world.staff.pk],
    }
    shown = form_data(client.get(_url(wards)))
    assert (shown["name"], shown["parent"], shown["leader"]) == ("Virtual wards", "Board", "staff")


def test_a_save_on_an_older_version_is_refused_and_names_who_changed_it(world: Any) -> None:
    wards = TeamFactory(organisation=world.organisation, name="Wards", parent=world.team)
    client = _client(world.org_admin)
    read = form_data(client.get(_url(wards)))
    # Changed meanwhile through the API, by the same service.
    api = APIClient()
    api.force_authenticate(world.org_admin)
    assert api.patch(f"/api/v1/teams/{wards.pk}/", {"name": "Ward team"}).status_code == 200
    response = client.post(_url(wards), {**read, "leader": "staff"})
    assert response.status_code == 409
    assert "changed this team a moment ago" in response.content.decode()
    wards.refresh_from_db()
    assert (wards.name, wards.leader) == ("Ward team", None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "Board"}, "name"),  # taken in the organisation
        ({"parent": "self"}, "parent"),
        ({"parent": "child"}, "parent"),
        ({"leader": "nobody-here"}, "leader"),
    ],
    ids=["empty name", "name taken", "under itself", "under its sub-team", "unknown leader"],
)
def test_bad_input_comes_back_on_its_field_and_nothing_is_written(
    world: Any, changes: dict[str, str], field: str
) -> None:
    wards = TeamFactory(organisation=world.organisation, name="Wards", parent=world.team)
    night = TeamFactory(organisation=world.organisation, name="Night", parent=wards)
    ids = {"self": str(wards.pk), "child": str(night.pk)}
    changes = {key: ids.get(value, value) for key, value in changes.items()}
    client = _client(world.org_admin)
    data = form_data(client.get(_url(wards)))
    response = client.post(_url(wards), {**data, **changes})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors or "__all__" in errors, errors
    wards.refresh_from_db()
    assert (wards.name, wards.parent, wards.leader) == ("Wards", world.team, None)
    assert not AuditEvent.objects.filter(object_id=wards.pk, verb=AuditEvent.Verb.UPDATED).exists()


def test_only_the_admin_sees_the_link_and_the_page(world: Any) -> None:
    href = f'href="{_url(world.team)}"'
    assert href in _client(world.org_admin).get("/o/acme/people/").content.decode()
    for user in (world.leader, world.lead, world.staff, world.coach):
        assert _client(user).get(_url(world.team)).status_code == 403
        assert _client(user).post(_url(world.team), {"name": "Mine"}).status_code == 403
    assert _client(world.outsider).get(_url(world.team)).status_code == 404
    assert Team.objects.get(pk=world.team.pk).name == "Operations"


def test_the_page_costs_a_fixed_number_of_queries(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(20):
        TeamFactory(organisation=world.organisation, name=f"Sub {n}", parent=world.team)
    client = _client(world.org_admin)
    data = form_data(client.get(_url(world.team)))
    with django_assert_max_num_queries(12):
        assert client.get(_url(world.team)).status_code == 200
    # The save: the team locked, the pickers resolved, the model's checks, the update, its
    # sub-teams' paths in one statement, the history, and the savepoints around them.
    with django_assert_max_num_queries(31):
        assert client.post(_url(world.team), {**data, "name": "Ops"}).status_code == 302
