"""The level and owner rules of a mission are written once (``Mission.clean``) and shown the
same way, beside the field, by the site's form, the admin and the API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from missions.models import Mission

pytestmark = pytest.mark.django_db

PERSON = "An individual mission is owned by a person."
TEAM = "A team or organisation mission is owned by a team."
PERIOD = "The period must end after it starts."


def test_the_api_says_it_beside_the_field(world) -> None:
    client = APIClient()
    client.force_authenticate(world.lead)
    base = {"title": "Open a ward", "parent": world.team_mission.pk}
    for body, field, message in (
        ({"level": "individual", "owner_team": world.team.pk}, "owner_user", PERSON),
        ({"level": "team", "owner_user": world.staff.pk}, "owner_team", TEAM),
        (
            {
                "level": "team",
                "owner_team": world.team.pk,
                "period_start": "2026-06-01",
                "period_end": "2026-01-01",
            },
            "period_end",
            PERIOD,
        ),
    ):
        dates = {"period_start": "2026-01-01", "period_end": "2026-12-31"}
        answer = client.post("/api/v1/missions/", {**base, **dates, **body}, format="json")
        assert answer.status_code == 400, answer.json()
        assert message in answer.json()[field], answer.json()
    assert not Mission.objects.filter(title="Open a ward").exists()


def test_the_sites_form_says_it_beside_the_field(client, world) -> None:
    client.force_login(world.lead)
    page = client.post(
        f"/o/acme/missions/new/?parent={world.team_mission.pk}",
        {
            "level": "individual",
            "title": "Open a ward",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    assert page.status_code == 400  # the form again, with what to correct
    assert PERSON in page.content.decode()
    assert not Mission.objects.filter(title="Open a ward").exists()


def test_the_admin_says_it_beside_the_field(admin_client, world) -> None:
    from tests.missions.test_admin import _mission_form

    data = _mission_form(
        organisation=world.organisation.pk, parent=world.team_mission.pk, level="individual"
    )
    page = admin_client.post("/admin/missions/mission/add/", data)
    assert page.status_code == 200
    assert PERSON in page.content.decode()
    assert not Mission.objects.filter(title="Virtual ward rota").exists()
