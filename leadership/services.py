"""Writes of the leadership practices: stakeholders, their communication plans and the
contacts logged against them. Each write checks the permission module, validates the whole
row, is recorded in the audit log and keeps the inbox item of the plan true."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from kernel import tree
from kernel.audit import apply_changes, audit_record
from kernel.errors import StateConflict
from kernel.formats import day
from kernel.models import AuditEvent, Membership, Notification, Organisation
from kernel.notifications import (
    Ask,
    cause_of,
    mission_owners,
    notifications_done,
    notify,
    notify_each,
)
from kernel.permissions import (
    Action,
    can,
    can_keep_stakeholder_map,
    development_reviewers_q,
    organisation_leaders_q,
    require,
)
from kernel.tenancy import tenant_scope
from missions.models import KeyTask, Mission
from missions.services.work import key_task_create

from .models import (
    GROUP_SIZE,
    Channel,
    Coalition,
    CoalitionLink,
    CoalitionMember,
    CoalitionMission,
    Contact,
    Contribution,
    DevelopmentEvidence,
    DevelopmentGoal,
    DevelopmentPlan,
    DevelopmentReview,
    Idea,
    IdeaComment,
    IdeaSupport,
    InnovationChallenge,
    LearningGroup,
    LearningSession,
    PriorityChallenge,
    Recognition,
    SessionNote,
    Stakeholder,
)
from .sharing import group_scope, members_scope, organisation_at

if TYPE_CHECKING:
    from kernel.permissions import Actor

# What a person may write of a stakeholder (the map it is on is set when it is created).
STAKEHOLDER_FIELDS = (
    "member",
    "name",
    "why",
    "interests",
    "influence",
    "interest",
    "stance",
    "desired_stance",
    "message",
    "channel",
    "cadence_days",
    "plan_owner",
    "next_contact_on",
)
CONTACT_FIELDS = ("contacted_on", "channel", "note", "stance_after")


def contact_due_message(name: str, message: str, due: dt.date) -> str:
    """The inbox item of a contact due: the sweep and the services word it alike."""
    what = f": {message}" if message else ""
    return f"Contact {name}, due {day(due)}{what}"[:500]


@transaction.atomic
def stakeholder_create(
    *, actor: Actor, mission: Mission | None, data: dict[str, Any]
) -> Stakeholder:
    """Put a person or group on a mission's stakeholder map (``mission`` None: on the actor's
    own map)."""
    if not can_keep_stakeholder_map(actor, mission):
        raise PermissionDenied("Only those who may edit a mission keep its stakeholder map.")
    stakeholder = Stakeholder(
        organisation=actor.organisation,
        mission=mission,
        leader=None if mission is not None else actor.user,
        created_by=actor.user,
        updated_by=actor.user,
    )
    for name in STAKEHOLDER_FIELDS:
        if name in data:
            setattr(stakeholder, name, data[name])
    _check_people(stakeholder)
    stakeholder.full_clean()
    stakeholder.save()
    # Not linked to the mission: its history is read by every member, and an analysis of
    # people is for the map's keepers (the stakeholder's own page shows this entry).
    audit_record(
        obj=stakeholder,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.CREATED,
        by=actor.user,
    )
    _keep_item_true(stakeholder, by=actor)
    return stakeholder


@transaction.atomic
def stakeholder_update(
    *, actor: Actor, stakeholder: Stakeholder, data: dict[str, Any]
) -> Stakeholder:
    """Change a stakeholder's analysis or plan; only what changed is written and recorded."""
    if not can(actor, Action.EDIT, stakeholder):
        raise PermissionDenied("Only the keepers of this stakeholder map change it.")
    stakeholder = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
    changes = apply_changes(stakeholder, data, STAKEHOLDER_FIELDS)
    if not changes:
        return stakeholder
    _check_people(stakeholder)
    stakeholder.updated_by = actor.user
    stakeholder.full_clean()
    stakeholder.save()
    audit_record(
        obj=stakeholder,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=actor.user,
        changes=changes,
    )
    _keep_item_true(stakeholder, by=actor)
    return stakeholder


@transaction.atomic
def stakeholder_remove(*, actor: Actor, stakeholder: Stakeholder) -> None:
    """Take a stakeholder off the map, with its contacts; the audit log keeps who and when."""
    if not can(actor, Action.ARCHIVE, stakeholder):
        raise PermissionDenied("Only the keepers of this stakeholder map change it.")
    audit_record(
        obj=stakeholder,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.REMOVED,
        by=actor.user,
    )
    notifications_done(causes=[cause_of("contact", stakeholder.pk)], by=actor.user)
    stakeholder.delete()


@transaction.atomic
def contact_log(*, actor: Actor, stakeholder: Stakeholder, data: dict[str, Any]) -> Contact:
    """Log a contact: where the stakeholder stands since it, and the plan's next contact one
    cadence after the latest contact (none without a cadence). The contact due leaves the
    plan owner's inbox once the next one is not due yet."""
    if not can(actor, Action.LOG_CONTACT, stakeholder):
        raise PermissionDenied("The map's keepers and the plan's owner log its contacts.")
    stakeholder = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
    contact = Contact(organisation=actor.organisation, stakeholder=stakeholder, by=actor.user)
    for name in CONTACT_FIELDS:
        if name in data:
            setattr(contact, name, data[name])
    if not contact.channel:  # the plan's channel, when none is given
        contact.channel = stakeholder.channel or Channel.OTHER
    contact.full_clean()
    contact.save()
    latest = max(
        stakeholder.contacts.values_list("contacted_on", flat=True), default=contact.contacted_on
    )
    moved = {
        "stance": contact.stance_after,
        "next_contact_on": (
            latest + dt.timedelta(days=stakeholder.cadence_days)
            if stakeholder.cadence_days
            else None
        ),
    }
    changes = apply_changes(stakeholder, moved, tuple(moved))
    if changes:
        stakeholder.updated_by = actor.user
        stakeholder.save(update_fields=[*changes, "updated_by", "updated_at"])
    audit_record(
        obj=stakeholder,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.CONTACTED,
        by=actor.user,
        changes=changes,
    )
    _keep_item_true(stakeholder, by=actor)
    return contact


def _check_people(stakeholder: Stakeholder) -> None:
    """The member mapped and the plan's owner are members of the stakeholder's organisation."""
    members = get_user_model().objects.filter(memberships__organisation=stakeholder.organisation)
    errors = {}
    for field in ("member", "plan_owner"):
        person = getattr(stakeholder, field)
        if person is not None and not members.filter(pk=person.pk).exists():
            errors[field] = ["Choose a member of this organisation."]
    if errors:
        raise ValidationError(errors)


