"""The one place that answers "may this user do this to this object?".

Every web view and every API endpoint asks here. The rules speak of missions, KPIs and reviews
through what they carry (an organisation, an owner, a parent, a path), so this module imports
none of the apps whose objects it judges. The rules:

- a person who is not a member of the organisation sees nothing of it (views answer 404);
- every member may read the vision, the cascade, missions, KPIs and reviews of their
  organisation ("understand what everyone else is doing");
- the organisation admin may do everything in the organisation;
- a mission's owner (the person, or the leader of the owning team) edits it, proposes it,
  writes child missions under it and checks in its KPIs;
- the parent mission's owner (the boss) edits, aligns and sends back the missions under theirs;
- members of the team that owns a mission may write their individual mission under it, and
  leaders of the teams right under that team their team's mission;
- leaders of a top team edit the vision and write organisation missions;
- a coach reads, and never writes anything of the cascade;
- dashboards: staff see the organisation's only when it allows it, their own team's always;
  a coach sees the teams they coach (``dashboard_teams``);
- a coaching note is read by its coach and its coachee only, bosses and admins included;
- anyone challenges a mission's priorities; who owns the mission above it answers (for a top
  mission, its owner), or the organisation admin;
- an action learning group is read and written by its members only (its facilitator plans
  its sessions), leaders and admins included, as coaching notes are;
- a stakeholder map is kept by whoever may edit its mission (a person's own map: by that
  person) and read by them and by the owner of each stakeholder's communication plan;
- a mission's place in the cascade is its bosses' decision, not its owner's (``can_move``);
- whoever may edit a mission saves it as a template; every member reads the organisation's
  templates; their author or an organisation admin removes one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from . import tree
from .models import CoachAssignment, Membership, Organisation, Team
from .querysets import owned_by_person

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .types import User


class Mission(Protocol):
    """A mission as the rules read it: its organisation, its owner (a person or a team), its
    parent and its materialized ``path``. The missions app's model is the one there is; the
    kernel never imports it."""

    @property
    def organisation_id(self) -> int: ...
    @property
    def owner_user_id(self) -> int | None: ...
    @property
    def owner_team_id(self) -> int | None: ...
    @property
    def parent_id(self) -> int | None: ...
    @property
    def parent(self) -> Mission | None: ...
    @property
    def path(self) -> str: ...


Role = Membership.Role


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    ARCHIVE = "archive"
    CREATE_CHILD = "create_child"
    PROPOSE = "propose"
    ALIGN = "align"  # align or send back
    CHECK_IN = "check_in"
    CREATE_TOP_MISSION = "create_top_mission"
    EDIT_VISION = "edit_vision"
    MANAGE_ORGANISATION = "manage_organisation"
    VIEW_DASHBOARD = "view_dashboard"
    WRITE_COACHING_NOTE = "write_coaching_note"
    # One's own weekly brief: of the part of the cascade one owns or leads (reviews.brief).
    VIEW_BRIEF = "view_brief"
    # A contact with a stakeholder, logged against its communication plan.
    LOG_CONTACT = "log_contact"
    # "Be brave": challenge a mission's priorities; answering is for who sets them.
    CHALLENGE = "challenge"
    ANSWER_CHALLENGE = "answer_challenge"
    # A note in an action learning group's session.
    WRITE_NOTE = "write_note"
    # Innovation: submitting, commenting on and supporting ideas; shortlisting them and
    # taking them forward.
    TAKE_PART = "take_part"
    CHOOSE_IDEAS = "choose_ideas"
    # Development plans: holding a review of one with its person.
    REVIEW_DEVELOPMENT = "review_development"
    # Coalitions: speaking for the organisation in one it belongs to (inviting others, writing
    # its missions, aligning the contributions offered, leaving), and answering an invitation.
    LEAD_COALITION = "lead_coalition"
    JOIN_COALITION = "join_coalition"
    # The conversation on the work: commenting on a mission, KPI, key task or review (any
    # member who sees it); correcting or removing a comment (``_comment_rules``).
    COMMENT = "comment"
    # Integrations: the organisation's webhooks, Slack and Microsoft Teams addresses, which
    # carry its events out of the product.
    MANAGE_INTEGRATIONS = "manage_integrations"
    # Mission templates: saving a mission as one (whoever may edit it); removing one of the
    # organisation's own (its author, or an organisation admin: ``_mission_template_rules``).
    SAVE_AS_TEMPLATE = "save_as_template"


@dataclass(frozen=True)
class Actor:
    """A user as seen from one organisation: their role, team and the teams they lead."""

    user: User
    organisation: Organisation
    role: str
    team_id: int | None
    led_team_ids: frozenset[int] = field(default_factory=frozenset)
    # The teams right above the ones they lead: a leader writes their team's mission under
    # the mission of the team above (the seed's step one, "1-up").
    teams_above_led: frozenset[int] = field(default_factory=frozenset)
    leads_top_team: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_coach(self) -> bool:
        return self.role == Role.COACH

    @property
    def leads_organisation(self) -> bool:
        """Speaks for the organisation to others (in coalitions): an admin, or a leader of a
        top team."""
        return self.is_admin or self.leads_top_team

    def owns(self, mission: Mission) -> bool:
        """The mission is theirs, in person or through a team they lead."""
        if mission.owner_user_id is not None:
            return bool(mission.owner_user_id == self.user.pk)
        return mission.owner_team_id in self.led_team_ids


def actor_for(user: User | AnonymousUser, organisation: Organisation) -> Actor | None:
    """The user's standing in the organisation, or None for outsiders. Two queries."""
    if not user.is_authenticated:
        return None
    membership = (
        Membership.objects.filter(organisation=organisation, user=user, deactivated_at=None)
        .values("role", "team_id")
        .first()
    )
    if membership is None:
        return None
    led = list(
        Team.objects.filter(organisation=organisation, leader=user).values_list("id", "parent_id")
    )
    return Actor(
        user=user,
        organisation=organisation,
        role=membership["role"],
        team_id=membership["team_id"],
        led_team_ids=frozenset(team_id for team_id, _ in led),
        teams_above_led=frozenset(parent_id for _, parent_id in led if parent_id is not None),
        leads_top_team=any(parent_id is None for _, parent_id in led),
    )


