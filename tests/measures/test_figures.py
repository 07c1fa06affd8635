"""One figure pipeline: which check-in stands, the figures stored on each KPI, the roll-up to
the parent KPI, and every reader (pages, API, dashboards) reading what is stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from kernel.models import Organisation
from measures import services
from measures import tasks as measures_tasks
from measures.figures import FIGURE_FIELDS, kpi_figures, rollup_of
from measures.models import CheckIn, Kpi
from measures.summary import mission_figures
from measures.tasks import kpi_refresh_nightly
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def stored(kpi: Kpi) -> dict[str, object]:
    row = Kpi.objects.get(pk=kpi.pk)
    return {name: getattr(row, name) for name in FIGURE_FIELDS}


def computed(kpi: Kpi) -> dict[str, object]:
    """What the one function makes of the KPI's check-ins as they are in the database."""
    row = Kpi.objects.get(pk=kpi.pk)
    return kpi_figures(row, list(row.check_ins.standing().in_order()))


def record(kpi: Kpi, by, value, **extra) -> CheckIn:
    return services.kpi_record_value(kpi=kpi, value=Decimal(value), by=by, **extra)


def rollup(kpi: Kpi) -> float | None:
    return Kpi.objects.values_list("rollup_progress", flat=True).get(pk=kpi.pk)


@pytest.fixture
def family(world):
    """A parent KPI on the team mission and two KPIs of the staff mission contributing to it
    (weights 3 and 1), made through the service."""
    parent = services.kpi_create(
        mission=world.team_mission,
        data={"name": "Care at home", "baseline": 0, "target": 100, "due_date": days_ago(-90)},
        by=world.lead,
    )

    def child(name: str, weight: int) -> Kpi:
        data = {
            "name": name,
            "baseline": 0,
            "target": 10,
            "due_date": days_ago(-90),
            "weight": weight,
            "parent_kpi": parent,
        }
        return services.kpi_create(mission=world.staff_mission, data=data, by=world.staff)

    return parent, child("Beds", 3), child("Wait", 1)


# --- Which check-in stands --------------------------------------------------------------------


def test_a_correction_stands_in_place_of_what_it_supersedes(world) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    first = CheckInFactory(kpi=kpi, author=world.staff, value=10, recorded_on=days_ago(30))
    wrong = CheckInFactory(kpi=kpi, author=world.staff, value=99, recorded_on=days_ago(10))
    # Corrected twice, the last time with an earlier date than the reading it corrects.
    again = CheckInFactory(kpi=kpi, author=world.staff, value=50, supersedes=wrong)
    right = CheckInFactory(
        kpi=kpi, author=world.staff, value=20, recorded_on=days_ago(12), supersedes=again
    )
    assert list(kpi.check_ins.standing().in_order()) == [first, right]
    assert kpi.check_ins.current() == right
    assert CheckIn.objects.filter(kpi=kpi).standing().newest_first().first() == right
    assert KpiFactory(mission=world.staff_mission).check_ins.current() is None


# --- The stored figures are the one function's ------------------------------------------------


def test_the_stored_figures_are_what_the_one_function_computes(world) -> None:
    kpi = KpiFactory(mission=world.staff_mission, baseline=10, target=50, due_date=days_ago(-60))
    assert stored(kpi) == computed(kpi)  # no check-in yet: nothing, progress 0, unknown
    record(kpi, world.staff, 12, recorded_on=days_ago(40), confidence=60)
    wrong = record(kpi, world.staff, 90, recorded_on=days_ago(20), confidence=95)
    assert stored(kpi) == computed(kpi)
    assert stored(kpi)["latest_value"] == 90
    # The correction supersedes the reading of 90: it no longer counts anywhere.
    record(kpi, world.staff, 20, recorded_on=days_ago(20), confidence=65, supersedes=wrong)
    # Two readings of one day: the later one counts.
    record(kpi, world.staff, 26, recorded_on=days_ago(5), confidence=70)
    record(kpi, world.staff, 30, recorded_on=days_ago(5), confidence=75)
    figures = stored(kpi)
    assert figures == computed(kpi)
    assert (figures["latest_value"], figures["latest_on"]) == (30, days_ago(5))
    assert figures["latest_confidence"] == 75
    assert figures["progress"] == pytest.approx((30 - 10) / (50 - 10))
    assert figures["forecast_status"] != "unknown"
    # The nightly refresh writes exactly the same.
    Kpi.objects.filter(pk=kpi.pk).update(progress=0, latest_value=None, forecast_status="unknown")
    services.kpi_refresh_all(organisation_id=world.organisation.pk)
    assert stored(kpi) == figures