def _keep_item_true(stakeholder: Stakeholder, *, by: Actor) -> None:
    """The plan owner has an open item while the next contact is due, and nobody else has:
    asked (or refreshed) when due, completed when not (a contact logged, the date moved, the
    owner changed). The hourly inbox sweep asks the same of plans that fall due by date."""
    cause = cause_of("contact", stakeholder.pk)
    due = stakeholder.next_contact_on
    if stakeholder.plan_owner_id is None or due is None or due > timezone.localdate():
        notifications_done(causes=[cause], by=by.user)
        return
    Notification.objects.filter(cause=cause, done_at__isnull=True).exclude(
        recipient_id=stakeholder.plan_owner_id
    ).update(done_at=timezone.now(), done_by=by.user)
    notify_each(
        [
            Ask(
                recipient_id=stakeholder.plan_owner_id,
                kind=Notification.Kind.CONTACT_DUE,
                message=contact_due_message(stakeholder.display_name, stakeholder.message, due),
                mission_id=stakeholder.mission_id,
                organisation_id=stakeholder.organisation_id,
                url=stakeholder.get_absolute_url(),
                cause=cause,
            )
        ]
    )


# --- "Be brave": challenges to priorities ---------------------------------------------------


def challenge_message(challenge: PriorityChallenge, mission_title: str) -> str:
    """The inbox item of an open challenge: the sweep and the service word it alike."""
    return f"{challenge.get_kind_display()} on “{mission_title}”: {challenge.statement}"[:500]


def challenge_answerers(mission: Mission) -> list[Any]:
    """Who is asked to answer a challenge to ``mission``: the owners of the mission above it
    (of a top mission, its own owners), as ``kernel.permissions.answers_for_priorities``."""
    return mission_owners(mission.parent if mission.parent_id is not None else mission)


@transaction.atomic
def challenge_raise(*, actor: Actor, mission: Mission, data: dict[str, Any]) -> PriorityChallenge:
    """Challenge a mission's priorities: too much at once, a conflict with another mission, a
    missing decision. Whoever answers for them is asked at once (their inbox and brief)."""
    require(actor, Action.CHALLENGE, mission)
    challenge = PriorityChallenge(
        organisation=actor.organisation,
        mission=mission,
        kind=data.get("kind", ""),
        other_mission=data.get("other_mission"),
        statement=(data.get("statement") or "").strip(),
        raised_by=actor.user,
    )
    other = challenge.other_mission
    if other is not None and other.organisation_id != mission.organisation_id:
        raise ValidationError({"other_mission": ["Choose a mission of this organisation."]})
    if challenge.kind == PriorityChallenge.Kind.CONFLICT and other is None:
        raise ValidationError({"other_mission": ["Say which mission this one conflicts with."]})
    challenge.full_clean()
    challenge.save()
    audit_record(
        obj=challenge,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.CHALLENGED,
        by=actor.user,
        mission=mission,
        comment=challenge.statement,
    )
    notify(
        recipients=challenge_answerers(mission),
        kind=Notification.Kind.CHALLENGE_RAISED,
        message=challenge_message(challenge, mission.title),
        mission=mission,
        cause=cause_of("challenge", challenge.pk),
        url=f"{mission.get_absolute_url()}#challenge-{challenge.pk}",
    )
    return challenge


@transaction.atomic
def challenge_answer(
    *, actor: Actor, challenge: PriorityChallenge, data: dict[str, Any]
) -> PriorityChallenge:
    """Answer a challenge: an outcome (priorities changed, a decision made, kept as they are)
    and why. It leaves the inbox of whoever was asked; the person who raised it is told. A
    challenge is answered once: a second answer at the same moment is refused."""
    require(actor, Action.ANSWER_CHALLENGE, challenge)
    challenge = PriorityChallenge.objects.select_for_update().get(pk=challenge.pk)
    if not challenge.is_open:
        raise StateConflict("This challenge has been answered already.")
    challenge.outcome = data.get("outcome", "")
    challenge.answer = (data.get("answer") or "").strip()
    challenge.answered_by = actor.user
    challenge.answered_at = timezone.now()
    errors = {}
    if not challenge.outcome:
        errors["outcome"] = ["Choose what came of it."]
    if not challenge.answer:
        errors["answer"] = ["Say why: the person who raised it reads this."]
    if errors:
        raise ValidationError(errors)
    challenge.full_clean()
    challenge.save()
    mission = challenge.mission
    audit_record(
        obj=challenge,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.ANSWERED,
        by=actor.user,
        mission=mission,
        changes={"outcome": [None, challenge.outcome]},
        comment=challenge.answer,
    )
    notifications_done(causes=[cause_of("challenge", challenge.pk)], by=actor.user)
    notify(
        recipients=[challenge.raised_by],
        kind=Notification.Kind.CHALLENGE_ANSWERED,
        message=f"{challenge.get_outcome_display()}: {challenge.answer}"[:500],
        mission=mission,
        by=actor.user,
        url=f"{mission.get_absolute_url()}#challenge-{challenge.pk}",
    )
    return challenge


# --- Action learning groups -------------------------------------------------------------------
# Not written to the audit log on purpose (as coaching notes): the log is read by bosses and
# admins, and what a group does is its members' business only.


def _check_group_people(
    actor: Actor,
    facilitator: Any,
    members: list[Any],
    *,
    open_to_coalition: bool = False,
    others: int = 0,
) -> list[Any]:
    """The group's people: the facilitator and the members, each a member of the
    organisation, GROUP_SIZE of them in all (with ``others`` from its coalition's other
    organisations). A group open to a coalition may start smaller: its other people join it
    from the coalition's page."""
    people = list({p.pk: p for p in [facilitator, *members] if p is not None}.values())
    ids = [p.pk for p in people]
    known = set(
        get_user_model()
        .objects.filter(pk__in=ids, memberships__organisation=actor.organisation)
        .values_list("pk", flat=True)
    )
    if facilitator is None:
        raise ValidationError({"facilitator": ["Choose who facilitates the group."]})
    if set(ids) - known:
        raise ValidationError({"members": ["Choose members of this organisation."]})
    low, high = GROUP_SIZE
    if open_to_coalition:
        low = 1
    if not low <= len(people) + others <= high:
        raise ValidationError(
            {"members": [f"A group is {low} to {high} people, its facilitator included."]}
        )
    return people