def can(actor: Actor | None, action: Action, obj: Any = None) -> bool:
    """Whether ``actor`` may do ``action`` to ``obj`` (a mission, KPI, review, or None).
    An object that names other rules (``permission_rules``: a stakeholder, a contact) is
    judged by them."""
    if actor is None or not _same_organisation(actor, obj):
        return False
    rules = _OBJECT_RULES.get(getattr(obj, "permission_rules", ""))
    if rules is not None:
        return rules(actor, action, obj)
    if action in (Action.VIEW, Action.VIEW_BRIEF, Action.CHALLENGE, Action.COMMENT):
        return True
    if action is Action.VIEW_DASHBOARD:
        return actor.role != Role.STAFF or actor.organisation.staff_see_dashboard
    if action is Action.WRITE_COACHING_NOTE:
        return actor.is_coach  # about whom: ``can_write_coaching_note``
    if actor.is_coach:
        return False  # coaches read; they never write the cascade
    mission = _mission_of(obj)
    if action in (Action.PROPOSE, Action.ALIGN) and (mission is None or mission.parent_id is None):
        return False  # a top-level mission has nothing above it to align with
    if actor.is_admin:
        return True
    if action in (Action.MANAGE_ORGANISATION, Action.MANAGE_INTEGRATIONS):
        return False
    if action in (Action.EDIT_VISION, Action.CREATE_TOP_MISSION):
        return actor.leads_top_team
    if mission is None:
        return False
    if action is Action.PROPOSE:
        return actor.owns(mission)
    if action is Action.ALIGN:
        return _is_boss_of(actor, mission)
    if action is Action.CREATE_CHILD:
        return actor.owns(mission) or (
            mission.owner_team_id is not None
            and (
                mission.owner_team_id == actor.team_id
                or mission.owner_team_id in actor.teams_above_led
            )
        )
    if action in (Action.EDIT, Action.ARCHIVE, Action.CHECK_IN, Action.SAVE_AS_TEMPLATE):
        return actor.owns(mission) or _is_boss_of(actor, mission)
    return False


