"""Reviews only where they make sense: a mission's 30-day review is scheduled, listed as due
and reminded only while the mission is in play (active, and the top of its cascade or
proposed or aligned), and its first review falls one cadence after it came into play, not on
the day it was written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kernel.models import Notification
from kernel.permissions import actor_for
from missions.models import Mission
from reviews import services
from reviews.dashboards import team_dashboard
from reviews.models import Reminder, Review
from reviews.selectors import reviews_due_for, reviews_to_hold

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)  # the world's missions run through 2026
CADENCE = 30  # the organisation's default

# (the staff mission's status, its alignment, in play)
STATES = [
    pytest.param("active", "draft", False, id="a draft"),
    pytest.param("active", "sent_back", False, id="sent back"),
    pytest.param("active", "proposed", True, id="proposed"),
    pytest.param("active", "aligned", True, id="aligned"),
    pytest.param("archived", "aligned", False, id="aligned, archived"),
]


@pytest.fixture
def today(time_machine) -> dt.date:
    """Today, mid-period; the world's missions are written today (ask for it first)."""
    time_machine.move_to(dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC), tick=False)
    return TODAY


def _put(mission: Mission, **fields) -> None:
    Mission.objects.filter(pk=mission.pk).update(**fields)


def test_a_mission_written_a_minute_ago_is_not_due_for_review_today(today, world) -> None:
    # The top mission is in play from the moment it is written, in a period that began in
    # January: its first review is a cadence away, and nobody is told it is due today.
    services.review_schedule_missing(organisation_id=world.organisation.pk)
    review = Review.objects.get(mission=world.org_mission, status="scheduled")
    assert review.due_date == today + dt.timedelta(days=CADENCE)
    services.reminders_send_due(today=today)
    assert list(Notification.objects.values_list("message", flat=True)) == []


def test_the_first_review_is_a_cadence_after_the_mission_was_proposed(today, world) -> None:
    proposed = timezone.now() - dt.timedelta(days=10)
    _put(world.staff_mission, alignment_status="proposed", proposed_at=proposed)
    Mission.objects.filter(pk=world.staff_mission.pk).update(
        created_at=timezone.now() - dt.timedelta(days=40)
    )
    services.review_schedule_missing(organisation_id=world.organisation.pk)
    review = Review.objects.get(mission=world.staff_mission, status="scheduled")
    assert review.due_date == today + dt.timedelta(days=CADENCE - 10)


def test_the_first_review_of_a_period_still_to_come_is_a_cadence_after_it_starts(
    today, world
) -> None:
    start = today + dt.timedelta(days=60)
    _put(world.org_mission, period_start=start)
    services.review_schedule_missing(organisation_id=world.organisation.pk)
    review = Review.objects.get(mission=world.org_mission, status="scheduled")
    assert review.due_date == start + dt.timedelta(days=CADENCE)


def test_the_first_review_is_never_before_today(today, world) -> None:
    mission = world.org_mission  # written today, in a period that began in January
    assert mission.first_review_due(CADENCE) == today + dt.timedelta(days=CADENCE)
    later = today + dt.timedelta(days=CADENCE + 15)  # a sweep that did not run for weeks
    assert mission.first_review_due(CADENCE, today=later) == later


@pytest.mark.parametrize(("status", "alignment", "in_play"), STATES)
def test_only_a_mission_in_play_gets_a_review_scheduled(
    today, world, status, alignment, in_play
) -> None:
    _put(world.staff_mission, status=status, alignment_status=alignment)
    services.review_schedule_missing(organisation_id=world.organisation.pk)
    assert Review.objects.filter(mission=world.staff_mission).exists() is in_play
    world.staff_mission.refresh_from_db()
    assert (world.staff_mission.next_review_due is not None) is in_play