@transaction.atomic
def learning_group_create(*, actor: Actor, data: dict[str, Any]) -> LearningGroup:
    """Start an action learning group of which the actor is one of the people."""
    coalition = data.get("coalition")
    if coalition is not None and coalition.status_of(actor.organisation.pk) != Coalition.ACTIVE:
        raise ValidationError({"coalition": ["Choose a coalition your organisation is in."]})
    people = _check_group_people(
        actor,
        data.get("facilitator"),
        data.get("members", []),
        open_to_coalition=coalition is not None,
    )
    if actor.user.pk not in {p.pk for p in people}:
        raise ValidationError(
            {"members": ["A group is for its people: be its facilitator or one of them."]}
        )
    group = LearningGroup(
        organisation=actor.organisation,
        name=(data.get("name") or "").strip(),
        purpose=(data.get("purpose") or "").strip(),
        facilitator=data["facilitator"],
        coalition=coalition,
    )
    group.full_clean()
    group.save()
    group.members.set(people)
    return group


@transaction.atomic
def learning_group_update(
    *, actor: Actor, group: LearningGroup, data: dict[str, Any]
) -> LearningGroup:
    """The facilitator changes the group's name, purpose, facilitator or people."""
    require(actor, Action.EDIT, group)
    group = LearningGroup.objects.select_for_update().get(pk=group.pk)
    # The people who joined from the coalition's other organisations stay: the form picks
    # this organisation's people only.
    from_partners = list(
        group.members.exclude(memberships__organisation=actor.organisation).distinct()
    )
    people = _check_group_people(
        actor,
        data.get("facilitator", group.facilitator),
        data.get("members", []),
        open_to_coalition=group.coalition_id is not None,
        others=len(from_partners),
    )
    people += from_partners
    for name in ("name", "purpose", "facilitator"):
        if name in data:
            setattr(group, name, data[name].strip() if isinstance(data[name], str) else data[name])
    group.full_clean()
    group.save()
    group.members.set(people)
    return group


@transaction.atomic
def learning_session_create(
    *, actor: Actor, group: LearningGroup, data: dict[str, Any]
) -> LearningSession:
    """The facilitator plans (or records) a session of the group."""
    require(actor, Action.EDIT, group)
    session = LearningSession(
        organisation_id=group.organisation_id,
        group=group,
        held_on=data["held_on"],
        topic=(data.get("topic") or "").strip(),
        created_by=actor.user,
    )
    with group_scope(group):  # the group's organisation's row, whoever plans it
        session.full_clean()
        session.save()
    return session


@transaction.atomic
def session_note_write(*, actor: Actor, session: LearningSession, body: str) -> SessionNote:
    """A member notes what they take from a session; read by the group's members only."""
    require(actor, Action.WRITE_NOTE, session)
    note = SessionNote(
        organisation_id=session.organisation_id,
        session=session,
        author=actor.user,
        body=body.strip(),
    )
    with group_scope(session.group):  # the group's organisation's row, whoever writes it
        note.full_clean()
        note.save()
    return note


def learning_group_join(*, actor: Actor, group: LearningGroup) -> LearningGroup:
    """Join a group open to a coalition the actor's organisation is in, while it has room.
    Its facilitator is told. Two people taking the last place at once: one gets it."""
    require(actor, Action.TAKE_PART, group)
    with group_scope(group):
        locked = LearningGroup.objects.select_for_update().get(pk=group.pk)
        if locked.is_full():
            raise StateConflict(f"The group is full: {GROUP_SIZE[1]} people at most.")
        locked.members.add(actor.user)
    return locked


def learning_group_leave(*, actor: Actor, group: LearningGroup) -> None:
    """Leave a group; its facilitator hands the group over first."""
    require(actor, Action.VIEW, group)
    if group.facilitator_id == actor.user.pk:
        raise ValidationError("Hand the group to another facilitator before you leave it.")
    with group_scope(group):
        group.members.remove(actor.user)


# --- Peer recognition -------------------------------------------------------------------------


@transaction.atomic
def recognition_give(*, actor: Actor, data: dict[str, Any]) -> Recognition:
    """Recognise a colleague for a behaviour, with a short story. They are told at once; the
    leader of their team and their coach read it too."""
    receiver = data.get("receiver")
    membership = Membership.objects.filter(organisation=actor.organisation, user=receiver).first()
    if receiver is None or membership is None:
        raise ValidationError({"receiver": ["Choose a member of this organisation."]})
    recognition = Recognition(
        organisation=actor.organisation,
        giver=actor.user,
        receiver=receiver,
        team_id=membership.team_id,
        behaviour=data.get("behaviour", ""),
        story=(data.get("story") or "").strip(),
    )
    if receiver.pk == actor.user.pk:
        raise ValidationError({"receiver": ["Recognise a colleague, not yourself."]})
    recognition.full_clean()
    recognition.save()
    name = actor.user.get_full_name() or actor.user.get_username()
    notify_each(
        [
            Ask(
                recipient_id=receiver.pk,
                kind=Notification.Kind.RECOGNISED,
                message=(
                    f"{name} recognised you for {recognition.get_behaviour_display().lower()}: "
                    f"{recognition.story}"
                )[:500],
                mission_id=None,
                organisation_id=actor.organisation.pk,
                url=reverse("leadership:recognition", kwargs={"org": actor.organisation.slug}),
            )
        ]
    )
    return recognition


# --- Innovation: challenges and the idea exchange ------------------------------------------


def _credited(idea: Idea) -> list[str]:
    """The names an idea credits: who submitted it first, then the others by name."""
    names = [
        (p.pk != idea.submitted_by_id, p.get_full_name() or p.get_username())
        for p in idea.authors.all()
    ]
    return [name for _, name in sorted(names)]


def _members_of(organisation: Any, users: list[Any], field: str) -> list[Any]:
    """``users`` (deduplicated), each a member of ``organisation``; else an error on ``field``."""
    people = list({u.pk: u for u in users if u is not None}.values())
    known = set(
        Membership.objects.filter(
            organisation=organisation, user_id__in=[p.pk for p in people]
        ).values_list("user_id", flat=True)
    )
    if len(known) != len(people):
        raise ValidationError({field: ["Choose members of this organisation."]})
    return people


def ideas_invited_message(challenge: InnovationChallenge) -> str:
    return f"Ideas invited until {day(challenge.closes_on)}: {challenge.question}"[:500]


