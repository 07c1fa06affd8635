"""Writes for reviews: holding a review sets the next one."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kernel import webhooks
from kernel.audit import apply_changes, audit_record, refuse_if_changed_since
from kernel.errors import StateConflict
from kernel.models import AuditEvent
from kernel.notifications import cause_of, notifications_done
from missionlead.emails import absolute_url
from missions.models import Mission
from missions.querysets import in_play
from missions.services import mission_reopen_alignment, request_alignment
from missions.services.checks import request_alignment_check

from ..models import Review

if TYPE_CHECKING:
    from kernel.types import User

logger = logging.getLogger(__name__)
REVIEW_FIELDS = ("summary", "working", "not_working", "changes", "still_aligned")
HELD_FIELDS = (*REVIEW_FIELDS, "held_on", "status")
# What a correction of a held review may change: what it says. Whether the mission was still
# aligned, and the day it was held, are what the review did (sent the mission back to its
# boss, set the next review's date): a new review says otherwise, not a correction.
CORRECTED_FIELDS = ("summary", "working", "not_working", "changes")


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
def review_complete(*, review: Review, data: dict[str, Any], by: User) -> Review:
    """Record a held review and schedule the next one a cadence later.

    A mission found no longer aligned goes back to "proposed" for its boss to look at again.
    """
    # Lock the review row only: a bare FOR UPDATE would also lock the joined mission and
    # organisation rows, serialising every review of the organisation behind this one.
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("mission__organisation")
        .get(pk=review.pk)
    )
    if review.status != Review.Status.SCHEDULED:
        raise StateConflict("This review has already been held or cancelled.")
    held_on = data.get("held_on") or timezone.localdate()
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "A review cannot be held in the future."})
    # The history says when it was held and that it was, not only what was written: a review
    # recorded late or back-dated is visible there.
    changes = apply_changes(
        review, {**data, "held_on": held_on, "status": Review.Status.DONE}, HELD_FIELDS
    )
    review.held_by = by
    review.full_clean()
    review.save()
    mission = review.mission
    audit_record(
        obj=review,
        organisation=mission.organisation,
        verb=AuditEvent.Verb.REVIEWED,
        by=by,
        mission=mission,
        changes=changes,
    )
    notifications_done(causes=[cause_of("review", review.pk)], by=by)
    webhooks.emit(
        organisation=mission.organisation,
        event=webhooks.Event.REVIEW_HELD,
        data=lambda: review_webhook_data(review),
        summary=lambda: (
            f"The review of “{mission.title}” was held on {held_on.day} {held_on:%B %Y}."
        ),
    )
    request_alignment_check(mission)
    if (
        review.still_aligned is False
        and mission.parent_id is not None
        and mission.alignment_status != Mission.AlignmentStatus.PROPOSED
        and (boss_mission := mission.parent) is not None
    ):
        mission_reopen_alignment(
            mission=mission, by=by, comment="The review found the mission no longer aligned."
        )
        # The boss must look at it again: tell them, as proposing a mission does.
        request_alignment(
            mission,
            boss_mission,
            by=by,
            message=(
                f"The review of “{mission.title}” found it no longer aligned with "
                f"“{boss_mission.title}”: align it again or send it back."
            ),
        )
    review_schedule(mission=mission, due_date=held_on + dt.timedelta(days=review_cadence(mission)))
    return review


def review_webhook_data(review: Review) -> dict[str, Any]:
    """What a webhook says of a held review: its API representation and its mission's page."""
    return {
        "id": review.pk,
        "organisation": review.mission.organisation_id,
        "mission": review.mission_id,
        "due_date": review.due_date,
        "held_on": review.held_on,
        "summary": review.summary,
        "working": review.working,
        "not_working": review.not_working,
        "changes": review.changes,
        "still_aligned": review.still_aligned,
        "status": review.status,
        "url": absolute_url(review.mission.get_absolute_url()),
    }


