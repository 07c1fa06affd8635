"""The organisation and its people, and what every app records about them.

The tenant (``Organisation``), its ``Team`` hierarchy, ``Membership`` (a person's role and
team), ``CoachAssignment``, ``Invitation``, the audit log and the inbox. The domain apps
(missions, measures, reviews) build on these; nothing here imports them.

These models began in the missions app: their tables and constraints keep the names they were
created with (``db_table``, literal constraint names). Renaming a table on a live database
would take a lock and gain nothing. ``AuditEvent`` and ``Notification`` name the mission they
concern by a string reference, not an import: a mission's history and a notification's link
are then one indexed query.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from . import tree
from .querysets import TreeQuerySet
from .validators import text_bounds, validate_line


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
    likely_miss_below = models.FloatField(
        "Likely to miss below",
        default=0.3,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=(
            "A KPI whose chance of meeting its target by its due date is below this (0–1) is "
            "foreseen to miss it."
        ),
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
    # The events its active webhook endpoints want (kernel.webhooks.refresh_listening): the
    # services hold the organisation, so knowing that nobody listens costs no query.
    webhook_events = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        db_table = "missions_organisation"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(review_cadence_days__gt=0),
                name="missions_organisation_review_cadence_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_active_missions__gt=0),
                name="missions_organisation_max_active_missions_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("missions:home", kwargs={"org": self.slug})


class Team(TimeStampedModel):
    """A unit of the organisation, in a hierarchy. Its leader is its members' boss."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="teams", db_index=False
    )
    name = models.CharField("Name", max_length=200, validators=[validate_line])
    parent = models.ForeignKey(
        "self",
        verbose_name="Parent team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Ancestors' ids, root first (see kernel.tree): sub-teams in one indexed query. On
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
        db_table = "missions_team"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="missions_team_unique_name"
            ),
            # Target of the composite foreign keys that keep children in their parent's
            # organisation (see migration 0002).
            models.UniqueConstraint(fields=["organisation", "id"], name="missions_team_org_id"),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="missions_team_not_own_parent"
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
        Organisation, on_delete=models.CASCADE, related_name="memberships", db_index=False
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
        db_index=False,
    )
    job_title = models.CharField(
        "Job title", max_length=200, blank=True, validators=[validate_line]
    )
    # Set when the organisation's identity provider deprovisions the person (SCIM): the row
    # stays, with everything that names it, but gives no access to this organisation (the
    # permission module's ``actor_for`` and the tenant scope of an API request skip it). A
    # person's account is shared by all their organisations: ``User.is_active`` would lock
    # them out of the others too.
    deactivated_at = models.DateTimeField("Deactivated", null=True, blank=True)

    class Meta:
        db_table = "missions_membership"
        ordering = ["organisation", "user__username"]
        indexes = [models.Index(fields=["team"], name="missions_membership_team")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="missions_membership_one_per_org"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["admin", "leader", "staff", "coach"]),
                name="missions_membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None


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
        db_table = "missions_coachassignment"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "coach", "team"],
                condition=Q(team__isnull=False),
                name="missions_coachassignment_unique_team",
            ),
            models.UniqueConstraint(
                fields=["organisation", "coach"],
                condition=Q(team__isnull=True),
                name="missions_coachassignment_unique_whole_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coach} coaches {self.team or self.organisation}"


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
        CONTACTED = "contacted", "contacted"
        REMOVED = "removed", "removed"
        CHALLENGED = "challenged", "challenged"
        ANSWERED = "answered", "answered"
        SHORTLISTED = "shortlisted", "shortlisted"
        ADOPTED = "adopted", "took forward"
        INVITED = "invited", "invited"
        JOINED = "joined", "joined"
        DECLINED = "declined", "declined"
        LEFT = "left", "left"
        OFFERED = "offered", "offered"
        WITHDRAWN = "withdrawn", "withdrew"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=12, choices=Verb.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(max_length=200)
    # The mission the change belongs to, so a mission's history is one indexed query.
    mission = models.ForeignKey(
        "missions.Mission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        db_index=False,
    )
    changes = models.JSONField(default=dict, blank=True)
    # The comment of an alignment decision or a check-in: as long as a check-in's may be.
    comment = models.TextField(blank=True, **text_bounds(2_000))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "missions_auditevent"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["mission", "-created_at"], name="missions_audit_mission"),
            models.Index(fields=["content_type", "object_id"], name="missions_audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_verb_display()} {self.object_repr}"


class Notification(models.Model):
    """A message to one person: an alignment decision, a reminder, a request.

    One that asks for something carries its ``cause`` (``"alignment:42"``: mission 42 waits
    for alignment) and is an item of the person's inbox until the cause is handled, by whoever
    handles it: then ``done_at`` is set (kernel.notifications.notifications_done). A person has
    at most one open item per cause: asking again refreshes it.
    """

    class Kind(models.TextChoices):
        ALIGNMENT_REQUESTED = "alignment_requested", "Alignment requested"
        ALIGNED = "aligned", "Mission aligned"
        SENT_BACK = "sent_back", "Mission sent back"
        SUPPORT_REQUESTED = "support_requested", "Support requested"
        SUPPORT_ANSWERED = "support_answered", "Support answered"
        REVIEW_REMINDER = "review_reminder", "Review due"
        REVIEW_ESCALATION = "review_escalation", "Review overdue"
        FINDING = "finding", "Alignment finding"
        CHECK_IN_DUE = "check_in_due", "Check-in due"
        KEY_TASK_OVERDUE = "key_task_overdue", "Key task overdue"
        CONTACT_DUE = "contact_due", "Stakeholder contact due"
        CHALLENGE_RAISED = "challenge_raised", "Challenge to priorities"
        CHALLENGE_ANSWERED = "challenge_answered", "Challenge answered"
        RECOGNISED = "recognised", "Recognition"
        IDEAS_INVITED = "ideas_invited", "Ideas invited"
        IDEA_SUBMITTED = "idea_submitted", "Idea submitted"
        IDEA_NEWS = "idea_news", "News of your idea"
        DEVELOPMENT_REVIEW = "development_review", "Development review asked"
        DEVELOPMENT_NEWS = "development_news", "News of your development plan"
        COALITION_INVITED = "coalition_invited", "Invitation to a coalition"
        CONTRIBUTION_OFFERED = "contribution_offered", "Contribution offered to a coalition"
        COALITION_NEWS = "coalition_news", "News of a coalition"
        MENTIONED = "mentioned", "Mentioned in a comment"
        WEBHOOK_DISABLED = "webhook_disabled", "Integration turned off"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="notifications"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    mission = models.ForeignKey(
        "missions.Mission",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # Makes a notification that must go out once (a reminder) exactly-once: a second insert
    # with the same key fails on the unique constraint instead of notifying twice.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    cause = models.CharField(max_length=60, null=True, blank=True)
    # When asked (again: a refreshed item moves back to the top and is unread).
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Claimed by the one delivery that emails it at once (kernel.delivery); the digest takes
    # the items whose kind the recipient reads in the digest.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "missions_notification"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The unread count in the navigation, on every page.
            models.Index(
                fields=["recipient", "organisation"],
                condition=Q(read_at__isnull=True),
                name="missions_notification_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="missions_notification_inbox"),
            # The open items of the inbox and their count in the navigation.
            models.Index(
                fields=["recipient", "organisation"],
                condition=Q(done_at__isnull=True, cause__isnull=False),
                name="kernel_notification_open",
            ),
            # Completing a cause, for whoever it was asked of.
            models.Index(
                fields=["cause"],
                condition=Q(done_at__isnull=True),
                name="kernel_notification_cause",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key", "organisation"],
                name="missions_notification_once",
            ),
            models.UniqueConstraint(
                fields=["recipient", "cause", "organisation"],
                condition=Q(done_at__isnull=True),
                name="kernel_notification_one_open_per_cause",
            ),
        ]

    def __str__(self) -> str:
        return f"To {self.recipient}: {self.message}"


class NotificationPreference(TimeStampedModel):
    """How one person hears about one kind of notification besides the inbox: by email at
    once, in their digest, or in the app only.

    A row exists only where the person chose something other than the default
    (``kernel.preferences.DEFAULT_CHANNELS``), so a default changed in a later release reaches
    everyone who never chose. It lives in the kernel because the kernel's delivery of emails at
    once (``kernel.delivery``), which ``notify`` sets off, reads it, and the kernel imports no
    other app.
    """

    class Channel(models.TextChoices):
        AT_ONCE = "at_once", "Email at once"
        DIGEST = "digest", "In the digest"
        IN_APP = "in_app", "In the app only"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        db_index=False,
    )
    kind = models.CharField("Kind", max_length=24, choices=Notification.Kind.choices)
    channel = models.CharField("Channel", max_length=10, choices=Channel.choices)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="kernel_notificationpreference_once"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["at_once", "digest", "in_app"]),
                name="kernel_notificationpreference_channel_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} {self.get_channel_display().lower()}"


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
        db_table = "missions_invitation"
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open invitation per address and organisation: inviting again resends it.
            models.UniqueConstraint(
                Lower("email"),
                "organisation",
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="missions_invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="missions_invitation_accepted_or_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.organisation} ({self.status_label})"

    @property
    def status(self) -> Invitation.Status:
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