def invited_people(challenge: InnovationChallenge) -> list[int]:
    """The ids of the people a challenge invites: the members of its teams and of the teams
    under them, or every member (``kernel.permissions`` judges one person alike)."""
    members = Membership.objects.filter(organisation_id=challenge.organisation_id)
    teams = list(challenge.teams.all())
    if teams:
        under = Q()
        for team in teams:
            under |= Q(team_id=team.pk) | Q(
                team__path__startswith=tree.child_path(team.path, team.pk)
            )
        members = members.filter(under)
    return list(members.values_list("user_id", flat=True))


@transaction.atomic
def innovation_open(*, actor: Actor, mission: Mission, data: dict[str, Any]) -> InnovationChallenge:
    """Open a challenge on a mission: a question, a closing date and who is invited (teams,
    or everyone). Each person invited is told; every member can read it."""
    if not can(actor, Action.EDIT, mission):
        raise PermissionDenied("Whoever may edit a mission opens challenges on it.")
    teams = list(data.get("teams") or [])
    if any(team.organisation_id != actor.organisation.pk for team in teams):
        raise ValidationError({"teams": ["Choose teams of this organisation."]})
    closes_on = data.get("closes_on")
    if closes_on is None:
        raise ValidationError({"closes_on": ["Give the date ideas close on."]})
    challenge = InnovationChallenge(
        organisation=actor.organisation,
        mission=mission,
        question=(data.get("question") or "").strip(),
        detail=(data.get("detail") or "").strip(),
        closes_on=closes_on,
        opened_by=actor.user,
    )
    challenge.full_clean()
    if challenge.closes_on < timezone.localdate():
        raise ValidationError({"closes_on": ["Give a date from today on."]})
    challenge.save()
    challenge.teams.set(teams)
    audit_record(
        obj=challenge,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.CREATED,
        by=actor.user,
        mission=mission,
    )
    message = ideas_invited_message(challenge)
    notify_each(
        [
            Ask(
                recipient_id=person,
                kind=Notification.Kind.IDEAS_INVITED,
                message=message,
                mission_id=mission.pk,
                organisation_id=actor.organisation.pk,
                url=challenge.get_absolute_url(),
            )
            for person in invited_people(challenge)
            if person != actor.user.pk
        ]
    )
    return challenge


@transaction.atomic
def innovation_close(*, actor: Actor, challenge: InnovationChallenge) -> InnovationChallenge:
    """Close a challenge before its date: no more ideas; shortlisting goes on."""
    require(actor, Action.EDIT, challenge)
    challenge = InnovationChallenge.objects.select_for_update().get(pk=challenge.pk)
    if challenge.closed_at is not None:
        raise StateConflict("This challenge is closed already.")
    challenge.closed_at = timezone.now()
    challenge.save(update_fields=["closed_at", "updated_at"])
    audit_record(
        obj=challenge,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.UPDATED,
        by=actor.user,
        mission=challenge.mission,
        changes={"closed_at": [None, challenge.closed_at.isoformat()]},
    )
    return challenge


IDEA_FIELDS = ("title", "description")


@transaction.atomic
def idea_submit(*, actor: Actor, challenge: InnovationChallenge, data: dict[str, Any]) -> Idea:
    """Submit an idea to an open challenge, with the colleagues who share it as authors. The
    mission's owners are told."""
    require(actor, Action.TAKE_PART, challenge)
    # As stored, and kept so until this idea is in: a close at the same moment waits for it.
    challenge = InnovationChallenge.objects.select_for_update().get(pk=challenge.pk)
    if not challenge.accepts_ideas():
        raise StateConflict(f"This challenge took ideas until {day(challenge.closes_on)}.")
    authors = _members_of(
        actor.organisation, [actor.user, *data.get("co_authors", [])], "co_authors"
    )
    idea = Idea(organisation=actor.organisation, challenge=challenge, submitted_by=actor.user)
    for name in IDEA_FIELDS:
        setattr(idea, name, (data.get(name) or "").strip())
    idea.full_clean()
    idea.save()
    idea.authors.set(authors)
    mission = challenge.mission
    audit_record(
        obj=idea,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.CREATED,
        by=actor.user,
        mission=mission,
    )
    notify(
        recipients=mission_owners(mission),
        kind=Notification.Kind.IDEA_SUBMITTED,
        message=f"A new idea for “{challenge.question}”: {idea.title}"[:500],
        mission=mission,
        by=actor.user,
        url=idea.get_absolute_url(),
    )
    return idea


@transaction.atomic
def idea_update(*, actor: Actor, idea: Idea, data: dict[str, Any]) -> Idea:
    """Its authors change an idea's words until it is taken forward."""
    require(actor, Action.EDIT, idea)
    idea = Idea.objects.select_for_update().select_related("challenge__mission").get(pk=idea.pk)
    if not idea.state_allows(Action.EDIT):
        raise StateConflict("This idea has been taken forward: it stays as it was.")
    changes = apply_changes(
        idea, {k: (v or "").strip() for k, v in data.items() if k in IDEA_FIELDS}, IDEA_FIELDS
    )
    if changes:
        idea.full_clean()
        idea.save()
        audit_record(
            obj=idea,
            organisation=actor.organisation,
            verb=AuditEvent.Verb.UPDATED,
            by=actor.user,
            mission=idea.challenge.mission,
            changes=changes,
        )
    return idea


def _tell_authors(idea: Idea, message: str, *, by: Actor) -> None:
    notify_each(
        [
            Ask(
                recipient_id=author,
                kind=Notification.Kind.IDEA_NEWS,
                message=message[:500],
                mission_id=idea.challenge.mission_id,
                organisation_id=idea.organisation_id,
                url=idea.get_absolute_url(),
            )
            for author in idea.author_ids
            if author != by.user.pk
        ]
    )


@transaction.atomic
def idea_support(*, actor: Actor, idea: Idea, support: bool = True) -> int:
    """Support an idea (or take one's support back) while its challenge takes ideas; one
    support per person, however often asked. Returns how many support it now."""
    require(actor, Action.TAKE_PART, idea)
    challenge = InnovationChallenge.objects.get(pk=idea.challenge_id)  # as stored now
    if not challenge.accepts_ideas():
        raise StateConflict("This challenge is closed: its ideas are being chosen.")
    if actor.user.pk in idea.author_ids:
        raise ValidationError("Support a colleague's idea: yours carries your name already.")
    if support:
        IdeaSupport.objects.bulk_create(
            [IdeaSupport(organisation=idea.organisation, idea=idea, person=actor.user)],
            ignore_conflicts=True,
        )
    else:
        IdeaSupport.objects.filter(idea=idea, person=actor.user).delete()
    return IdeaSupport.objects.filter(idea=idea).count()


