"""The mission form's owner team and owner person are typed and picked: the page offers no
list of the teams it accepts, so it costs the same whatever the organisation's size; the
suggestions and the form read the same scope (``selectors.mission_owner_teams``,
``mission_owner_people``), and what is typed outside it is refused on its field."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from missions.models import Mission
from tests.missions.factories import TeamFactory

pytestmark = pytest.mark.django_db

TEAMS = "/o/acme/pick/teams/"
PEOPLE = "/o/acme/pick/people/"


def _new_under(parent: Mission) -> str:
    return f"/o/acme/missions/new/?parent={parent.pk}"


def _teams_under(world: Any, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        TeamFactory(organisation=world.organisation, name=f"Ward {i:04}", parent=world.top_team)


def _page(client: Any, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_form_costs_the_same_with_5_or_200_teams_it_accepts(
    world, client, django_assert_max_num_queries
) -> None:
    """200 teams under the parent's team, all of which may own the child mission: no
    <option> per team, the same queries, about the same bytes (the edit page too)."""
    client.force_login(world.leader)
    _teams_under(world, 5)
    few, few_queries = _page(client, _new_under(world.org_mission))
    few_edit, few_edit_queries = _page(client, f"/o/acme/missions/{world.team_mission.pk}/edit/")
    _teams_under(world, 195, start=5)
    with django_assert_max_num_queries(40):
        many, many_queries = _page(client, _new_under(world.org_mission))
    with django_assert_max_num_queries(40):
        many_edit, many_edit_queries = _page(
            client, f"/o/acme/missions/{world.team_mission.pk}/edit/"
        )
    assert (many_queries, many_edit_queries) == (few_queries, few_edit_queries)
    assert "Ward 0199" not in many and "Ward 0000" not in many
    assert many.count("<option") == few.count("<option") < 20
    assert abs(len(many) - len(few)) < 200 and abs(len(many_edit) - len(few_edit)) < 200
    assert 'role="combobox"' in many and "purpose=owner" in many


def test_the_owner_team_is_shown_by_name_and_suggested_in_the_form_scope(world, client) -> None:
    elsewhere = TeamFactory(organisation=world.organisation, name="Ops elsewhere")
    TeamFactory(organisation=world.organisation, name="Ops night", parent=world.team)
    client.force_login(world.lead)
    page = client.get(_new_under(world.team_mission)).content.decode()
    assert 'value="Operations"' in page  # the team the lead leads, by name
    url = f"{TEAMS}?purpose=owner&parent={world.team_mission.pk}&q=ops"
    html = client.get(url).content.decode()
    assert "Ops night" in html and elsewhere.name not in html
    # Without the purpose the team picker offers any team of the organisation, as before.
    assert elsewhere.name in client.get(TEAMS, {"q": "ops"}).content.decode()
    # Edit: the mission's own scope (``for``), which one must be allowed to edit.
    edit = f"{TEAMS}?purpose=owner&for={world.team_mission.pk}&q=ops"
    assert "Ops night" in client.get(edit).content.decode()
    client.force_login(world.staff)
    assert client.get(edit).status_code == 403


def test_owner_people_are_suggested_in_the_form_scope(world, client) -> None:
    world.staff.first_name, world.staff.last_name = "Sam", "Staff"
    world.staff.save()
    client.force_login(world.lead)
    scope = {"purpose": "owner", "parent": world.team_mission.pk}
    html = client.get(PEOPLE, {**scope, "q": "s"}).content.decode()
    assert "Sam Staff" in html and 'data-value="staff"' in html
    assert "ceo" not in client.get(PEOPLE, {**scope, "q": "ceo"}).content.decode()  # another team
    assert "outsider" not in client.get(PEOPLE, {**scope, "q": "out"}).content.decode()


def _posted(world: Any, **owners: str) -> dict[str, str]:
    return {
        "level": "team",
        "title": "Night wards",
        "intent": "Fewer night admissions.",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "review_cadence_days": "30",
        "parent": str(world.team_mission.pk),
        **owners,
    }


def test_a_typed_owner_team_name_resolves_and_one_outside_the_scope_is_refused(
    world, client
) -> None:
    night = TeamFactory(organisation=world.organisation, name="Ops night", parent=world.team)
    client.force_login(world.lead)
    url = _new_under(world.team_mission)
    refused = client.post(url, _posted(world, owner_team="Board"))
    assert refused.status_code == 400
    assert "Choose a team that may own this mission" in str(refused.context["form"].errors)
    assert 'value="Board"' in refused.content.decode()  # kept as typed
    assert client.post(url, _posted(world, owner_team="ops NIGHT")).status_code == 302
    assert Mission.objects.get(title="Night wards").owner_team == night


def test_a_typed_owner_person_resolves_and_one_outside_the_scope_is_refused(world, client) -> None:
    client.force_login(world.lead)
    url = _new_under(world.team_mission)
    individual = {"level": "individual", "owner_team": ""}
    refused = client.post(url, _posted(world, **individual, owner_user="ceo"))
    assert refused.status_code == 400
    assert "Choose a person who may own this mission" in str(refused.context["form"].errors)
    assert client.post(url, _posted(world, **individual, owner_user="staff")).status_code == 302
    assert Mission.objects.get(title="Night wards").owner_user == world.staff


def test_the_first_key_task_owner_is_suggested_for_an_owner_team_given_by_name(
    world, client
) -> None:
    """The key task's picker sends the owner team's field as ``?team=``: now its name."""
    client.force_login(world.lead)
    html = client.get(PEOPLE, {"team": "Operations", "q": "sta"}).content.decode()
    assert 'data-value="staff"' in html
    assert (
        'data-value="staff"'
        in client.get(PEOPLE, {"team": world.team.pk, "q": "sta"}).content.decode()
    )
