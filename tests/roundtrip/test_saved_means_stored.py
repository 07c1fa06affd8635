"""A form that says "saved" has stored what it was given: for each field of the forms that
edit an existing row, one change alone, posted, is what the form shows when opened again.

Also a guard on the shape of the mission-edit bug: a model form bound to a stored row must not
copy the posted values onto it before the service compares them (ServiceModelForm), nor skip
the model's own checks.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from django import forms
from django.utils import timezone

from kernel.forms import ServiceModelForm
from kernel.models import Membership
from missions.models import KeyTask
from missions.services import interdependency_create
from reviews.models import Review
from reviews.services import review_complete
from tests.measures.factories import KpiFactory
from tests.missions.factories import TeamFactory

from .helpers import api_get, form_data, messages_of

pytestmark = pytest.mark.django_db

VISION_CHANGES = [
    ("purpose", "Healthy neighbourhoods."),
    ("vision", "Care at home for nine in ten."),
    ("horizon", "2031-06-30"),
    ("success_picture", "Half the beds, twice the visits."),
    ("ceo_intent", "District by district."),
]


@pytest.mark.parametrize(("name", "value"), VISION_CHANGES, ids=[n for n, _ in VISION_CHANGES])
def test_a_saved_vision_stored_the_changed_field(world, client, name, value) -> None:
    client.force_login(world.leader)
    url = "/o/acme/vision/"
    data = form_data(client.get(f"{url}?edit"))
    assert data.get(name) != value
    response = client.post(url, {**data, name: value})
    assert messages_of(response) == ["The vision is saved."]
    assert form_data(client.get(f"{url}?edit"))[name] == value


MISSION_CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("title", {"title": "Wards at home"}),
    ("statement", {"statement": "Four wards at home."}),
    ("intent", {"intent": "Shorter stays."}),
    ("owner_team", {"owner_team": "wards"}),
    ("level", {"level": "individual", "owner_user": "lead"}),
    ("period_start", {"period_start": "2026-02-02"}),
    ("period_end", {"period_end": "2026-11-29"}),
    ("deadline", {"deadline": "2026-10-30"}),
    ("scope", {"scope": "South district"}),
    ("budget", {"budget": "500.00"}),
    ("headcount", {"headcount": "3"}),
    ("constraints", {"constraints": "No agency staff"}),
    ("review_cadence_days", {"review_cadence_days": "14"}),
    ("free_to_decide", {"free_to_decide": "Rotas"}),
    ("must_consult", {"must_consult": "Estates"}),
    ("must_not", {"must_not": "Close a clinic"}),
]


@pytest.mark.parametrize(("name", "changes"), MISSION_CHANGES, ids=[n for n, _ in MISSION_CHANGES])
def test_a_saved_mission_stored_the_changed_field(world, client, name, changes) -> None:
    wards = TeamFactory(organisation=world.organisation, name="Ward team", parent=world.team)
    ids = {"wards": str(wards.pk), "lead": str(world.lead.pk)}
    changes = {key: ids.get(value, value) for key, value in changes.items()}
    client.force_login(world.lead)
    url = f"/o/acme/missions/{world.team_mission.pk}/edit/"
    data = form_data(client.get(url))
    assert data.get(name) != changes[name]
    response = client.post(url, {**data, **changes})
    assert response.status_code == 302, response.context["form"].errors
    assert messages_of(response) == ["The mission is saved."]
    # Read back by the boss: a mission handed to another team is no longer the lead's to edit.
    client.force_login(world.leader)
    shown = form_data(client.get(url))
    # The owner pickers post the chosen owner's number and show the stored owner by name.
    names = {str(wards.pk): wards.name, str(world.lead.pk): world.lead.get_username()}
    expected = {
        key: names[value] if key in ("owner_team", "owner_user") else value
        for key, value in changes.items()
    }
    assert {key: shown.get(key) for key in changes} == expected


def _form_modules() -> list[str]:
    """Every forms module of the project's apps (``forms``, ``dashboard_forms``, …)."""
    names = []
    for app in ("missions", "measures", "reviews", "accounts"):
        try:
            package = importlib.import_module(app)
        except ImportError:
            continue
        for module in pkgutil.iter_modules(package.__path__):
            if module.name.endswith("forms"):
                names.append(f"{app}.{module.name}")
    return names


