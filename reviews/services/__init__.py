"""Writes for the reviews app: reviews, their schedule, and reminders."""

from .reminders import SweepResult, reminder_send, reminders_claim, reminders_send_due
from .reviews import (
    REVIEW_FIELDS,
    review_cadence,
    review_complete,
    review_schedule,
    review_schedule_missing,
)

__all__ = [
    "REVIEW_FIELDS",
    "SweepResult",
    "reminder_send",
    "reminders_claim",
    "reminders_send_due",
    "review_cadence",
    "review_complete",
    "review_schedule",
    "review_schedule_missing",
]