def editable_missions_q(actor: Actor) -> models.Q:
    """``Action.EDIT`` on missions as a filter, for lists of them (the pickers of a move):
    the missions the actor owns, and those right under a mission they own; all of them for
    the organisation admin, none for a coach. ``can`` stays the judge of one mission."""
    if actor.is_coach:
        return models.Q(pk__in=[])
    if actor.is_admin:
        return models.Q()
    return owned_by_person(actor.user.pk, led_team_ids=actor.led_team_ids) | owned_by_person(
        actor.user.pk, led_team_ids=actor.led_team_ids, prefix="parent__"
    )


def abilities(actor: Actor | None, obj: Any, actions: dict[str, Action]) -> dict[str, bool]:
    """What a page offers the actor to do to ``obj`` now, by name: ``can``, and allowed by the
    object's state where it has one (``obj.state_allows(action)``: a mission is proposed only
    from a draft or after a send-back). The services refuse the same states."""
    state_allows = getattr(obj, "state_allows", None)
    return {
        name: can(actor, action, obj) and (state_allows is None or state_allows(action))
        for name, action in actions.items()
    }


def can_move(actor: Actor | None, mission: Mission, new_parent: Mission | None) -> bool:
    """Whether ``actor`` may move ``mission`` (as stored: its current parent) under
    ``new_parent``, or to the top when it is None.

    Where a mission sits decides who aligns it and who may edit it, so its owner alone never
    moves it: that would take it out of their boss's sight. Leaving its place is for whoever
    owns the mission above it, or a mission further up (for a mission at the top: its owner
    or a leader of a top team); its new place must be one the actor commands in the same way
    or may write a mission under, and the top only for those who write top missions.
    Organisation admins move anything within the organisation; coaches nothing.
    """
    if actor is None or not _same_organisation(actor, mission):
        return False
    if new_parent is not None and not _same_organisation(actor, new_parent):
        return False
    if actor.is_coach:
        return False
    if actor.is_admin:
        return True
    parent = mission.parent if mission.parent_id is not None else None
    if parent is None:
        leaves = actor.owns(mission) or actor.leads_top_team
    else:
        leaves = _commands(actor, parent)
    if not leaves:
        return False
    if new_parent is None:
        return can(actor, Action.CREATE_TOP_MISSION)
    return _commands(actor, new_parent) or can(actor, Action.CREATE_CHILD, new_parent)


def _commands(actor: Actor, mission: Mission) -> bool:
    """The actor owns the mission or a mission above it (one query for the ancestors)."""
    if actor.owns(mission):
        return True
    ancestors = tree.ancestor_ids(mission.path)
    if not ancestors:
        return False
    if not isinstance(mission, models.Model):
        raise TypeError(f"{mission!r} is not a stored mission.")
    return (
        type(mission)
        ._default_manager.filter(pk__in=ancestors)  # its ``TreeQuerySet.ancestors_of``
        .filter(owned_by_person(actor.user.pk, led_team_ids=actor.led_team_ids))
        .exists()
    )


def require(actor: Actor | None, action: Action, obj: Any = None) -> None:
    """Raise 404 for outsiders and ``PermissionDenied`` (403) for members who may not."""
    if actor is None or not _same_organisation(actor, obj):
        raise Http404
    if not can(actor, action, obj):
        raise PermissionDenied


def _is_boss_of(actor: Actor, mission: Mission) -> bool:
    parent = mission.parent if mission.parent_id is not None else None
    return parent is not None and actor.owns(parent)


def _mission_of(obj: Any) -> Mission | None:
    """The mission itself, or the mission a KPI, key task or review belongs to."""
    if hasattr(obj, "owner_team_id") and hasattr(obj, "path"):
        return obj
    return getattr(obj, "mission", None)


def _same_organisation(actor: Actor, obj: Any) -> bool:
    """The object is of the actor's organisation, or (a coalition's) shared with it."""
    if obj is None:
        return True
    shared_with = getattr(obj, "shared_with", None)
    if shared_with is not None:
        return bool(shared_with(actor.organisation.pk))
    if isinstance(obj, Organisation):
        return obj.pk == actor.organisation.pk
    organisation_id = getattr(obj, "organisation_id", None)
    if organisation_id is None:
        mission = _mission_of(obj)
        organisation_id = mission.organisation_id if mission is not None else None
    return organisation_id == actor.organisation.pk


