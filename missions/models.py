"""The vision and the mission cascade: missions, their key tasks and interdependencies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from kernel import tree
from kernel.models import Organisation, Team, TimeStampedModel
from kernel.validators import DATE_RANGE, DecisionRightsValidator, text_bounds, validate_line

from .querysets import MissionQuerySet, is_in_play


class Vision(TimeStampedModel):
    """Why the organisation exists, where it will be, and the CEO's intent."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="vision"
    )
    purpose = models.TextField(
        "Purpose", blank=True, help_text="Why the organisation exists.", **text_bounds(2_000)
    )
    vision = models.TextField(
        "Vision", blank=True, help_text="Where we will be at the horizon.", **text_bounds(2_000)
    )
    horizon = models.DateField("Horizon", null=True, blank=True, validators=DATE_RANGE)
    success_picture = models.TextField(
        "Picture of success",
        blank=True,
        help_text="What will be different, why it matters, how we will know.",
        **text_bounds(5_000),
    )
    ceo_intent = models.TextField("CEO's intent", blank=True, **text_bounds(5_000))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Vision of {self.organisation}"


class Period(TimeStampedModel):
    """One of the organisation's planning periods: a fiscal year, or a part of one (a quarter),
    which names its year as ``parent``. Missions belong to one (their dates follow it), and
    through them their KPIs; the cascade filters by it and carry-over moves to the next one."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="periods", db_index=False
    )
    name = models.CharField(
        "Name", max_length=80, validators=[validate_line], help_text="For example “Q1 FY2027”."
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="Part of",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="parts",
        help_text="The year a quarter belongs to.",
    )
    starts_on = models.DateField("Starts on", validators=DATE_RANGE)
    ends_on = models.DateField("Ends on", validators=DATE_RANGE)

    class Meta:
        # A year before its first quarter, which starts the same day.
        ordering = ["starts_on", "-ends_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lt=F("ends_on")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message="A period ends after it starts.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="%(app_label)s_%(class)s_not_own_parent"
            ),
            # Also the index of the organisation's periods, by name.
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="%(app_label)s_%(class)s_name_once",
                violation_error_message="The organisation has a period of that name already.",
            ),
            models.UniqueConstraint(
                fields=["organisation", "id"], name="%(app_label)s_%(class)s_org_id"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            errors["ends_on"] = "A period ends after it starts."
        parent = self.parent if self.parent_id else None
        if parent is not None:
            if parent.organisation_id != self.organisation_id:
                errors["parent"] = "That period belongs to another organisation."
            elif parent.parent_id is not None or (self.pk and parent.pk == self.pk):
                errors["parent"] = "A part belongs to a year, which is part of nothing."
            elif (
                self.starts_on
                and self.ends_on
                and (self.starts_on < parent.starts_on or self.ends_on > parent.ends_on)
            ):
                errors["parent"] = f"It runs outside {parent.name}."
        if errors:
            raise ValidationError(errors)


class Mission(TimeStampedModel):
    """The unit of the cascade: what a team or a person will achieve, and why."""

    class Level(models.TextChoices):
        ORGANISATION = "organisation", "Organisation"
        TEAM = "team", "Team"
        INDIVIDUAL = "individual", "Individual"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        ARCHIVED = "archived", "Archived"

    class AlignmentStatus(models.TextChoices):
        DRAFT = "draft", "Draft"
        PROPOSED = "proposed", "Proposed"
        ALIGNED = "aligned", "Aligned"
        SENT_BACK = "sent_back", "Sent back"

    # The alignment conversation: the states each step starts from. Proposing asks the boss
    # once; aligning and sending back answer a proposal. Services and pages read this.
    ALIGNMENT_STEPS_FROM = {
        "propose": frozenset({AlignmentStatus.DRAFT, AlignmentStatus.SENT_BACK}),
        "align": frozenset({AlignmentStatus.PROPOSED}),  # align or send back
    }

    # Foreign keys without an index of their own where an index below leads with them:
    # a second index of the same column costs every write of a mission (a whole check
    # rescoring 100,000 missions writes each of their indexes).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="missions", db_index=False
    )
    level = models.CharField("Level", max_length=12, choices=Level.choices)
    title = models.CharField("Title", max_length=200, validators=[validate_line])
    statement = models.TextField(
        "Statement", blank=True, help_text="What we will achieve.", **text_bounds(5_000)
    )
    intent = models.TextField(
        "Intent", blank=True, help_text="Why it matters.", **text_bounds(5_000)
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="Parent mission",
        on_delete=models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        related_name="children",
    )
    # Ancestors' ids, root first (see kernel.tree). On PostgreSQL db_index adds a
    # varchar_pattern_ops index, which serves the subtree's prefix LIKE.
    path = models.CharField(
        max_length=tree.PATH_MAX_LENGTH, default="", blank=True, editable=False, db_index=True
    )
    owner_team = models.ForeignKey(
        Team,
        verbose_name="Owner team",
        on_delete=models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        related_name="missions",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Owner",
        on_delete=models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        related_name="missions",
    )
    # One of the organisation's planning periods, or none: then the dates below are free. With
    # one, they are the period's (``clean`` copies them), so every reader of the dates (the
    # API's ``period_start``/``period_end``, the checks, reviews) keeps working unchanged.
    period = models.ForeignKey(
        Period,
        verbose_name="Period",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="missions",
    )
    period_start = models.DateField("Period start", validators=DATE_RANGE)
    period_end = models.DateField("Period end", validators=DATE_RANGE)
    status = models.CharField(
        "Status", max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    alignment_status = models.CharField(
        "Alignment", max_length=10, choices=AlignmentStatus.choices, default=AlignmentStatus.DRAFT
    )
    # Operating space: the boundaries inside which the owner decides freely.
    deadline = models.DateField("Deadline", null=True, blank=True, validators=DATE_RANGE)
    scope = models.TextField(
        "Scope", blank=True, help_text="Markets, areas, services in scope.", **text_bounds(2_000)
    )
    budget = models.DecimalField(
        "Budget",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    headcount = models.PositiveIntegerField("Headcount", null=True, blank=True)
    constraints = models.TextField(
        "Constraints", blank=True, help_text="Legal and policy limits.", **text_bounds(5_000)
    )
    decision_rights = models.JSONField(
        "Decision rights",
        default=dict,
        blank=True,
        help_text='{"free": […], "consult": […], "must_not": […]}',
        validators=[DecisionRightsValidator(max_items=30, max_length=500)],
    )
    review_cadence_days = models.PositiveSmallIntegerField(
        "Review cadence (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Empty: the organisation's.",
    )
    next_review_due = models.DateField(
        "Next review due", null=True, blank=True, validators=DATE_RANGE
    )
    carried_over_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_over_to"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    aligned_at = models.DateTimeField(null=True, blank=True)
    aligned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MissionQuerySet.as_manager()

    class Meta:
        ordering = ["path", "id"]
        indexes = [
            models.Index(fields=["parent"], name="missions_mission_parent"),
            models.Index(fields=["owner_user", "status"], name="missions_mission_owner_user"),
            models.Index(fields=["owner_team", "status"], name="missions_mission_owner_team"),
            # The organisation's own missions (home, the vision): a handful among 100,000.
            models.Index(
                fields=["organisation", "status"],
                condition=Q(level="organisation"),
                name="missions_mission_top",
            ),
            # The missions a team's members own in person (``querysets.team_mission_ids``):
            # an index-only scan per member, not a read of each mission's wide row.
            models.Index(
                fields=["owner_user", "organisation", "status"],
                include=["id"],
                condition=Q(owner_team__isnull=True),
                name="missions_mission_of_person",
            ),
            # The review sweep: active missions whose next review is due.
            models.Index(
                fields=["next_review_due"],
                condition=Q(status="active"),
                name="missions_mission_review_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lt=F("period_end")),
                name="%(app_label)s_%(class)s_period_ends_after_start",
                violation_error_message="The period must end after it starts.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="%(app_label)s_%(class)s_not_own_parent"
            ),
            models.CheckConstraint(
                condition=(
                    Q(level="individual", owner_user__isnull=False, owner_team__isnull=True)
                    | Q(
                        level__in=["organisation", "team"],
                        owner_team__isnull=False,
                        owner_user__isnull=True,
                    )
                ),
                name="%(app_label)s_%(class)s_owner_matches_level",
                violation_error_message=(
                    "An individual mission is owned by a person; a team or organisation "
                    "mission by a team."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(level="organisation") | Q(parent__isnull=True),
                name="%(app_label)s_%(class)s_organisation_level_is_top",
                violation_error_message="An organisation mission is the top of the cascade: "
                "it has no parent.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "completed", "archived"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(alignment_status__in=["draft", "proposed", "aligned", "sent_back"]),
                name="%(app_label)s_%(class)s_alignment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="%(app_label)s_%(class)s_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(review_cadence_days__isnull=True) | Q(review_cadence_days__gt=0),
                name="%(app_label)s_%(class)s_review_cadence_positive",
            ),
            models.UniqueConstraint(
                fields=["organisation", "id"], name="%(app_label)s_%(class)s_org_id"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def state_allows(self, step: str) -> bool:
        """Whether the mission's alignment state lets ``step`` ("propose", "align") happen now;
        a step that is no part of the conversation (editing, checking in) always may."""
        allowed = self.ALIGNMENT_STEPS_FROM.get(str(step))
        return allowed is None or self.alignment_status in allowed

    @property
    def in_play(self) -> bool:
        """Whether the mission has 30-day reviews: ``missions.querysets.in_play`` for this
        mission in memory (the agreement tests keep the two the same)."""
        return is_in_play(
            status=self.status, top=self.parent_id is None, alignment_status=self.alignment_status
        )

    def first_review_due(self, cadence: int, *, today: dt.date | None = None) -> dt.date:
        """When the mission's first review falls: one cadence (in days) after it came into play
        — the start of its period, or the day it was proposed (written, for a top mission) if
        that is later — and never before today. Counting from the period's start alone made a
        mission written in a period begun months ago due for review the minute it was saved."""
        came_into_play = self.period_start
        since = self.proposed_at or self.created_at
        if since is not None:
            came_into_play = max(came_into_play, timezone.localdate(since))
        return max(came_into_play + dt.timedelta(days=cadence), today or timezone.localdate())

    def get_absolute_url(self) -> str:
        return reverse("missions:detail", kwargs={"org": self.organisation.slug, "pk": self.pk})

    def clean(self) -> None:
        """The level decides the owner (a person for an individual mission, a team otherwise)
        and the place (an organisation mission is the top of the cascade), and a period ends
        after it starts. The one statement of these rules with a message beside each field:
        the site's form, the admin and the API (through the services' ``full_clean``) show
        them; the constraints above are the database's copy, for writes that skip validation."""
        errors: dict[str, str] = {}
        if self.level == self.Level.INDIVIDUAL:
            if self.owner_user_id is None:
                errors["owner_user"] = "An individual mission is owned by a person."
            if self.owner_team_id is not None:
                errors["owner_team"] = "An individual mission has no owner team."
        elif self.level:
            if self.owner_team_id is None:
                errors["owner_team"] = "A team or organisation mission is owned by a team."
            if self.owner_user_id is not None:
                errors["owner_user"] = "Only an individual mission is owned by a person."
        if self.level == self.Level.ORGANISATION and self.parent_id is not None:
            errors["parent"] = (
                "An organisation mission is the top of the cascade: it has no parent."
            )
        period = self.period if self.period_id is not None else None
        # A new mission's form knows no organisation yet: the service's full_clean judges it.
        if (
            period is not None
            and self.organisation_id is not None
            and period.organisation_id != self.organisation_id
        ):
            errors["period"] = "That period belongs to another organisation."
        self.follow_period()
        if self.period_start and self.period_end and self.period_end <= self.period_start:
            errors["period_end"] = "The period must end after it starts."
        if errors:
            raise ValidationError(errors)

    def follow_period(self) -> None:
        """A mission in one of the organisation's periods runs for the period: its dates are
        the period's, whatever was given."""
        period = self.period if self.period_id is not None else None
        if period is not None:
            self.period_start, self.period_end = period.starts_on, period.ends_on

    @property
    def depth(self) -> int:
        return tree.depth(self.path)

    @property
    def owner_display(self) -> str:
        user = self.owner_user  # no query when there is none
        if user is not None:
            return user.get_full_name() or user.get_username()
        return str(self.owner_team) if self.owner_team_id else "—"


