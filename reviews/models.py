"""30-day reviews of missions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kernel.models import Organisation, Team, TimeStampedModel
from kernel.validators import DATE_RANGE, text_bounds
from missions.models import Mission


class Review(TimeStampedModel):
    """A mission's periodic review: progress, what works, what does not, what changes."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    # The mission's, kept on the row so that the tenant policy and "this organisation's
    # reviews" read the review alone, never its mission (``save`` fills it in).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="reviews", db_index=False
    )
    due_date = models.DateField("Due date", validators=DATE_RANGE)
    held_on = models.DateField("Held on", null=True, blank=True, validators=DATE_RANGE)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.TextField("Summary", blank=True, **text_bounds(5_000))
    working = models.TextField("What is working", blank=True, **text_bounds(5_000))
    not_working = models.TextField("What is not working", blank=True, **text_bounds(5_000))
    changes = models.TextField("What we change", blank=True, **text_bounds(5_000))
    still_aligned = models.BooleanField("Still aligned", null=True, blank=True)
    status = models.CharField(
        "Status", max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    # The iCalendar SEQUENCE of the review's invitation (``reviews.calendar``): raised each
    # time the review is moved or cancelled, so a calendar replaces the copy it holds.
    sequence = models.PositiveIntegerField(default=0, editable=False)

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
            # The target of its comments' same-organisation key.
            models.UniqueConstraint(fields=["organisation", "id"], name="reviews_review_org_id"),
            # One review per mission and cycle.
            models.UniqueConstraint(
                fields=["mission", "due_date", "organisation"],
                name="%(app_label)s_%(class)s_one_per_cycle",
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.organisation_id is None and self.mission_id is not None:
            self.organisation_id = self.mission.organisation_id
        super().save(*args, **kwargs)


class Reminder(models.Model):
    """One reminder of one review to one person. The row is the claim that makes it
    exactly-once: the sweep inserts it (unique per review, kind and recipient), and the sender
    marks ``sent_at`` with a conditional UPDATE in the transaction that notifies."""

    class Kind(models.TextChoices):
        BEFORE = "before", "3 days before"
        DUE = "due", "On the day"
        AFTER = "after", "The day after"
        ESCALATION = "escalation", "Escalated to the boss"

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="reminders", db_index=False
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_reminders"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The sender's queue: reminders claimed but not sent yet.
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="reviews_reminder_unsent",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "kind", "recipient"], name="%(app_label)s_%(class)s_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder of {self.review} to {self.recipient}"


class FindingKind(models.TextChoices):
    ORPHAN = "orphan", "Orphan mission"
    PERIOD_OUTSIDE_PARENT = "period_outside_parent", "Period outside the parent's"
    NO_KPI = "no_kpi", "No measure of success"
    STALE_KPI = "stale_kpi", "KPI not updated"
    KPI_OFF_TRACK = "kpi_off_track", "KPI forecast off track"
    REVIEW_OVERDUE = "review_overdue", "Review overdue"
    AWAITING_ALIGNMENT = "awaiting_alignment", "Waiting for alignment"
    TOO_MANY_MISSIONS = "too_many_missions", "Too many active missions"
    SPACE_EXCEEDS_PARENT = "space_exceeds_parent", "Operating space larger than the parent's"
    LINK_UNANSWERED = "link_unanswered", "Support request unanswered"
    TASK_OVERDUE = "task_overdue", "Key task overdue"
    # Predicted: what has not happened yet but is expected to, on ``expected_on``.
    LIKELY_MISS = "likely_miss", "KPI likely to miss"
    CONTRIBUTORS_MISS = "contributors_miss", "Contributing KPIs likely to miss"
    REVIEW_LAPSING = "review_lapsing", "Review about to lapse"
    OUTRUNNING_PARENT = "outrunning_parent", "About to outrun the parent"
    OVERLOAD_COMING = "overload_coming", "Owner about to be overloaded"
    SUPPORT_LATE = "support_late", "Support unanswered near a task's due date"


class FindingSeverity(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


# The kinds of finding that foresee a problem rather than find one that has happened.
PREDICTED_KINDS = frozenset(
    {
        FindingKind.LIKELY_MISS,
        FindingKind.CONTRIBUTORS_MISS,
        FindingKind.REVIEW_LAPSING,
        FindingKind.OUTRUNNING_PARENT,
        FindingKind.OVERLOAD_COMING,
        FindingKind.SUPPORT_LATE,
    }
)

# The order of findings by severity, critical first (sorting the names would put "critical"
# after "info"): for ``order_by`` and ``annotate``.
SEVERITY_RANK = models.Case(
    models.When(severity=FindingSeverity.CRITICAL, then=0),
    models.When(severity=FindingSeverity.WARNING, then=1),
    default=2,
)
# Open findings to act on (not predicted) apart from the problems foreseen (predicted): the
# team dashboard lists each, through an index on the same expressions.
FORESEEN = models.Case(
    models.When(kind__in=sorted(PREDICTED_KINDS), then=models.Value(1)),
    default=models.Value(0),
)


class Finding(models.Model):
    """A problem the alignment checks found. It opens when a rule first holds, stays open
    (one row) while it holds, and resolves by itself when the data no longer matches."""

    Kind = FindingKind
    Severity = FindingSeverity

    # One foreign key in the database, ``(organisation, mission)`` to the mission's
    # ``(organisation, id)`` (migration 0020), holds both: the mission exists and the finding
    # is of its organisation. Two keys cost the checks two lookups of each finding they open,
    # 3.5 s for the 281,626 of a 100,000-mission organisation's first check; one costs half.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="findings", db_constraint=False
    )
    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="findings", db_constraint=False
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    # What inside the mission the finding is about ("kpi:12", "task:7"), "" for the mission.
    subject = models.CharField(max_length=40, blank=True, default="")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    message = models.CharField(max_length=300)
    # For a predicted finding: the day what it foresees is expected to happen.
    expected_on = models.DateField(null=True, blank=True)
    opened_at = models.DateTimeField()
    # When the checks last wrote this finding: opened it, or changed its wording or severity.
    # (A finding that holds unchanged is not rewritten by each run.)
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            # Open findings by kind and severity (dashboards): an index-only scan.
            models.Index(
                fields=["organisation", "kind", "severity"],
                condition=Q(resolved_at__isnull=True),
                name="reviews_finding_open_kind",
            ),
            # (A mission's open findings: the unique index ``one_open`` below, which leads with
            # the mission; a second index of them cost every finding the checks open.)
            # The open findings to act on, and those foreseen, in the order a team dashboard
            # lists them: read in this order until there are enough.
            models.Index(
                models.F("organisation"),
                FORESEEN,
                SEVERITY_RANK,
                # Ascending puts empty dates last on PostgreSQL, as the list does (SQLite
                # refuses NULLS LAST in an index).
                models.F("expected_on").asc(),
                models.F("opened_at").desc(),
                models.F("id").desc(),
                condition=Q(resolved_at__isnull=True),
                name="reviews_finding_open_to_act",
            ),
        ]
        constraints = [
            # A finding that still holds is not opened twice.
            models.UniqueConstraint(
                fields=["mission", "kind", "subject", "organisation"],
                condition=Q(resolved_at__isnull=True),
                name="%(app_label)s_%(class)s_one_open",
            ),
            models.CheckConstraint(
                condition=Q(severity__in=["info", "warning", "critical"]),
                name="%(app_label)s_%(class)s_severity_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message}"

    @property
    def predicted(self) -> bool:
        return self.kind in PREDICTED_KINDS


class MissionScore(models.Model):
    """A mission's alignment score, 0–100: 100 minus the weights of its open findings
    (``reviews.checks.scores``), written by the alignment checks only.

    A row of its own, not a column of the mission: the first check of a large organisation
    scores every mission at once, and rewriting each mission's wide row with its fourteen
    indexes took 2.9–4.4 s at 100,000 missions where these narrow rows take about 0.6 s.
    Only missions that are scored have a row: active ones, drafts below the top excepted
    (not started, so no mean counts them as a perfect 100)."""

    # One foreign key in the database, ``(organisation, mission)`` to the mission's
    # ``(organisation, id)`` (migration 0028), as a finding's: one look-up per row at commit.
    mission = models.OneToOneField(
        Mission,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="alignment",
        db_constraint=False,
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    score = models.PositiveSmallIntegerField("Alignment score")

    class Meta:
        indexes = [
            # The dashboards' mean score of an organisation and its least aligned missions
            # first: read in the order of the score.
            models.Index(fields=["organisation", "score"], name="reviews_missionscore_by_score"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__lte=100), name="%(app_label)s_%(class)s_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mission_id}: {self.score}"


class CheckedFigures(models.Model):
    """What an alignment check counted of a set of active missions on one day: their mean
    score, open findings, KPI forecasts, review compliance and health."""

    # Empty when none of the missions has a score yet (all drafts: not started).
    score = models.FloatField(null=True, blank=True)
    missions = models.PositiveIntegerField()
    # Of the missions, those with a score (drafts below the top have none): the score's
    # weight when rows are added up.
    scored = models.PositiveIntegerField(db_default=0)
    open_findings = models.PositiveIntegerField()
    critical_findings = models.PositiveIntegerField(default=0)
    # The day's KPI forecasts and review compliance, so that the organisation dashboard reads
    # a table of 10,000 teams from these rows instead of grouping 300,000 KPIs per request.
    # Database defaults: the checks insert these rows with raw SQL and fill them afterwards.
    kpis_on_track = models.PositiveIntegerField(db_default=0)
    kpis_at_risk = models.PositiveIntegerField(db_default=0)
    kpis_off_track = models.PositiveIntegerField(db_default=0)
    kpis_unknown = models.PositiveIntegerField(db_default=0)
    reviews_due = models.PositiveIntegerField(db_default=0, help_text="Due in the last 90 days.")
    reviews_on_time = models.PositiveIntegerField(db_default=0, help_text="Of those, held on time.")
    # The active missions by health (``measures.health``) and the open findings, predicted
    # ones too, by "kind:severity": so that the dashboard of any team with its sub-teams adds
    # up rows instead of judging every mission of the subtree per request.
    missions_on_track = models.PositiveIntegerField(db_default=0)
    missions_watch = models.PositiveIntegerField(db_default=0)
    missions_off_track = models.PositiveIntegerField(db_default=0)
    missions_not_started = models.PositiveIntegerField(db_default=0)
    findings = models.JSONField(
        db_default=models.Value("{}"), help_text='Open findings by "kind:severity".'
    )

    class Meta:
        abstract = True


class AlignmentSnapshot(CheckedFigures):
    """The alignment score of an organisation (team empty) or a team on one day, for trends:
    a team's row counts the missions it owns and those of its members."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="alignment_snapshots"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="alignment_snapshots"
    )
    run_date = models.DateField()

    class Meta:
        ordering = ["run_date"]
        constraints = [
            # A re-run on the same day overwrites (ON CONFLICT), never duplicates.
            models.UniqueConstraint(
                fields=["organisation", "run_date"],
                condition=Q(team__isnull=True),
                name="%(app_label)s_%(class)s_one_per_org_day",
            ),
            models.UniqueConstraint(
                fields=["organisation", "team", "run_date"],
                condition=Q(team__isnull=False),
                name="%(app_label)s_%(class)s_one_per_team_day",
            ),
        ]

    def __str__(self) -> str:
        score = "no score" if self.score is None else f"{self.score:.0f}"
        return f"{self.team or self.organisation} on {self.run_date}: {score}"


class SubtreeSnapshot(CheckedFigures):
    """A team with all its sub-teams on one day: the sums of their ``AlignmentSnapshot`` rows,
    written by the checks right after those (``reviews.checks.scores.roll_up_subtrees``). The
    table of an organisation's 11,000 teams sorts and pages on these rows in SQL, and a team's
    dashboard reads its figures from one row, whatever the size of its subtree."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="subtree_snapshots", db_index=False
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="subtree_snapshots")
    run_date = models.DateField()

    class Meta:
        ordering = ["run_date"]
        constraints = [
            # Day first: the table of teams joins the rows of one day.
            models.UniqueConstraint(
                fields=["organisation", "run_date", "team"],
                name="%(app_label)s_%(class)s_one_per_team_day",
            ),
        ]

    def __str__(self) -> str:
        score = "no score" if self.score is None else f"{self.score:.0f}"
        return f"{self.team} with its sub-teams on {self.run_date}: {score}"


class CoachingNote(TimeStampedModel):
    """A coach's private note about one person: a safe space to admit our uncertainty.

    Read by the coach who wrote it and by the coachee, by nobody else, bosses and organisation
    admins included (``kernel.permissions.can_read_coaching_note``); the admin lists who and
    when, never the body.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="coaching_notes"
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Coach",
        on_delete=models.CASCADE,
        related_name="coaching_notes_written",
        db_index=False,
    )
    coachee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Coachee",
        on_delete=models.CASCADE,
        related_name="coaching_notes_received",
    )
    body = models.TextField("Note", **text_bounds(10_000))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The coach's notes grouped by coachee (the coaching page).
            models.Index(fields=["coach", "coachee"], name="reviews_coachingnote_pair"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(coach=models.F("coachee")),
                name="%(app_label)s_%(class)s_not_self",
            ),
        ]

    def __str__(self) -> str:
        # No body here: the string shows up in the admin and in logs.
        return f"Coaching note by {self.coach} about {self.coachee}"


class DigestClaim(models.Model):
    """One person's digest of one period: a day (``2026-03-02``) or an ISO week
    (``2026-W10``) in their time zone. The row is the claim that makes it exactly-once: the
    sweep inserts it (unique per person and period), and the sender marks ``sent_at`` with a
    conditional UPDATE in the transaction that emails it (reviews.services.digests).

    ``starts_at`` and ``ends_at`` bound what moved that the digest tells of, fixed when it is
    claimed, so a retry tells the same and consecutive digests neither skip nor repeat.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digest_claims",
        db_index=False,
    )
    period = models.CharField(max_length=10)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the digest held when it was sent: 0 is a digest with nothing to say, not emailed.
    lines = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sender's queue: digests claimed but not sent yet.
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="reviews_digestclaim_unsent",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "period"], name="%(app_label)s_%(class)s_once"),
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")),
                name="%(app_label)s_%(class)s_starts_before_it_ends",
            ),
        ]

    def __str__(self) -> str:
        return f"Digest {self.period} of {self.user}"