def test_a_change_of_target_refreshes_the_stored_figures(world) -> None:
    kpi = services.kpi_create(
        mission=world.staff_mission,
        data={"name": "Beds", "baseline": 0, "target": 10, "due_date": days_ago(-30)},
        by=world.staff,
    )
    record(kpi, world.staff, 5)
    services.kpi_update(kpi=kpi, data={"target": Decimal(20)}, by=world.staff)
    assert stored(kpi) == computed(kpi)
    assert stored(kpi)["progress"] == 0.25


def test_generated_organisations_store_what_the_service_would() -> None:
    out = {"stdout": StringIO(), "stderr": StringIO()}
    call_command("generate_org", "--missions", "40", "--slug", "figures", **out)
    org = Organisation.objects.get(slug="figures")
    fields = [*FIGURE_FIELDS, "rollup_progress"]
    before = list(Kpi.objects.filter(organisation=org).order_by("id").values_list(*fields))
    assert any(row[-1] is not None for row in before)  # some KPIs have contributors
    services.kpi_refresh_all(organisation_id=org.pk)
    after = list(Kpi.objects.filter(organisation=org).order_by("id").values_list(*fields))
    assert after == before


# --- The roll-up to the parent KPI ------------------------------------------------------------


def test_the_rollup_is_stored_and_follows_each_child_check_in(world, family) -> None:
    parent, beds, wait = family
    assert rollup(parent) == 0.0  # two contributors, nothing delivered yet
    record(beds, world.staff, 10)  # met: progress 1
    assert rollup(parent) == pytest.approx(0.75)
    wrong = record(wait, world.staff, 5)  # half way
    assert rollup(parent) == pytest.approx(0.75 + 0.25 * 0.5)
    record(wait, world.staff, 0, supersedes=wrong)  # a correction counts at once
    assert rollup(parent) == pytest.approx(0.75)
    assert rollup(beds) is None  # nothing contributes to a child
    assert rollup(parent) == rollup_of([(3, 1.0), (1, 0.0)])


def test_archiving_a_child_takes_it_out_of_the_rollup(world, family) -> None:
    parent, beds, wait = family
    record(wait, world.staff, 10)
    services.kpi_archive(kpi=wait, by=world.staff)
    assert rollup(parent) == 0.0  # only Beds, which has delivered nothing
    services.kpi_archive(kpi=beds, by=world.staff)
    assert rollup(parent) is None


def test_a_child_reactivated_in_the_admin_counts_in_the_rollup_again(world, family) -> None:
    from measures.admin import kpi_set_status

    parent, beds, wait = family
    record(wait, world.staff, 10)
    before = rollup(parent)
    services.kpi_archive(kpi=wait, by=world.staff)
    assert rollup(parent) == 0.0
    wait.refresh_from_db()
    kpi_set_status(wait, Kpi.Status.ACTIVE, by=world.org_admin)
    assert rollup(parent) == pytest.approx(before) != 0.0


def test_a_child_that_changes_parent_or_weight_moves_its_share(world, family) -> None:
    parent, beds, wait = family
    other = services.kpi_create(
        mission=world.team_mission,
        data={"name": "Hospital at home", "baseline": 0, "target": 5, "due_date": days_ago(-90)},
        by=world.lead,
    )
    record(beds, world.staff, 10)
    services.kpi_update(kpi=beds, data={"parent_kpi": other}, by=world.staff)
    assert (rollup(parent), rollup(other)) == (0.0, 1.0)
    services.kpi_update(kpi=beds, data={"parent_kpi": parent, "weight": 1}, by=world.staff)
    assert (rollup(parent), rollup(other)) == (0.5, None)
    # Moved to a mission under another parent mission, the link is cut.
    sibling = MissionFactory(parent=world.org_mission, owner_team=world.team)
    services.kpi_move(kpi=Kpi.objects.get(pk=beds.pk), to_mission=sibling, by=world.lead)
    assert rollup(parent) == 0.0