@pytest.mark.parametrize(("status", "alignment", "in_play"), STATES)
def test_only_the_review_of_a_mission_in_play_is_reminded(
    today, world, status, alignment, in_play
) -> None:
    _put(world.staff_mission, status=status, alignment_status=alignment)
    for days_late in (-3, 0, 1, 7):  # one review in each reminder's window
        Review.objects.create(
            mission=world.staff_mission, due_date=today - dt.timedelta(days=days_late)
        )
    result = services.reminders_send_due(today=today)
    assert (result.sent == 4) is in_play
    reminded = Notification.objects.filter(mission=world.staff_mission)
    assert reminded.count() == (4 if in_play else 0)


@pytest.mark.parametrize(("status", "alignment", "in_play"), STATES)
def test_only_the_review_of_a_mission_in_play_is_listed_as_due(
    today, world, status, alignment, in_play
) -> None:
    _put(world.staff_mission, status=status, alignment_status=alignment)
    review = Review.objects.create(mission=world.staff_mission, due_date=today)
    actor = actor_for(world.staff, world.organisation)
    listed = {
        "my due reviews (home page, inbox)": review in reviews_due_for(actor=actor),
        "the reviews page's to hold": review in reviews_to_hold(actor=actor),
        "the team dashboard's due and overdue": review in team_dashboard(team=world.team).reviews,
    }
    assert listed == dict.fromkeys(listed, in_play)


def test_a_reminder_claimed_while_proposed_is_not_sent_once_sent_back(today, world) -> None:
    _put(world.staff_mission, alignment_status="proposed")
    Review.objects.create(mission=world.staff_mission, due_date=today)
    [reminder_id] = services.reminders_claim(today=today)
    _put(world.staff_mission, alignment_status="sent_back")
    assert services.reminder_send(reminder_id=reminder_id) is False
    assert Reminder.objects.get(pk=reminder_id).sent_at is None
    # Nor does a later sweep hand it out again.
    assert services.reminders_claim(today=today + dt.timedelta(days=1)) == []


def test_proposed_again_the_first_review_counts_from_the_new_proposal(
    today, world, time_machine
) -> None:
    # Proposed today: a review a cadence away. Sent back: withdrawn (not yet due). Proposed
    # again 40 days later: a cadence after that, not the date set before it was sent back.
    _put(world.staff_mission, alignment_status="proposed", proposed_at=timezone.now())
    services.review_schedule_missing(organisation_id=world.organisation.pk)
    first = Review.objects.get(mission=world.staff_mission, status="scheduled")
    assert first.due_date == today + dt.timedelta(days=CADENCE)
    _put(world.staff_mission, alignment_status="sent_back")
    services.review_schedule_missing(organisation_id=world.organisation.pk)
    first.refresh_from_db()
    assert first.status == "cancelled"
    assert Mission.objects.get(pk=world.staff_mission.pk).next_review_due is None
    later = dt.datetime(2026, 7, 25, 9, 0, tzinfo=dt.UTC)
    time_machine.move_to(later, tick=False)
    _put(world.staff_mission, alignment_status="proposed", proposed_at=later)
    services.review_schedule_missing(organisation_id=world.organisation.pk)
    again = Review.objects.get(mission=world.staff_mission, status="scheduled")
    assert again.due_date == later.date() + dt.timedelta(days=CADENCE)


def test_a_review_that_fell_due_in_play_stays_due_after_a_send_back(today, world) -> None:
    _put(world.staff_mission, alignment_status="proposed", proposed_at=timezone.now())
    overdue = Review.objects.create(mission=world.staff_mission, due_date=today)
    _put(world.staff_mission, alignment_status="sent_back")
    services.review_schedule_missing(organisation_id=world.organisation.pk)
    overdue.refresh_from_db()
    assert overdue.status == "cancelled"  # due today, not before: still withdrawn
    overdue = Review.objects.create(
        mission=world.staff_mission, due_date=today - dt.timedelta(days=3)
    )
    services.review_schedule_missing(organisation_id=world.organisation.pk)
    overdue.refresh_from_db()
    assert overdue.status == "scheduled"  # fell due while in play: overdue still
