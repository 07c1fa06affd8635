"""Writes for reviews: holding a review sets the next one."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from missions.audit import apply_changes, audit_record
from missions.models import Mission
from missions.services import mission_reopen_alignment

from .models import Review

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

REVIEW_FIELDS = ("summary", "working", "not_working", "changes", "still_aligned")


def review_cadence(mission: Mission) -> int:
    """Days between reviews: the mission's own cadence, else the organisation's."""
    return mission.review_cadence_days or mission.organisation.review_cadence_days


@transaction.atomic
def review_schedule(*, mission: Mission, due_date: dt.date) -> Review:
    """Make sure the mission has a review on ``due_date``; safe to call twice."""
    review, _ = Review.objects.get_or_create(mission=mission, due_date=due_date)
    if mission.next_review_due != due_date:
        Mission.objects.filter(pk=mission.pk).update(next_review_due=due_date)
        mission.next_review_due = due_date
    return review


@transaction.atomic
def review_complete(*, review: Review, data: dict[str, Any], by: AbstractBaseUser) -> Review:
    """Record a held review and schedule the next one a cadence later.

    A mission found no longer aligned goes back to "proposed" for its boss to look at again.
    """
    review = (
        Review.objects.select_for_update().select_related("mission__organisation").get(pk=review.pk)
    )
    if review.status != Review.Status.SCHEDULED:
        raise ValidationError("This review has already been held or cancelled.")
    changes = apply_changes(review, data, REVIEW_FIELDS)
    review.held_on = data.get("held_on") or timezone.localdate()
    review.held_by = by
    review.status = Review.Status.DONE
    review.full_clean()
    review.save()
    mission = review.mission
    audit_record(
        obj=review,
        organisation=mission.organisation,
        verb="reviewed",
        by=by,
        mission=mission,
        changes=changes,
    )
    if review.still_aligned is False and mission.parent_id is not None:
        mission_reopen_alignment(
            mission=mission, by=by, comment="The review found the mission no longer aligned."
        )
    review_schedule(
        mission=mission, due_date=review.held_on + dt.timedelta(days=review_cadence(mission))
    )
    return review