@transaction.atomic
def idea_comment(*, actor: Actor, idea: Idea, body: str) -> IdeaComment:
    """Comment on an idea: a question, a build, a concern. Its authors are told."""
    require(actor, Action.TAKE_PART, idea)
    comment = IdeaComment(
        organisation=idea.organisation, idea=idea, author=actor.user, body=body.strip()
    )
    comment.full_clean()
    comment.save()
    name = actor.user.get_full_name() or actor.user.get_username()
    _tell_authors(idea, f"{name} commented on your idea “{idea.title}”: {comment.body}", by=actor)
    return comment


@transaction.atomic
def idea_shortlist(*, actor: Actor, idea: Idea, shortlisted: bool = True) -> Idea:
    """Put an idea on the challenge's shortlist, or take it off; its authors are told when
    it goes on."""
    require(actor, Action.CHOOSE_IDEAS, idea)
    idea = Idea.objects.select_for_update().select_related("challenge__mission").get(pk=idea.pk)
    if idea.status == Idea.Status.ADOPTED:
        raise StateConflict("This idea has been taken forward already.")
    status = Idea.Status.SHORTLISTED if shortlisted else Idea.Status.SUBMITTED
    if idea.status == status:
        return idea
    changes = {"status": [idea.status, status]}
    idea.status = status
    idea.save(update_fields=["status", "updated_at"])
    audit_record(
        obj=idea,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.SHORTLISTED if shortlisted else AuditEvent.Verb.UPDATED,
        by=actor.user,
        mission=idea.challenge.mission,
        changes=changes,
    )
    if shortlisted:
        _tell_authors(idea, f"Your idea “{idea.title}” is on the shortlist.", by=actor)
    return idea


@transaction.atomic
def idea_adopt(*, actor: Actor, idea: Idea, make: Callable[[Idea], KeyTask | Mission]) -> Idea:
    """Take an idea forward as what ``make`` writes of it: a key task of the challenge's
    mission (``key_task_from_idea``) or a mission right under it. What it became stays linked
    to it and credits its authors, who are told. Taken forward once: a second attempt, even
    at the same moment, is refused and writes nothing."""
    require(actor, Action.CHOOSE_IDEAS, idea)
    idea = Idea.objects.select_for_update().select_related("challenge__mission").get(pk=idea.pk)
    if idea.status == Idea.Status.ADOPTED:
        raise StateConflict("This idea has been taken forward already.")
    mission = idea.challenge.mission
    outcome = make(idea)
    if isinstance(outcome, KeyTask):
        if outcome.mission_id != mission.pk:
            raise ValidationError("An idea becomes a key task of its challenge's mission.")
        idea.key_task, became = outcome, f"a key task of “{mission.title}”"
    else:
        if outcome.parent_id != mission.pk:
            raise ValidationError({"mission": ["Choose a mission right under the challenge's."]})
        if Idea.objects.filter(child_mission=outcome).exists():
            raise ValidationError({"mission": ["That mission was taken from another idea."]})
        idea.child_mission, became = outcome, f"the mission “{outcome.title}”"
    changes = {"status": [idea.status, Idea.Status.ADOPTED]}
    idea.status = Idea.Status.ADOPTED
    idea.adopted_by = actor.user
    idea.adopted_at = timezone.now()
    idea.full_clean()
    idea.save()
    audit_record(
        obj=idea,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.ADOPTED,
        by=actor.user,
        mission=mission,
        changes=changes,
        comment=f"As {became}.",
    )
    _tell_authors(idea, f"Your idea “{idea.title}” was taken forward as {became}.", by=actor)
    return idea


def key_task_from_idea(*, actor: Actor, data: dict[str, Any]) -> Callable[[Idea], KeyTask]:
    """What ``idea_adopt`` calls to make a key task of the idea: ``data`` (its title, owner,
    due date) as chosen, its description crediting the idea's authors."""

    def make(idea: Idea) -> KeyTask:
        credit = idea.credit(_credited(idea))
        return key_task_create(
            mission=idea.challenge.mission,
            data={**data, "description": f"{credit}\n\n{idea.description}"[:5_000]},
            by=actor.user,
        )

    return make


# --- Development plans ------------------------------------------------------------------------
# Not written to the audit log on purpose (as coaching notes): the log is read by admins, and a
# person's development is for them, their leader and their coach. Each row carries who wrote it
# and when.

GOAL_FIELDS = ("behaviour", "goal", "actions", "target_on", "status")


def development_plan_of(*, actor: Actor) -> DevelopmentPlan:
    """The actor's own plan in their organisation, started (empty) the first time."""
    plan, _ = DevelopmentPlan.objects.get_or_create(
        organisation=actor.organisation, person=actor.user
    )
    return plan


@transaction.atomic
def development_plan_update(
    *, actor: Actor, plan: DevelopmentPlan, data: dict[str, Any]
) -> DevelopmentPlan:
    """The person writes where they want to grow."""
    require(actor, Action.EDIT, plan)
    plan = DevelopmentPlan.objects.select_for_update().get(pk=plan.pk)
    if apply_changes(plan, {"aspiration": (data.get("aspiration") or "").strip()}, ("aspiration",)):
        plan.full_clean()
        plan.save()
    return plan


@transaction.atomic
def development_goal_add(
    *, actor: Actor, plan: DevelopmentPlan, data: dict[str, Any]
) -> DevelopmentGoal:
    """The person sets a goal on a behaviour of the four themes, with its actions."""
    require(actor, Action.EDIT, plan)
    goal = DevelopmentGoal(organisation=plan.organisation, plan=plan)
    apply_changes(goal, data, GOAL_FIELDS)
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def development_goal_update(
    *, actor: Actor, goal: DevelopmentGoal, data: dict[str, Any]
) -> DevelopmentGoal:
    """The person changes a goal: its words, its actions, its date, achieved or set aside."""
    require(actor, Action.EDIT, goal.plan)
    goal = DevelopmentGoal.objects.select_for_update().get(pk=goal.pk)
    if apply_changes(goal, data, GOAL_FIELDS):
        goal.full_clean()
        goal.save()
    return goal


