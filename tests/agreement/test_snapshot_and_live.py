"""A team's figures from the alignment check's snapshot, and live.

The dashboards read each team's own figures from the latest check's ``AlignmentSnapshot``
(``reviews.checks.scores.snapshot``, read by ``reviews.dashboards.queries.checked_figures``;
each team with its sub-teams is their sum, ``tests/reviews/test_subtree_snapshots.py``); before
the first check they are computed live (``reviews.dashboards.figures_by_team``). Right after a
check, on the same rows, they are the same figures: missions, score, open and critical
findings, KPI forecasts, review compliance.
"""

from __future__ import annotations

import pytest

from kernel.models import Team
from measures.missions import mission_carry_over
from missions.models import Mission
from missions.services import mission_next_period
from reviews.dashboards import figures_by_team
from reviews.dashboards.queries import checked_figures
from reviews.models import Review
from tests.agreement.builders import NEARLY, NO_READING, ON_PACE, TOO_SLOW, checked, days, make_kpi
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db


def _figures(f) -> dict:
    return {
        "missions": f.missions,
        "score": None if f.score is None else round(f.score, 6),
        "open findings": f.open_findings,
        "critical findings": f.critical_findings,
        "kpis": f.kpis,
        "reviews due": f.reviews_due,
        "reviews on time": f.reviews_on_time,
    }


@pytest.mark.parametrize("how", ["active", "completed", "archived", "carried over"])
def test_right_after_a_check_the_snapshot_of_each_team_is_its_live_figures(world, how) -> None:
    make_kpi(world.org_mission, ON_PACE, by=world.leader)
    make_kpi(world.staff_mission, TOO_SLOW, by=world.staff)
    mission = MissionFactory(parent=world.team_mission, level="team", owner_team=world.team)
    # A critical finding: staff's budget is larger than that of the mission above it.
    Mission.objects.filter(pk=world.team_mission.pk).update(budget=5)
    Mission.objects.filter(pk=world.staff_mission.pk).update(budget=10)
    for spec in (NEARLY, NO_READING):
        make_kpi(mission, spec, by=world.lead)
    for mission_of, due_in, held_in in (
        (mission, -20, -20),
        (mission, -10, -5),
        (world.staff_mission, -3, None),
    ):
        Review.objects.create(
            mission=mission_of,
            due_date=days(due_in),
            status="scheduled" if held_in is None else "done",
            held_on=None if held_in is None else days(held_in),
        )
    if how in ("completed", "archived"):
        Mission.objects.filter(pk=mission.pk).update(status=how)
    elif how == "carried over":
        mission.refresh_from_db()
        start, end = mission_next_period(mission)
        mission_carry_over(mission=mission, period_start=start, period_end=end, by=world.lead)
    checked(world.organisation)

    roots = list(Team.objects.filter(organisation=world.organisation, parent=None))
    snapshot = checked_figures(organisation=world.organisation, scope=roots).teams
    live = figures_by_team(organisation=world.organisation, scope=None)

    assert set(snapshot) == {team for team in live if team is not None}
    for team in snapshot:
        assert _figures(snapshot[team]) == _figures(live[team]), team
    operations = _figures(live[world.team.pk])
    assert operations["critical findings"] and operations["reviews due"] and operations["kpis"]
