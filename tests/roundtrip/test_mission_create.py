"""Writing a mission in the browser, with its optional first KPI and first key task, keeps
every field: database, API, history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from measures.models import Kpi
from measures.services import kpi_create
from missions.models import KeyTask, Mission, Period
from tests.missions.factories import MembershipFactory, TeamFactory, UserFactory

from .helpers import (
    api_get,
    assert_changes_every_field,
    audit_events,
    form_data,
    html_form,
    messages_of,
)

pytestmark = pytest.mark.django_db


def test_it_keeps_every_field_of_a_new_mission_its_kpi_and_its_key_task(world, client) -> None:
    parent = world.team_mission
    wards = TeamFactory(organisation=world.organisation, name="Ward team", parent=world.team)
    # The first key task is the new mission's: owned by a person of its owner team.
    nurse = UserFactory(username="nurse")
    MembershipFactory(organisation=world.organisation, user=nurse, team=wards)
    parent_kpi = kpi_create(
        mission=parent,
        data={
            "name": "Beds at home",
            "baseline": Decimal(0),
            "target": Decimal(40),
            "due_date": dt.date(2026, 12, 31),
        },
        by=world.lead,
    )
    # One of the organisation's planning periods; the mission's dates are then the period's.
    period = Period.objects.create(
        organisation=world.organisation,
        name="March to November 2026",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 11, 30),
    )
    client.force_login(world.lead)
    url = f"/o/acme/missions/new/?parent={parent.pk}"
    page = client.get(url)
    data = {
        **form_data(page),
        **form_data(page, "kpi_form"),
        **form_data(page, "task_form"),
    }
    changes = {
        "level": "team",
        "title": "Virtual wards in the north",
        "statement": "Two virtual wards open in the north district.",
        "intent": "Patients leave hospital two days sooner.",
        "owner_team": str(wards.pk),
        # Shown for an individual mission; a team mission keeps only its owner team.
        "owner_user": str(world.staff.pk),
        "period": str(period.pk),
        # Given with a period, the period's dates win: these are overruled.
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "deadline": "2026-10-31",
        "scope": "North district",
        "budget": "25000.00",
        "headcount": "4",
        "constraints": "Existing clinical staff only",
        "review_cadence_days": "21",
        "free_to_decide": "Shift patterns\nWard names",
        "must_consult": "Pharmacy",
        "must_not": "Admit children",
        "kpi-name": "Patients on a virtual ward",
        "kpi-unit": "patients",
        "kpi-direction": "range",
        "kpi-baseline": "3",
        "kpi-target": "20",
        "kpi-target_max": "30",
        "kpi-due_date": "2026-11-15",
        "kpi-cadence_days": "7",
        "kpi-weight": "2.5",
        "kpi-parent_kpi": str(parent_kpi.pk),
        "task-title": "Choose the monitoring kit",
        "task-owner": "nurse",
        "task-due_date": "2026-04-15",
        "task-status": "in_progress",
    }
    assert_changes_every_field(html_form(page, "").fields - {"parent"}, changes)
    response = client.post(url, {**data, **changes})
    assert response.status_code == 302, [
        response.context[name].errors for name in ("form", "kpi_form", "task_form")
    ]
    assert "The mission is saved as a draft. Propose it when ready." in messages_of(response)

    mission = Mission.objects.get(title=changes["title"])
    assert response["Location"] == f"/o/acme/missions/{mission.pk}/"
    assert mission.parent == parent
    assert mission.level == Mission.Level.TEAM
    assert mission.statement == changes["statement"]
    assert mission.intent == changes["intent"]
    assert mission.owner_team == wards
    assert mission.owner_user is None
    assert mission.period == period
    assert mission.period_start == dt.date(2026, 3, 1)
    assert mission.period_end == dt.date(2026, 11, 30)
    assert mission.deadline == dt.date(2026, 10, 31)
    assert mission.scope == changes["scope"]
    assert mission.budget == Decimal("25000.00")
    assert mission.headcount == 4
    assert mission.constraints == changes["constraints"]
    assert mission.review_cadence_days == 21
    assert mission.decision_rights == {
        "free": ["Shift patterns", "Ward names"],
        "consult": ["Pharmacy"],
        "must_not": ["Admit children"],
    }
    assert (mission.created_by, mission.updated_by) == (world.lead, world.lead)

    kpi = Kpi.objects.get(mission=mission)
    assert kpi.name == changes["kpi-name"]
    assert kpi.unit == "patients"
    assert kpi.direction == Kpi.Direction.RANGE
    assert (kpi.baseline, kpi.target, kpi.target_max) == (Decimal(3), Decimal(20), Decimal(30))
    assert kpi.due_date == dt.date(2026, 11, 15)
    assert kpi.cadence_days == 7
    assert kpi.weight == Decimal("2.5")
    assert kpi.parent_kpi == parent_kpi
    assert kpi.organisation == world.organisation
    assert kpi.created_by == world.lead

    task = KeyTask.objects.get(mission=mission)
    assert task.title == changes["task-title"]
    assert task.owner == nurse
    assert task.due_date == dt.date(2026, 4, 15)
    assert task.status == KeyTask.Status.IN_PROGRESS
    assert task.created_by == world.lead

    api = api_get(world.lead, f"/api/v1/missions/{mission.pk}/")
    assert api["level"] == "team"
    assert api["title"] == changes["title"]
    assert api["statement"] == changes["statement"]
    assert api["intent"] == changes["intent"]
    assert (api["parent"], api["owner_team"], api["owner_user"]) == (parent.pk, wards.pk, None)
    assert (api["period"], api["period_start"], api["period_end"]) == (
        period.pk,
        "2026-03-01",
        "2026-11-30",
    )
    assert api["alignment_status"] == "draft"
    assert api["review_cadence_days"] == 21
    assert api["operating_space"] == {
        "deadline": "2026-10-31",
        "scope": "North district",
        "budget": "25000.00",
        "headcount": 4,
        "constraints": "Existing clinical staff only",
        "decision_rights": {
            "free": ["Shift patterns", "Ward names"],
            "consult": ["Pharmacy"],
            "must_not": ["Admit children"],
        },
    }
    api_kpi = api_get(world.lead, f"/api/v1/kpis/{kpi.pk}/")
    assert {name: api_kpi[name] for name in ("mission", "name", "unit", "direction")} == {
        "mission": mission.pk,
        "name": changes["kpi-name"],
        "unit": "patients",
        "direction": "range",
    }
    assert (api_kpi["baseline"], api_kpi["target"], api_kpi["target_max"]) == (
        "3.0000",
        "20.0000",
        "30.0000",
    )
    assert (api_kpi["due_date"], api_kpi["cadence_days"], api_kpi["weight"]) == (
        "2026-11-15",
        7,
        "2.50",
    )
    assert api_kpi["parent_kpi"] == parent_kpi.pk
    api_task = api_get(world.lead, f"/api/v1/key-tasks/{task.pk}/")
    assert {name: api_task[name] for name in ("mission", "title", "owner", "due_date")} == {
        "mission": mission.pk,
        "title": changes["task-title"],
        "owner": nurse.pk,
        "due_date": "2026-04-15",
    }
    assert api_task["status"] == "in_progress"

    for obj in (mission, kpi, task):
        (created,) = audit_events(obj)
        assert (created.verb, created.actor, created.mission) == ("created", world.lead, mission)
    history = client.get(f"/o/acme/missions/{mission.pk}/").content.decode()
    assert history.count(f"{world.lead.get_full_name()}</strong> created") == 3


def test_it_keeps_the_owner_of_a_new_individual_mission(world, client) -> None:
    parent = world.team_mission
    client.force_login(world.lead)
    url = f"/o/acme/missions/new/?parent={parent.pk}"
    data = form_data(client.get(url))
    changes = {
        "level": "individual",
        "title": "Run the discharge huddle",
        "owner_user": str(world.staff.pk),
        "owner_team": str(world.team.pk),  # an individual mission has no owner team
    }
    response = client.post(url, {**data, **changes})
    assert response.status_code == 302, response.context["form"].errors

    mission = Mission.objects.get(title=changes["title"])
    assert (mission.level, mission.owner_user, mission.owner_team) == (
        "individual",
        world.staff,
        None,
    )
    api = api_get(world.staff, f"/api/v1/missions/{mission.pk}/")
    assert (api["level"], api["owner_user"], api["owner_team"]) == (
        "individual",
        world.staff.pk,
        None,
    )
    (created,) = audit_events(mission)
    assert created.actor == world.lead
    assert not KeyTask.objects.filter(mission=mission).exists()
    assert not Kpi.objects.filter(mission=mission).exists()