def test_no_model_form_hands_a_service_an_instance_it_changed() -> None:
    model_forms = []
    for name in _form_modules():
        module = importlib.import_module(name)
        model_forms += [
            cls
            for cls in vars(module).values()
            if isinstance(cls, type)
            and issubclass(cls, forms.ModelForm)
            and cls.__module__ == name
            and cls is not ServiceModelForm
        ]
    assert model_forms, "no model form found: the guard looks in the wrong place"
    plain = [cls.__qualname__ for cls in model_forms if not issubclass(cls, ServiceModelForm)]
    assert not plain, f"model forms that copy posted values onto their instance: {plain}"
    skipping = [cls.__qualname__ for cls in model_forms if "_post_clean" in vars(cls)]
    assert not skipping, f"model forms that replace the model's checks: {skipping}"


KPI_CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("name", {"name": "Beds open"}),
    ("unit", {"unit": "beds"}),
    ("direction", {"direction": "decrease"}),
    ("baseline", {"baseline": "12.0000"}),
    ("target", {"target": "75.0000"}),
    ("target_max", {"direction": "range", "target_max": "90.0000"}),
    ("due_date", {"due_date": "2026-11-30"}),
    ("cadence_days", {"cadence_days": "14"}),
    ("weight", {"weight": "2.00"}),
    ("parent_kpi", {"parent_kpi": "parent"}),
]


@pytest.mark.parametrize(("name", "changes"), KPI_CHANGES, ids=[n for n, _ in KPI_CHANGES])
def test_a_saved_kpi_stored_the_changed_field(world, client, name, changes) -> None:
    kpi = KpiFactory(mission=world.staff_mission, name="Beds", unit="%")
    parent = KpiFactory(mission=world.team_mission, name="Ward capacity")
    changes = {
        key: str(parent.pk) if value == "parent" else value for key, value in changes.items()
    }
    client.force_login(world.staff)
    url = f"/o/acme/kpis/{kpi.pk}/edit/"
    data = form_data(client.get(url))
    assert data.get(name) != changes[name]
    response = client.post(url, {**data, **changes})
    assert response.status_code == 302, response.context["form"].errors
    assert messages_of(response) == ["The KPI is saved."]
    client.force_login(world.lead)  # read back by the boss
    shown = form_data(client.get(url))
    assert {key: shown.get(key) for key in changes} == changes


KEY_TASK_CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("title", {"title": "Recruit two nurses"}),
    ("description", {"description": "Band 5, for the night rota."}),
    ("owner", {"owner": "lead"}),
    ("due_date", {"due_date": "2026-10-15"}),
    ("status", {"status": "blocked"}),
]


@pytest.mark.parametrize(
    ("name", "changes"), KEY_TASK_CHANGES, ids=[n for n, _ in KEY_TASK_CHANGES]
)
def test_a_saved_key_task_stored_the_changed_field(world, client, name, changes) -> None:
    task = KeyTask.objects.create(
        mission=world.team_mission, title="Recruit", owner=world.staff, created_by=world.staff
    )
    client.force_login(world.lead)
    url = f"/o/acme/key-tasks/{task.pk}/edit/"
    data = form_data(client.get(url))
    assert data.get(name) != changes[name]
    # The owner picker posts the person's number; the page shows them by username.
    posted = {key: str(world.lead.pk) if key == "owner" else v for key, v in changes.items()}
    response = client.post(url, {**data, **posted})
    assert response.status_code == 302, response.context["form"].errors
    assert messages_of(response) == ["The key task is saved."]
    client.force_login(world.leader)  # read back by the boss
    shown = form_data(client.get(url))
    assert {key: shown.get(key) for key in changes} == changes
    stored = api_get(world.staff, f"/api/v1/key-tasks/{task.pk}/")
    expected = world.lead.pk if name == "owner" else changes[name]
    assert stored[name] == expected


LINK_CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("description", {"description": "Transport, two days a week."}),
    ("for_task", {"for_task": "task"}),
]


