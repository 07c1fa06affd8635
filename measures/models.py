"""Measures of success (KPIs) and their append-only check-ins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from kernel.models import Organisation, TimeStampedModel
from kernel.validators import (
    DATE_RANGE,
    NOT_BEFORE_FIRST_DATE,
    text_bounds,
    validate_line,
    validate_not_in_future,
)
from missions.models import Mission

from .querysets import CheckInQuerySet


class ForecastStatus(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    UNKNOWN = "unknown", "Not enough data"


# KPIs worst first: off track, at risk, not enough data, on track. The team dashboard orders
# its worst KPIs by it, through an index on the same expression (``measures_kpi_worst_first``).
WORST_FORECAST_FIRST = models.Case(
    models.When(forecast_status=ForecastStatus.OFF_TRACK, then=models.Value(0)),
    models.When(forecast_status=ForecastStatus.AT_RISK, then=models.Value(1)),
    models.When(forecast_status=ForecastStatus.UNKNOWN, then=models.Value(2)),
    default=models.Value(3),
)


def check_in_due(latest_on: dt.date | None, cadence_days: int, day: dt.date) -> bool:
    """A KPI is due for a check-in on ``day`` when it has none within its cadence: never
    checked in, or last on a date more than ``cadence_days`` before."""
    return latest_on is None or (day - latest_on).days > cadence_days


def check_ins_due(day: dt.date, cadences: Iterable[int]) -> Q:
    """The same rule in SQL, for KPIs whose cadences are among ``cadences`` (a handful of
    distinct values: one term each, so the database compares plain dates on every engine)."""
    due = Q(latest_on__isnull=True)
    for days in set(cadences):
        due |= Q(cadence_days=days, latest_on__lt=day - dt.timedelta(days=days))
    return due


class Kpi(TimeStampedModel):
    """A measure of success of a mission: where it starts, where it must get, by when."""

    class Direction(models.TextChoices):
        INCREASE = "increase", "Increase"
        DECREASE = "decrease", "Decrease"
        RANGE = "range", "Stay within a range"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    # Denormalised from the mission so that tenancy filters and the composite foreign key
    # (migration 0002) need no join.
    # Indexed first in ``measures_kpi_org_forecast`` and the (organisation, id) key.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="kpis", db_index=False
    )
    # Indexed first in ``measures_kpi_mission_status``.
    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="kpis", db_index=False
    )
    name = models.CharField("Name", max_length=200, validators=[validate_line])
    unit = models.CharField("Unit", max_length=40, blank=True, validators=[validate_line])
    direction = models.CharField(
        "Direction", max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline = models.DecimalField("Baseline", max_digits=16, decimal_places=4)
    target = models.DecimalField(
        "Target", max_digits=16, decimal_places=4, help_text="For a range: its lower bound."
    )
    target_max = models.DecimalField(
        "Target maximum",
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="For a range only: its upper bound.",
    )
    due_date = models.DateField("Due date", validators=DATE_RANGE)
    cadence_days = models.PositiveSmallIntegerField(
        "Update every (days)", default=30, validators=[MinValueValidator(1)]
    )
    weight = models.DecimalField(
        "Weight",
        max_digits=6,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0)],
        help_text="How much this KPI counts in the parent KPI it contributes to.",
    )
    parent_kpi = models.ForeignKey(
        "self",
        verbose_name="Contributes to",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
        db_index=False,  # ``measures_kpi_parent``
    )
    status = models.CharField(
        "Status", max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Figures from the check-ins, computed by measures.figures whenever a check-in or the KPI
    # changes (services.kpi_refresh_figures), so pages, the API, dashboards and alignment
    # checks over 300,000 KPIs read these columns instead of a regression per KPI per request.
    latest_value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    latest_on = models.DateField(null=True, blank=True)
    latest_confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    progress = models.FloatField(default=0)
    forecast_status = models.CharField(
        max_length=10, choices=ForecastStatus.choices, default=ForecastStatus.UNKNOWN
    )
    forecast_value = models.FloatField(null=True, blank=True)
    forecast_reach_date = models.DateField(null=True, blank=True)
    # The chance (0–1) of meeting the target by the due date, the 80% interval of the value
    # then, and the method that gave them (measures.forecast); empty without enough data.
    forecast_probability = models.FloatField(null=True, blank=True)
    forecast_low = models.FloatField(null=True, blank=True)
    forecast_high = models.FloatField(null=True, blank=True)
    forecast_method = models.CharField(max_length=40, blank=True, default="")
    # The progress of the active KPIs that contribute to this one, weighted (measures.figures.
    # rollup_of); None when none does. Refreshed with a contributing KPI's figures, in the same
    # transaction (services.kpi_refresh_rollups), so no page adds up children per request.
    rollup_progress = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = "KPI"
        verbose_name_plural = "KPIs"
        ordering = ["mission_id", "id"]
        indexes = [
            # Dashboards count KPIs by forecast per organisation, and the checks' snapshot
            # by mission (their health, their team's counts): index-only scans of 10 MB at
            # 300,000 KPIs where the table is 160 MB (a re-run of the checks 0.3 s faster).
            models.Index(
                fields=["organisation", "status", "forecast_status"],
                include=["mission"],
                name="measures_kpi_org_forecast",
            ),
            # The worst KPIs of any set of missions, read in this order until there are enough.
            models.Index(
                models.F("organisation"),
                models.F("status"),
                WORST_FORECAST_FIRST,
                models.F("progress"),
                models.F("due_date"),
                models.F("id"),
                name="measures_kpi_worst_first",
            ),
            models.Index(fields=["parent_kpi"], name="measures_kpi_parent"),
            # Dashboards' on-track shares and the stale / off-track alignment checks.
            models.Index(fields=["mission", "status"], name="measures_kpi_mission_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(direction="range", target_max__isnull=False, target_max__gte=F("target"))
                    | Q(direction__in=["increase", "decrease"], target_max__isnull=True)
                ),
                name="%(app_label)s_%(class)s_range_has_upper_bound",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=["increase", "decrease", "range"]),
                name="%(app_label)s_%(class)s_direction_valid",
            ),
            models.CheckConstraint(
                condition=Q(cadence_days__gt=0), name="%(app_label)s_%(class)s_cadence_positive"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="%(app_label)s_%(class)s_weight_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(parent_kpi=F("id")), name="%(app_label)s_%(class)s_not_own_parent"
            ),
            models.UniqueConstraint(
                fields=["organisation", "id"], name="%(app_label)s_%(class)s_org_id"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def check_in_due_on(self, day: dt.date) -> bool:
        """Due for a check-in: none stored within its cadence (SQL: ``check_ins_due``)."""
        return check_in_due(self.latest_on, self.cadence_days, day)

    def clean(self) -> None:
        """A range needs an upper bound at or above its target; the other directions have
        none. The one statement of the rule: forms, the admin and the API (through the
        services' ``full_clean``) show these messages on ``target_max``; the constraint
        ``range_has_upper_bound`` is the database's copy, for writes that skip validation
        (a field with an error here is not checked against the constraint again)."""
        if self.direction == self.Direction.RANGE:
            if self.target_max is None:
                raise ValidationError({"target_max": "A range needs an upper bound."})
            if self.target is not None and self.target_max < self.target:
                raise ValidationError(
                    {"target_max": "The upper bound must not be below the target."}
                )
        elif self.target_max is not None:
            raise ValidationError(
                {"target_max": "Only a range has an upper bound; leave it empty."}
            )


class CheckIn(models.Model):
    """One reading of a KPI. Append-only: a correction is a new check-in that supersedes.

    The database refuses UPDATE and DELETE on this table (trigger in migration 0002 on
    PostgreSQL); ``save()`` refuses to change a stored row on every database.
    """

    # Indexed by ``measures_checkin_kpi_date``, whose first column it is: its own index would
    # be a second copy to keep up to date on every check-in.
    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="check_ins", db_index=False)
    value = models.DecimalField("Value", max_digits=16, decimal_places=4)
    confidence = models.PositiveSmallIntegerField(
        "Confidence",
        default=70,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="0–100: how sure you are the target will be met.",
    )
    comment = models.TextField("Comment", blank=True, **text_bounds(2_000))
    recorded_on = models.DateField(
        "Date",
        help_text="The date the value describes.",
        validators=[*NOT_BEFORE_FIRST_DATE, validate_not_in_future],
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="check_ins"
    )
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    # A default rather than auto_now_add, so imported history keeps its real time.
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = "check-in"
        ordering = ["kpi_id", "recorded_on", "created_at", "id"]
        indexes = [
            # Latest value per KPI and the KPI history chart.
            models.Index(
                fields=["kpi", "recorded_on", "created_at"], name="measures_checkin_kpi_date"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=100),
                name="%(app_label)s_%(class)s_confidence_0_100",
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("id")), name="%(app_label)s_%(class)s_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.value} on {self.recorded_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:  # Model.save's arguments, passed on
        if self.pk is not None and not self._state.adding:
            raise ValueError("Check-ins are append-only; record a new check-in that supersedes.")
        super().save(*args, **kwargs)


class ForecastCalibration(models.Model):
    """What an organisation's own KPI history taught of its forecasts' probabilities: the
    knots of ``measures.forecast.Calibration``, learnt by ``measures.calibrating`` before the
    nightly refresh and applied to every probability the forecast then states."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="forecast_calibration"
    )
    # [[probability said, probability calibrated], ...], both rising, each in [0, 1].
    knots = models.JSONField(default=list)
    outcomes = models.PositiveIntegerField(default=0, help_text="Held-out cases it learnt from.")
    learnt_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Forecast calibration of {self.organisation} ({self.outcomes} outcomes)"
