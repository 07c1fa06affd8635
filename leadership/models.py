"""The leadership around the cascade (``../seeds``: management is not leadership; leading for
impact; success is best shared): whom a leader must influence and how they reach out to each,
challenges to priorities, innovation challenges and their ideas, action learning groups and
peer recognition.

Influence: a *stakeholder* is a person or group who matters to a mission (or to a leader),
with why they matter, their values and interests, their influence and interest, where they
stand now and where the mission needs them; a *communication plan* (message, channel,
cadence, owner, next contact) reaches out to them, and each *contact* logged moves the plan on
and records where they stand since, so a stance can be seen to move.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kernel.models import Organisation, TimeStampedModel
from kernel.validators import DATE_RANGE, text_bounds, validate_line, validate_not_in_future
from missions.models import Mission

from .behaviours import BEHAVIOUR_CHOICES, THEME_OF, Theme

SCALE = [
    MinValueValidator(1, message="Choose from 1 (low) to 5 (high)."),
    MaxValueValidator(5, message="Choose from 1 (low) to 5 (high)."),
]
# From 1 (low) to 5 (high); 3 and above is "high" on the influence/interest grid.
HIGH = 3


class Stance(models.IntegerChoices):
    """Where a stakeholder stands on the mission, from against it to carrying it."""

    OPPOSED = -2, "Opposed"
    SCEPTICAL = -1, "Sceptical"
    NEUTRAL = 0, "Neutral"
    SUPPORTIVE = 1, "Supportive"
    CHAMPION = 2, "Champion"


class Channel(models.TextChoices):
    MEETING = "meeting", "One-to-one meeting"
    CALL = "call", "Call"
    EMAIL = "email", "Email"
    BRIEFING = "briefing", "Briefing or workshop"
    VISIT = "visit", "Visit"
    UPDATE = "update", "Written update"
    OTHER = "other", "Other"


class Stakeholder(TimeStampedModel):
    """A person or group a mission (or a leader) needs to influence, with the plan to reach
    them. Read only by the map's keepers and the plan's owner
    (``kernel.permissions.visible_stakeholders_q``)."""

    # ``kernel.permissions.can`` judges stakeholders by their own rules.
    permission_rules = "stakeholder"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="stakeholders", db_index=False
    )
    # Whose map: a mission's, or (no mission) the leader's own.
    mission = models.ForeignKey(
        Mission,
        verbose_name="Mission",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="stakeholders",
        db_index=False,
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Leader",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_stakeholders",
        db_index=False,
    )
    # Who: a member of the organisation, or a person or group outside it, by name.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Member of the organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(
        "Name",
        max_length=200,
        blank=True,
        validators=[validate_line],
        help_text="A person or group outside the organisation; for a member, their name.",
    )
    why = models.TextField("Why they matter", **text_bounds(2_000))
    interests = models.TextField("Values and interests", blank=True, **text_bounds(2_000))
    influence = models.PositiveSmallIntegerField(
        "Influence", validators=SCALE, help_text="Their power over the mission: 1 (low) to 5."
    )
    interest = models.PositiveSmallIntegerField(
        "Interest", validators=SCALE, help_text="How much the mission affects them: 1 to 5."
    )
    stance = models.SmallIntegerField("Stance now", choices=Stance.choices, default=Stance.NEUTRAL)
    desired_stance = models.SmallIntegerField(
        "Stance needed", choices=Stance.choices, default=Stance.SUPPORTIVE
    )
    # The communication plan.
    message = models.TextField("Message", blank=True, **text_bounds(2_000))
    channel = models.CharField("Channel", max_length=12, choices=Channel.choices, blank=True)
    cadence_days = models.PositiveSmallIntegerField(
        "Every (days)",
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, message="Give a number of days from 1 to 365."),
            MaxValueValidator(365, message="Give a number of days from 1 to 365."),
        ],
    )
    plan_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Plan owner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stakeholder_plans",
        db_index=False,
    )
    next_contact_on = models.DateField("Next contact", null=True, blank=True, validators=DATE_RANGE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-influence", "-interest", "name", "id"]
        indexes = [
            models.Index(fields=["mission"], name="leadership_stakeholder_mission"),
            models.Index(fields=["leader"], name="leadership_stakeholder_leader"),
            # The contacts due (the inbox sweep) and each owner's plans.
            models.Index(
                fields=["plan_owner", "next_contact_on"], name="leadership_stakeholder_plan"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(mission__isnull=False, leader__isnull=True)
                | Q(mission__isnull=True, leader__isnull=False),
                name="%(app_label)s_%(class)s_one_map",
                violation_error_message="A stakeholder is on a mission's map or a leader's.",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | ~Q(name=""),
                name="%(app_label)s_%(class)s_named",
                violation_error_message="Name the person or group, or choose a member.",
            ),
            models.CheckConstraint(
                condition=Q(influence__gte=1, influence__lte=5, interest__gte=1, interest__lte=5),
                name="%(app_label)s_%(class)s_scales",
            ),
            models.CheckConstraint(
                condition=Q(stance__gte=-2, stance__lte=2, desired_stance__gte=-2)
                & Q(desired_stance__lte=2),
                name="%(app_label)s_%(class)s_stances",
            ),
            models.CheckConstraint(
                condition=Q(cadence_days__isnull=True) | Q(cadence_days__gte=1),
                name="%(app_label)s_%(class)s_cadence_positive",
            ),
            # The (organisation, id) pair a contact's key refers to (migration 0001).
            models.UniqueConstraint(
                fields=["organisation", "id"], name="leadership_stakeholder_org_id"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The member's name when the stakeholder is a member, else the name given."""
        if self.member_id is not None and self.member is not None:
            return str(self.member.get_full_name() or self.member.get_username())
        return self.name

    @property
    def quadrant(self) -> str:
        """Where the influence/interest grid puts them, and so how to engage them."""
        high_influence, high_interest = self.influence >= HIGH, self.interest >= HIGH
        if high_influence and high_interest:
            return "Manage closely"
        if high_influence:
            return "Keep satisfied"
        if high_interest:
            return "Keep informed"
        return "Monitor"

    @property
    def stance_gap(self) -> int:
        """How far they must move: how many steps between where they stand and where needed."""
        return int(self.desired_stance) - int(self.stance)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(
            "leadership:stakeholder", kwargs={"org": self.organisation.slug, "pk": self.pk}
        )