@pytest.mark.parametrize(("name", "changes"), LINK_CHANGES, ids=[n for n, _ in LINK_CHANGES])
def test_a_saved_link_stored_the_changed_field(world, client, name, changes) -> None:
    task = KeyTask.objects.create(mission=world.staff_mission, title="Start the visits")
    link = interdependency_create(
        from_mission=world.staff_mission,
        to_mission=world.team_mission,
        kind="depends_on",
        description="Transport.",
        by=world.staff,
    )
    changes = {key: str(task.pk) if v == "task" else v for key, v in changes.items()}
    client.force_login(world.staff)
    url = f"/o/acme/links/{link.pk}/edit/"
    data = form_data(client.get(url))
    assert data.get(name) != changes[name]
    response = client.post(url, {**data, **changes})
    assert response.status_code == 302, response.context["form"].errors
    assert messages_of(response) == ["The link is saved."]
    client.force_login(world.lead)  # read back by the boss
    shown = form_data(client.get(url))
    assert {key: shown.get(key) for key in changes} == changes
    stored = api_get(world.lead, f"/api/v1/interdependencies/{link.pk}/")
    assert str(stored[name]) == changes[name]


REVIEW_CHANGES = [
    ("summary", "Three wards open."),
    ("working", "Rotas, mostly."),
    ("not_working", "Transport at night."),
    ("changes", "Book transport a week ahead."),
]


@pytest.mark.parametrize(("name", "value"), REVIEW_CHANGES, ids=[n for n, _ in REVIEW_CHANGES])
def test_a_corrected_review_stored_the_changed_field(world, client, name, value) -> None:
    due = Review.objects.create(mission=world.staff_mission, due_date=timezone.localdate())
    review = review_complete(review=due, data={"summary": "Two wards."}, by=world.staff)
    client.force_login(world.staff)
    url = f"/o/acme/reviews/{review.pk}/correct/"
    data = form_data(client.get(url))
    assert data.get(name) != value
    response = client.post(url, {**data, name: value})
    assert response.status_code == 302, response.context["form"].errors
    assert messages_of(response) == ["The review is corrected."]
    client.force_login(world.lead)  # read back by the boss
    assert form_data(client.get(url))[name] == value
    assert api_get(world.lead, f"/api/v1/reviews/{review.pk}/")[name] == value


TEAM_CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("name", {"name": "Virtual wards"}),
    ("parent", {"parent": "Board"}),
    ("leader", {"leader": "staff"}),
]


@pytest.mark.parametrize(("name", "changes"), TEAM_CHANGES, ids=[n for n, _ in TEAM_CHANGES])
def test_a_saved_team_stored_the_changed_field(world, client, name, changes) -> None:
    wards = TeamFactory(organisation=world.organisation, name="Wards", parent=world.team)
    client.force_login(world.org_admin)
    url = f"/o/acme/people/teams/{wards.pk}/"
    data = form_data(client.get(url))
    assert data.get(name) != changes[name]
    response = client.post(url, {**data, **changes})
    assert response.status_code == 302, response.context["form"].errors
    assert messages_of(response) == ["The team is saved."]
    # The pickers show the stored team and leader by name.
    shown = form_data(client.get(url))
    assert {key: shown.get(key) for key in changes} == changes
    expected = {"name": "Virtual wards", "parent": world.top_team.pk, "leader": world.staff.pk}
    assert api_get(world.lead, f"/api/v1/teams/{wards.pk}/")[name] == expected[name]


MEMBERSHIP_CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("role", {"role": "leader"}),
    ("team", {"team": "Board"}),
    ("job_title", {"job_title": "Ward nurse"}),
]


@pytest.mark.parametrize(
    ("name", "changes"), MEMBERSHIP_CHANGES, ids=[n for n, _ in MEMBERSHIP_CHANGES]
)
def test_a_saved_membership_stored_the_changed_field(world, client, name, changes) -> None:
    membership = Membership.objects.get(organisation=world.organisation, user=world.staff)
    client.force_login(world.org_admin)
    url = f"/o/acme/people/{membership.pk}/"
    data = form_data(client.get(url))
    assert data.get(name) != changes[name]
    response = client.post(url, {**data, **changes})
    assert response.status_code == 302, response.context["form"].errors
    shown = form_data(client.get(url))  # the team picker shows the team by name
    assert {key: shown.get(key) for key in changes} == changes
    stored = Membership.objects.get(pk=membership.pk)
    expected = {"role": "leader", "team": world.top_team, "job_title": "Ward nurse"}
    assert getattr(stored, name) == expected[name]