@transaction.atomic
def review_correct(
    *, review: Review, data: dict[str, Any], by: User, read_at: dt.datetime | None = None
) -> Review:
    """Correct what a held review says; the history keeps what it said before, and who
    corrected it when. ``read_at`` (the page's version) refuses to overwrite a review changed
    since, as the other edit pages do (``EditConflict``)."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("mission__organisation")
        .get(pk=review.pk)
    )
    refuse_if_changed_since(review, read_at=read_at, noun="review")
    if review.status != Review.Status.DONE:
        raise StateConflict("Only a held review can be corrected.")
    changes = apply_changes(review, data, CORRECTED_FIELDS)
    if not changes:
        return review
    review.full_clean()
    review.save()
    audit_record(
        obj=review,
        organisation=review.mission.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=by,
        mission=review.mission,
        changes=changes,
    )
    return review


def review_schedule_missing(*, organisation_id: int | None = None, batch: int = 2000) -> int:
    """Give every mission in play (``missions.querysets.in_play``) without a scheduled review
    its next one: a draft or sent-back mission gets none until it is proposed, and the hourly
    sweep schedules it then.

    The due date is the mission's ``next_review_due`` if set, otherwise its first review
    (``Mission.first_review_due``: a cadence after it came into play, not before today).
    Returns how many were scheduled; safe to run twice (one review per mission and due date).
    A mission whose due date cannot be computed (a period stored before the date bounds,
    ending in year 9999) is logged with its id and skipped; the others are scheduled.
    """
    today = timezone.localdate()
    _withdraw_out_of_play(organisation_id=organisation_id, today=today)
    missing = (
        Mission.objects.in_play()
        .exclude(reviews__status=Review.Status.SCHEDULED)
        .select_related("organisation")
        .order_by("id")
    )
    if organisation_id is not None:
        missing = missing.filter(organisation_id=organisation_id)
    scheduled = 0
    for chunk in _chunks(missing.iterator(chunk_size=batch), batch):
        reviews, dues = [], {}
        for mission in chunk:
            try:
                due = mission.next_review_due or mission.first_review_due(
                    review_cadence(mission), today=today
                )
            except Exception:
                logger.exception("Review schedule sweep: skipped mission %s.", mission.pk)
                continue
            dues[mission.pk] = due
            reviews.append(Review(organisation=mission.organisation, mission=mission, due_date=due))
        chunk = [mission for mission in chunk if mission.pk in dues]
        with transaction.atomic():
            Review.objects.bulk_create(reviews, ignore_conflicts=True)
            for mission in chunk:
                if mission.next_review_due != dues[mission.pk]:
                    mission.next_review_due = dues[mission.pk]
            Mission.objects.bulk_update(chunk, ["next_review_due"])
        scheduled += len(reviews)
    return scheduled


def _withdraw_out_of_play(*, organisation_id: int | None, today: dt.date) -> int:
    """Cancel the reviews not yet due of missions that left play (sent back, archived) and
    forget their next review date: proposed again, a mission's first review then falls a
    cadence after that proposal, not on a date set before it was sent back. A review that
    fell due while the mission was in play stays as it is: overdue then, overdue still."""
    withdrawn = Review.objects.filter(status=Review.Status.SCHEDULED, due_date__gte=today).exclude(
        in_play("mission__")
    )
    if organisation_id is not None:
        withdrawn = withdrawn.filter(mission__organisation_id=organisation_id)
    from .calendar import review_cancellations_send  # it schedules through this module

    with transaction.atomic():
        rows = list(withdrawn.values_list("id", "mission_id"))
        # A calendar holding the review's invitation takes only a higher sequence.
        cancelled = withdrawn.update(status=Review.Status.CANCELLED, sequence=F("sequence") + 1)
        Mission.objects.filter(pk__in=[mission for _, mission in rows]).exclude(in_play()).update(
            next_review_due=None
        )
        review_cancellations_send(review_ids=[review for review, _ in rows])
    return cancelled


def _chunks(items: Any, size: int) -> Any:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
