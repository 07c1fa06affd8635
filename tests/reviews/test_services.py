"""Review services: what the review pages rely on, and the fixes made alongside them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kernel.models import Notification
from missions.models import Mission
from reviews import services
from reviews.models import Reminder, Review
from tests.missions.factories import align

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 10)


def test_a_reminder_claimed_before_its_review_was_held_is_not_sent(world) -> None:
    align(world.staff_mission)
    review = Review.objects.create(mission=world.staff_mission, due_date=DUE)
    [reminder_id] = services.reminders_claim(today=DUE)
    services.review_complete(
        review=review, data={"still_aligned": True, "held_on": DUE}, by=world.staff
    )
    assert services.reminder_send(reminder_id=reminder_id) is False
    assert Reminder.objects.get(pk=reminder_id).sent_at is None
    assert not Notification.objects.filter(kind="review_reminder").exists()
    # Nor does a later sweep hand it out again.
    assert services.reminders_claim(today=DUE + dt.timedelta(days=1)) == []


def test_the_day_after_reminder_names_the_due_date(world) -> None:
    align(world.staff_mission)
    Review.objects.create(mission=world.staff_mission, due_date=DUE)
    services.reminders_send_due(today=DUE + dt.timedelta(days=3))  # a catch-up, days late
    note = Notification.objects.get(kind="review_reminder")
    assert "was due on 10 Mar 2026" in note.message and "yesterday" not in note.message


def test_a_review_cannot_be_held_in_the_future(world) -> None:
    review = Review.objects.create(mission=world.staff_mission, due_date=DUE)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.review_complete(
            review=review, data={"still_aligned": True, "held_on": tomorrow}, by=world.staff
        )
    assert "held_on" in error.value.message_dict
    review.refresh_from_db()
    assert review.status == "scheduled" and review.held_on is None


@pytest.mark.parametrize(
    ("still_aligned", "status_before", "reopened"),
    [(False, "aligned", True), (True, "aligned", False), (False, "proposed", False)],
)
def test_a_mission_no_longer_aligned_goes_back_to_its_boss(
    world, still_aligned, status_before, reopened
) -> None:
    Mission.objects.filter(pk=world.staff_mission.pk).update(alignment_status=status_before)
    review = Review.objects.create(mission=world.staff_mission, due_date=DUE)
    services.review_complete(
        review=review, data={"still_aligned": still_aligned, "held_on": DUE}, by=world.staff
    )
    mission = Mission.objects.get(pk=world.staff_mission.pk)
    assert mission.alignment_status == (
        "proposed" if reopened or status_before == "proposed" else "aligned"
    )
    asked = Notification.objects.filter(recipient=world.lead, kind="alignment_requested")
    assert asked.exists() is reopened
    assert mission.next_review_due == DUE + dt.timedelta(days=30)