# --- Dashboards and coaching notes -------------------------------------------------------------
# The dashboards show alignment figures; who sees which teams' figures is decided here, like
# every other permission. ``None`` as a scope means "every team of the organisation".


def dashboard_teams(actor: Actor) -> list[Team] | None:
    """The teams whose dashboards the actor may open (each with its sub-teams), or None for
    every team. One query for a coach or for staff kept off the organisation dashboard.

    - a coach: the teams of their ``CoachAssignment`` rows; an assignment without a team is
      the whole organisation;
    - staff, when ``Organisation.staff_see_dashboard`` is off: their own team;
    - everyone else (leaders, admins, staff when the setting is on): every team.
    """
    if actor.is_coach:
        assignments = list(
            CoachAssignment.objects.filter(
                organisation=actor.organisation, coach=actor.user
            ).select_related("team")
        )
        if any(a.team_id is None for a in assignments):
            return None
        return [a.team for a in assignments if a.team is not None]
    if actor.role == Role.STAFF and not actor.organisation.staff_see_dashboard:
        if actor.team_id is None:
            return []  # no team of their own: no team's dashboard
        return list(Team.objects.filter(pk=actor.team_id, organisation=actor.organisation))
    return None


def team_in_scope(team: Team, scope: list[Team] | None) -> bool:
    """The team is one of ``scope`` or under one of them (``None``: every team)."""
    if scope is None:
        return True
    return any(
        team.pk == root.pk or team.path.startswith(tree.child_path(root.path, root.pk))
        for root in scope
    )


def can_view_team_dashboard(actor: Actor | None, team: Team, scope: list[Team] | None) -> bool:
    """Whether the actor may open ``team``'s dashboard; ``scope`` is ``dashboard_teams(actor)``."""
    if actor is None or team.organisation_id != actor.organisation.pk:
        return False
    return team_in_scope(team, scope)


def can_read_coaching_note(actor: Actor | None, note: Any) -> bool:
    """A coaching note is read by the coach who wrote it and by its coachee; by nobody else,
    bosses and organisation admins included ("safe spaces to admit our uncertainty")."""
    if actor is None or note.organisation_id != actor.organisation.pk:
        return False
    return actor.user.pk in (note.coach_id, note.coachee_id)


def can_write_coaching_note(
    actor: Actor | None, coachee: Membership, scope: list[Team] | None
) -> bool:
    """A coach writes notes about the members of the teams they coach (anyone in the
    organisation for a whole-organisation coach), never about themselves. ``coachee`` is the
    person's membership with its team loaded; ``scope`` is ``dashboard_teams(actor)``."""
    if actor is None or not actor.is_coach or coachee.organisation_id != actor.organisation.pk:
        return False
    if coachee.user_id == actor.user.pk:
        return False
    if scope is None:
        return True
    return coachee.team is not None and team_in_scope(coachee.team, scope)


# --- Influence: stakeholder maps ---------------------------------------------------------------
# A stakeholder analysis says what its author thinks of people, often of colleagues (their
# values and interests, "sceptical"): it is kept by those who answer for the mission it serves
# and read by them and by whoever owns the stakeholder's communication plan, not by every
# member who may read the mission, nor by the person mapped.


def can_keep_stakeholder_map(actor: Actor | None, mission: Mission | None) -> bool:
    """A mission's stakeholder map is kept by whoever may edit the mission (its owner, their
    boss, the organisation admin; never a coach); a person's own map (``mission`` None) by
    every member, for themselves."""
    if actor is None:
        return False
    if mission is None:
        return True
    return can(actor, Action.EDIT, mission)


def _keeps_map_of(actor: Actor, stakeholder: Any) -> bool:
    if stakeholder.mission_id is None:
        return bool(stakeholder.leader_id == actor.user.pk)
    return can(actor, Action.EDIT, stakeholder.mission)


def _stakeholder_rules(actor: Actor, action: Action, stakeholder: Any) -> bool:
    """Its map's keepers do everything to a stakeholder; the owner of its communication plan
    reads it and logs contacts."""
    if _keeps_map_of(actor, stakeholder):
        return True
    return action in (Action.VIEW, Action.LOG_CONTACT) and (
        stakeholder.plan_owner_id == actor.user.pk
    )