class Contact(models.Model):
    """One contact with a stakeholder: when, how, what was said, and where they stand since.
    Kept as written (the record of how a stance moved)."""

    permission_rules = "contact"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="contacts")
    contacted_on = models.DateField("Date", validators=[*DATE_RANGE, validate_not_in_future])
    channel = models.CharField("Channel", max_length=12, choices=Channel.choices)
    note = models.TextField("What was said", **text_bounds(5_000))
    stance_after = models.SmallIntegerField("Where they stand now", choices=Stance.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-contacted_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stance_after__gte=-2, stance_after__lte=2),
                name="%(app_label)s_%(class)s_stance",
            ),
        ]

    def __str__(self) -> str:
        return f"Contact with {self.stakeholder} on {self.contacted_on:%d %b %Y}"


class PriorityChallenge(TimeStampedModel):
    """ "Be brave … challenge when a failure to prioritise puts everything at risk"
    (``leading-for-impact``): anyone raises one on a mission, and whoever answers for its
    priorities (the owner of the mission above) must answer it. Open ones wait in that
    person's inbox and brief, and show in the mission's reviews."""

    permission_rules = "challenge"

    class Kind(models.TextChoices):
        TOO_MUCH = "too_much", "Too much at once"
        CONFLICT = "conflict", "A conflict between missions"
        MISSING_DECISION = "missing_decision", "A missing decision"

    class Outcome(models.TextChoices):
        CHANGED = "changed", "Priorities changed"
        DECIDED = "decided", "Decision made"
        KEPT = "kept", "Kept as they are, and why"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="priority_challenges"
    )
    mission = models.ForeignKey(
        Mission,
        verbose_name="Mission",
        on_delete=models.CASCADE,
        related_name="challenges",
        db_index=False,
    )
    kind = models.CharField("What is at risk", max_length=16, choices=Kind.choices)
    # For a conflict: the mission this one conflicts with.
    other_mission = models.ForeignKey(
        Mission,
        verbose_name="Conflicts with",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    statement = models.TextField("The challenge", **text_bounds(2_000))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    outcome = models.CharField("Outcome", max_length=8, choices=Outcome.choices, blank=True)
    answer = models.TextField("Answer", blank=True, **text_bounds(2_000))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # A mission's challenges, open ones first (the mission and review pages).
            models.Index(fields=["mission", "answered_at"], name="leadership_challenge_mission"),
            models.Index(
                fields=["organisation"],
                condition=Q(answered_at__isnull=True),
                name="leadership_challenge_open",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, outcome="", answer="")
                | (Q(answered_at__isnull=False) & ~Q(outcome="") & ~Q(answer="")),
                name="%(app_label)s_%(class)s_answered_whole",
                violation_error_message="An answer has an outcome and says why.",
            ),
            models.CheckConstraint(
                condition=~Q(other_mission=models.F("mission")),
                name="%(app_label)s_%(class)s_not_with_itself",
                violation_error_message="A mission does not conflict with itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.statement[:60]}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


# Action learning: "a trusted peer group or a coach" where leaders can "let the mask drop"
# (``leading-for-impact``). A safe space: read by its members only, never by leaders, admins,
# the dashboards or the Django admin, and kept out of the audit log (as coaching notes are).
GROUP_SIZE = (4, 8)


class LearningGroup(TimeStampedModel):
    """An action learning group: a few people with a facilitator, meeting in sessions."""

    permission_rules = "learning_group"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="learning_groups", db_index=False
    )
    name = models.CharField("Name", max_length=120, validators=[validate_line])
    purpose = models.TextField("What the group works on", blank=True, **text_bounds(2_000))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Facilitator",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="learning_groups", verbose_name="Members"
    )
    # Open to a coalition: the people of its other member organisations may join it (the
    # group's rows stay its organisation's; ``leadership.sharing`` reads them for them).
    coalition = models.ForeignKey(
        "Coalition",
        verbose_name="Open to the coalition",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learning_groups",
        help_text="Its member organisations' people may join the group themselves.",
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "id"], name="leadership_learninggroup_org_id"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def member_ids(self) -> set[int]:
        """Its members' ids (read once per object: the permission rules ask for them)."""
        if "_member_ids" not in self.__dict__:
            self.__dict__["_member_ids"] = set(self.members.values_list("pk", flat=True))
        return set(self.__dict__["_member_ids"])

    def shared_with(self, organisation_id: int) -> bool:
        """Its organisation's; and, open to a coalition, the coalition's active members'."""
        if organisation_id == self.organisation_id:
            return True
        return (
            self.coalition_id is not None
            and self.coalition is not None
            and self.coalition.status_of(organisation_id) == Coalition.ACTIVE
        )

    def is_full(self) -> bool:
        return len(self.member_ids) >= GROUP_SIZE[1]