def validate_webhook_events(value: object) -> None:
    """A list of event types an endpoint asks for, each one of ``WebhookEndpoint.Event``,
    at least one."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Choose the events as a list of event types.")
    unknown = sorted(set(value) - set(WebhookEndpoint.Event.values))
    if unknown:
        raise ValidationError(f"Unknown event: {', '.join(unknown)[:200]}.")
    if not value:
        raise ValidationError("Choose at least one event.")


def validate_webhook_url(value: str) -> None:
    """An http(s) address; whether its host is a public one is checked when it is sent to
    (``kernel.webhooks``): an address can resolve elsewhere tomorrow."""
    if not value.lower().startswith(("https://", "http://")):
        raise ValidationError("The address starts with https:// (or http://).")


class WebhookEndpoint(TimeStampedModel):
    """An address the organisation's events are sent to: a receiver of Standard Webhooks
    (signed), a Slack incoming webhook or a Microsoft Teams Workflows webhook (both
    unsigned, formatted for the client). Organisation admins keep them (``kernel.webhooks``).
    """

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", "Webhook (Standard Webhooks)"
        SLACK = "slack", "Slack"
        TEAMS = "teams", "Microsoft Teams"

    class Event(models.TextChoices):
        MISSION_PROPOSED = "mission.proposed", "Mission proposed"
        MISSION_ALIGNED = "mission.aligned", "Mission aligned"
        MISSION_SENT_BACK = "mission.sent_back", "Mission sent back"
        MISSION_UPDATED = "mission.updated", "Mission updated"
        CHECK_IN_CREATED = "check_in.created", "Check-in made"
        REVIEW_HELD = "review.held", "Review held"
        FINDING_OPENED = "finding.opened", "Findings opened"
        FINDING_RESOLVED = "finding.resolved", "Findings resolved"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints", db_index=False
    )
    kind = models.CharField("Kind", max_length=10, choices=Kind.choices, default=Kind.WEBHOOK)
    name = models.CharField("Name", max_length=100, validators=[validate_line])
    url = models.URLField(
        "Address",
        max_length=2000,
        validators=[validate_webhook_url],
        help_text=(
            "Where the events are sent: your receiver, or the webhook address Slack or "
            "Microsoft Teams gave you."
        ),
    )
    events = models.JSONField("Events", default=list, validators=[validate_webhook_events])
    # Standard Webhooks' ``whsec_<base64 key>``; during a rotation the previous one signs too,
    # until ``previous_secret_until``.
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField("Active", default=True)
    disabled_reason = models.CharField(
        "Why it is turned off", max_length=300, blank=True, validators=[validate_line]
    )
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # Which endpoints of an organisation want an event (cached, kernel.webhooks), and
            # the organisation's list.
            models.Index(fields=["organisation", "is_active"], name="kernel_webhook_org_active"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "id"], name="kernel_webhookendpoint_org_id"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["webhook", "slack", "teams"]),
                name="kernel_webhookendpoint_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def signed(self) -> bool:
        """Standard Webhooks receivers get the signature headers; chat clients do not."""
        return self.kind == self.Kind.WEBHOOK


class WebhookDelivery(models.Model):
    """One event for one endpoint: written in the transaction of the change, sent once it
    commits, retried on a schedule until a 2xx answer or the schedule's end."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    # ``webhook-id``: the receiver's key for telling a retry (or a replay) from a new event.
    message_id = models.CharField(max_length=40)
    event = models.CharField(max_length=40)
    # The Standard Webhooks body ``{"type", "timestamp", "data"}``, as sent; a chat client gets
    # it formatted, with ``summary`` as its text.
    payload = models.JSONField()
    summary = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Held by the sender of the current attempt; one whose sender died is taken up again by
    # the catch-up once this has passed.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            # An endpoint's delivery log, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="kernel_webhookdelivery_log"),
            # The catch-up: what waits and is due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="kernel_webhookdelivery_due",
            ),
        ]
        constraints = [
            # The target of its attempts' same-organisation key.
            models.UniqueConstraint(
                fields=["organisation", "id"], name="kernel_webhookdelivery_org_id"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "succeeded", "failed"]),
                name="kernel_webhookdelivery_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One try of a delivery: the delivery log's detail of retries."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="tries", db_index=False
    )
    at = models.DateTimeField(default=timezone.now)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["delivery", "at"], name="kernel_webhookattempt_delivery")]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.at:%Y-%m-%d %H:%M:%S}: {self.response_status}"