def _contact_rules(actor: Actor, action: Action, contact: Any) -> bool:
    """A logged contact is read by whoever reads its stakeholder, and stays as written."""
    return action is Action.VIEW and _stakeholder_rules(actor, action, contact.stakeholder)


def visible_stakeholders_q(actor: Actor, prefix: str = "") -> models.Q:
    """``Action.VIEW`` on stakeholders (reached through ``prefix``) as a filter: those of the
    maps the actor keeps and those whose plan they own. ``can`` stays the judge of one."""
    own = models.Q(**{f"{prefix}mission__isnull": True, f"{prefix}leader_id": actor.user.pk})
    plans = models.Q(**{f"{prefix}plan_owner_id": actor.user.pk})
    if actor.is_coach:
        return own | plans
    missions = models.Q(**{f"{prefix}mission__isnull": False})
    if not actor.is_admin:
        user, led = actor.user.pk, actor.led_team_ids
        missions &= owned_by_person(
            user, led_team_ids=led, prefix=f"{prefix}mission__"
        ) | owned_by_person(user, led_team_ids=led, prefix=f"{prefix}mission__parent__")
    return own | plans | missions


# --- "Be brave": challenges to priorities ---------------------------------------------------


def answers_for_priorities(actor: Actor, mission: Mission) -> bool:
    """Who answers a challenge to a mission's priorities: who set them, the owner of the
    mission above (of a top mission, its owner), or the organisation admin; never a coach."""
    if actor.is_coach:
        return False
    if actor.is_admin:
        return True
    above = mission.parent if mission.parent_id is not None else mission
    return above is not None and actor.owns(above)


def _challenge_rules(actor: Actor, action: Action, challenge: Any) -> bool:
    """Every member reads a challenge (it is raised in the open, on the mission's page);
    answering it is for who answers for the mission's priorities."""
    if action is Action.VIEW:
        return True
    if action is Action.ANSWER_CHALLENGE:
        return answers_for_priorities(actor, challenge.mission)
    return False


# --- Action learning groups ------------------------------------------------------------------


def _learning_group_rules(actor: Actor, action: Action, group: Any) -> bool:
    """A safe space: its members read it and write in it; its facilitator also plans its
    sessions and changes who is in it. Nobody else, leaders and admins included. A group
    open to a coalition takes part (a person joins it) from any of its member organisations
    until it is full."""
    if actor.user.pk not in group.member_ids:
        return action is Action.TAKE_PART and group.coalition_id is not None and not group.is_full()
    if action is Action.TAKE_PART:
        return False  # in it already
    if action in (Action.VIEW, Action.WRITE_NOTE):
        return True
    return bool(action is Action.EDIT and group.facilitator_id == actor.user.pk)


def _learning_session_rules(actor: Actor, action: Action, session: Any) -> bool:
    return _learning_group_rules(actor, action, session.group)


# --- Peer recognition ------------------------------------------------------------------------


def _recognition_rules(actor: Actor, action: Action, recognition: Any) -> bool:
    """A recognition is read by who gave it, who received it, the leader of the receiver's
    team and the coach of that team; it is kept as given."""
    if action is not Action.VIEW:
        return False
    if actor.user.pk in (recognition.giver_id, recognition.receiver_id):
        return True
    if recognition.team_id is None:
        return False
    if recognition.team_id in actor.led_team_ids:
        return True
    return actor.is_coach and team_in_scope(recognition.team, dashboard_teams(actor))


def visible_recognitions_q(actor: Actor) -> models.Q:
    """``Action.VIEW`` on recognitions as a filter (``_recognition_rules``)."""
    user = actor.user.pk
    seen = models.Q(giver_id=user) | models.Q(receiver_id=user)
    seen |= models.Q(team_id__in=actor.led_team_ids)
    if actor.is_coach:
        scope = dashboard_teams(actor)
        if scope is None:
            return models.Q()
        for root in scope:
            seen |= models.Q(team_id=root.pk) | models.Q(
                team__path__startswith=tree.child_path(root.path, root.pk)
            )
    return seen