def _tell_the_person(plan: DevelopmentPlan, message: str, *, by: Actor) -> None:
    if plan.person_id == by.user.pk:
        return
    notify_each(
        [
            Ask(
                recipient_id=plan.person_id,
                kind=Notification.Kind.DEVELOPMENT_NEWS,
                message=message[:500],
                mission_id=None,
                organisation_id=plan.organisation_id,
                url=plan.get_absolute_url(),
            )
        ]
    )


@transaction.atomic
def development_evidence_add(
    *, actor: Actor, goal: DevelopmentGoal, data: dict[str, Any]
) -> DevelopmentEvidence:
    """Note what happened that shows a goal's behaviour: the person, their leader or their
    coach. The person is told when it is someone else."""
    plan = goal.plan
    require(actor, Action.WRITE_NOTE, plan)
    evidence = DevelopmentEvidence(organisation=plan.organisation, goal=goal, by=actor.user)
    apply_changes(evidence, data, ("observed_on", "note"))
    evidence.full_clean()
    evidence.save()
    name = actor.user.get_full_name() or actor.user.get_username()
    _tell_the_person(
        plan,
        f"{name} noted evidence of {goal.get_behaviour_display().lower()}: {evidence.note}",
        by=actor,
    )
    return evidence


def development_review_message(person_name: str) -> str:
    """The inbox item of a review asked: the service and the sweep word it alike."""
    return f"{person_name} asks you to review their development plan with them."


@transaction.atomic
def development_review_ask(
    *, actor: Actor, plan: DevelopmentPlan, reviewer: Any
) -> DevelopmentPlan:
    """The person asks their leader or a coach of theirs to review the plan with them: an item
    in that person's inbox until the review is held (asked of someone else, it moves)."""
    require(actor, Action.EDIT, plan)
    allowed = get_user_model().objects.filter(
        development_reviewers_q(plan.organisation, plan.person_id)
    )
    if reviewer is None or not allowed.filter(pk=reviewer.pk).exists():
        raise ValidationError({"reviewer": ["Choose the leader of your team or a coach of it."]})
    plan = DevelopmentPlan.objects.select_for_update().get(pk=plan.pk)
    plan.review_asked_of = reviewer
    plan.save(update_fields=["review_asked_of", "updated_at"])
    cause = cause_of("development", plan.pk)
    Notification.objects.filter(cause=cause, done_at__isnull=True).exclude(
        recipient_id=reviewer.pk
    ).update(done_at=timezone.now(), done_by=actor.user)
    name = actor.user.get_full_name() or actor.user.get_username()
    notify_each(
        [
            Ask(
                recipient_id=reviewer.pk,
                kind=Notification.Kind.DEVELOPMENT_REVIEW,
                message=development_review_message(name),
                mission_id=None,
                organisation_id=plan.organisation_id,
                url=plan.get_absolute_url(),
                cause=cause,
            )
        ]
    )
    return plan


@transaction.atomic
def development_review_hold(
    *, actor: Actor, plan: DevelopmentPlan, data: dict[str, Any]
) -> DevelopmentReview:
    """The person's leader or coach records a review held with them: what they agreed. The
    review asked leaves the inbox; the person is told."""
    require(actor, Action.REVIEW_DEVELOPMENT, plan)
    plan = DevelopmentPlan.objects.select_for_update().get(pk=plan.pk)
    review = DevelopmentReview(organisation=plan.organisation, plan=plan, reviewer=actor.user)
    apply_changes(review, data, ("held_on", "note"))
    review.full_clean()
    review.save()
    if plan.review_asked_of_id is not None:
        plan.review_asked_of = None
        plan.save(update_fields=["review_asked_of", "updated_at"])
    notifications_done(causes=[cause_of("development", plan.pk)], by=actor.user)
    name = actor.user.get_full_name() or actor.user.get_username()
    _tell_the_person(
        plan, f"{name} reviewed your development plan with you: {review.note}", by=actor
    )
    return review


# --- Coalitions -------------------------------------------------------------------------------
# Organisations as peers in a network: whoever speaks for a member (``Actor.leads_organisation``)
# forms a coalition, invites others, writes its missions and aligns what the other members
# offer; whoever may edit a mission of a member offers it. A member's own rows are written in
# its own scope; whatever another member's action writes there (an alignment, a notification)
# is written inside ``sharing.members_scope``.

COALITION_FIELDS = ("name", "purpose")
COALITION_MISSION_FIELDS = ("title", "intent")


def _tell_leaders(
    organisation: Organisation,
    *,
    kind: str,
    message: str,
    url: str,
    cause: str | None = None,
    by: Actor | None = None,
) -> None:
    """A notification to each person who speaks for ``organisation``, in its own scope."""
    with tenant_scope([organisation.pk]):
        leaders = (
            Membership.objects.filter(organisation=organisation)
            .filter(organisation_leaders_q())
            .values_list("user_id", flat=True)
        )
        notify_each(
            [
                Ask(
                    recipient_id=person,
                    kind=kind,
                    message=message[:500],
                    mission_id=None,
                    organisation_id=organisation.pk,
                    url=url,
                    cause=cause,
                )
                for person in leaders
                if by is None or person != by.user.pk
            ]
        )


def _members(coalition: Coalition, *, exclude: int | None = None) -> list[Organisation]:
    """The coalition's active members (but ``exclude``), read in their scope."""
    with members_scope(coalition):
        return [
            row.member
            for row in coalition.members.filter(status=CoalitionMember.Status.ACTIVE)
            .exclude(member_id=exclude)
            .select_related("member")
        ]


def _tell_members(
    coalition: Coalition, message: str, *, by: Actor, kind: str = Notification.Kind.COALITION_NEWS
) -> None:
    """News of the coalition to the people who speak for its other active members."""
    for organisation in _members(coalition, exclude=by.organisation.pk):
        _tell_leaders(
            organisation, kind=kind, message=message, url=coalition.url_for(organisation), by=by
        )


def coalition_invited_message(coalition: Coalition, by: str) -> str:
    return f"{by} invites your organisation to the coalition “{coalition.name}”."


def contribution_offered_message(contribution: Contribution, by: str) -> str:
    return (
        f"{by} offers its mission “{contribution.mission.title}” to the coalition's mission "
        f"“{contribution.coalition_mission.title}”."
    )


