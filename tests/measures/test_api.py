"""The KPI and check-in API: progress, forecast, append-only check-ins, bad input."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from measures import forecast
from measures.models import CheckIn
from measures.services import kpi_refresh_figures
from tests.conftest import TENANT_SCOPE_QUERIES
from tests.measures.factories import CheckInFactory, KpiFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_kpi_shows_progress_and_forecast(world) -> None:
    kpi = KpiFactory(
        mission=world.staff_mission, baseline=10, target=50, due_date=dt.date(2026, 3, 1)
    )
    for day, value in ((1, 10), (11, 20), (21, 30)):
        CheckInFactory(kpi=kpi, author=world.staff, value=value, recorded_on=dt.date(2026, 1, day))
    kpi_refresh_figures(kpi=kpi)  # factories write rows directly; the service would do this
    body = client_for(world.coach).get(f"/api/v1/kpis/{kpi.pk}/").json()
    assert body["progress"] == 0.5
    assert body["latest_value"] == 30
    assert body["forecast"]["status"] == "on_track"
    assert body["forecast"]["reach_date"] == "2026-02-10"
    # The chance of meeting the target and the 80% interval, as stored by the check-ins'
    # refresh and computed by measures.forecast (the one place).
    outlook = forecast.forecast(
        forecast.Target.of(kpi),
        forecast.points_from(kpi.check_ins.standing().in_order()),
        kpi.due_date,
    )
    said = body["forecast"]
    assert said["probability"] == round(outlook.probability, 4) and 0.5 <= said["probability"] <= 1
    assert said["low"] <= said["value_at_due"] <= said["high"]
    assert said["method"] == outlook.method != ""


def test_the_kpi_list_costs_constant_queries(world, django_assert_max_num_queries) -> None:
    client = client_for(world.staff)
    KpiFactory(mission=world.staff_mission)
    # The page, read with one row more than it shows: a list of one page needs no count.
    with django_assert_max_num_queries(1 + TENANT_SCOPE_QUERIES) as few:
        client.get("/api/v1/kpis/")
    for _ in range(20):
        kpi = KpiFactory(mission=world.staff_mission)
        CheckInFactory(kpi=kpi, author=world.staff)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/kpis/").json()["count"] == 21


def test_the_fast_kpi_list_renders_what_the_serializer_renders(world) -> None:
    """The list builds its rows from ``values()`` without DRF's fields (``kpi_row``); each row
    must stay the document the serializer gives the same KPI."""
    from decimal import Decimal

    from measures.models import Kpi

    plain = KpiFactory(mission=world.staff_mission, baseline=10, target=50)
    ranged = KpiFactory(
        mission=world.team_mission,
        direction=Kpi.Direction.RANGE,
        baseline=Decimal("1.5"),
        target=Decimal("80.125"),
        target_max=Decimal("90.0001"),
        weight=Decimal("2.5"),
        unit="",
        parent_kpi=None,
    )
    child = KpiFactory(mission=world.staff_mission, parent_kpi=ranged, weight=Decimal("0"))
    for day, value in ((1, 10), (11, 20), (21, 30)):
        CheckInFactory(
            kpi=plain, author=world.staff, value=value, recorded_on=dt.date(2026, 1, day)
        )
    CheckInFactory(kpi=child, author=world.staff, value=Decimal("12.3456"))
    for kpi in (plain, child, ranged):
        kpi_refresh_figures(kpi=kpi)
    Kpi.objects.filter(pk=ranged.pk).update(
        forecast_value=1 / 3,
        forecast_probability=2 / 3,
        forecast_low=None,
        rollup_progress=0.123456,
    )
    api = client_for(world.coach)
    listed = {k["id"]: k for k in api.get("/api/v1/kpis/").json()["results"]}
    assert set(listed) == {plain.pk, ranged.pk, child.pk}
    for kpi in (plain, ranged, child):
        assert listed[kpi.pk] == api.get(f"/api/v1/kpis/{kpi.pk}/").json()
    assert listed[ranged.pk]["target_max"] == "90.0001"
    assert listed[ranged.pk]["weight"] == "2.50"
    assert listed[child.pk]["parent_kpi"] == ranged.pk
    assert listed[plain.pk]["forecast"]["status"] == "on_track"


def test_staff_checks_in_their_kpi(world) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    url = f"/api/v1/kpis/{kpi.pk}/check-ins/"
    response = client_for(world.staff).post(
        url, {"value": "25.5", "confidence": 80, "comment": "Good week"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["author"] == world.staff.pk
    assert body["recorded_on"] == timezone.localdate().isoformat()
    listed = client_for(world.coach).get(url).json()
    assert listed["count"] == 1 and listed["results"][0]["comment"] == "Good week"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"value": "abc"}, "value"),
        ({"value": "1", "confidence": 150}, "confidence"),
        ({"value": "1", "confidence": -1}, "confidence"),
        ({"value": "1", "recorded_on": "2999-01-01"}, "recorded_on"),
        ({}, "value"),
    ],
)
def test_bad_check_ins_answer_400_and_store_nothing(world, payload, field) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    response = client_for(world.staff).post(
        f"/api/v1/kpis/{kpi.pk}/check-ins/", payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not CheckIn.objects.exists()


def test_check_ins_by_others_are_refused(world) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    url = f"/api/v1/kpis/{kpi.pk}/check-ins/"
    assert client_for(world.coach).post(url, {"value": 1}, format="json").status_code == 403
    assert client_for(world.leader).post(url, {"value": 1}, format="json").status_code == 403
    assert client_for(world.outsider).post(url, {"value": 1}, format="json").status_code == 404
    assert client_for(world.lead).post(url, {"value": 1}, format="json").status_code == 201


def test_an_archived_kpi_takes_no_check_ins(world) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    client = client_for(world.staff)
    assert client.delete(f"/api/v1/kpis/{kpi.pk}/").status_code == 204
    response = client.post(f"/api/v1/kpis/{kpi.pk}/check-ins/", {"value": 1}, format="json")
    # The KPI's state refuses it (409), not the request's shape (400).
    assert response.status_code == 409
    assert response.json() == {"detail": "This KPI is archived; it takes no more check-ins."}
    assert not CheckIn.objects.exists()


def test_a_range_kpi_needs_an_upper_bound(world) -> None:
    payload = {
        "mission": world.staff_mission.pk,
        "name": "Bed occupancy",
        "direction": "range",
        "baseline": 97,
        "target": 85,
        "due_date": "2026-12-31",
    }
    client = client_for(world.staff)
    response = client.post("/api/v1/kpis/", payload, format="json")
    assert response.status_code == 400 and "target_max" in response.json()
    response = client.post("/api/v1/kpis/", {**payload, "target_max": 90}, format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_check_ins_are_twenty_rows(world, live_server) -> None:
    """Twenty HTTP requests at the same moment against the live server: twenty rows."""
    import json
    import urllib.request

    from rest_framework.authtoken.models import Token

    kpi = KpiFactory(mission=world.staff_mission)
    token = Token.objects.create(user=world.staff).key
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def post(n: int) -> None:
        request = urllib.request.Request(
            f"{live_server.url}/api/v1/kpis/{kpi.pk}/check-ins/",
            data=json.dumps({"value": n, "confidence": 60}).encode(),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            method="POST",
        )
        barrier.wait()
        with urllib.request.urlopen(request, timeout=30) as response:
            statuses.append(response.status)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 20
    assert sorted(CheckIn.objects.filter(kpi=kpi).values_list("value", flat=True)) == list(
        range(20)
    )
    kpi.refresh_from_db()
    assert kpi.latest_value is not None  # the figures were refreshed under the lock