# --- Innovation challenges and ideas -----------------------------------------------------------


def _invited(actor: Actor, challenge: Any) -> bool:
    """Whether the challenge invites the actor: it invites everyone, or their team is one of
    its teams or under one (one query for their team's place)."""
    invited = challenge.team_ids
    if not invited:
        return True
    if actor.team_id is None:
        return False
    if actor.team_id in invited:
        return True
    path = Team.objects.filter(pk=actor.team_id).values_list("path", flat=True).first() or ""
    return not invited.isdisjoint(tree.ancestor_ids(path))


def _innovation_rules(actor: Actor, action: Action, challenge: Any) -> bool:
    """Every member reads a challenge and its ideas (an exchange in the open). Whoever may
    edit its mission opened it, closes it, and shortlists and takes forward its ideas; they
    and the people it invites take part."""
    if action is Action.VIEW:
        return True
    keeps = can(actor, Action.EDIT, challenge.mission)
    if action in (Action.EDIT, Action.CHOOSE_IDEAS):
        return keeps
    if action is Action.TAKE_PART:
        return keeps or _invited(actor, challenge)
    return False


def _idea_rules(actor: Actor, action: Action, idea: Any) -> bool:
    """An idea is its authors' to change; the rest as its challenge."""
    if action is Action.EDIT:
        return actor.user.pk in idea.author_ids
    return _innovation_rules(actor, action, idea.challenge)


# --- Development plans ------------------------------------------------------------------------
# A person's development plan is theirs: they write it. The leader of their team and their coach
# (as for recognition) read it, add evidence and hold its reviews; nobody else, organisation
# admins included.


def _supports_development_of(actor: Actor, person_id: int) -> bool:
    """The actor leads the person's team, or coaches it (one query for the person's team)."""
    membership = (
        Membership.objects.filter(organisation=actor.organisation, user_id=person_id)
        .select_related("team")
        .first()
    )
    if membership is None:
        return False
    if membership.team_id is not None and membership.team_id in actor.led_team_ids:
        return True
    if not actor.is_coach:
        return False
    scope = dashboard_teams(actor)
    return scope is None or (membership.team is not None and team_in_scope(membership.team, scope))


def _development_plan_rules(actor: Actor, action: Action, plan: Any) -> bool:
    if actor.user.pk == plan.person_id:
        return action in (Action.VIEW, Action.EDIT, Action.WRITE_NOTE)
    if action not in (Action.VIEW, Action.WRITE_NOTE, Action.REVIEW_DEVELOPMENT):
        return False
    return _supports_development_of(actor, plan.person_id)


def development_reviewers_q(organisation: Organisation, person_id: int) -> models.Q:
    """Who may hold a review of a person's plan, as a filter on users: the leader of their
    team and the coaches of it (of a team above it, of the whole organisation)."""
    team = (
        Team.objects.filter(memberships__organisation=organisation, memberships__user_id=person_id)
        .values("pk", "path", "leader_id")
        .first()
    )
    coaches = CoachAssignment.objects.filter(organisation=organisation, team__isnull=True)
    if team is None:
        return models.Q(pk__in=coaches.values("coach_id"))
    covering = [team["pk"], *tree.ancestor_ids(team["path"])]
    coaches = CoachAssignment.objects.filter(organisation=organisation).filter(
        models.Q(team__isnull=True) | models.Q(team_id__in=covering)
    )
    leader = models.Q(pk=team["leader_id"]) if team["leader_id"] else models.Q(pk__in=[])
    return (leader | models.Q(pk__in=coaches.values("coach_id"))) & ~models.Q(pk=person_id)


def visible_development_plans_q(actor: Actor) -> models.Q:
    """``Action.VIEW`` on development plans as a filter: one's own, and those of the people
    of the teams one leads or coaches."""
    own = models.Q(person_id=actor.user.pk)
    members = Membership.objects.filter(organisation=actor.organisation)
    teams = models.Q(team_id__in=actor.led_team_ids)
    if actor.is_coach:
        scope = dashboard_teams(actor)
        if scope is None:
            return own | models.Q(person_id__in=members.values("user_id"))
        for root in scope:
            teams |= models.Q(team_id=root.pk) | models.Q(
                team__path__startswith=tree.child_path(root.path, root.pk)
            )
    return own | models.Q(person_id__in=members.filter(teams).values("user_id"))