class LearningSession(models.Model):
    """One meeting of a group, and what its members noted of it."""

    permission_rules = "learning_session"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(LearningGroup, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField("Date", validators=DATE_RANGE)
    topic = models.CharField("Topic", max_length=200, validators=[validate_line])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.held_on:%d %b %Y})"

    def shared_with(self, organisation_id: int) -> bool:
        return self.group.shared_with(organisation_id)


class SessionNote(models.Model):
    """What a member noted of a session: read by the group's members only."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(LearningSession, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField("Note", **text_bounds(5_000))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        # No body here: the string shows up in the admin and in logs.
        return f"Note by {self.author} on {self.session_id}"


class Recognition(models.Model):
    """One person recognising a colleague for a behaviour of the four themes, with a short
    story. Read by the two of them, the leader of the colleague's team and their coach; a
    team's page shows only which themes its people are recognised for, never a ranking."""

    permission_rules = "recognition"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Colleague",
        on_delete=models.CASCADE,
        related_name="recognitions",
        db_index=False,
    )
    # The colleague's team when recognised: whose leader and coach read it, and whose themes
    # it counts in.
    team = models.ForeignKey(
        "kernel.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    behaviour = models.CharField("Behaviour", max_length=32, choices=BEHAVIOUR_CHOICES)
    theme = models.CharField(max_length=12, choices=Theme.choices, editable=False)
    story = models.TextField("What they did", **text_bounds(1_000))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["receiver", "-created_at"], name="leadership_recognition_of"),
            models.Index(fields=["team", "theme"], name="leadership_recognition_team"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(giver=models.F("receiver")),
                name="%(app_label)s_%(class)s_not_self",
                violation_error_message="Recognise a colleague, not yourself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_behaviour_display()}: {self.receiver}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.theme = THEME_OF.get(self.behaviour, "")  # its theme, from the one catalogue
        super().save(*args, **kwargs)


# Innovation: "a series of innovation challenges and idea exchanges" (``management is not
# leadership``). A leader asks a question tied to a mission; the people invited submit ideas,
# comment on them and support them; the mission's keepers shortlist and take ideas forward as
# a key task or a child mission, which stays linked to the idea and credits its authors.
# Everything is in the open: every member of the organisation reads challenges and ideas.


class InnovationChallenge(TimeStampedModel):
    """A question put to (some of) the organisation for ideas, until a closing date."""

    permission_rules = "innovation"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="innovation_challenges", db_index=False
    )
    mission = models.ForeignKey(
        Mission,
        verbose_name="Mission",
        on_delete=models.CASCADE,
        related_name="innovation_challenges",
        db_index=False,
    )
    question = models.CharField("The question", max_length=300, validators=[validate_line])
    detail = models.TextField("What a good idea does", blank=True, **text_bounds(2_000))
    closes_on = models.DateField("Ideas until", validators=DATE_RANGE)
    # Who may take part: the people of these teams and of the teams under them; none, the
    # whole organisation.
    teams = models.ManyToManyField(
        "kernel.Team",
        verbose_name="Who may take part",
        blank=True,
        related_name="+",
        help_text="The people of these teams and the teams under them; none: everyone.",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "closes_on"], name="leadership_innovation_open"),
            models.Index(fields=["mission"], name="leadership_innovation_mission"),
        ]
        constraints = [
            # The (organisation, id) pair an idea's key refers to (migration 0006).
            models.UniqueConstraint(
                fields=["organisation", "id"], name="leadership_innovation_org_id"
            ),
        ]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(
            "leadership:innovation-challenge",
            kwargs={"org": self.organisation.slug, "pk": self.pk},
        )

    def accepts_ideas(self, today: dt.date | None = None) -> bool:
        """Open for ideas: not closed early, and its closing date not past."""
        return self.closed_at is None and self.closes_on >= (today or timezone.localdate())

    def state_allows(self, action: str) -> bool:
        """Ideas are submitted while it accepts them; it is closed once."""
        if action == "take_part":
            return self.accepts_ideas()
        if action == "edit":
            return self.closed_at is None
        return True

    @property
    def team_ids(self) -> set[int]:
        """The ids of the teams invited (read once per object: the permission rules ask)."""
        if "_team_ids" not in self.__dict__:
            self.__dict__["_team_ids"] = set(self.teams.values_list("pk", flat=True))
        return set(self.__dict__["_team_ids"])


