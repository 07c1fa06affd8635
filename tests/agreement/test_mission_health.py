"""A mission's progress, and each KPI's figures, in Python and in SQL; and the KPIs' part in
its health.

Python: ``measures.summary.mission_figures`` works the figures out from the check-ins
(``MissionFigures.progress``; ``figures_for`` per KPI) for the cascade and the mission page.
SQL: ``reviews.dashboards.mission_health`` reads the stored KPI columns in one GROUP BY for the
team dashboard, and the dashboards and checks count those columns. Fed the same KPIs, both
give the same answer, and the answer is the one stated here. The whole health rule (alignment
and findings too) in Python and in SQL is ``test_one_health.py``; here a mission is given by
id, which counts as aligned with no findings.
"""

from __future__ import annotations

import pytest

from measures.summary import figures_for, mission_figures
from reviews.dashboards import mission_health
from tests.agreement.builders import (
    MET_AT_ONCE,
    NEARLY,
    NO_READING,
    ON_PACE,
    ONE_READING_SHORT,
    TOO_SLOW,
    KpiSpec,
    Reading,
    make_kpi,
)
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db


KPI_CASES = {
    "no reading yet": (NO_READING, "unknown", 0.0),
    "one reading short of the target": (ONE_READING_SHORT, "unknown", 0.5),
    "one reading that already meets the target": (MET_AT_ONCE, "on_track", 1.0),
    "on pace": (ON_PACE, "on_track", 0.75),
    "too slow": (TOO_SLOW, "off_track", 0.05),
    "nearly there at the due date": (NEARLY, "at_risk", 0.35),
    "a slow reading corrected to a fast one": (
        KpiSpec(readings=(Reading(60, 11), Reading(30, 12), Reading(1, 35, corrects=1))),
        "on_track",
        0.625,
    ),
    "a fast reading corrected to a slow one": (
        KpiSpec(readings=(Reading(60, 20), Reading(30, 30), Reading(1, 12, corrects=1))),
        "off_track",
        0.05,
    ),
    "a correction dated before the reading it replaces": (
        KpiSpec(readings=(Reading(60, 20), Reading(5, 45), Reading(40, 12, corrects=1))),
        "off_track",
        0.05,
    ),
    "a negative target, coming down": (
        KpiSpec(
            direction="decrease",
            baseline=5,
            target=-10,
            readings=(Reading(60, 0), Reading(30, -5)),
        ),
        "on_track",
        10 / 15,
    ),
    "a target of zero, coming down too slowly": (
        KpiSpec(
            direction="decrease", baseline=8, target=0, readings=(Reading(60, 8), Reading(30, 7))
        ),
        "off_track",
        1 / 8,
    ),
    # Two readings cannot tell a fall from noise: a chance of about 1 in 4 to be back at 50.
    "a baseline already at the target, then below it": (
        KpiSpec(baseline=50, target=50, readings=(Reading(60, 50), Reading(30, 49))),
        "at_risk",
        0.0,
    ),
    "inside a range now, overshooting it by the due date": (
        KpiSpec(
            direction="range",
            target=40,
            target_max=60,
            readings=(Reading(60, 20), Reading(30, 45)),
        ),
        "off_track",
        1.0,
    ),
}


@pytest.mark.parametrize(("spec", "status", "progress"), KPI_CASES.values(), ids=KPI_CASES.keys())
def test_a_kpis_stored_columns_are_its_figures_worked_out_from_its_readings(
    world, spec, status, progress
) -> None:
    """The dashboards and the checks read the stored columns; the mission page works the
    figures out from the check-ins. They are the same figures."""
    kpi = make_kpi(world.team_mission, spec, by=world.lead)
    live = figures_for(type(kpi).objects.prefetch_related("check_ins").get(pk=kpi.pk))
    assert (live.forecast.status, kpi.forecast_status) == (status, status)
    assert live.progress == pytest.approx(progress)
    assert kpi.progress == pytest.approx(live.progress)
    assert kpi.latest_on == live.latest_on
    stored_value = None if kpi.latest_value is None else float(kpi.latest_value)
    assert stored_value == live.latest_value


MISSION_CASES = {
    "no KPI at all": ((), "not_started", None),
    "only an archived KPI": (
        (KpiSpec(readings=ON_PACE.readings, status="archived"),),
        "not_started",
        None,
    ),
    "one KPI without readings": ((NO_READING,), "not_started", 0.0),
    "every KPI without enough data": ((NO_READING, ONE_READING_SHORT), "not_started", 0.25),
    "on track": ((ON_PACE,), "on_track", 0.75),
    "on track, and one KPI without enough data": ((ON_PACE, NO_READING), "on_track", 0.375),
    "at risk beside on track": ((ON_PACE, NEARLY), "watch", 0.55),
    "off track beside on track and at risk": ((ON_PACE, NEARLY, TOO_SLOW), "off_track", 0.3833),
    "off track, but that KPI is archived": (
        (ON_PACE, KpiSpec(readings=TOO_SLOW.readings, status="archived")),
        "on_track",
        0.75,
    ),
    "weighted progress": (
        (
            KpiSpec(readings=ON_PACE.readings, weight=3),
            KpiSpec(readings=TOO_SLOW.readings, weight=1),
        ),
        "off_track",
        (3 * 0.75 + 0.05) / 4,
    ),
    "every KPI weighs nothing": (
        (KpiSpec(readings=ON_PACE.readings, weight=0), KpiSpec(weight=0)),
        "on_track",
        None,
    ),
    "one KPI weighs nothing": (
        (KpiSpec(readings=ON_PACE.readings, weight=0), KpiSpec(readings=TOO_SLOW.readings)),
        "off_track",
        0.05,
    ),
}


@pytest.mark.parametrize(
    ("specs", "health", "progress"), MISSION_CASES.values(), ids=MISSION_CASES.keys()
)
@pytest.mark.parametrize("mission_status", ["active", "completed", "archived"])
def test_a_missions_health_and_progress_are_the_same_in_python_and_in_sql(
    world, specs, health, progress, mission_status
) -> None:
    mission = MissionFactory(
        parent=world.team_mission,
        level="individual",
        owner_user=world.staff,
        status=mission_status,
    )
    for spec in specs:
        make_kpi(mission, spec, by=world.staff)

    python = mission_figures([mission.pk])[mission.pk]
    sql = mission_health([mission.pk])[mission.pk]

    assert python.health == health
    assert len(python.kpis) == sql.kpis
    if progress is None:
        assert (python.progress, sql.progress) == (None, None)
    else:
        assert python.progress == pytest.approx(progress, abs=1e-4)
        assert sql.progress == pytest.approx(python.progress)
