"""A mission's health, one rule: ``measures.health.health_of`` in memory (the cascade, the
mission page, My work), ``reviews.health.with_health`` in SQL (home, the dashboards, the
heat map) and the checks' snapshot, which counts each fact of all missions at once
(``reviews.checks.scores.judged_missions``), fed the same missions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from measures.health import health_of
from missions.models import Mission
from reviews.checks.scores import judged_missions
from reviews.health import health_counts, health_figures, with_health
from reviews.models import Finding
from tests.measures.factories import KpiFactory
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db

# (alignment, top, KPI forecasts, open finding severities) -> health
CASES = {
    "a draft without data": ("draft", False, (), (), "not_started"),
    "a draft with an off-track KPI": ("draft", False, ("off_track",), (), "not_started"),
    "a top mission (a draft) without data": ("draft", True, (), (), "not_started"),
    "a top mission on track": ("draft", True, ("on_track",), (), "on_track"),
    "aligned without KPIs": ("aligned", False, (), (), "not_started"),
    "aligned, not enough data yet": ("aligned", False, ("unknown",), (), "not_started"),
    "aligned, only an info finding": ("aligned", False, (), ("info",), "not_started"),
    "aligned, no data but a warning": ("aligned", False, (), ("warning",), "watch"),
    "aligned, no data but a critical finding": ("aligned", False, (), ("critical",), "off_track"),
    "aligned on track": ("aligned", False, ("on_track", "unknown"), (), "on_track"),
    "aligned on track with an info finding": (
        "aligned",
        False,
        ("on_track",),
        ("info",),
        "on_track",
    ),
    "aligned at risk": ("aligned", False, ("on_track", "at_risk"), (), "watch"),
    "aligned with an off-track KPI": ("aligned", False, ("on_track", "off_track"), (), "off_track"),
    "proposed on track": ("proposed", False, ("on_track",), (), "watch"),
    "proposed with a critical finding": (
        "proposed",
        False,
        ("on_track",),
        ("critical",),
        "off_track",
    ),
    "sent back on track": ("sent_back", False, ("on_track",), (), "watch"),
    "sent back without data": ("sent_back", False, (), (), "not_started"),
}


def _mission(world, alignment: str, top: bool, forecasts, severities) -> Mission:
    mission = MissionFactory(
        organisation=world.organisation,
        parent=None if top else world.team_mission,
        level="organisation" if top else "individual",
        owner_team=world.top_team if top else None,
        owner_user=None if top else world.staff,
        alignment_status=alignment,
    )
    for status in forecasts:
        KpiFactory(mission=mission, forecast_status=status)
    KpiFactory(mission=mission, forecast_status="off_track", status="archived")  # not counted
    now = timezone.now()
    for n, severity in enumerate(severities):
        Finding.objects.create(
            organisation=world.organisation,
            mission=mission,
            kind="orphan",
            subject=str(n),
            severity=severity,
            message="found",
            opened_at=now,
            last_seen_at=now,
        )
    Finding.objects.create(  # resolved: not counted
        organisation=world.organisation,
        mission=mission,
        kind="no_kpi",
        severity="critical",
        message="was found",
        opened_at=now,
        last_seen_at=now,
        resolved_at=now,
    )
    return mission


def _as_the_snapshot_judges(mission: Mission) -> str:
    """The snapshot's judgement of the mission, from the missions' and findings' own tables
    where the checks give it their run's copies."""
    sql, params = judged_missions(
        organisation_id=mission.organisation_id,
        missions="missions_mission",
        holding="(SELECT mission_id, severity FROM reviews_finding WHERE resolved_at IS NULL)",
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT health FROM ({sql}) AS judged WHERE id = %s", [*params, mission.pk])
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    ("alignment", "top", "forecasts", "severities", "health"), CASES.values(), ids=CASES.keys()
)
def test_a_missions_health_is_the_same_in_python_and_in_sql(
    world, alignment, top, forecasts, severities, health
) -> None:
    mission = _mission(world, alignment, top, forecasts, severities)

    rule = health_of(alignment_status=alignment, top=top, forecasts=forecasts, findings=severities)
    python = health_figures([mission])[mission.pk].health
    sql = with_health(Mission.objects.filter(pk=mission.pk)).get().health
    # The dashboards' counts, set-based: the same state for the same mission.
    counts = health_counts(Mission.objects.filter(pk=mission.pk))
    counted = [state for state, n in counts.items() if n]
    snapshot = _as_the_snapshot_judges(mission)

    assert (rule, python, sql, counted, snapshot) == (health, health, health, [health], health)
