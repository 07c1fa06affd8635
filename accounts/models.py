"""What a person sets for themselves, whatever organisation they are in."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from missions.models import TimeStampedModel, validate_time_zone


class Profile(TimeStampedModel):
    """A person's own preferences. Missing until they first save them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    time_zone = models.CharField(
        "Time zone",
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Empty: the organisation's time zone.",
    )

    def __str__(self) -> str:
        return f"Profile of {self.user}"