# --- Coalitions ------------------------------------------------------------------------------
# A coalition belongs to no organisation: its members share it as peers ("nodes, not hubs"). Its
# rows are read through ``shared_with`` (the organisations it is shared with: ``require`` gives
# everyone else a 404) and judged here. What a member sees of another is chosen by the
# coalition's selector: the contributions aligned, with their missions' KPIs, and nothing else.


def _coalition_rules(actor: Actor, action: Action, coalition: Any) -> bool:
    """Every member of an active member reads it; an invited organisation's leaders read it
    and answer; an active member's leaders lead it."""
    status = coalition.status_of(actor.organisation.pk)
    active = status == coalition.ACTIVE
    if action is Action.VIEW:
        return active or (status == coalition.INVITED and actor.leads_organisation)
    if action is Action.LEAD_COALITION:
        return active and actor.leads_organisation
    if action is Action.JOIN_COALITION:
        return status == coalition.INVITED and actor.leads_organisation
    return False


def _coalition_mission_rules(actor: Actor, action: Action, mission: Any) -> bool:
    """A coalition's mission is every active member's to read and their leaders' to edit."""
    if action is Action.EDIT:
        action = Action.LEAD_COALITION
    return _coalition_rules(actor, action, mission.coalition)


def _contribution_rules(actor: Actor, action: Action, contribution: Any) -> bool:
    """A contribution is offered by its own organisation (whoever may edit the mission; they
    change or withdraw it) and aligned by a leader of another member: consent on both sides.
    Every active member reads it."""
    coalition = contribution.coalition_mission.coalition
    own = contribution.organisation_id == actor.organisation.pk
    if action is Action.VIEW:  # its own organisation's history, even once it has left
        return own or _coalition_rules(actor, Action.VIEW, coalition)
    if action is Action.EDIT:
        return own and can(actor, Action.EDIT, contribution.mission)
    if action is Action.ALIGN:
        return not own and _coalition_rules(actor, Action.LEAD_COALITION, coalition)
    return False


def organisation_leaders_q(prefix: str = "") -> models.Q:
    """The people who speak for an organisation (``Actor.leads_organisation``), as a filter
    of its memberships: its admins and the leaders of its top teams."""
    top_team_leader = Team.objects.filter(
        organisation_id=models.OuterRef(f"{prefix}organisation_id"),
        parent__isnull=True,
        leader_id=models.OuterRef(f"{prefix}user_id"),
    )
    return models.Q(**{f"{prefix}role": Role.ADMIN}) | models.Q(models.Exists(top_team_leader))


def _comment_rules(actor: Actor, action: Action, comment: Any) -> bool:
    """A comment is read by whoever sees its mission (everyone of the organisation) and
    answered by any of them; its author corrects it (for a while: the service's rule) and
    removes it, and an organisation admin removes it too."""
    if action in (Action.VIEW, Action.COMMENT):
        return True
    mine = comment.author_id == actor.user.pk
    if action is Action.EDIT:
        return mine
    return action is Action.ARCHIVE and (mine or actor.is_admin)


def _mission_template_rules(actor: Actor, action: Action, template: Any) -> bool:
    """Every member reads the organisation's templates (and uses them wherever they may write
    a mission); its author removes one, and an organisation admin; a coach writes nothing."""
    if action is Action.VIEW:
        return True
    if action is not Action.ARCHIVE or actor.is_coach:
        return False
    return actor.is_admin or template.created_by_id == actor.user.pk


_OBJECT_RULES = {
    "mission_template": _mission_template_rules,
    "comment": _comment_rules,
    "coalition": _coalition_rules,
    "coalition_mission": _coalition_mission_rules,
    "contribution": _contribution_rules,
    "development_plan": _development_plan_rules,
    "innovation": _innovation_rules,
    "idea": _idea_rules,
    "recognition": _recognition_rules,
    "stakeholder": _stakeholder_rules,
    "contact": _contact_rules,
    "challenge": _challenge_rules,
    "learning_group": _learning_group_rules,
    "learning_session": _learning_session_rules,
}
