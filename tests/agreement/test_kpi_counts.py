"""How many KPIs are on track, at risk, off track or without enough data, in Python and SQL.

The rule, as the dashboards state it: the active KPIs of the organisation's active missions,
by forecast. Python: ``measures.summary.mission_figures`` over the active missions. SQL, three
spellings: the organisation's headline (``reviews.dashboards.organisation_figures``), the live
figures of teams (``reviews.dashboards.figures_by_team``) and the alignment check's daily
snapshot (``reviews.checks.scores._figures_by_team``). A KPI of a completed or archived
mission is counted by none of them, nor an archived KPI of an active one.
"""

from __future__ import annotations

from collections import Counter

import pytest

from measures.missions import mission_carry_over
from measures.summary import mission_figures
from missions.models import Mission
from missions.services import mission_next_period
from reviews.dashboards import STATUSES, figures_by_team, organisation_figures
from reviews.models import AlignmentSnapshot
from tests.agreement.builders import (
    NEARLY,
    NO_READING,
    ON_PACE,
    TOO_SLOW,
    KpiSpec,
    checked,
    make_kpi,
)
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db


def _mission(world, how: str) -> Mission:
    """A mission of the Operations team, with four active KPIs (one of each forecast) and one
    archived KPI, left as ``how`` says."""
    mission = MissionFactory(parent=world.team_mission, level="team", owner_team=world.team)
    archived = KpiSpec(readings=TOO_SLOW.readings, status="archived")
    for spec in (ON_PACE, TOO_SLOW, NEARLY, NO_READING, archived):
        make_kpi(mission, spec, by=world.lead)
    if how == "aligned":
        Mission.objects.filter(pk=mission.pk).update(alignment_status="aligned")
    elif how in ("completed", "archived"):
        Mission.objects.filter(pk=mission.pk).update(status=how)
    elif how == "carried over":
        mission.refresh_from_db()
        start, end = mission_next_period(mission)
        mission_carry_over(mission=mission, period_start=start, period_end=end, by=world.lead)
    return mission


def python_counts(organisation) -> dict[str, int]:
    """The rule in Python: the forecasts of the active KPIs of the active missions."""
    ids = Mission.objects.filter(organisation=organisation, status="active").values_list(
        "pk", flat=True
    )
    counts = Counter(
        figures.forecast.status
        for mission in mission_figures(ids).values()
        for figures in mission.kpis
    )
    return {status: counts[status] for status in STATUSES if counts[status]}


HOW = ["aligned", "draft", "completed", "archived", "carried over"]


@pytest.fixture
def counted(world, request):
    """The world with a measured organisation mission and an Operations mission left as the
    test's parameter says; returns the Python answer."""
    make_kpi(world.org_mission, ON_PACE, by=world.leader)
    _mission(world, request.param)
    return python_counts(world.organisation)


@pytest.mark.parametrize(
    "counted",
    HOW,
    indirect=True,
)
def test_the_organisation_headline_counts_the_kpis_of_active_missions(world, counted) -> None:
    assert organisation_figures(organisation=world.organisation).total.kpis == counted


@pytest.mark.parametrize("counted", HOW, indirect=True)
def test_the_live_team_figures_count_the_kpis_of_active_missions(world, counted) -> None:
    teams = figures_by_team(organisation=world.organisation, scope=None)
    total: Counter[str] = Counter()
    for figures in teams.values():
        total.update(figures.kpis)
    assert dict(total) == counted
    in_scope = figures_by_team(organisation=world.organisation, scope=[world.top_team])
    assert sum((Counter(f.kpis) for f in in_scope.values()), Counter()) == Counter(counted)


@pytest.mark.parametrize("counted", HOW, indirect=True)
def test_the_check_snapshot_counts_the_kpis_of_active_missions(world, counted) -> None:
    checked(world.organisation)
    snapshot = AlignmentSnapshot.objects.get(organisation=world.organisation, team=None)
    stored = {status: getattr(snapshot, f"kpis_{status}") for status in STATUSES}
    assert {status: n for status, n in stored.items() if n} == counted