class Idea(TimeStampedModel):
    """An idea submitted to a challenge, by one or more authors; taken forward, it is linked
    to the key task or child mission it became."""

    permission_rules = "idea"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        SHORTLISTED = "shortlisted", "Shortlisted"
        ADOPTED = "adopted", "Taken forward"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    challenge = models.ForeignKey(
        InnovationChallenge, on_delete=models.CASCADE, related_name="ideas", db_index=False
    )
    title = models.CharField("Your idea in a line", max_length=200, validators=[validate_line])
    description = models.TextField("How it would work", **text_bounds(5_000))
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="ideas", verbose_name="Authors"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        "Status", max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    # What it became: a key task of the challenge's mission, or a mission under it.
    key_task = models.OneToOneField(
        "missions.KeyTask",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="idea",
    )
    child_mission = models.OneToOneField(
        Mission, on_delete=models.SET_NULL, null=True, blank=True, related_name="idea"
    )
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    adopted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["challenge", "status"], name="leadership_idea_challenge")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "shortlisted", "adopted"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=(Q(status="adopted") & Q(adopted_at__isnull=False))
                | (~Q(status="adopted") & Q(adopted_at__isnull=True)),
                name="%(app_label)s_%(class)s_adopted_when",
            ),
            models.CheckConstraint(
                condition=Q(key_task__isnull=True) | Q(child_mission__isnull=True),
                name="%(app_label)s_%(class)s_one_outcome",
                violation_error_message="An idea becomes a key task or a mission, not both.",
            ),
            models.UniqueConstraint(fields=["organisation", "id"], name="leadership_idea_org_id"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("leadership:idea", kwargs={"org": self.organisation.slug, "pk": self.pk})

    def state_allows(self, action: str) -> bool:
        """Its authors change it until it is taken forward; it is taken forward once."""
        if action in ("edit", "choose_ideas"):
            return self.status != self.Status.ADOPTED
        return True

    @property
    def author_ids(self) -> set[int]:
        """Its authors' ids (read once per object: the permission rules ask for them)."""
        if "_author_ids" not in self.__dict__:
            self.__dict__["_author_ids"] = set(self.authors.values_list("pk", flat=True))
        return set(self.__dict__["_author_ids"])

    def credit(self, names: list[str]) -> str:
        """The line that credits the idea's authors on what it became."""
        return f"From the idea “{self.title}” by {join_names(names)}."


def join_names(names: list[str]) -> str:
    """``["Ann", "Bo", "Cy"]`` → ``"Ann, Bo and Cy"``."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


class IdeaSupport(models.Model):
    """One person's support of an idea (at most one each)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="supports", db_index=False
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "person", "organisation"], name="leadership_ideasupport_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} supports {self.idea_id}"


