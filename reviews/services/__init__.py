"""Writes for the reviews app: reviews, their schedule, reminders, the digest and the weekly
brief's email."""

from .briefs import BriefSweepResult, brief_send, briefs_claim, briefs_send_due
from .calendar import (
    calendar_feed_create,
    calendar_feed_revoke,
    review_cancel,
    review_invitations_send,
    review_reschedule,
)
from .digests import DigestSweepResult, digest_send, digests_claim, digests_send_due
from .reminders import (
    BATCH as REMINDER_BATCH,
)
from .reminders import (
    SweepResult,
    reminder_send,
    reminders_claim,
    reminders_send,
    reminders_send_due,
)
from .reviews import (
    REVIEW_FIELDS,
    review_cadence,
    review_complete,
    review_correct,
    review_schedule,
    review_schedule_missing,
)

__all__ = [
    "calendar_feed_create",
    "calendar_feed_revoke",
    "review_cancel",
    "review_invitations_send",
    "review_reschedule",
    "BriefSweepResult",
    "brief_send",
    "briefs_claim",
    "briefs_send_due",
    "DigestSweepResult",
    "digest_send",
    "digests_claim",
    "digests_send_due",
    "REMINDER_BATCH",
    "REVIEW_FIELDS",
    "SweepResult",
    "reminder_send",
    "reminders_claim",
    "reminders_send",
    "reminders_send_due",
    "review_cadence",
    "review_complete",
    "review_correct",
    "review_schedule",
    "review_schedule_missing",
]