@transaction.atomic
def coalition_form(*, actor: Actor, data: dict[str, Any]) -> Coalition:
    """Form a coalition with a common purpose: the actor's organisation is its first member."""
    if not actor.leads_organisation:
        raise PermissionDenied("Whoever speaks for the organisation forms a coalition.")
    coalition = Coalition(
        convened_by=actor.organisation,
        created_by=actor.user,
        **{name: (data.get(name) or "").strip() for name in COALITION_FIELDS},
    )
    coalition.full_clean()
    coalition.save()
    now = timezone.now()
    CoalitionMember.objects.create(
        coalition=coalition,
        member=actor.organisation,
        status=CoalitionMember.Status.ACTIVE,
        invited_by=actor.user,
        answered_by=actor.user,
        answered_at=now,
    )
    audit_record(
        obj=coalition, organisation=actor.organisation, verb=AuditEvent.Verb.CREATED, by=actor.user
    )
    return coalition


@transaction.atomic
def coalition_update(*, actor: Actor, coalition: Coalition, data: dict[str, Any]) -> Coalition:
    require(actor, Action.LEAD_COALITION, coalition)
    changes = apply_changes(coalition, data, COALITION_FIELDS)
    coalition.full_clean()
    if changes:
        coalition.save()
        audit_record(
            obj=coalition,
            organisation=actor.organisation,
            verb=AuditEvent.Verb.UPDATED,
            by=actor.user,
            changes=changes,
        )
    return coalition


@transaction.atomic
def coalition_invite(*, actor: Actor, coalition: Coalition, address: str) -> CoalitionMember:
    """Invite the organisation at ``address`` (its pages' ``/o/<address>/``); its leaders are
    asked in their inbox. One that declined or left may be invited again."""
    require(actor, Action.LEAD_COALITION, coalition)
    organisation = organisation_at(address or "")
    if organisation is None:
        raise ValidationError({"address": ["No organisation has that address."]})
    row = (
        CoalitionMember.objects.select_for_update()
        .filter(coalition=coalition, member=organisation)
        .first()
    )
    if row is not None and row.status in (Coalition.ACTIVE, Coalition.INVITED):
        raise ValidationError(
            {"address": [f"{organisation.name} is {row.get_status_display().lower()} already."]}
        )
    if row is None:
        row = CoalitionMember(coalition=coalition, member=organisation)
    row.member = organisation  # as found across organisations: its name is shown
    row.status = CoalitionMember.Status.INVITED
    row.invited_by, row.invited_at = actor.user, timezone.now()
    row.answered_by = row.answered_at = row.left_at = None
    row.save()
    coalition.forget_members()
    audit_record(
        obj=coalition,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.INVITED,
        by=actor.user,
        comment=organisation.name,
    )
    _tell_leaders(
        organisation,
        kind=Notification.Kind.COALITION_INVITED,
        message=coalition_invited_message(coalition, actor.organisation.name),
        url=coalition.url_for(organisation),
        cause=cause_of("coalition", row.pk),
    )
    return row


@transaction.atomic
def coalition_answer(*, actor: Actor, coalition: Coalition, join: bool) -> CoalitionMember:
    """Join the coalition, or decline: once per invitation, by whoever speaks for the
    organisation invited. The other members hear of a new member."""
    require(actor, Action.VIEW, coalition)  # a 404 to an organisation it does not invite
    row = CoalitionMember.objects.select_for_update().get(
        coalition=coalition, member=actor.organisation
    )
    if row.status != CoalitionMember.Status.INVITED:
        raise StateConflict("This invitation has been answered already.")
    require(actor, Action.JOIN_COALITION, coalition)
    row.status = CoalitionMember.Status.ACTIVE if join else CoalitionMember.Status.DECLINED
    row.answered_by, row.answered_at = actor.user, timezone.now()
    row.save()
    coalition.forget_members()
    notifications_done(causes=[cause_of("coalition", row.pk)], by=actor.user)
    audit_record(
        obj=coalition,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.JOINED if join else AuditEvent.Verb.DECLINED,
        by=actor.user,
    )
    verb = "joined" if join else "declined to join"
    _tell_members(coalition, f"{actor.organisation.name} {verb} “{coalition.name}”.", by=actor)
    return row


@transaction.atomic
def coalition_leave(*, actor: Actor, coalition: Coalition) -> CoalitionMember:
    """Leave the coalition: the organisation's contributions are withdrawn (its missions and
    everything else of its own stay as they are) and the coalition no longer reads them."""
    require(actor, Action.LEAD_COALITION, coalition)
    row = CoalitionMember.objects.select_for_update().get(
        coalition=coalition, member=actor.organisation
    )
    if row.status != CoalitionMember.Status.ACTIVE:
        raise StateConflict("Your organisation has left this coalition already.")
    with members_scope(coalition):
        withdrawn = list(
            Contribution.objects.select_for_update().filter(
                organisation=actor.organisation,
                coalition_mission__coalition=coalition,
                status__in=[Contribution.Status.OFFERED, Contribution.Status.ALIGNED],
            )
        )
        Contribution.objects.filter(pk__in=[c.pk for c in withdrawn]).update(
            status=Contribution.Status.WITHDRAWN, updated_at=timezone.now()
        )
        # The offers waiting in the other members' inboxes are answered by the leaving.
        notifications_done(
            causes=[cause_of("contribution", c.pk) for c in withdrawn], by=actor.user
        )
    row.status, row.left_at = CoalitionMember.Status.LEFT, timezone.now()
    row.save()
    for contribution in withdrawn:
        audit_record(
            obj=contribution,
            organisation=actor.organisation,
            verb=AuditEvent.Verb.WITHDRAWN,
            by=actor.user,
            mission=contribution.mission,
            comment=f"On leaving “{coalition.name}”.",
        )
    audit_record(
        obj=coalition, organisation=actor.organisation, verb=AuditEvent.Verb.LEFT, by=actor.user
    )
    coalition.forget_members()
    _tell_members(coalition, f"{actor.organisation.name} left “{coalition.name}”.", by=actor)
    return row


