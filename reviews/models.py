"""30-day reviews of missions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from missions.models import Mission, TimeStampedModel


class Review(TimeStampedModel):
    """A mission's periodic review: progress, what works, what does not, what changes."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="reviews")
    due_date = models.DateField("Due date")
    held_on = models.DateField("Held on", null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.TextField("Summary", blank=True)
    working = models.TextField("What is working", blank=True)
    not_working = models.TextField("What is not working", blank=True)
    changes = models.TextField("What we change", blank=True)
    still_aligned = models.BooleanField("Still aligned", null=True, blank=True)
    status = models.CharField(
        "Status", max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            # The reminder sweep: scheduled reviews by due date.
            models.Index(
                fields=["due_date"],
                condition=Q(status="scheduled"),
                name="reviews_review_scheduled_due",
            ),
        ]
        constraints = [
            # One review per mission and cycle.
            models.UniqueConstraint(
                fields=["mission", "due_date"], name="%(app_label)s_%(class)s_one_per_cycle"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "done", "cancelled"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(held_on__isnull=False),
                name="%(app_label)s_%(class)s_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.mission} due {self.due_date}"
