"""Organisations, people, teams, the vision and the mission cascade."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from . import tree
from .querysets import MissionQuerySet, TreeQuerySet
from .validators import DATE_RANGE, DecisionRightsValidator, text_bounds, validate_line


def validate_time_zone(value: str) -> None:
    """An IANA time zone name such as Europe/London."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone, e.g. Europe/London or UTC.")


class TimeStampedModel(models.Model):
    """When a row was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class Organisation(TimeStampedModel):
    """A tenant. Nothing of one organisation is ever visible to another."""

    name = models.CharField("Name", max_length=200, validators=[validate_line])
    slug = models.SlugField("Slug", max_length=60, unique=True)
    review_cadence_days = models.PositiveSmallIntegerField(
        "Review cadence (days)", default=30, validators=[MinValueValidator(1)]
    )
    max_active_missions = models.PositiveSmallIntegerField(
        "Most active missions per owner",
        default=5,
        validators=[MinValueValidator(1)],
        help_text="Owners with more active missions are told to get real about priorities.",
    )
    staff_see_dashboard = models.BooleanField("Staff see the organisation dashboard", default=True)
    currency = models.CharField(
        "Currency",
        max_length=3,
        default="EUR",
        validators=[RegexValidator(r"^[A-Z]{3}$", "Three capital letters, e.g. EUR, GBP, USD.")],
        help_text="Budgets are in this currency (ISO 4217 code).",
    )
    time_zone = models.CharField(
        "Time zone",
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Dates and times are shown in it to members who have not chosen their own.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(review_cadence_days__gt=0),
                name="%(app_label)s_%(class)s_review_cadence_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_active_missions__gt=0),
                name="%(app_label)s_%(class)s_max_active_missions_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("missions:home", kwargs={"org": self.slug})


class Team(TimeStampedModel):
    """A unit of the organisation, in a hierarchy. Its leader is its members' boss."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField("Name", max_length=200, validators=[validate_line])
    parent = models.ForeignKey(
        "self",
        verbose_name="Parent team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Ancestors' ids, root first (see missions.tree): sub-teams in one indexed query. On
    # PostgreSQL db_index adds a varchar_pattern_ops index, which serves the prefix LIKE.
    path = models.CharField(
        max_length=tree.PATH_MAX_LENGTH, default="", blank=True, editable=False, db_index=True
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Leader",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
    )

    objects = TreeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="%(app_label)s_%(class)s_unique_name"
            ),
            # Target of the composite foreign keys that keep children in their parent's
            # organisation (see migration 0002).
            models.UniqueConstraint(
                fields=["organisation", "id"], name="%(app_label)s_%(class)s_org_id"
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="%(app_label)s_%(class)s_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """A person's place in an organisation: their role and their team."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Organisation admin"
        LEADER = "leader", "Leader"
        STAFF = "staff", "Staff"
        COACH = "coach", "Coach"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("Role", max_length=10, choices=Role.choices, default=Role.STAFF)
    team = models.ForeignKey(
        Team,
        verbose_name="Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
    )
    job_title = models.CharField(
        "Job title", max_length=200, blank=True, validators=[validate_line]
    )

    class Meta:
        ordering = ["organisation", "user__username"]
        indexes = [models.Index(fields=["team"], name="missions_membership_team")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="%(app_label)s_%(class)s_one_per_org"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["admin", "leader", "staff", "coach"]),
                name="%(app_label)s_%(class)s_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.get_role_display()})"


class CoachAssignment(TimeStampedModel):
    """Which teams a coach coaches; no team means the whole organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="coach_assignments"
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coach_assignments"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="coach_assignments"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "coach", "team"],
                condition=Q(team__isnull=False),
                name="%(app_label)s_%(class)s_unique_team",
            ),
            models.UniqueConstraint(
                fields=["organisation", "coach"],
                condition=Q(team__isnull=True),
                name="%(app_label)s_%(class)s_unique_whole_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coach} coaches {self.team or self.organisation}"


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

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="missions"
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
        null=True,
        blank=True,
        related_name="children",
    )
    # Ancestors' ids, root first (see missions.tree). On PostgreSQL db_index adds a
    # varchar_pattern_ops index, which serves the subtree's prefix LIKE.
    path = models.CharField(
        max_length=tree.PATH_MAX_LENGTH, default="", blank=True, editable=False, db_index=True
    )
    owner_team = models.ForeignKey(
        Team,
        verbose_name="Owner team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="missions",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Owner",
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
    # 0–100 from the open alignment findings; written by the alignment checks (set-based).
    alignment_score = models.PositiveSmallIntegerField("Alignment score", null=True, blank=True)
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
            # The dashboards' mission count and mean score: an index-only scan.
            models.Index(
                fields=["organisation", "status", "alignment_score"],
                name="missions_mission_org_score",
            ),
            models.Index(fields=["owner_user", "status"], name="missions_mission_owner_user"),
            models.Index(fields=["owner_team", "status"], name="missions_mission_owner_team"),
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
        if self.period_start and self.period_end and self.period_end <= self.period_start:
            errors["period_end"] = "The period must end after it starts."
        if errors:
            raise ValidationError(errors)

    @property
    def depth(self) -> int:
        return tree.depth(self.path)

    @property
    def owner_display(self) -> str:
        if self.owner_user_id:
            user = self.owner_user
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
        Mission, on_delete=models.CASCADE, related_name="interdependencies_in"
    )
    kind = models.CharField("Kind", max_length=12, choices=Kind.choices)
    description = models.TextField("Description", blank=True, **text_bounds(2_000))
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
                fields=["from_mission", "to_mission", "kind"],
                condition=Q(status__in=["proposed", "acknowledged"]),
                name="%(app_label)s_%(class)s_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_mission} {self.get_kind_display().lower()} {self.to_mission}"


class AuditEvent(models.Model):
    """Append-only log of who changed what, when: missions, KPIs, check-ins, reviews, alignment.

    Services write it in the same transaction as the change. ``changes`` maps a field name to
    ``[old, new]``.
    """

    class Verb(models.TextChoices):
        CREATED = "created", "created"
        UPDATED = "updated", "updated"
        ARCHIVED = "archived", "archived"
        PROPOSED = "proposed", "proposed"
        ALIGNED = "aligned", "aligned"
        SENT_BACK = "sent_back", "sent back"
        CHECKED_IN = "checked_in", "checked in"
        REVIEWED = "reviewed", "reviewed"
        MOVED = "moved", "moved"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=12, choices=Verb.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(max_length=200)
    # The mission the change belongs to, so a mission's history is one indexed query.
    mission = models.ForeignKey(
        Mission, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    changes = models.JSONField(default=dict, blank=True)
    # The comment of an alignment decision or a check-in: as long as a check-in's may be.
    comment = models.TextField(blank=True, **text_bounds(2_000))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["mission", "-created_at"], name="missions_audit_mission"),
            models.Index(fields=["content_type", "object_id"], name="missions_audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_verb_display()} {self.object_repr}"


class Notification(models.Model):
    """An in-app message to one person: an alignment decision, a reminder, a request."""

    class Kind(models.TextChoices):
        ALIGNMENT_REQUESTED = "alignment_requested", "Alignment requested"
        ALIGNED = "aligned", "Mission aligned"
        SENT_BACK = "sent_back", "Mission sent back"
        SUPPORT_REQUESTED = "support_requested", "Support requested"
        SUPPORT_ANSWERED = "support_answered", "Support answered"
        REVIEW_REMINDER = "review_reminder", "Review reminder"
        REVIEW_ESCALATION = "review_escalation", "Review overdue"
        FINDING = "finding", "Alignment finding"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="notifications"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # Makes a notification that must go out once (a reminder) exactly-once: a second insert
    # with the same key fails on the unique constraint instead of notifying twice.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The unread count in the navigation, on every page.
            models.Index(
                fields=["recipient", "organisation"],
                condition=Q(read_at__isnull=True),
                name="missions_notification_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="missions_notification_inbox"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="%(app_label)s_%(class)s_once"
            ),
        ]

    def __str__(self) -> str:
        return f"To {self.recipient}: {self.message}"


class Invitation(TimeStampedModel):
    """An invitation to join an organisation, sent by email, used once.

    Only a hash of its token is stored: the link in the email is the only copy of the token,
    and a resend issues a new one, which turns the old link off.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField("Email", max_length=254)
    role = models.CharField(
        "Role", max_length=10, choices=Membership.Role.choices, default=Membership.Role.STAFF
    )
    team = models.ForeignKey(
        Team,
        verbose_name="Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField("Expires at")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_count = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open invitation per address and organisation: inviting again resends it.
            models.UniqueConstraint(
                Lower("email"),
                "organisation",
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_accepted_or_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.organisation} ({self.status_label})"

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status_label(self) -> str:
        return str(self.Status(self.status).label)
