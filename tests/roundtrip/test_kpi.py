"""Adding a KPI on the mission page keeps every field: database, API, history. A value the
model refuses comes back on the form, naming the field, and stores nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kernel.models import AuditEvent
from measures.models import Kpi
from measures.services import kpi_create, kpi_update
from missions.models import Mission

from .helpers import (
    api_get,
    assert_changes_every_field,
    audit_events,
    form_data,
    history_changes,
    html_form,
    messages_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def parent_kpi(world) -> Kpi:
    return kpi_create(
        mission=world.org_mission,
        data={
            "name": "Care days at home",
            "baseline": Decimal(0),
            "target": Decimal(10000),
            "due_date": dt.date(2026, 12, 31),
        },
        by=world.leader,
    )


def test_it_keeps_every_field_of_a_new_kpi(world, parent_kpi, client) -> None:
    mission = world.team_mission
    action = f"/o/acme/missions/{mission.pk}/kpis/new/"
    client.force_login(world.lead)
    page = client.get(f"/o/acme/missions/{mission.pk}/")
    changes = {
        "kpi-name": "Beds at home",
        "kpi-unit": "beds",
        "kpi-direction": "decrease",
        "kpi-baseline": "80",
        "kpi-target": "35.5",
        "kpi-due_date": "2026-10-01",
        "kpi-cadence_days": "14",
        "kpi-weight": "0.75",
        "kpi-parent_kpi": str(parent_kpi.pk),
    }
    # The upper bound is for ranges only; a decreasing KPI leaves it empty.
    assert_changes_every_field(html_form(page, action).fields - {"kpi-target_max"}, changes)
    response = client.post(action, {**form_data(page, "kpi_form"), **changes})
    assert response.status_code == 302
    assert messages_of(response) == ["The KPI is added."]

    kpi = Kpi.objects.exclude(pk=parent_kpi.pk).get()
    assert kpi.mission == mission
    assert kpi.organisation == world.organisation
    assert kpi.name == "Beds at home"
    assert kpi.unit == "beds"
    assert kpi.direction == Kpi.Direction.DECREASE
    assert (kpi.baseline, kpi.target, kpi.target_max) == (Decimal(80), Decimal("35.5"), None)
    assert kpi.due_date == dt.date(2026, 10, 1)
    assert kpi.cadence_days == 14
    assert kpi.weight == Decimal("0.75")
    assert kpi.parent_kpi == parent_kpi
    assert kpi.created_by == world.lead

    api = api_get(world.staff, f"/api/v1/kpis/{kpi.pk}/")
    assert api["mission"] == mission.pk
    assert (api["name"], api["unit"], api["direction"]) == ("Beds at home", "beds", "decrease")
    assert (api["baseline"], api["target"], api["target_max"]) == ("80.0000", "35.5000", None)
    assert (api["due_date"], api["cadence_days"], api["weight"]) == ("2026-10-01", 14, "0.75")
    assert api["parent_kpi"] == parent_kpi.pk
    assert api["status"] == "active"

    (created,) = audit_events(kpi)
    assert (created.verb, created.actor, created.mission) == ("created", world.lead, mission)
    page = client.get(f"/o/acme/missions/{mission.pk}/").content.decode()
    assert f"{world.lead.get_full_name()}</strong> created “Beds at home”" in page


def test_it_keeps_the_upper_bound_of_a_range(world, client) -> None:
    mission = world.team_mission
    action = f"/o/acme/missions/{mission.pk}/kpis/new/"
    client.force_login(world.lead)
    data = form_data(client.get(f"/o/acme/missions/{mission.pk}/"), "kpi_form")
    changes = {
        "kpi-name": "Bed occupancy",
        "kpi-unit": "%",
        "kpi-direction": "range",
        "kpi-baseline": "97",
        "kpi-target": "85",
        "kpi-target_max": "92",
        "kpi-due_date": "2026-09-30",
    }
    response = client.post(action, {**data, **changes})
    assert messages_of(response) == ["The KPI is added."]

    kpi = Kpi.objects.get(mission=mission)
    assert (kpi.direction, kpi.target, kpi.target_max) == ("range", Decimal(85), Decimal(92))
    api = api_get(world.lead, f"/api/v1/kpis/{kpi.pk}/")
    assert (api["direction"], api["target"], api["target_max"]) == ("range", "85.0000", "92.0000")


@pytest.mark.parametrize(
    ("name", "value", "label"),
    [("cadence_days", "0", "Update every (days)"), ("weight", "-1", "Weight")],
)
def test_a_value_the_model_refuses_is_named_on_the_mission_page(
    world, client, name, value, label
) -> None:
    """The form checks what the model checks (its validators), so the message names the field,
    and nothing is stored."""
    mission = world.team_mission
    client.force_login(world.lead)
    data = form_data(client.get(f"/o/acme/missions/{mission.pk}/"), "kpi_form")
    data.update({"kpi-name": "Beds", "kpi-baseline": "1", "kpi-target": "2"})
    data.update({"kpi-due_date": "2026-10-01", f"kpi-{name}": value})
    response = client.post(f"/o/acme/missions/{mission.pk}/kpis/new/", data)

    (message,) = messages_of(response)
    assert message.startswith(f"{label}: "), message
    assert not Kpi.objects.exists()
    assert not AuditEvent.objects.filter(verb="created", mission=mission).exists()


def test_a_first_kpi_the_model_refuses_comes_back_on_its_own_field(world, client) -> None:
    """On the page that writes a mission, the first KPI's error stands by the KPI's field, and
    neither the mission nor the KPI is stored."""
    parent = world.team_mission
    client.force_login(world.lead)
    url = f"/o/acme/missions/new/?parent={parent.pk}"
    page = client.get(url)
    data = {**form_data(page), **form_data(page, "kpi_form")}
    data.update({"title": "Virtual wards", "kpi-name": "Beds", "kpi-baseline": "1"})
    data.update({"kpi-target": "2", "kpi-due_date": "2026-10-01", "kpi-cadence_days": "0"})
    response = client.post(url, data)

    assert response.status_code == 400
    assert response.context["kpi_form"].errors == {
        "cadence_days": ["Ensure this value is greater than or equal to 1."]
    }
    assert not response.context["form"].errors
    assert not Mission.objects.filter(title="Virtual wards").exists()
    assert not Kpi.objects.exists()


def test_a_kpi_change_keeps_what_another_request_changed_meanwhile(world, parent_kpi) -> None:
    """A change made through the API or the admin applies to the KPI as stored: the rest of a
    copy read earlier is not written back over a change made in the meantime."""
    read_earlier = Kpi.objects.select_related("mission__organisation").get(pk=parent_kpi.pk)
    kpi_update(
        kpi=Kpi.objects.select_related("mission__organisation").get(pk=parent_kpi.pk),
        data={"name": "Care days at home, all districts"},
        by=world.leader,
    )

    returned = kpi_update(kpi=read_earlier, data={"target": Decimal(12000)}, by=world.leader)

    stored = Kpi.objects.get(pk=parent_kpi.pk)
    assert (stored.name, stored.target) == ("Care days at home, all districts", Decimal(12000))
    assert (returned.name, returned.target) == (stored.name, stored.target)
    assert history_changes(stored) == {
        "name": ["Care days at home", "Care days at home, all districts"],
        "target": ["10000.0000", "12000"],
    }