class BriefClaim(models.Model):
    """One leader's weekly brief of one organisation and ISO week (``2026-W10``, in their time
    zone). The row is the claim that makes it exactly-once, as ``DigestClaim`` is the digest's:
    the sweep inserts it (unique per organisation, person and week), and the sender marks
    ``sent_at`` with a conditional UPDATE in the transaction that emails it
    (reviews.services.briefs)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="brief_claims", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brief_claims"
    )
    period = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The items the brief held when it was sent: 0 is a brief with nothing to say, not emailed.
    items = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sender's queue: briefs claimed but not sent yet.
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="reviews_briefclaim_unsent",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user", "period"], name="%(app_label)s_%(class)s_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Brief {self.period} of {self.user}"


class SearchEntry(models.Model):
    """What the search box finds of a mission, a KPI, a key task, a comment or a team: its
    words, the title's weighted first. PostgreSQL keeps these rows itself, by triggers on the
    five tables (migrations 0022, 0024 and 0026, ``reviews.search``), so every way of writing
    them (the services, the API, imports, the admin) is found the same; an update that changes
    none of the words (the checks rescoring 100,000 missions) does not touch them. On SQLite
    the table stays empty and the search reads the objects' own columns.

    Kept apart from the objects, not as an index on their rows: an expression index on a
    mission is rewritten whenever the mission's row is (the checks' scores made that 2.2 s
    of every full rescoring at 100,000 missions).

    The one table of an organisation's words without row-level security, on purpose: under
    a policy PostgreSQL evaluates the policy before any condition whose operator is not
    "leakproof", and the full-text match (``@@``) is not, so the planner could not use the
    full-text index and read every entry of the organisation instead (0.2 to 0.4 s a kind at
    100,000 missions, 1 s the search page). ``reviews.search`` is its only reader, and names
    the organisation in every query (``tests/reviews/test_search.py`` checks another
    organisation's words are never found)."""

    class Kind(models.TextChoices):
        MISSION = "mission", "Mission"
        KPI = "kpi", "KPI"
        KEY_TASK = "key_task", "Key task"
        COMMENT = "comment", "Comment"
        TEAM = "team", "Team"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    vector = SearchVectorField(null=True)

    class Meta:
        verbose_name_plural = "search entries"
        # One index serves the search: GIN over (organisation_id, vector) (btree_gin,
        # migration 0026), so a word is looked up within the organisation's entries alone.
        constraints = [
            # The object first: an index that starts with the kind would offer the planner
            # every entry of a kind, which it took over the full-text index for a word found
            # nowhere (all 300,000 KPIs' entries read, 0.3 s).
            models.UniqueConstraint(fields=["object_id", "kind"], name="reviews_search_one"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_id}"


class Comment(models.Model):
    """A word on the work: a question, an answer, a nudge, on a mission or on one of its KPIs,
    key tasks or reviews. Threads are one level deep (a reply answers the comment that opened
    the thread). Its author may correct it for ``EDIT_MINUTES`` after writing it, and remove
    it at any time (it then reads "Removed", and its replies stay). ``@username`` in the body,
    or a person picked beside it, mentions a member: they find it in their inbox until they
    answer in the thread (``reviews.services.comments``)."""

    permission_rules = "comment"
    EDIT_MINUTES = 15
    SUBJECTS = {"mission": "mission", "kpi": "KPI", "key_task": "key task", "review": "review"}

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The mission the comment is on, or whose KPI, key task or review it is on: whoever may
    # see the mission sees its conversation, and its history records it.
    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    kpi = models.ForeignKey(
        "measures.Kpi", on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    key_task = models.ForeignKey(
        "missions.KeyTask",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
    )
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField("Comment", **text_bounds(5_000))
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # A page's conversation: the comments on one mission (and on its KPIs, key tasks
            # and reviews), in order.
            models.Index(fields=["mission", "created_at"], name="reviews_comment_of_mission"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "id"], name="reviews_comment_org_id"),
            # On the mission itself, or on one of its KPIs, key tasks or reviews: not two.
            models.CheckConstraint(
                condition=(
                    Q(kpi__isnull=True, key_task__isnull=True)
                    | Q(kpi__isnull=True, review__isnull=True)
                    | Q(key_task__isnull=True, review__isnull=True)
                ),
                name="reviews_comment_one_subject",
            ),
        ]

    def __str__(self) -> str:
        # The history names it by what it is on, not by its words (which its author may
        # remove from the page).
        return f"a comment on the {self.SUBJECTS[self.subject]}"

    @property
    def subject(self) -> str:
        """What it is on: "mission", "kpi", "key_task" or "review"."""
        for name in ("kpi", "key_task", "review"):
            if getattr(self, f"{name}_id") is not None:
                return name
        return "mission"


class Mention(models.Model):
    """A member named in a comment: told in their inbox until they answer in its thread."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="mentions", db_index=False
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "person", "organisation"], name="reviews_mention_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in comment {self.comment_id}"


class CalendarFeed(TimeStampedModel):
    """A person's private calendar feed of one organisation: their reviews and check-ins due,
    read by calendar apps at ``/calendar/<token>.ics`` with no session, the token being the
    credential. Only the SHA-256 of the token is stored: it is shown once, when made. A feed
    stops working when revoked; making a new one revokes the old."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    revoked_at = models.DateTimeField("Revoked", null=True, blank=True)

    class Meta:
        constraints = [
            # One working feed per person and organisation.
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(revoked_at=None),
                name="%(app_label)s_%(class)s_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user} in {self.organisation}"