class IdeaComment(models.Model):
    """A comment on an idea: a question, a build on it, a concern."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField("Comment", **text_bounds(2_000))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.idea_id}"


# Development: "behavioural development for everyone" around the four themes
# (``success-is-best-shared``). Each person keeps one plan: where they want to grow, goals on
# chosen behaviours with the actions to get there, evidence as it happens, and reviews held with
# their leader or coach. Read by the person, the leader of their team and their coach (as
# recognition is), not by admins or the dashboards.


class DevelopmentPlan(TimeStampedModel):
    """A person's development plan in one organisation."""

    permission_rules = "development_plan"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="development_plans"
    )
    aspiration = models.TextField(
        "Where I want to grow",
        blank=True,
        help_text="The leader you want to become, in a few sentences.",
        **text_bounds(2_000),
    )
    # A review asked of the person's leader or coach: an inbox item until it is held.
    review_asked_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Review with",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["organisation", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person"], name="leadership_developmentplan_one"
            ),
            models.UniqueConstraint(
                fields=["organisation", "id"], name="leadership_developmentplan_org_id"
            ),
        ]

    def __str__(self) -> str:
        return f"Development plan of {self.person}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(
            "leadership:development-plan", kwargs={"org": self.organisation.slug, "pk": self.pk}
        )