@transaction.atomic
def coalition_mission_write(
    *,
    actor: Actor,
    coalition: Coalition,
    data: dict[str, Any],
    mission: CoalitionMission | None = None,
) -> CoalitionMission:
    """Write a mission of the coalition (or change one): for whoever speaks for a member."""
    require(actor, Action.LEAD_COALITION, coalition)
    if mission is None:
        mission = CoalitionMission(
            coalition=coalition, written_by=actor.organisation, created_by=actor.user
        )
        verb = AuditEvent.Verb.CREATED
    elif mission.coalition_id != coalition.pk:
        raise ValidationError("That mission is another coalition's.")
    else:
        verb = AuditEvent.Verb.UPDATED
    changes = apply_changes(
        mission,
        {name: (data.get(name) or "").strip() for name in COALITION_MISSION_FIELDS if name in data},
        COALITION_MISSION_FIELDS,
    )
    mission.full_clean()
    mission.save()
    audit_record(
        obj=mission,
        organisation=actor.organisation,
        verb=verb,
        by=actor.user,
        changes=changes if verb == AuditEvent.Verb.UPDATED else None,
    )
    return mission


@transaction.atomic
def contribution_offer(
    *, actor: Actor, coalition_mission: CoalitionMission, mission: Mission, how: str = ""
) -> Contribution:
    """Offer one of the organisation's missions to a coalition's mission: for whoever may
    edit it, while the organisation is an active member. The other members' leaders are
    asked to align it."""
    require(actor, Action.VIEW, coalition_mission)
    if mission.organisation_id != actor.organisation.pk or not can(actor, Action.EDIT, mission):
        raise ValidationError({"mission": ["Choose a mission of yours."]})
    if mission.status == Mission.Status.ARCHIVED:
        raise ValidationError({"mission": ["An archived mission contributes nothing."]})
    contribution = Contribution(
        organisation=actor.organisation,
        coalition_mission=coalition_mission,
        mission=mission,
        how=(how or "").strip(),
        offered_by=actor.user,
    )
    contribution.full_clean()  # the once-at-a-time constraint: a clear error, not a 500
    try:
        with transaction.atomic():
            contribution.save()
    except IntegrityError as error:  # offered at the same moment by someone else
        raise StateConflict("This mission is already offered to that mission.") from error
    audit_record(
        obj=contribution,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.OFFERED,
        by=actor.user,
        mission=mission,
        comment=f"To “{coalition_mission.title}” of “{coalition_mission.coalition.name}”.",
    )
    coalition = coalition_mission.coalition
    for organisation in _members(coalition, exclude=actor.organisation.pk):
        _tell_leaders(
            organisation,
            kind=Notification.Kind.CONTRIBUTION_OFFERED,
            message=contribution_offered_message(contribution, actor.organisation.name),
            url=coalition.url_for(organisation),
            cause=cause_of("contribution", contribution.pk),
        )
    return contribution


def contribution_answer(
    *, actor: Actor, contribution: Contribution, align: bool, comment: str = ""
) -> Contribution:
    """Align a contribution offered by another member (or decline it, saying why): once, by
    whoever speaks for another active member. The member that offered it is told."""
    coalition = contribution.coalition_mission.coalition
    with members_scope(coalition):  # the contribution is the other member's row
        locked = (
            Contribution.objects.select_for_update(of=("self",))
            .select_related("mission", "organisation", "coalition_mission__coalition")
            .get(pk=contribution.pk)
        )
        if locked.status != Contribution.Status.OFFERED:
            raise StateConflict("This contribution has been answered already.")
        require(actor, Action.ALIGN, locked)
        if not align and not comment.strip():
            raise ValidationError({"answer": ["Say why, so the member can offer a better one."]})
        changes = {"status": [locked.status, "aligned" if align else "declined"]}
        locked.status = Contribution.Status.ALIGNED if align else Contribution.Status.DECLINED
        locked.answered_by, locked.answered_at = actor.user, timezone.now()
        locked.answer = comment.strip()
        locked.full_clean()
        locked.save()
        notifications_done(causes=[cause_of("contribution", locked.pk)], by=actor.user)
        audit_record(  # in the mission's own history
            obj=locked,
            organisation=locked.organisation,
            verb=AuditEvent.Verb.ALIGNED if align else AuditEvent.Verb.DECLINED,
            by=actor.user,
            mission=locked.mission,
            changes=changes,
            comment=locked.answer,
        )
        word = "aligned" if align else "declined"
        message = (
            f"{actor.organisation.name} {word} your mission “{locked.mission.title}” as a "
            f"contribution to “{locked.coalition_mission.title}”."
        )
        if locked.offered_by_id is not None:
            notify_each(
                [
                    Ask(
                        recipient_id=locked.offered_by_id,
                        kind=Notification.Kind.COALITION_NEWS,
                        message=message[:500],
                        mission_id=locked.mission_id,
                        organisation_id=locked.organisation_id,
                        url=coalition.url_for(locked.organisation),
                    )
                ]
            )
    return locked


@transaction.atomic
def contribution_withdraw(*, actor: Actor, contribution: Contribution) -> Contribution:
    """Withdraw one's own contribution, offered or aligned."""
    require(actor, Action.EDIT, contribution)
    locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if not locked.state_allows("edit"):
        raise StateConflict("This contribution is no longer offered.")
    locked.status = Contribution.Status.WITHDRAWN
    locked.save()
    with members_scope(contribution.coalition_mission.coalition):
        notifications_done(causes=[cause_of("contribution", locked.pk)], by=actor.user)
    audit_record(
        obj=locked,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.WITHDRAWN,
        by=actor.user,
        mission=contribution.mission,
    )
    return locked


@transaction.atomic
def coalition_link(
    *, actor: Actor, contribution: Contribution, depends_on: Contribution, description: str
) -> CoalitionLink:
    """Say what one's aligned contribution needs from another member's: the interdependencies
    between members, on the coalition's page."""
    require(actor, Action.EDIT, contribution)
    aligned = Contribution.Status.ALIGNED
    if contribution.status != aligned:
        raise ValidationError("Only an aligned contribution depends on others.")
    if (
        depends_on.status != aligned
        or depends_on.coalition_mission.coalition_id != contribution.coalition_mission.coalition_id
        or depends_on.organisation_id == contribution.organisation_id
    ):
        raise ValidationError(
            {"depends_on": ["Choose another member's aligned contribution to this coalition."]}
        )
    link = CoalitionLink(
        organisation=actor.organisation,
        contribution=contribution,
        depends_on=depends_on,
        description=(description or "").strip(),
        created_by=actor.user,
    )
    # Its key to the other member's contribution is validated where that row can be read.
    with members_scope(contribution.coalition_mission.coalition):
        link.full_clean()
        link.save()
    audit_record(
        obj=link,
        organisation=actor.organisation,
        verb=AuditEvent.Verb.CREATED,
        by=actor.user,
        mission=contribution.mission,
    )
    return link
