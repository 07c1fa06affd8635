"""Another organisation's id answers exactly like an id that does not exist (hardening item 6,
the check-in's ``supersedes``)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from measures.models import CheckIn
from tests.measures.factories import CheckInFactory, KpiFactory

pytestmark = pytest.mark.django_db


def test_superseding_another_organisations_check_in_answers_like_a_missing_one(world) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    theirs = CheckInFactory(kpi=KpiFactory(mission=world.other_mission), author=world.outsider)
    missing = CheckIn.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    client = APIClient()
    client.force_authenticate(world.staff)
    url = f"/api/v1/kpis/{kpi.pk}/check-ins/"

    def answer(pk: int) -> tuple[int, dict]:
        response = client.post(url, {"value": "3", "supersedes": pk}, format="json")
        body = response.json()
        # The id itself is echoed back; the rest of the answer must be the same.
        return response.status_code, {
            k: [str(m).replace(str(pk), "<id>") for m in v] for k, v in body.items()
        }

    assert answer(theirs.pk) == answer(missing)
    assert answer(missing)[0] == 400
    assert CheckIn.objects.filter(kpi=kpi).count() == 0


def test_superseding_a_check_in_of_the_same_kpi_still_works(world) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    first = CheckInFactory(kpi=kpi, author=world.staff)
    client = APIClient()
    client.force_authenticate(world.staff)
    response = client.post(
        f"/api/v1/kpis/{kpi.pk}/check-ins/", {"value": "4", "supersedes": first.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["supersedes"] == first.pk
