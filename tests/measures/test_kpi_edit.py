"""Editing and archiving a KPI on its own pages: what the form says is stored (read back from
the database and the API), attributed in the mission's history; a save on an older version
is refused with who changed it; bad input comes back on its field with nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from kernel.models import AuditEvent
from measures.models import Kpi
from tests.measures.factories import KpiFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpi(world: Any) -> Kpi:
    return KpiFactory(mission=world.staff_mission, name="Virtual ward beds", unit="beds")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _posted(form: Any, **changes: Any) -> dict[str, Any]:
    """The edit form as the page shows it, with ``changes`` typed in."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
        if isinstance(value, dt.date):
            data[name] = value.isoformat()
    data.update(changes)
    return data


def test_the_lead_edits_a_kpi_and_it_is_stored_and_attributed(world: Any, kpi: Kpi) -> None:
    client = _client(world.lead)
    page = client.get(f"/o/acme/kpis/{kpi.pk}/edit/")
    assert page.status_code == 200
    data = _posted(page.context["form"], name="Virtual ward beds open", target="80")
    response = client.post(f"/o/acme/kpis/{kpi.pk}/edit/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/o/acme/kpis/{kpi.pk}/"

    kpi.refresh_from_db()
    assert (kpi.name, kpi.target) == ("Virtual ward beds open", Decimal("80"))
    api = APIClient()
    api.force_authenticate(world.staff)
    assert api.get(f"/api/v1/kpis/{kpi.pk}/").json()["target"] in ("80.0000", "80.00", "80")
    event = AuditEvent.objects.filter(object_id=kpi.pk, verb=AuditEvent.Verb.UPDATED).get()
    assert event.actor == world.lead and event.mission_id == world.staff_mission.pk
    assert set(event.changes) == {"name", "target"}


def test_a_save_on_an_older_version_is_refused_and_names_who_changed_it(
    world: Any, kpi: Kpi
) -> None:
    staff, lead = _client(world.staff), _client(world.lead)
    read_by_staff = staff.get(f"/o/acme/kpis/{kpi.pk}/edit/").context["form"]
    read_by_lead = lead.get(f"/o/acme/kpis/{kpi.pk}/edit/").context["form"]
    assert (
        lead.post(f"/o/acme/kpis/{kpi.pk}/edit/", _posted(read_by_lead, target="90")).status_code
        == 302
    )

    response = staff.post(f"/o/acme/kpis/{kpi.pk}/edit/", _posted(read_by_staff, unit="wards"))
    assert response.status_code == 409
    text = response.content.decode()
    assert "Not saved:" in text and "changed this KPI a moment ago" in text
    kpi.refresh_from_db()
    assert (kpi.target, kpi.unit) == (Decimal("90"), "beds")  # the lead's change kept

    # Saving again, knowing, stores the staff's form as it stands.
    again = _posted(response.context["form"], unit="wards")
    assert staff.post(f"/o/acme/kpis/{kpi.pk}/edit/", again).status_code == 302
    kpi.refresh_from_db()
    assert kpi.unit == "wards"


def test_bad_input_comes_back_on_its_field_and_nothing_is_written(world: Any, kpi: Kpi) -> None:
    client = _client(world.staff)
    form = client.get(f"/o/acme/kpis/{kpi.pk}/edit/").context["form"]
    response = client.post(f"/o/acme/kpis/{kpi.pk}/edit/", _posted(form, name="", cadence_days="0"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "name" in errors and "cadence_days" in errors
    kpi.refresh_from_db()
    assert kpi.name == "Virtual ward beds"


def test_archiving_keeps_the_history_and_the_api_says_so(world: Any, kpi: Kpi) -> None:
    response = _client(world.staff).post(f"/o/acme/kpis/{kpi.pk}/archive/")
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert kpi.status == Kpi.Status.ARCHIVED
    api = APIClient()
    api.force_authenticate(world.lead)
    assert api.get(f"/api/v1/kpis/{kpi.pk}/").json()["status"] == "archived"
    assert AuditEvent.objects.filter(
        object_id=kpi.pk, verb=AuditEvent.Verb.ARCHIVED, actor=world.staff
    ).exists()
    page = _client(world.staff).get(f"/o/acme/kpis/{kpi.pk}/edit/")
    assert "Archive KPI" not in page.content.decode()


def test_people_who_may_not_edit_get_neither_the_link_nor_the_page(world: Any, kpi: Kpi) -> None:
    coach = _client(world.coach)
    assert "Edit KPI" not in coach.get(f"/o/acme/kpis/{kpi.pk}/").content.decode()
    assert coach.get(f"/o/acme/kpis/{kpi.pk}/edit/").status_code == 403
    assert "Edit KPI" in _client(world.staff).get(f"/o/acme/kpis/{kpi.pk}/").content.decode()