class KeyTask(TimeStampedModel):
    """A concrete action that delivers the mission."""

    class Status(models.TextChoices):
        TODO = "todo", "To do"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        BLOCKED = "blocked", "Blocked"
        CANCELLED = "cancelled", "Cancelled"

    # The statuses of a task still to be delivered.
    OPEN_STATUSES = (Status.TODO, Status.IN_PROGRESS, Status.BLOCKED)

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="key_tasks")
    title = models.CharField("Title", max_length=200, validators=[validate_line])
    description = models.TextField("Description", blank=True, **text_bounds(5_000))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Owner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="key_tasks",
    )
    due_date = models.DateField("Due date", null=True, blank=True, validators=DATE_RANGE)
    status = models.CharField("Status", max_length=12, choices=Status.choices, default=Status.TODO)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            # "My work" and the overdue-task check: open tasks by owner and due date.
            models.Index(
                fields=["owner", "due_date"],
                condition=Q(status__in=["todo", "in_progress", "blocked"]),
                name="missions_keytask_open_by_owner",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["todo", "in_progress", "done", "blocked", "cancelled"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(completed_at__isnull=False),
                name="%(app_label)s_%(class)s_done_has_completion_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def overdue_on(self, day: dt.date) -> bool:
        """Still to deliver and due before ``day``."""
        return (
            self.status in self.OPEN_STATUSES and self.due_date is not None and self.due_date < day
        )

    @property
    def days_overdue(self) -> int | None:
        """How many days past its due date the task is today (``overdue_on``), else None."""
        today = timezone.localdate()
        if self.due_date is None or not self.overdue_on(today):
            return None
        return (today - self.due_date).days


class Interdependency(TimeStampedModel):
    """One mission depends on, or offers support to, another (the seed's steps three and four)."""

    class Kind(models.TextChoices):
        DEPENDS_ON = "depends_on", "Depends on"
        SUPPORTS = "supports", "Offers support to"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        DECLINED = "declined", "Declined"
        RESOLVED = "resolved", "Resolved"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="interdependencies"
    )
    from_mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="interdependencies_out"
    )
    to_mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="interdependencies_in", db_index=False
    )
    kind = models.CharField("Kind", max_length=12, choices=Kind.choices)
    description = models.TextField("Description", blank=True, **text_bounds(2_000))
    # The key task of the asking mission that waits for this support, if one does: the
    # checks foresee a late answer from its due date (reviews.checks.predictions).
    for_task = models.ForeignKey(
        KeyTask,
        verbose_name="For key task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_requests",
        help_text="The key task of this mission that needs the support, if one does.",
    )
    status = models.CharField(
        "Status", max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "interdependencies"
        indexes = [
            models.Index(fields=["to_mission", "status"], name="missions_interdep_to_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_mission=F("to_mission")),
                name="%(app_label)s_%(class)s_not_self",
                violation_error_message="A mission cannot be linked to itself.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["depends_on", "supports"]),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "acknowledged", "declined", "resolved"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            # One open link of a kind between two missions; closed ones may be asked again.
            models.UniqueConstraint(
                fields=["from_mission", "to_mission", "kind", "organisation"],
                condition=Q(status__in=["proposed", "acknowledged"]),
                name="%(app_label)s_%(class)s_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_mission} {self.get_kind_display().lower()} {self.to_mission}"

    def clean(self) -> None:
        """The key task it is for is one of the asking mission's (so of its organisation)."""
        if self.for_task_id is not None and (
            self.for_task is None or self.for_task.mission_id != self.from_mission_id
        ):
            raise ValidationError({"for_task": "Choose a key task of the asking mission."})


# The directions a KPI may take (``measures.models.Kpi.Direction``, which this app cannot
# import: measures build on missions); a test keeps the two the same.
KPI_DIRECTIONS = ("increase", "decrease", "range")
# A figure of a KPI as ``measures`` stores it (16 digits, 4 after the point).
KPI_FIGURE_LIMIT = Decimal(10) ** 12


@deconstructible
class KpiTemplatesValidator:
    """A template's measures of success: a list of at most ``max_items`` objects, each with a
    ``name`` (a line of at most 200 characters), an optional ``unit`` (40), a ``direction``,
    a ``baseline`` and a ``target`` (numbers, or numbers written as text), a ``target_max`` for
    a range (at or above its target; none otherwise) and a ``cadence_days`` (1–366)."""

    keys = frozenset(
        {"name", "unit", "direction", "baseline", "target", "target_max", "cadence_days"}
    )

    def __init__(self, max_items: int) -> None:
        self.max_items = max_items

    def __call__(self, value: Any) -> None:
        if not isinstance(value, list):
            raise ValidationError("Measures of success are a list.")
        if len(value) > self.max_items:
            raise ValidationError(f"A template holds at most {self.max_items} measures of success.")
        for number, kpi in enumerate(value, start=1):
            self._check(number, kpi)

    def _check(self, number: int, kpi: Any) -> None:
        where = f"Measure of success {number}"
        if not isinstance(kpi, dict):
            raise ValidationError(f"{where} is not an object.")
        unknown = sorted(set(kpi) - self.keys)
        if unknown:
            raise ValidationError(f"{where}: unknown field {', '.join(map(str, unknown))[:100]}.")
        for key, limit, required in (("name", 200, True), ("unit", 40, False)):
            text = kpi.get(key, "")
            if not isinstance(text, str) or (required and not text.strip()):
                raise ValidationError(f"{where} needs a {key}.")
            if len(text) > limit:
                raise ValidationError(f"{where}: the {key} is longer than {limit} characters.")
            validate_line(text)
        if kpi.get("direction", "increase") not in KPI_DIRECTIONS:
            raise ValidationError(f"{where}: the direction is increase, decrease or range.")
        baseline, target = (_figure(kpi.get(key), where, key) for key in ("baseline", "target"))
        if baseline is None or target is None:
            raise ValidationError(f"{where} needs a baseline and a target.")
        upper = _figure(kpi.get("target_max"), where, "upper bound")
        if kpi.get("direction") == "range":
            if upper is None or upper < target:
                raise ValidationError(
                    f"{where}: a range needs an upper bound at its target or above."
                )
        elif upper is not None:
            raise ValidationError(f"{where}: only a range has an upper bound.")
        cadence = kpi.get("cadence_days", 30)
        if isinstance(cadence, bool) or not isinstance(cadence, int) or not 1 <= cadence <= 366:
            raise ValidationError(f"{where}: update every 1 to 366 days.")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KpiTemplatesValidator) and other.max_items == self.max_items


def _figure(raw: Any, where: str, name: str) -> Decimal | None:
    """A KPI's figure as a template holds it (a number, or a number as text), or None."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValidationError(f"{where}: the {name} is not a number.")
    try:
        figure = Decimal(str(raw))
    except InvalidOperation:
        raise ValidationError(f"{where}: the {name} is not a number.") from None
    if not figure.is_finite() or abs(figure) >= KPI_FIGURE_LIMIT:
        raise ValidationError(f"{where}: the {name} is out of range.")
    return figure


@deconstructible
class LinesValidator:
    """A list of at most ``max_items`` lines of text, each at most ``max_length`` characters."""

    def __init__(self, max_items: int, max_length: int) -> None:
        self.max_items, self.max_length = max_items, max_length

    def __call__(self, value: Any) -> None:
        if not isinstance(value, list) or not all(isinstance(line, str) for line in value):
            raise ValidationError("Key tasks are a list of lines of text.")
        if len(value) > self.max_items:
            raise ValidationError(f"A template holds at most {self.max_items} key tasks.")
        for line in value:
            if not line.strip() or len(line) > self.max_length:
                raise ValidationError(
                    f"A key task is a title of 1 to {self.max_length} characters."
                )
            validate_line(line)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, LinesValidator)
            and other.max_items == self.max_items
            and other.max_length == self.max_length
        )


class MissionTemplate(TimeStampedModel):
    """A mission to start from: its statement, intent, operating space, measures of success
    and key tasks, written once and offered whenever a mission is written.

    The product ships a few examples of the method (``missions.template_library``, in code,
    offered to every organisation); these rows are an organisation's own."""

    MAX_KPIS = 10
    MAX_TASKS = 10

    # Indexed first in the (organisation, name) constraint below.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="mission_templates", db_index=False
    )
    name = models.CharField("Name", max_length=120, validators=[validate_line])
    description = models.TextField(
        "Description", blank=True, help_text="When it fits.", **text_bounds(1_000)
    )
    title = models.CharField("Title", max_length=200, validators=[validate_line])
    statement = models.TextField("Statement", blank=True, **text_bounds(5_000))
    intent = models.TextField("Intent", blank=True, **text_bounds(5_000))
    scope = models.TextField("Scope", blank=True, **text_bounds(2_000))
    constraints = models.TextField("Constraints", blank=True, **text_bounds(5_000))
    decision_rights = models.JSONField(
        "Decision rights",
        default=dict,
        blank=True,
        validators=[DecisionRightsValidator(max_items=30, max_length=500)],
    )
    review_cadence_days = models.PositiveSmallIntegerField(
        "Review cadence (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    kpis = models.JSONField(
        "Measures of success",
        default=list,
        blank=True,
        validators=[KpiTemplatesValidator(max_items=MAX_KPIS)],
    )
    key_tasks = models.JSONField(
        "Key tasks",
        default=list,
        blank=True,
        validators=[LinesValidator(max_items=MAX_TASKS, max_length=200)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Set on the product's own templates (``template_library``), which are never stored: how
    # the form names them (``?template=shipped-growth``).
    shipped_key = ""

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="%(app_label)s_%(class)s_one_name",
                violation_error_message="Your organisation has a template of that name already.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        """How a page names the template: ``shipped-<slug>`` for the product's, else its id."""
        return f"shipped-{self.shipped_key}" if self.shipped_key else str(self.pk)

    @property
    def shipped(self) -> bool:
        return bool(self.shipped_key)

    permission_rules = "mission_template"
