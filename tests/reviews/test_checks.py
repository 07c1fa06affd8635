"""Each alignment rule opens its finding, keeps one row while it holds, and resolves it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from measures.models import Kpi
from missions.models import Interdependency, KeyTask, Mission
from reviews.checks import WEIGHTS, run_checks
from reviews.models import AlignmentSnapshot, Finding, MissionScore
from tests.measures.factories import KpiFactory
from tests.missions.factories import MissionFactory, TeamFactory
from tests.reviews.scores import score_of

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def open_kinds(mission) -> set[str]:
    return set(
        Finding.objects.filter(mission=mission, resolved_at__isnull=True).values_list(
            "kind", flat=True
        )
    )


def measured(mission) -> Kpi:
    """Give the mission a fresh, on-track KPI so only the rule under test fires."""
    return KpiFactory(
        mission=mission,
        latest_on=TODAY,
        latest_value=Decimal(30),
        forecast_status="on_track",
        due_date=TODAY + dt.timedelta(days=200),
    )


@pytest.fixture
def calm(world):
    """The world with every mission measured, aligned and reviewed: no findings."""
    for mission in (
        world.org_mission,
        world.team_mission,
        world.staff_mission,
        world.other_mission,
    ):
        measured(mission)
    Mission.objects.filter(organisation=world.organisation).update(alignment_status="aligned")
    return world


def test_a_calm_organisation_has_no_findings_and_full_scores(calm) -> None:
    result = run_checks(organisation=calm.organisation)
    assert result.open == 0 and result.opened == 0
    assert set(
        MissionScore.objects.filter(organisation=calm.organisation).values_list("score", flat=True)
    ) == {100}
    snapshot = AlignmentSnapshot.objects.get(organisation=calm.organisation, team=None)
    assert snapshot.score == 100 and snapshot.missions == 3


def check(world, mission, kind, *, fix):
    run_checks(organisation=world.organisation)
    assert kind in open_kinds(mission)
    finding = Finding.objects.get(mission=mission, kind=kind, resolved_at__isnull=True)
    # A second run finds it again: still one open row, the same opening time.
    run_checks(organisation=world.organisation)
    assert Finding.objects.filter(mission=mission, kind=kind, resolved_at__isnull=True).count() == 1
    assert Finding.objects.get(pk=finding.pk).opened_at == finding.opened_at
    fix()
    run_checks(organisation=world.organisation)
    assert kind not in open_kinds(mission)
    assert Finding.objects.get(pk=finding.pk).resolved_at is not None
    return finding


def test_orphan(calm) -> None:
    stray = MissionFactory(
        organisation=calm.organisation, owner_team=calm.team, alignment_status="aligned"
    )
    measured(stray)
    check(
        calm,
        stray,
        "orphan",
        fix=lambda: Mission.objects.filter(pk=stray.pk).update(
            parent=calm.org_mission, path=calm.org_mission.path + f"{calm.org_mission.pk:010d}"
        ),
    )


def test_period_outside_parent(calm) -> None:
    Mission.objects.filter(pk=calm.team_mission.pk).update(period_end=dt.date(2027, 6, 30))
    check(
        calm,
        calm.team_mission,
        "period_outside_parent",
        fix=lambda: Mission.objects.filter(pk=calm.team_mission.pk).update(
            period_end=dt.date(2026, 12, 31)
        ),
    )


def test_no_kpi(calm) -> None:
    Kpi.objects.filter(mission=calm.staff_mission).update(status="archived")
    check(calm, calm.staff_mission, "no_kpi", fix=lambda: measured(calm.staff_mission))


def test_stale_kpi(calm) -> None:
    kpi = Kpi.objects.get(mission=calm.staff_mission)
    Kpi.objects.filter(pk=kpi.pk).update(latest_on=TODAY - dt.timedelta(days=45), cadence_days=30)
    finding = check(
        calm,
        calm.staff_mission,
        "stale_kpi",
        fix=lambda: Kpi.objects.filter(pk=kpi.pk).update(latest_on=TODAY),
    )
    assert finding.subject == f"kpi:{kpi.pk}" and "30-day cadence" in finding.message


def test_kpi_off_track(calm) -> None:
    kpi = Kpi.objects.get(mission=calm.team_mission)
    Kpi.objects.filter(pk=kpi.pk).update(forecast_status="off_track")
    check(
        calm,
        calm.team_mission,
        "kpi_off_track",
        fix=lambda: Kpi.objects.filter(pk=kpi.pk).update(forecast_status="at_risk"),
    )


def test_review_overdue(calm) -> None:
    Mission.objects.filter(pk=calm.team_mission.pk).update(
        next_review_due=TODAY - dt.timedelta(days=2)
    )
    check(
        calm,
        calm.team_mission,
        "review_overdue",
        fix=lambda: Mission.objects.filter(pk=calm.team_mission.pk).update(
            next_review_due=TODAY + dt.timedelta(days=28)
        ),
    )


def test_awaiting_alignment(calm) -> None:
    Mission.objects.filter(pk=calm.staff_mission.pk).update(
        alignment_status="proposed", proposed_at=timezone.now() - dt.timedelta(days=8)
    )
    check(
        calm,
        calm.staff_mission,
        "awaiting_alignment",
        fix=lambda: Mission.objects.filter(pk=calm.staff_mission.pk).update(
            alignment_status="aligned"
        ),
    )


def test_too_many_missions(calm) -> None:
    calm.organisation.max_active_missions = 2
    calm.organisation.save()
    extra = [
        MissionFactory(
            parent=calm.team_mission,
            level="individual",
            owner_user=calm.staff,
            alignment_status="aligned",
        )
        for _ in range(2)
    ]
    for m in extra:
        measured(m)
    check(
        calm,
        calm.staff_mission,
        "too_many_missions",
        fix=lambda: Mission.objects.filter(pk__in=[m.pk for m in extra]).update(status="archived"),
    )


def test_operating_space_larger_than_the_parents(calm) -> None:
    Mission.objects.filter(pk=calm.team_mission.pk).update(budget=1000)
    Mission.objects.filter(pk=calm.staff_mission.pk).update(budget=1500)
    check(
        calm,
        calm.staff_mission,
        "space_exceeds_parent",
        fix=lambda: Mission.objects.filter(pk=calm.staff_mission.pk).update(budget=900),
    )


def test_children_together_larger_than_the_parent(calm) -> None:
    Mission.objects.filter(pk=calm.team_mission.pk).update(headcount=3)
    Mission.objects.filter(pk=calm.staff_mission.pk).update(headcount=2)
    sibling = MissionFactory(
        parent=calm.team_mission,
        level="individual",
        owner_user=calm.lead,
        headcount=2,
        alignment_status="aligned",
    )
    measured(sibling)
    check(
        calm,
        sibling,
        "space_exceeds_parent",
        fix=lambda: Mission.objects.filter(pk=sibling.pk).update(headcount=1),
    )


def test_link_unanswered(calm) -> None:
    peer = MissionFactory(
        parent=calm.org_mission,
        owner_team=TeamFactory(organisation=calm.organisation),
        alignment_status="aligned",
    )
    measured(peer)
    link = Interdependency.objects.create(
        organisation=calm.organisation,
        from_mission=calm.team_mission,
        to_mission=peer,
        kind="depends_on",
    )
    Interdependency.objects.filter(pk=link.pk).update(
        created_at=timezone.now() - dt.timedelta(days=9)
    )
    check(
        calm,
        peer,
        "link_unanswered",
        fix=lambda: Interdependency.objects.filter(pk=link.pk).update(status="acknowledged"),
    )


def test_task_overdue(calm) -> None:
    task = KeyTask.objects.create(
        mission=calm.team_mission, title="Hire", due_date=TODAY - dt.timedelta(days=1)
    )
    check(
        calm,
        calm.team_mission,
        "task_overdue",
        fix=lambda: KeyTask.objects.filter(pk=task.pk).update(status="cancelled"),
    )


def test_archiving_a_mission_resolves_its_findings(calm) -> None:
    Kpi.objects.filter(mission=calm.staff_mission).update(status="archived")
    run_checks(organisation=calm.organisation)
    Mission.objects.filter(pk=calm.staff_mission.pk).update(status="archived")
    run_checks(organisation=calm.organisation)
    assert not open_kinds(calm.staff_mission)
    assert score_of(calm.staff_mission) is None


def test_scores_weigh_the_findings_and_roll_up(calm) -> None:
    Kpi.objects.filter(mission=calm.staff_mission).update(status="archived")  # warning
    KeyTask.objects.create(
        mission=calm.staff_mission, title="x", due_date=TODAY - dt.timedelta(days=3)
    )  # info
    Mission.objects.filter(pk=calm.team_mission.pk).update(budget=10)
    Mission.objects.filter(pk=calm.staff_mission.pk).update(budget=20)  # critical
    result = run_checks(organisation=calm.organisation)
    expected = 100 - WEIGHTS["warning"] - WEIGHTS["info"] - WEIGHTS["critical"]
    assert score_of(calm.staff_mission) == expected
    assert result.score == pytest.approx((100 + 100 + expected) / 3)
    team = AlignmentSnapshot.objects.get(team=calm.team)  # team mission + staff's mission
    assert team.score == pytest.approx((100 + expected) / 2)
    assert team.open_findings == 3 and team.critical_findings == 1
    # A re-run the same day overwrites the snapshot.
    run_checks(organisation=calm.organisation)
    assert AlignmentSnapshot.objects.filter(team=None, organisation=calm.organisation).count() == 1


def test_a_subtree_run_touches_only_the_subtree(calm) -> None:
    Kpi.objects.filter(mission__in=[calm.org_mission, calm.staff_mission]).update(status="archived")
    run_checks(organisation=calm.organisation, root=calm.team_mission)
    assert "no_kpi" in open_kinds(calm.staff_mission)
    assert "no_kpi" not in open_kinds(calm.org_mission)


def test_other_organisations_are_untouched(calm) -> None:
    Kpi.objects.filter(mission=calm.other_mission).update(status="archived")
    run_checks(organisation=calm.organisation)
    assert not Finding.objects.filter(organisation=calm.other_organisation).exists()


def test_snapshots_count_kpi_forecasts_and_review_compliance(calm) -> None:
    from reviews.models import Review

    Kpi.objects.filter(mission=calm.staff_mission).update(forecast_status="off_track")
    KpiFactory(mission=calm.team_mission, forecast_status="at_risk", latest_on=TODAY)
    Review.objects.create(
        mission=calm.team_mission,
        due_date=TODAY - dt.timedelta(days=20),
        status="done",
        held_on=TODAY - dt.timedelta(days=21),
    )
    Review.objects.create(
        mission=calm.staff_mission,
        due_date=TODAY - dt.timedelta(days=10),
        status="done",
        held_on=TODAY - dt.timedelta(days=2),
    )  # late
    Review.objects.create(
        mission=calm.staff_mission,
        due_date=TODAY - dt.timedelta(days=200),
        status="done",
        held_on=TODAY - dt.timedelta(days=200),
    )  # outside
    run_checks(organisation=calm.organisation)
    org = AlignmentSnapshot.objects.get(organisation=calm.organisation, team=None)
    assert (org.kpis_on_track, org.kpis_at_risk, org.kpis_off_track) == (2, 1, 1)
    assert (org.reviews_due, org.reviews_on_time) == (2, 1)
    team = AlignmentSnapshot.objects.get(team=calm.team)  # the team's and staff's missions
    assert (team.kpis_on_track, team.kpis_at_risk, team.kpis_off_track) == (1, 1, 1)
    assert (team.reviews_due, team.reviews_on_time) == (2, 1)
    board = AlignmentSnapshot.objects.get(team=calm.top_team)
    assert (board.kpis_on_track, board.reviews_due) == (1, 0)


def test_a_draft_below_the_top_has_no_score_and_counts_in_no_mean(calm) -> None:
    """A draft is not started: no score, so no mean (dashboards, snapshots, heat map) counts it
    as a perfect 100 (failing first: the dashboards' mean rose with every new draft)."""
    Mission.objects.filter(pk=calm.staff_mission.pk).update(alignment_status="draft")
    Kpi.objects.filter(mission=calm.team_mission).update(status="archived")  # a warning
    run_checks(organisation=calm.organisation)
    assert score_of(calm.staff_mission) is None
    scored = MissionScore.objects.filter(
        organisation=calm.organisation, mission__status="active"
    ).values_list("score", flat=True)
    mean = sum(scored) / len(scored)
    snapshot = AlignmentSnapshot.objects.get(organisation=calm.organisation, team=None)
    assert float(snapshot.score) == pytest.approx(mean)
    assert snapshot.score < 100
    # Proposed again, it is scored at the next check.
    Mission.objects.filter(pk=calm.staff_mission.pk).update(alignment_status="proposed")
    run_checks(organisation=calm.organisation)
    assert score_of(calm.staff_mission) is not None


def test_a_finding_that_still_holds_keeps_its_row_and_takes_new_wording(calm) -> None:
    """A re-run rewrites only what changed: a finding whose wording moved is updated in place
    (same row, same opening); one that reads the same is not written again."""
    Kpi.objects.filter(mission__in=[calm.staff_mission, calm.team_mission]).delete()
    run_checks(organisation=calm.organisation)
    moved = Finding.objects.get(mission=calm.staff_mission, kind="no_kpi", resolved_at=None)
    same = Finding.objects.get(mission=calm.team_mission, kind="no_kpi", resolved_at=None)
    long_ago = timezone.now() - dt.timedelta(days=3)
    Finding.objects.filter(pk=moved.pk).update(message="Old words.", last_seen_at=long_ago)
    Finding.objects.filter(pk=same.pk).update(last_seen_at=long_ago)
    result = run_checks(organisation=calm.organisation)
    assert result.opened == 0 and result.resolved == 0
    moved_now = Finding.objects.get(pk=moved.pk)
    assert moved_now.message == moved.message and moved_now.resolved_at is None
    assert moved_now.opened_at == moved.opened_at and moved_now.last_seen_at > long_ago
    assert Finding.objects.get(pk=same.pk).last_seen_at == long_ago
    assert Finding.objects.filter(mission=calm.staff_mission, kind="no_kpi").count() == 1
