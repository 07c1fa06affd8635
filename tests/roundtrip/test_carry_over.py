"""Carrying a mission over into the next period in the browser keeps the new period, the KPIs
and the open key tasks: database, API, history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from measures.models import Kpi
from measures.services import kpi_create, kpi_record_value
from missions.models import KeyTask, Mission
from missions.services import key_task_create

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
def with_work(world):
    """A KPI with a check-in and two key tasks, one open and one done, on the team mission."""
    kpi = kpi_create(
        mission=world.team_mission,
        data={
            "name": "Beds at home",
            "baseline": Decimal(0),
            "target": Decimal(40),
            "due_date": dt.date(2026, 12, 31),
        },
        by=world.lead,
    )
    kpi_record_value(kpi=kpi, value=Decimal(12), by=world.lead, recorded_on=dt.date(2026, 1, 5))
    key_task_create(mission=world.team_mission, data={"title": "Hire two nurses"}, by=world.lead)
    key_task_create(
        mission=world.team_mission, data={"title": "Lease vans", "status": "done"}, by=world.lead
    )
    return world


def test_it_keeps_the_new_period_of_a_carry_over(with_work, client) -> None:
    world = with_work
    original = world.team_mission
    url = f"/o/acme/missions/{original.pk}/carry-over/"
    client.force_login(world.lead)
    page = client.get(url)
    # Free dates (no period of the organisation's): ``test_it_moves_into_the_period_chosen``.
    changes = {"period": "", "period_start": "2027-02-01", "period_end": "2027-10-31"}
    assert_changes_every_field(html_form(page, "").fields, changes)
    response = client.post(url, {**form_data(page), **changes})
    assert response.status_code == 302, response.context["form"].errors
    assert "Carried over into the next period." in messages_of(response)

    copy = Mission.objects.get(carried_over_from=original)
    assert response["Location"] == f"/o/acme/missions/{copy.pk}/"
    assert copy.period_start == dt.date(2027, 2, 1)
    assert copy.period_end == dt.date(2027, 10, 31)
    assert (copy.title, copy.owner_team, copy.parent) == (
        original.title,
        original.owner_team,
        original.parent,
    )
    assert copy.created_by == world.lead
    kpi = Kpi.objects.get(mission=copy)
    assert (kpi.name, kpi.baseline, kpi.due_date) == (
        "Beds at home",
        Decimal(12),
        dt.date(2027, 10, 31),
    )
    assert list(KeyTask.objects.filter(mission=copy).values_list("title", flat=True)) == [
        "Hire two nurses"
    ]
    original.refresh_from_db()
    assert original.status == Mission.Status.COMPLETED

    api = api_get(world.lead, f"/api/v1/missions/{copy.pk}/")
    assert (api["period_start"], api["period_end"]) == ("2027-02-01", "2027-10-31")
    assert api["parent"] == original.parent_id
    kpis = api_get(world.lead, f"/api/v1/kpis/?mission={copy.pk}")["results"]
    assert [(k["name"], k["baseline"], k["due_date"]) for k in kpis] == [
        ("Beds at home", "12.0000", "2027-10-31")
    ]
    assert api_get(world.lead, f"/api/v1/missions/{original.pk}/")["status"] == "completed"

    (created,) = audit_events(copy)
    assert (created.verb, created.actor) == ("created", world.lead)
    assert history_changes(original)["carried_over_to"] == [None, copy.pk]
    assert audit_events(original)[-1].actor == world.lead


def test_the_history_says_the_carried_over_mission_is_completed(with_work, client) -> None:
    original = with_work.team_mission
    url = f"/o/acme/missions/{original.pk}/carry-over/"
    client.force_login(with_work.lead)
    client.post(url, {"period_start": "2027-02-01", "period_end": "2027-10-31"})
    assert history_changes(original)["status"] == ["active", "completed"]


def test_it_moves_into_the_period_chosen(with_work, client) -> None:
    """A mission in one of the organisation's periods: the page offers the next one of its
    kind, and the copy runs for it, its KPIs due at its end."""
    from missions.models import Period
    from missions.services import mission_update, periods_generate_year

    world = with_work
    periods_generate_year(
        organisation=world.organisation, start_year=2026, first_month=1, by=world.org_admin
    )
    q1, q2 = (Period.objects.get(name=f"Q{n} FY2026") for n in (1, 2))
    original = mission_update(mission=world.team_mission, data={"period": q1}, by=world.lead)
    url = f"/o/acme/missions/{original.pk}/carry-over/"
    client.force_login(world.lead)
    page = client.get(url)
    assert page.context["form"]["period"].value() == q2.pk
    response = client.post(url, form_data(page))
    assert response.status_code == 302, response.context["form"].errors

    copy = Mission.objects.get(carried_over_from=original)
    assert (copy.period, copy.period_start, copy.period_end) == (
        q2,
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )
    api = api_get(world.lead, f"/api/v1/missions/{copy.pk}/")
    assert (api["period"], api["period_start"], api["period_end"]) == (
        q2.pk,
        "2026-04-01",
        "2026-06-30",
    )
    kpis = api_get(world.lead, f"/api/v1/kpis/?mission={copy.pk}")["results"]
    assert [k["due_date"] for k in kpis] == ["2026-06-30"]
    (created,) = audit_events(copy)
    assert (created.verb, created.actor) == ("created", world.lead)
    assert history_changes(original)["carried_over_to"] == [None, copy.pk]
