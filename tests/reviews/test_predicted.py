"""Each predicted finding opens ahead of time with the day it is expected on, weighs nothing in
the score, hands over to the rule of what it foresees rather than doubling it, and resolves
when the data changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kernel.models import Notification, Organisation
from measures import services as measures_services
from measures.models import Kpi
from missions.models import Interdependency, KeyTask, Mission
from reviews import services as review_services
from reviews.checks import run_checks
from reviews.checks.predictions import OUTRUN_DAYS, REVIEW_LAPSE_DAYS, SUPPORT_DAYS
from reviews.inbox import inbox_sweep_organisation
from reviews.models import PREDICTED_KINDS, AlignmentSnapshot, Finding, MissionScore
from tests.missions.factories import MissionFactory, TeamFactory
from tests.reviews.scores import score_of
from tests.reviews.test_checks import measured, open_kinds

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def calm(world):
    """The world with every mission measured and aligned (as test_checks' ``calm``)."""
    for mission in (world.org_mission, world.team_mission, world.staff_mission):
        measured(mission)
    measured(world.other_mission)
    Mission.objects.filter(organisation=world.organisation).update(alignment_status="aligned")
    return world


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def predicted(world, mission, kind: str) -> Finding:
    """Run the checks; the mission has one open finding of ``kind``, predicted, and its score
    is untouched (the calm world's missions score 100)."""
    run_checks(organisation=world.organisation)
    finding = Finding.objects.get(mission=mission, kind=kind, resolved_at__isnull=True)
    assert finding.predicted and finding.severity == "info"
    assert score_of(mission) == 100, "a prediction is not a problem yet"
    # A second run keeps the same row.
    run_checks(organisation=world.organisation)
    assert Finding.objects.filter(mission=mission, kind=kind, resolved_at__isnull=True).count() == 1
    return finding


def gone(world, finding: Finding) -> None:
    run_checks(organisation=world.organisation)
    finding.refresh_from_db()
    assert finding.resolved_at is not None


def test_every_predicted_kind_is_a_rule() -> None:
    from reviews.checks.rules import rules

    assert {r.kind for r in rules() if r.predicted} == set(PREDICTED_KINDS)


# --- likely_miss ----------------------------------------------------------------------------


def _at_risk(kpi: Kpi, probability: float, status: str = "at_risk") -> None:
    Kpi.objects.filter(pk=kpi.pk).update(forecast_probability=probability, forecast_status=status)


def test_likely_miss_opens_before_the_due_date_and_resolves_when_a_check_in_lifts_it(
    calm,
) -> None:
    kpi = Kpi.objects.get(mission=calm.staff_mission)
    _at_risk(kpi, 0.25)
    finding = predicted(calm, calm.staff_mission, "likely_miss")
    assert finding.expected_on == kpi.due_date > TODAY
    assert finding.subject == f"kpi:{kpi.pk}"
    assert "25% chance" in finding.message
    # A check-in at the target: the forecast is recomputed and the chance is high.
    measures_services.kpi_record_value(kpi=kpi, value=Decimal(60), by=calm.staff)
    kpi.refresh_from_db()
    assert kpi.forecast_probability is None or kpi.forecast_probability >= 0.3
    gone(calm, finding)


def test_likely_miss_follows_the_organisations_setting(calm) -> None:
    kpi = Kpi.objects.get(mission=calm.staff_mission)
    _at_risk(kpi, 0.4)
    run_checks(organisation=calm.organisation)
    assert "likely_miss" not in open_kinds(calm.staff_mission)
    Organisation.objects.filter(pk=calm.organisation.pk).update(likely_miss_below=0.45)
    calm.organisation.refresh_from_db()
    finding = predicted(calm, calm.staff_mission, "likely_miss")
    Organisation.objects.filter(pk=calm.organisation.pk).update(likely_miss_below=0.3)
    calm.organisation.refresh_from_db()
    gone(calm, finding)


def test_likely_miss_hands_over_to_kpi_off_track(calm) -> None:
    kpi = Kpi.objects.get(mission=calm.staff_mission)
    _at_risk(kpi, 0.25)
    finding = predicted(calm, calm.staff_mission, "likely_miss")
    _at_risk(kpi, 0.1, "off_track")
    gone(calm, finding)
    assert open_kinds(calm.staff_mission) == {"kpi_off_track"}


def test_likely_miss_not_once_the_due_date_has_passed(calm) -> None:
    kpi = Kpi.objects.get(mission=calm.staff_mission)
    Kpi.objects.filter(pk=kpi.pk).update(due_date=TODAY)
    _at_risk(kpi, 0.25)
    run_checks(organisation=calm.organisation)
    assert "likely_miss" not in open_kinds(calm.staff_mission)


def test_the_setting_is_bounded_between_0_and_1(calm) -> None:
    from django.core.exceptions import ValidationError

    calm.organisation.likely_miss_below = 1.5
    with pytest.raises(ValidationError) as error:
        calm.organisation.full_clean()
    assert "likely_miss_below" in error.value.message_dict


# --- contributors_miss ----------------------------------------------------------------------


def test_contributors_miss_opens_on_the_parent_kpi_and_resolves_when_they_recover(
    calm,
) -> None:
    parent = Kpi.objects.get(mission=calm.team_mission)
    mine = Kpi.objects.get(mission=calm.staff_mission)
    sibling = MissionFactory(
        parent=calm.team_mission, level="individual", owner_user=calm.lead, aligned=True
    )
    theirs = measured(sibling)
    Kpi.objects.filter(pk__in=[mine.pk, theirs.pk]).update(
        parent_kpi=parent, forecast_probability=0.8
    )
    run_checks(organisation=calm.organisation)
    assert "contributors_miss" not in open_kinds(calm.team_mission)
    # One of two contributors of equal weight is likely to miss: half of them.
    _at_risk(mine, 0.25)
    finding = predicted(calm, calm.team_mission, "contributors_miss")
    assert finding.expected_on == parent.due_date
    assert finding.subject == f"kpi:{parent.pk}"
    assert "1 of the 2 KPIs contributing" in finding.message
    # Weighted: the one likely to miss now counts for a quarter.
    Kpi.objects.filter(pk=theirs.pk).update(weight=3)
    gone(calm, finding)


def test_contributors_miss_not_when_the_parent_kpi_is_off_track_itself(calm) -> None:
    parent = Kpi.objects.get(mission=calm.team_mission)
    mine = Kpi.objects.get(mission=calm.staff_mission)
    Kpi.objects.filter(pk=mine.pk).update(parent_kpi=parent)
    _at_risk(mine, 0.1, "off_track")
    finding = predicted(calm, calm.team_mission, "contributors_miss")
    _at_risk(parent, 0.05, "off_track")
    gone(calm, finding)
    assert "kpi_off_track" in open_kinds(calm.team_mission)


# --- review_lapsing -------------------------------------------------------------------------


def test_review_lapsing_opens_a_week_ahead_and_resolves_when_it_is_held(calm) -> None:
    mission = calm.staff_mission
    Mission.objects.filter(pk=mission.pk).update(next_review_due=days(REVIEW_LAPSE_DAYS + 1))
    run_checks(organisation=calm.organisation)
    assert "review_lapsing" not in open_kinds(mission)
    mission.refresh_from_db()
    review = review_services.review_schedule(mission=mission, due_date=days(REVIEW_LAPSE_DAYS))
    finding = predicted(calm, mission, "review_lapsing")
    assert finding.expected_on == days(REVIEW_LAPSE_DAYS)
    review_services.review_complete(
        review=review,
        data={"summary": "Held early.", "still_aligned": True},
        by=calm.staff,
    )
    gone(calm, finding)
    assert "review_overdue" not in open_kinds(mission)


def test_review_lapsing_hands_over_to_review_overdue(calm) -> None:
    mission = calm.staff_mission
    Mission.objects.filter(pk=mission.pk).update(next_review_due=days(2))
    finding = predicted(calm, mission, "review_lapsing")
    Mission.objects.filter(pk=mission.pk).update(next_review_due=days(-1))
    gone(calm, finding)
    assert open_kinds(mission) == {"review_overdue"}


def test_review_lapsing_never_leaves_an_item_beside_the_reviews(calm) -> None:
    Mission.objects.filter(pk=calm.staff_mission.pk).update(next_review_due=days(2))
    run_checks(organisation=calm.organisation)
    inbox_sweep_organisation(calm.organisation)
    assert not Notification.objects.filter(
        kind=Notification.Kind.FINDING, message__contains="30-day review"
    ).exists()


# --- outrunning_parent ----------------------------------------------------------------------


def test_outrunning_parent_opens_before_the_parents_deadline_and_resolves_when_extended(
    calm,
) -> None:
    team, staff = calm.team_mission, calm.staff_mission
    Mission.objects.filter(pk=team.pk).update(
        period_start=days(-100), period_end=days(200), deadline=days(20)
    )
    Mission.objects.filter(pk=staff.pk).update(period_start=days(-50), period_end=days(100))
    finding = predicted(calm, staff, "outrunning_parent")
    assert finding.expected_on == days(20)
    assert "period_outside_parent" not in open_kinds(staff)
    # The parent's owner agrees more time.
    Mission.objects.filter(pk=team.pk).update(deadline=days(150))
    gone(calm, finding)


def test_outrunning_parent_by_an_open_key_task(calm) -> None:
    team, staff = calm.team_mission, calm.staff_mission
    Mission.objects.filter(pk=team.pk).update(period_start=days(-100), period_end=days(10))
    Mission.objects.filter(pk=staff.pk).update(period_start=days(-50), period_end=days(10))
    task = KeyTask.objects.create(mission=staff, title="Late delivery", due_date=days(40))
    finding = predicted(calm, staff, "outrunning_parent")
    assert finding.expected_on == days(10)
    KeyTask.objects.filter(pk=task.pk).update(due_date=days(9))
    gone(calm, finding)


def test_outrunning_parent_not_beside_period_outside_parent(calm) -> None:
    team, staff = calm.team_mission, calm.staff_mission
    Mission.objects.filter(pk=team.pk).update(period_start=days(-100), period_end=days(10))
    Mission.objects.filter(pk=staff.pk).update(period_start=days(-50), period_end=days(60))
    run_checks(organisation=calm.organisation)
    kinds = open_kinds(staff)
    assert "period_outside_parent" in kinds and "outrunning_parent" not in kinds


def test_outrunning_parent_not_far_ahead(calm) -> None:
    team, staff = calm.team_mission, calm.staff_mission
    Mission.objects.filter(pk=team.pk).update(
        period_start=days(-100), period_end=days(300), deadline=days(OUTRUN_DAYS + 5)
    )
    Mission.objects.filter(pk=staff.pk).update(period_start=days(-50), period_end=days(200))
    run_checks(organisation=calm.organisation)
    assert "outrunning_parent" not in open_kinds(staff)


# --- overload_coming ------------------------------------------------------------------------


def _tasks(mission, owner, count: int, first: int = 2) -> list[KeyTask]:
    return [
        KeyTask.objects.create(
            mission=mission, title=f"Task {i}", owner=owner, due_date=days(first + i)
        )
        for i in range(count)
    ]


def test_overload_coming_opens_for_too_many_tasks_due_soon_and_resolves_when_done(
    calm,
) -> None:
    Organisation.objects.filter(pk=calm.organisation.pk).update(max_active_missions=2)
    calm.organisation.refresh_from_db()
    limit = 2 * 2
    tasks = _tasks(calm.staff_mission, calm.staff, limit)
    run_checks(organisation=calm.organisation)
    assert "overload_coming" not in open_kinds(calm.staff_mission)
    tasks += _tasks(calm.staff_mission, calm.staff, 1, first=10)
    finding = predicted(calm, calm.staff_mission, "overload_coming")
    assert finding.subject == f"owner:{calm.staff.pk}"
    assert finding.expected_on == days(2)
    # The inbox tells the person once.
    inbox_sweep_organisation(calm.organisation)
    items = Notification.objects.filter(
        recipient=calm.staff, kind=Notification.Kind.FINDING, done_at__isnull=True
    )
    assert [i.message for i in items] == [finding.message]
    now = timezone.now()
    KeyTask.objects.filter(pk=tasks[0].pk).update(status="done", completed_at=now)
    gone(calm, finding)
    inbox_sweep_organisation(calm.organisation)
    assert not items.all().exists()


def test_overload_coming_not_beside_too_many_missions(calm) -> None:
    Organisation.objects.filter(pk=calm.organisation.pk).update(max_active_missions=1)
    calm.organisation.refresh_from_db()
    extra = MissionFactory(
        parent=calm.team_mission, level="individual", owner_user=calm.staff, aligned=True
    )
    measured(extra)
    _tasks(calm.staff_mission, calm.staff, 3)
    run_checks(organisation=calm.organisation)
    kinds = open_kinds(calm.staff_mission)
    assert "too_many_missions" in kinds and "overload_coming" not in kinds


# --- support_late ---------------------------------------------------------------------------


@pytest.fixture
def asked(calm):
    """The staff mission asks a peer team's mission for support, for one of its key tasks."""
    peer = MissionFactory(
        parent=calm.org_mission,
        owner_team=TeamFactory(organisation=calm.organisation, leader=calm.org_admin),
    )
    measured(peer)
    Mission.objects.filter(pk=peer.pk).update(alignment_status="aligned")
    task = KeyTask.objects.create(
        mission=calm.staff_mission, title="Launch", due_date=days(SUPPORT_DAYS - 4)
    )
    link = Interdependency.objects.create(
        organisation=calm.organisation,
        from_mission=calm.staff_mission,
        to_mission=peer,
        kind="depends_on",
        for_task=task,
    )
    return calm, link, task


def test_support_late_opens_near_the_tasks_due_date_and_resolves_when_answered(asked) -> None:
    world, link, task = asked
    finding = predicted(world, world.staff_mission, "support_late")
    assert finding.expected_on == task.due_date
    assert finding.subject == f"link:{link.pk}"
    assert "Launch" in finding.message
    Interdependency.objects.filter(pk=link.pk).update(status="acknowledged")
    gone(world, finding)


def test_support_late_not_while_the_task_is_far_off(asked) -> None:
    world, link, task = asked
    KeyTask.objects.filter(pk=task.pk).update(due_date=days(SUPPORT_DAYS + 10))
    run_checks(organisation=world.organisation)
    assert "support_late" not in open_kinds(world.staff_mission)


def test_support_late_without_a_task_named_reads_the_nearest_open_one(asked) -> None:
    world, link, task = asked
    Interdependency.objects.filter(pk=link.pk).update(for_task=None)
    KeyTask.objects.create(mission=world.staff_mission, title="Earlier", due_date=days(3))
    finding = predicted(world, world.staff_mission, "support_late")
    assert finding.expected_on == days(3)
    # Done early: the next open one, due in ten days, is the nearest now.
    KeyTask.objects.filter(title="Earlier").update(status="done", completed_at=timezone.now())
    run_checks(organisation=world.organisation)
    finding.refresh_from_db()
    assert finding.resolved_at is None and finding.expected_on == task.due_date
    KeyTask.objects.filter(pk=task.pk).update(due_date=days(SUPPORT_DAYS + 10))
    gone(world, finding)


def test_support_late_hands_over_to_task_overdue(asked) -> None:
    world, link, task = asked
    finding = predicted(world, world.staff_mission, "support_late")
    KeyTask.objects.filter(pk=task.pk).update(due_date=days(-1))
    gone(world, finding)
    assert "task_overdue" in open_kinds(world.staff_mission)


# --- together -------------------------------------------------------------------------------


def test_predictions_weigh_nothing_and_snapshots_count_problems_only(calm) -> None:
    _at_risk(Kpi.objects.get(mission=calm.staff_mission), 0.25)
    Mission.objects.filter(pk=calm.team_mission.pk).update(next_review_due=days(3))
    result = run_checks(organisation=calm.organisation)
    assert result.by_kind == {"likely_miss": 1, "review_lapsing": 1}
    assert set(
        MissionScore.objects.filter(organisation=calm.organisation).values_list("score", flat=True)
    ) == {100}
    snapshot = AlignmentSnapshot.objects.get(organisation=calm.organisation, team=None)
    assert snapshot.score == 100 and snapshot.open_findings == 0


def test_a_subtree_run_opens_and_resolves_predictions_too(calm) -> None:
    kpi = Kpi.objects.get(mission=calm.staff_mission)
    _at_risk(kpi, 0.25)
    run_checks(organisation=calm.organisation, root=calm.team_mission)
    assert "likely_miss" in open_kinds(calm.staff_mission)
    _at_risk(kpi, 0.8, "on_track")
    run_checks(organisation=calm.organisation, root=calm.team_mission)
    assert "likely_miss" not in open_kinds(calm.staff_mission)


def test_the_expected_day_follows_the_data(calm) -> None:
    kpi = Kpi.objects.get(mission=calm.staff_mission)
    _at_risk(kpi, 0.25)
    finding = predicted(calm, calm.staff_mission, "likely_miss")
    Kpi.objects.filter(pk=kpi.pk).update(due_date=days(90))
    run_checks(organisation=calm.organisation)
    finding.refresh_from_db()
    assert finding.resolved_at is None and finding.expected_on == days(90)


def test_other_findings_have_no_expected_day(calm) -> None:
    Mission.objects.filter(pk=calm.staff_mission.pk).update(next_review_due=days(-3))
    run_checks(organisation=calm.organisation)
    finding = Finding.objects.get(mission=calm.staff_mission, kind="review_overdue")
    assert finding.expected_on is None and not finding.predicted


def test_the_inbox_gets_a_prediction_once_and_lets_it_go(asked) -> None:
    """The asking mission's owner hears the support is late; the asked side keeps its one
    support item; nobody gets a second item for the same cause."""
    world, link, task = asked
    kpi = Kpi.objects.get(mission=world.staff_mission)
    _at_risk(kpi, 0.25)
    run_checks(organisation=world.organisation)
    inbox_sweep_organisation(world.organisation)
    mine = Notification.objects.filter(recipient=world.staff, done_at__isnull=True)
    messages = sorted(mine.values_list("kind", "message"))
    assert [k for k, _ in messages] == ["finding", "finding"]
    assert any("Launch" in m for _, m in messages) and any("25% chance" in m for _, m in messages)
    asked_side = Notification.objects.filter(recipient=world.org_admin, done_at__isnull=True)
    assert list(asked_side.values_list("kind", "cause")) == [
        ("support_requested", f"support:{link.pk}")
    ]
    Interdependency.objects.filter(pk=link.pk).update(status="acknowledged")
    _at_risk(kpi, 0.8, "on_track")
    run_checks(organisation=world.organisation)
    inbox_sweep_organisation(world.organisation)
    assert not Notification.objects.filter(
        recipient=world.staff, done_at__isnull=True, kind="finding"
    ).exists()
