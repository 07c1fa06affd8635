"""The KPI range rule is written once (``Kpi.clean``) and every door shows it the same way, on
``target_max``: the site's form, the admin and the API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from measures.forms import KpiForm
from measures.models import Kpi

pytestmark = pytest.mark.django_db

CASES = [
    ({"direction": "range", "target": "10", "target_max": ""}, "A range needs an upper bound."),
    (
        {"direction": "range", "target": "10", "target_max": "5"},
        "The upper bound must not be below the target.",
    ),
    (
        {"direction": "increase", "target": "10", "target_max": "12"},
        "Only a range has an upper bound; leave it empty.",
    ),
]


def _fields(**rule: str) -> dict[str, str]:
    return {
        "name": "Beds free by noon",
        "unit": "%",
        "baseline": "0",
        "due_date": "2026-12-31",
        "cadence_days": "30",
        "weight": "1",
        **rule,
    }


@pytest.mark.parametrize(("rule", "message"), CASES)
def test_the_sites_form_says_it_on_the_upper_bound(world, rule, message) -> None:
    form = KpiForm(_fields(**rule), mission=world.staff_mission)
    assert not form.is_valid()
    assert form.errors["target_max"] == [message]


@pytest.mark.parametrize(("rule", "message"), CASES)
def test_the_api_says_it_on_the_upper_bound(world, rule, message) -> None:
    client = APIClient()
    client.force_authenticate(world.staff)
    body = {**_fields(**rule), "mission": world.staff_mission.pk}
    body = {key: value for key, value in body.items() if value != ""}
    answer = client.post("/api/v1/kpis/", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["target_max"] == [message]
    assert not Kpi.objects.exists()


@pytest.mark.parametrize(("rule", "message"), CASES)
def test_the_admin_says_it_on_the_upper_bound(admin_client, world, rule, message) -> None:
    body = {
        **_fields(**rule),
        "mission": world.staff_mission.pk,
        "status": "active",
        "parent_kpi": "",
    }
    answer = admin_client.post("/admin/measures/kpi/add/", body)
    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert not Kpi.objects.exists()
