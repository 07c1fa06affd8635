"""Writing and editing a mission in the browser keeps every field: database, API, history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from missions.models import Mission

from .helpers import api_get, form_data, history_changes

pytestmark = pytest.mark.django_db


def test_it_keeps_every_field_of_a_mission_edit(world, client) -> None:
    mission = world.team_mission
    client.force_login(world.lead)
    url = f"/o/acme/missions/{mission.pk}/edit/"
    data = form_data(client.get(url))
    changes = {
        "title": "Community wards in every district",
        "statement": "Six community wards open.",
        "intent": "Patients recover at home.",
        "period_start": "2026-02-01",
        "period_end": "2026-12-31",
        "deadline": "2026-11-30",
        "scope": "North and east districts",
        "budget": "1234.50",
        "headcount": "7",
        "constraints": "Within the trust's policies",
        "review_cadence_days": "14",
        "free_to_decide": "Rotas\nSuppliers",
        "must_consult": "Finance",
        "must_not": "Close a ward",
    }
    response = client.post(url, {**data, **changes})
    assert response.status_code == 302, response.context["form"].errors
    assert "The mission is saved." in [m.message for m in response.wsgi_request._messages]

    stored = Mission.objects.get(pk=mission.pk)
    assert stored.title == changes["title"]
    assert stored.statement == changes["statement"]
    assert stored.intent == changes["intent"]
    assert stored.period_start == dt.date(2026, 2, 1)
    assert stored.period_end == dt.date(2026, 12, 31)
    assert stored.deadline == dt.date(2026, 11, 30)
    assert stored.budget == Decimal("1234.50")
    assert stored.headcount == 7
    assert stored.review_cadence_days == 14
    assert stored.decision_rights == {
        "free": ["Rotas", "Suppliers"],
        "consult": ["Finance"],
        "must_not": ["Close a ward"],
    }
    assert stored.updated_by == world.lead

    api = api_get(world.lead, f"/api/v1/missions/{mission.pk}/")
    assert api["title"] == changes["title"]
    assert api["operating_space"]["headcount"] == 7
    assert api["operating_space"]["scope"] == changes["scope"]

    history = history_changes(stored)
    for name in ("title", "statement", "intent", "budget", "headcount", "review_cadence_days"):
        assert name in history, name
    assert history["title"][1] == changes["title"]
    # The history says who changed it.
    page = client.get(f"/o/acme/missions/{mission.pk}/").content.decode()
    assert changes["title"] in page


def test_an_edit_that_changes_nothing_writes_no_history(world, client) -> None:
    mission = world.team_mission
    client.force_login(world.lead)
    url = f"/o/acme/missions/{mission.pk}/edit/"
    before = history_changes(mission)
    response = client.post(url, form_data(client.get(url)))
    assert response.status_code == 302
    assert history_changes(mission) == before


def test_it_keeps_an_edit_of_the_title_alone(world, client) -> None:
    """The defect as it was met: only the title changed, "saved", and nothing was kept."""
    mission = world.team_mission
    client.force_login(world.lead)
    url = f"/o/acme/missions/{mission.pk}/edit/"
    response = client.post(url, {**form_data(client.get(url)), "title": "Wards at home"})
    assert response.status_code == 302
    assert Mission.objects.get(pk=mission.pk).title == "Wards at home"
    assert api_get(world.lead, f"/api/v1/missions/{mission.pk}/")["title"] == "Wards at home"
    assert history_changes(mission)["title"] == ["Community wards", "Wards at home"]