class DevelopmentGoal(TimeStampedModel):
    """A goal of a plan on one behaviour of the four themes, with the actions to reach it."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Working on it"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "Set aside"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="goals")
    behaviour = models.CharField("Behaviour", max_length=32, choices=BEHAVIOUR_CHOICES)
    theme = models.CharField(max_length=12, choices=Theme.choices, editable=False)
    goal = models.TextField(
        "Goal",
        help_text="What you will be able to do, and how others will notice.",
        **text_bounds(1_000),
    )
    actions = models.TextField(
        "Actions",
        blank=True,
        help_text="How you will get there: one per line.",
        **text_bounds(2_000),
    )
    target_on = models.DateField("By", null=True, blank=True, validators=DATE_RANGE)
    status = models.CharField(
        "Status", max_length=10, choices=Status.choices, default=Status.ACTIVE
    )

    class Meta:
        ordering = ["status", "target_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["active", "achieved", "dropped"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.UniqueConstraint(
                fields=["organisation", "id"], name="leadership_developmentgoal_org_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_behaviour_display()}: {self.goal[:60]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.theme = THEME_OF.get(self.behaviour, "")  # its theme, from the one catalogue
        super().save(*args, **kwargs)


class DevelopmentEvidence(models.Model):
    """Something that happened that shows a goal's behaviour: noted by the person, their
    leader or their coach."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey(DevelopmentGoal, on_delete=models.CASCADE, related_name="evidence")
    observed_on = models.DateField("When", validators=[*DATE_RANGE, validate_not_in_future])
    note = models.TextField("What happened", **text_bounds(2_000))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-observed_on", "-id"]
        verbose_name_plural = "development evidence"

    def __str__(self) -> str:
        return f"Evidence for goal {self.goal_id} on {self.observed_on:%d %b %Y}"


class DevelopmentReview(models.Model):
    """A review of the plan held with the person's leader or coach: what they agreed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    held_on = models.DateField("Held on", validators=[*DATE_RANGE, validate_not_in_future])
    note = models.TextField("What you agreed", **text_bounds(2_000))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Review of plan {self.plan_id} on {self.held_on:%d %b %Y}"


# --- Coalitions ----------------------------------------------------------------------------------
# Organisations working as peers toward a common purpose (``../seeds``: coalition leadership:
# "nodes, not hubs", "mission, not organization", "contribution, not attribution"). A coalition
# and its missions belong to no one organisation: they have no row-level security of their own
# (their members share them) and ``kernel.permissions`` (``shared_with``) decides who reads
# them. A contribution is a member's own row, under its row-level security; the coalition's
# page reads its partners' contributions in a scope widened to its members (``selectors``).


class Coalition(TimeStampedModel):
    """Organisations that share a purpose none of them could achieve on its own."""

    permission_rules = "coalition"
    INVITED = "invited"
    ACTIVE = "active"

    name = models.CharField("Name", max_length=120, validators=[validate_line])
    purpose = models.TextField(
        "Common purpose",
        help_text="What the members can do together that none of them could do apart.",
        **text_bounds(2_000),
    )
    convened_by = models.ForeignKey(
        Organisation,
        verbose_name="Convened by",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def url_for(self, organisation: Organisation) -> str:
        """Its page as seen from one member (every page of the product is an organisation's)."""
        from django.urls import reverse

        return reverse("leadership:coalition", kwargs={"org": organisation.slug, "pk": self.pk})

    @property
    def member_states(self) -> dict[int, str]:
        """Each member organisation's status, by its id (read once per object)."""
        if "_member_states" not in self.__dict__:
            self.__dict__["_member_states"] = dict(self.members.values_list("member_id", "status"))
        return dict(self.__dict__["_member_states"])

    def forget_members(self) -> None:
        """After a change of its members: ``member_states`` reads them again."""
        self.__dict__.pop("_member_states", None)

    def status_of(self, organisation_id: int) -> str | None:
        return self.member_states.get(organisation_id)

    def shared_with(self, organisation_id: int) -> bool:
        """Its members read it, and the organisations it invites."""
        return self.status_of(organisation_id) in (self.ACTIVE, self.INVITED)

    def active_member_ids(self) -> list[int]:
        return sorted(pk for pk, status in self.member_states.items() if status == self.ACTIVE)


class CoalitionMember(models.Model):
    """An organisation's place in a coalition, from the invitation on. Leaving keeps the row
    (and everything of the organisation's own): the coalition's history says who took part."""

    class Status(models.TextChoices):
        INVITED = Coalition.INVITED, "Invited"
        ACTIVE = Coalition.ACTIVE, "Member"
        DECLINED = "declined", "Declined"
        LEFT = "left", "Left"

    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, related_name="members", db_index=False
    )
    # Not ``organisation``: the row is the coalition's as much as the member's (no row-level
    # security of its own; see the section's comment).
    member = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="coalition_memberships", db_index=False
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "member"], name="leadership_coalition_member_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["invited", "active", "declined", "left"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["member", "status"], name="leadership_coalition_of")]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.coalition_id} ({self.status})"