def test_the_nightly_refresh_repairs_a_rollup(world, family) -> None:
    parent, beds, _ = family
    record(beds, world.staff, 10)
    Kpi.objects.filter(pk=parent.pk).update(rollup_progress=None)
    Kpi.objects.filter(pk=beds.pk).update(rollup_progress=0.3)  # nothing contributes to it
    services.kpi_refresh_all()
    assert (rollup(parent), rollup(beds)) == (pytest.approx(0.75), None)


def test_a_check_in_costs_the_same_queries_however_many_siblings(
    world, family, django_assert_max_num_queries
) -> None:
    parent, beds, _ = family
    with CaptureQueriesContext(connection) as few:
        record(beds, world.staff, 4)
    for i in range(20):
        services.kpi_create(
            mission=world.staff_mission,
            data={
                "name": f"Sibling {i}",
                "baseline": 0,
                "target": 10,
                "due_date": days_ago(-90),
                "parent_kpi": parent,
            },
            by=world.staff,
        )
        KpiFactory(mission=MissionFactory(organisation=world.organisation))
    with django_assert_max_num_queries(len(few.captured_queries)):
        record(beds, world.staff, 6)


def test_the_api_shows_the_stored_rollup_and_it_follows_a_child_check_in(world, family) -> None:
    parent, beds, _ = family
    client = APIClient()
    client.force_authenticate(world.staff)
    body = client.get(f"/api/v1/kpis/{parent.pk}/").json()
    assert body["rollup_progress"] == 0.0
    assert client.get(f"/api/v1/kpis/{beds.pk}/").json()["rollup_progress"] is None
    response = client.post(f"/api/v1/kpis/{beds.pk}/check-ins/", {"value": "5"}, format="json")
    assert response.status_code == 201, response.json()
    assert client.get(f"/api/v1/kpis/{parent.pk}/").json()["rollup_progress"] == 0.375
    # Read-only: a value sent is ignored, the stored one stays.
    response = client.patch(
        f"/api/v1/kpis/{beds.pk}/", {"rollup_progress": 0.9, "weight": "3"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert rollup(beds) is None


# --- Every reader reads what is stored --------------------------------------------------------


def test_pages_show_the_stored_figures_not_a_recomputation(world, client, family) -> None:
    parent, beds, _ = family
    CheckInFactory(kpi=beds, author=world.staff, value=10, recorded_on=days_ago(1))
    # Stored figures that no computation would give: the pages must show these.
    Kpi.objects.filter(pk=beds.pk).update(progress=0.42, latest_value=7)
    Kpi.objects.filter(pk=parent.pk).update(rollup_progress=0.61)
    client.force_login(world.lead)
    kpi_page = client.get(f"/o/acme/kpis/{parent.pk}/").content.decode()
    assert "<strong>61%</strong>" in kpi_page  # the stored roll-up
    assert "42%" in kpi_page  # Beds' stored progress in the table of contributions
    mission_page = client.get(f"/o/acme/missions/{world.staff_mission.pk}/").content.decode()
    assert "42%" in mission_page
    assert (
        mission_figures([world.staff_mission.pk])[world.staff_mission.pk].kpis[0].latest_value == 7
    )


def test_mission_figures_cost_one_query_and_two_with_history(
    world, django_assert_num_queries
) -> None:
    for mission in (world.team_mission, world.staff_mission):
        kpi = KpiFactory(mission=mission)
        CheckInFactory(kpi=kpi, author=world.lead)
    ids = [world.team_mission.pk, world.staff_mission.pk]
    with django_assert_num_queries(1):  # the KPIs with their stored figures
        assert all(f.kpis[0].history == [] for f in mission_figures(ids).values())
    with django_assert_num_queries(2):  # and their standing check-ins
        assert all(len(f.kpis[0].history) == 1 for f in mission_figures(ids, history=True).values())


def test_the_nightly_refresh_gives_every_organisations_kpis_the_current_figures(world) -> None:
    """After an upgrade of the forecast, KPIs stored by the old one (no probability, no
    interval) carry the new figures once the night's task (one refresh per organisation,
    through the schedule's task) has run."""
    kpi = services.kpi_create(
        mission=world.staff_mission,
        data={"name": "Beds", "baseline": 0, "target": 100, "due_date": days_ago(-120)},
        by=world.staff,
    )
    for ago, value in ((60, 10), (40, 25), (20, 30)):
        record(kpi, world.staff, value, recorded_on=days_ago(ago))
    other = KpiFactory(mission=world.other_mission, target=50, due_date=days_ago(-200))
    CheckInFactory(kpi=other, author=world.outsider, value=20, recorded_on=days_ago(30))
    CheckInFactory(kpi=other, author=world.outsider, value=30, recorded_on=days_ago(10))
    current = computed(kpi)
    old = {"forecast_probability": None, "forecast_low": None, "forecast_high": None}
    Kpi.objects.filter(pk__in=[kpi.pk, other.pk]).update(forecast_method="", **old)

    assert kpi_refresh_nightly() == 2  # one refresh per organisation
    assert stored(kpi) == current and current["forecast_probability"] is not None
    assert stored(other) == computed(other)
    assert stored(other)["forecast_low"] <= stored(other)["forecast_high"]


def test_a_large_organisation_is_refreshed_in_chunks_then_rolled_up(world, monkeypatch) -> None:
    """The night's refresh of one organisation shares out in chunks of KPIs (here two per
    chunk), and the roll-ups wait until every chunk has stored its figures: a parent whose
    contributors sit in other chunks rolls up their fresh progress."""
    monkeypatch.setattr(measures_tasks, "NIGHTLY_CHUNK", 2)
    parent = KpiFactory(mission=world.team_mission, baseline=0, target=100, due_date=days_ago(-90))
    children = [
        KpiFactory(
            mission=world.staff_mission,
            baseline=0,
            target=100,
            due_date=days_ago(-90),
            parent_kpi=parent,
        )
        for _ in range(4)
    ]
    for child in children:
        CheckInFactory(kpi=child, author=world.staff, value=40, recorded_on=days_ago(5))
    assert measures_tasks.kpi_refresh_organisation(world.organisation.pk) == 3  # 5 KPIs
    assert all(stored(child)["progress"] == 0.4 for child in children)
    assert rollup(parent) == pytest.approx(0.4)


def test_an_operator_refreshes_the_figures_now_with_a_command(world) -> None:
    kpi = KpiFactory(mission=world.staff_mission, target=50, due_date=days_ago(-100))
    CheckInFactory(kpi=kpi, author=world.staff, value=20, recorded_on=days_ago(30))
    CheckInFactory(kpi=kpi, author=world.staff, value=30, recorded_on=days_ago(10))
    out = StringIO()
    call_command("refresh_kpi_figures", "--org", "acme", stdout=out)
    assert "[1/1] acme … 1 KPIs refreshed in" in out.getvalue()
    assert stored(kpi) == computed(kpi) and stored(kpi)["latest_value"] == 30
    with pytest.raises(CommandError, match="No organisation with the slug 'nowhere'"):
        call_command("refresh_kpi_figures", "--org", "nowhere")


def test_a_refresh_that_finds_nothing_new_rewrites_no_kpi(world) -> None:
    """Figures that did not move are not written again (as the checks leave findings that
    still hold): a rewrite of every KPI each night, or twice in a day, left a new version of
    each row in all seven of the KPIs' indexes, which grew fivefold in a bench day."""
    moved = KpiFactory(mission=world.staff_mission, target=50, due_date=days_ago(-100))
    still = KpiFactory(mission=world.staff_mission, target=50, due_date=days_ago(-100))
    for kpi in (moved, still):
        CheckInFactory(kpi=kpi, author=world.staff, value=20, recorded_on=days_ago(30))
    services.kpi_refresh_all(organisation_id=world.organisation.pk)

    def versions() -> dict[int, str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, xmin::text FROM measures_kpi")
            return dict(cursor.fetchall())

    before = versions()
    Kpi.objects.filter(pk=moved.pk).update(progress=0)  # a figure out of date
    before[moved.pk] = versions()[moved.pk]
    services.kpi_refresh_all(organisation_id=world.organisation.pk)
    after = versions()
    assert after[still.pk] == before[still.pk]  # the same figures: the row untouched
    assert after[moved.pk] != before[moved.pk]
    assert stored(moved) == computed(moved) and stored(still) == computed(still)
