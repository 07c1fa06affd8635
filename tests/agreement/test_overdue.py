"""What is overdue, in the alignment checks' SQL and in the ORM and Python of the pages.

- A review: ``review_overdue`` (``reviews.checks``) finds missions in play whose next review
  was due before today; the cascade's "needs attention" filter (``missions.selectors
  .problems_q``, through ``cascade_search``) says the same of the missions it lists. (Which
  missions are in play: tests/agreement/test_in_play.py.)
- A key task: ``task_overdue`` finds the open tasks (to do, in progress, blocked) due before
  today; a review's agenda (``reviews.selectors.review_agenda``) lists the same as overdue.
- A KPI: ``stale_kpi`` finds an active KPI whose latest reading is older than its cadence;
  ``measures.summary.KpiFigures.update_due`` says its update is due.

On the due day itself nothing is overdue yet; the day after, it is.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kernel.permissions import actor_for
from measures.models import Kpi
from measures.summary import mission_figures
from missions.models import KeyTask, Mission
from missions.selectors import cascade_search
from reviews.models import Finding, Review
from reviews.selectors import review_agenda
from tests.agreement.builders import KpiSpec, Reading, checked, days, found, make_kpi

pytestmark = pytest.mark.django_db

# (the mission's status, next review due in days or None, overdue)
REVIEWS = [
    pytest.param("active", -1, True, id="due yesterday"),
    pytest.param("active", 0, False, id="due today"),
    pytest.param("active", 1, False, id="due tomorrow"),
    pytest.param("active", None, False, id="no review planned"),
    pytest.param("completed", -1, False, id="due yesterday, of a completed mission"),
    pytest.param("archived", -1, False, id="due yesterday, of an archived mission"),
]


@pytest.mark.parametrize(("status", "due_in", "overdue"), REVIEWS)
def test_a_review_is_overdue_in_the_checks_as_in_the_cascade(
    world, status, due_in, overdue
) -> None:
    # The top mission: the other half of "needs attention" (not aligned under a parent)
    # cannot hold for it, so the filter answers for the review alone.
    mission = world.org_mission
    Mission.objects.filter(pk=mission.pk).update(
        status=status, next_review_due=None if due_in is None else days(due_in)
    )
    checked(world.organisation)
    by_check = mission.pk in found(Finding.Kind.REVIEW_OVERDUE, organisation=world.organisation)
    actor = actor_for(world.leader, world.organisation)
    in_cascade = cascade_search(actor=actor, problems=True).filter(pk=mission.pk).exists()

    assert (by_check, in_cascade) == (overdue, overdue)


OPEN = ["todo", "in_progress", "blocked"]
TASKS = [
    pytest.param(
        status,
        due_in,
        status in OPEN and due_in is not None and due_in < 0,
        id=f"{status}, due {'never' if due_in is None else f'in {due_in} days'}",
    )
    for status in [*OPEN, "done", "cancelled"]
    for due_in in (-1, 0, 1, None)
]


@pytest.mark.parametrize(("status", "due_in", "overdue"), TASKS)
def test_a_key_task_is_overdue_in_the_checks_as_on_the_review_agenda(
    world, status, due_in, overdue
) -> None:
    mission = world.staff_mission
    task = KeyTask.objects.create(
        mission=mission,
        title="Recruit two nurses",
        owner=world.staff,
        status=status,
        due_date=None if due_in is None else days(due_in),
        completed_at=timezone.now() if status == "done" else None,
    )
    review = Review.objects.create(mission=mission, due_date=days(3))
    checked(world.organisation)
    by_check = mission.pk in found(
        Finding.Kind.TASK_OVERDUE, organisation=world.organisation, subject=f"task:{task.pk}"
    )
    on_agenda = task in review_agenda(review=review).tasks_overdue

    assert (by_check, on_agenda) == (overdue, overdue)


CADENCE = 30
# label: (readings, overdue)
READINGS = {
    "read a day less than a cadence ago": ((Reading(CADENCE - 1, 20),), False),
    "read exactly a cadence ago": ((Reading(CADENCE, 20),), False),
    "read a day more than a cadence ago": ((Reading(CADENCE + 1, 20),), True),
    "an old reading corrected today": (
        (Reading(CADENCE + 5, 20), Reading(0, 21, corrects=0)),
        False,
    ),
    "a recent reading corrected by an old-dated one": (
        (Reading(CADENCE + 9, 15), Reading(2, 20), Reading(CADENCE + 5, 18, corrects=1)),
        True,
    ),
}


@pytest.mark.parametrize(("readings", "overdue"), READINGS.values(), ids=READINGS.keys())
def test_a_kpi_is_stale_in_the_checks_when_its_update_is_due_on_the_pages(
    world, readings, overdue
) -> None:
    kpi = make_kpi(
        world.staff_mission, KpiSpec(readings=readings, cadence_days=CADENCE), by=world.staff
    )
    checked(world.organisation)
    by_check = world.staff_mission.pk in found(
        Finding.Kind.STALE_KPI, organisation=world.organisation, subject=f"kpi:{kpi.pk}"
    )
    (figures,) = mission_figures([world.staff_mission.pk])[world.staff_mission.pk].kpis

    assert (by_check, figures.update_due) == (overdue, overdue)


@pytest.mark.parametrize("written_days_ago", [0, CADENCE, CADENCE + 1])
def test_a_kpi_without_readings_is_due_at_once_but_stale_only_a_cadence_after_it_was_written(
    world, written_days_ago
) -> None:
    """The one place the two differ, on purpose as far as the code says: the pages ask for a
    first reading at once; the checks give a new KPI a cadence before they find it stale."""
    kpi = make_kpi(world.staff_mission, KpiSpec(cadence_days=CADENCE), by=world.staff)
    Kpi.objects.filter(pk=kpi.pk).update(
        created_at=timezone.now() - dt.timedelta(days=written_days_ago)
    )
    checked(world.organisation)
    by_check = world.staff_mission.pk in found(
        Finding.Kind.STALE_KPI, organisation=world.organisation, subject=f"kpi:{kpi.pk}"
    )
    (figures,) = mission_figures([world.staff_mission.pk])[world.staff_mission.pk].kpis

    assert figures.update_due
    assert by_check == (written_days_ago > CADENCE)