class CoalitionMission(TimeStampedModel):
    """A mission of the coalition itself, which members' own missions contribute to."""

    permission_rules = "coalition_mission"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="missions")
    title = models.CharField("Mission", max_length=200, validators=[validate_line])
    intent = models.TextField(
        "Intent",
        blank=True,
        help_text="What the coalition sets out to achieve together, and why.",
        **text_bounds(2_000),
    )
    written_by = models.ForeignKey(
        Organisation,
        verbose_name="Written by",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title

    def shared_with(self, organisation_id: int) -> bool:
        return self.coalition.status_of(organisation_id) == Coalition.ACTIVE


class Contribution(TimeStampedModel):
    """A member's own mission aligned to a coalition's mission: offered by the member (who may
    edit the mission), aligned by a leader of another member. Consent on both sides."""

    permission_rules = "contribution"

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ALIGNED = "aligned", "Aligned"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contributions", db_index=False
    )
    coalition_mission = models.ForeignKey(
        CoalitionMission,
        verbose_name="Coalition mission",
        on_delete=models.CASCADE,
        related_name="contributions",
        db_index=False,
    )
    mission = models.ForeignKey(
        Mission,
        verbose_name="Your mission",
        on_delete=models.CASCADE,
        related_name="contributions",
        db_index=False,
    )
    how = models.TextField(
        "How it contributes",
        blank=True,
        help_text="What your mission adds to the coalition's, in a few lines.",
        **text_bounds(1_000),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField("Comment", max_length=500, blank=True, validators=[validate_line])

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["coalition_mission", "status"], name="leadership_contribution_to"),
            models.Index(fields=["mission"], name="leadership_contribution_of"),
        ]
        constraints = [
            # A mission contributes to a coalition mission once at a time (withdrawn or
            # declined, it may be offered again).
            models.UniqueConstraint(
                fields=["coalition_mission", "mission"],
                condition=Q(status__in=["offered", "aligned"]),
                name="leadership_contribution_once",
                violation_error_message="This mission is already offered to that mission.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["offered", "aligned", "declined", "withdrawn"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            # The (organisation, id) pair a link's key refers to (migration 0008).
            models.UniqueConstraint(
                fields=["organisation", "id"], name="leadership_contribution_org_id"
            ),
        ]

    def __str__(self) -> str:
        """Named as the history shows it: “Discharge to assess” to “No one waits”."""
        return f"“{self.mission.title}” to “{self.coalition_mission.title}”"

    def shared_with(self, organisation_id: int) -> bool:
        """Its own organisation's (still, after it left the coalition); and the coalition's
        active members'."""
        if organisation_id == self.organisation_id:
            return True
        return self.coalition_mission.coalition.status_of(organisation_id) == Coalition.ACTIVE

    def state_allows(self, action: str) -> bool:
        """Aligned or declined while offered; withdrawn while offered or aligned."""
        if action == "align":
            return self.status == self.Status.OFFERED
        if action == "edit":
            return self.status in (self.Status.OFFERED, self.Status.ALIGNED)
        return True


class CoalitionLink(models.Model):
    """What one member's contribution needs from another member's: the interdependencies
    between members, written by the side that needs."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="needs")
    depends_on = models.ForeignKey(
        Contribution,
        verbose_name="Depends on",
        on_delete=models.CASCADE,
        related_name="needed_by",
    )
    description = models.CharField("What it needs", max_length=300, validators=[validate_line])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(contribution=models.F("depends_on")),
                name="%(app_label)s_%(class)s_not_itself",
            ),
        ]

    def __str__(self) -> str:
        return self.description
