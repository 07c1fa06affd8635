"""The permission module as a matrix: role × same/other organisation × action × object."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kernel.permissions import Action, abilities, actor_for, can, require
from missions.models import MissionTemplate
from reviews.models import Comment
from tests.measures.factories import KpiFactory

pytestmark = pytest.mark.django_db

PERSONAS = ("leader", "lead", "staff", "coach", "org_admin", "outsider")
A = Action

# For each (action, object): the personas who may. Everyone else may not.
# leader = CEO, leads the top team that owns org_mission; lead leads the team that owns
# team_mission; staff (in lead's team) owns staff_mission; outsider is in another organisation.
MATRIX: dict[tuple[Action, str], set[str]] = {
    (A.VIEW, "org_mission"): {"leader", "lead", "staff", "coach", "org_admin"},
    (A.VIEW, "staff_mission"): {"leader", "lead", "staff", "coach", "org_admin"},
    (A.VIEW, "other_mission"): {"outsider"},
    (A.EDIT, "org_mission"): {"leader", "org_admin"},
    (A.EDIT, "team_mission"): {"leader", "lead", "org_admin"},  # owner and boss
    (A.EDIT, "staff_mission"): {"lead", "staff", "org_admin"},  # not the boss's boss
    (A.EDIT, "other_mission"): {"outsider"},
    (A.ARCHIVE, "team_mission"): {"leader", "lead", "org_admin"},
    (A.CREATE_CHILD, "org_mission"): {"leader", "lead", "org_admin"},  # lead: team below
    (A.CREATE_CHILD, "team_mission"): {"lead", "staff", "org_admin"},  # staff: own mission
    (A.CREATE_CHILD, "staff_mission"): {"staff", "org_admin"},
    (A.PROPOSE, "org_mission"): set(),  # nothing above it
    (A.PROPOSE, "team_mission"): {"lead", "org_admin"},
    (A.PROPOSE, "staff_mission"): {"staff", "org_admin"},
    (A.ALIGN, "org_mission"): set(),
    (A.ALIGN, "team_mission"): {"leader", "org_admin"},
    (A.ALIGN, "staff_mission"): {"lead", "org_admin"},
    (A.CHECK_IN, "team_kpi"): {"leader", "lead", "org_admin"},
    (A.CHECK_IN, "staff_kpi"): {"lead", "staff", "org_admin"},
    (A.CHECK_IN, "other_kpi"): {"outsider"},
    (A.EDIT_VISION, "organisation"): {"leader", "org_admin"},
    (A.CREATE_TOP_MISSION, "organisation"): {"leader", "org_admin"},
    (A.MANAGE_ORGANISATION, "organisation"): {"org_admin"},
    (A.VIEW_DASHBOARD, "organisation"): {"leader", "lead", "staff", "coach", "org_admin"},
    # Everyone may open their brief: what it holds is their own part of the cascade.
    (A.VIEW_BRIEF, "organisation"): {"leader", "lead", "staff", "coach", "org_admin"},
    (A.VIEW_BRIEF, "other_organisation"): {"outsider"},
    (A.EDIT_VISION, "other_organisation"): {"outsider"},
    (A.MANAGE_ORGANISATION, "other_organisation"): set(),
    # Integrations carry the organisation's events out of it: its admins only.
    (A.MANAGE_INTEGRATIONS, "organisation"): {"org_admin"},
    (A.MANAGE_INTEGRATIONS, "other_organisation"): set(),
    (A.WRITE_COACHING_NOTE, "organisation"): {"coach"},  # about whom: can_write_coaching_note
    # Influence: a stakeholder on staff_mission's map is kept by its editors and read by its
    # plan's owner (leader), who logs contacts but does not change the analysis.
    (A.VIEW, "stakeholder"): {"leader", "lead", "staff", "org_admin"},
    (A.EDIT, "stakeholder"): {"lead", "staff", "org_admin"},
    (A.LOG_CONTACT, "stakeholder"): {"leader", "lead", "staff", "org_admin"},
    # Be brave: anyone challenges; the owner of the mission above (lead) answers.
    (A.CHALLENGE, "staff_mission"): {"leader", "lead", "staff", "coach", "org_admin"},
    (A.CHALLENGE, "other_mission"): {"outsider"},
    (A.ANSWER_CHALLENGE, "challenge"): {"lead", "org_admin"},
    # Action learning: the group's people (coach facilitates; staff and lead) and nobody else.
    (A.VIEW, "learning_group"): {"coach", "staff", "lead"},
    (A.EDIT, "learning_group"): {"coach"},
    (A.WRITE_NOTE, "learning_session"): {"coach", "staff", "lead"},
    # Innovation: a challenge on staff_mission for the Board and the teams under it (all but
    # the coach, who has no team); its keepers are staff_mission's editors; staff's idea.
    (A.VIEW, "innovation"): {"leader", "lead", "staff", "coach", "org_admin"},
    (A.EDIT, "innovation"): {"lead", "staff", "org_admin"},
    (A.TAKE_PART, "innovation"): {"leader", "lead", "staff", "org_admin"},
    (A.VIEW, "idea"): {"leader", "lead", "staff", "coach", "org_admin"},
    (A.EDIT, "idea"): {"staff"},
    (A.TAKE_PART, "idea"): {"leader", "lead", "staff", "org_admin"},
    (A.CHOOSE_IDEAS, "idea"): {"lead", "staff", "org_admin"},
    # Development: staff's plan; lead leads staff's team; the coach coaches everyone.
    (A.VIEW, "development_plan"): {"staff", "lead", "coach"},
    (A.EDIT, "development_plan"): {"staff"},
    (A.WRITE_NOTE, "development_plan"): {"staff", "lead", "coach"},
    (A.REVIEW_DEVELOPMENT, "development_plan"): {"lead", "coach"},
    # Coalitions, across organisations: each persona as seen from their own organisation.
    # "coalition": acme and other are both members; "invitation": other is invited. Those who
    # speak for an organisation (its admins, its top team's leaders) lead and answer.
    (A.VIEW, "coalition"): {"leader", "lead", "staff", "coach", "org_admin", "outsider"},
    (A.LEAD_COALITION, "coalition"): {"leader", "org_admin", "outsider"},
    (A.JOIN_COALITION, "coalition"): set(),
    (A.VIEW, "invitation"): {"leader", "lead", "staff", "coach", "org_admin", "outsider"},
    (A.LEAD_COALITION, "invitation"): {"leader", "org_admin"},
    (A.JOIN_COALITION, "invitation"): {"outsider"},
    (A.VIEW, "coalition_mission"): {"leader", "lead", "staff", "coach", "org_admin", "outsider"},
    (A.EDIT, "coalition_mission"): {"leader", "org_admin", "outsider"},
    # staff_mission offered by acme: changed by its editors, aligned by the other member.
    (A.VIEW, "contribution"): {"leader", "lead", "staff", "coach", "org_admin", "outsider"},
    (A.EDIT, "contribution"): {"lead", "staff", "org_admin"},
    (A.ALIGN, "contribution"): {"outsider"},
    # The conversation: every member comments on what they see (coaches too: talking is not
    # writing the cascade); staff's comment is corrected by staff, removed by staff or admins.
    (A.COMMENT, "staff_mission"): {"leader", "lead", "staff", "coach", "org_admin"},
    (A.COMMENT, "staff_kpi"): {"leader", "lead", "staff", "coach", "org_admin"},
    (A.VIEW, "comment"): {"leader", "lead", "staff", "coach", "org_admin"},
    (A.EDIT, "comment"): {"staff"},
    (A.ARCHIVE, "comment"): {"staff", "org_admin"},
    (A.ALIGN, "partner_contribution"): {"leader", "org_admin"},
    # A learning group: joined by nobody; open to the coalition (coach and staff in it), by
    # anyone of its member organisations who is not in it yet; read by its people only.
    (A.TAKE_PART, "learning_group"): set(),
    (A.TAKE_PART, "coalition_group"): {"leader", "lead", "org_admin", "outsider"},
    (A.VIEW, "coalition_group"): {"coach", "staff"},
    (A.EDIT, "partner_contribution"): {"outsider"},
    # Templates: whoever may edit a mission saves it as one; lead's template is read by every
    # member and removed by lead and the admin.
    (A.SAVE_AS_TEMPLATE, "staff_mission"): {"lead", "staff", "org_admin"},
    (A.SAVE_AS_TEMPLATE, "other_mission"): {"outsider"},
    (A.VIEW, "mission_template"): {"leader", "lead", "staff", "coach", "org_admin"},
    (A.ARCHIVE, "mission_template"): {"lead", "org_admin"},
}


def _objects(world):
    return {
        "organisation": world.organisation,
        "other_organisation": world.other_organisation,
        "org_mission": world.org_mission,
        "team_mission": world.team_mission,
        "staff_mission": world.staff_mission,
        "other_mission": world.other_mission,
        "team_kpi": KpiFactory(mission=world.team_mission),
        "staff_kpi": KpiFactory(mission=world.staff_mission),
        "other_kpi": KpiFactory(mission=world.other_mission),
        "comment": Comment.objects.create(
            organisation=world.organisation,
            mission=world.staff_mission,
            author=world.staff,
            body="Second ward in May?",
        ),
        "mission_template": MissionTemplate.objects.create(
            organisation=world.organisation, name="Wards", title="Open wards", created_by=world.lead
        ),
        **_leadership_objects(world),
    }


def _leadership_objects(world):
    from leadership.models import LearningGroup, LearningSession, PriorityChallenge, Stakeholder

    stakeholder = Stakeholder.objects.create(
        organisation=world.organisation,
        mission=world.staff_mission,
        name="Patients' council",
        why="Trust.",
        influence=4,
        interest=5,
        plan_owner=world.leader,
    )
    challenge = PriorityChallenge.objects.create(
        organisation=world.organisation,
        mission=world.staff_mission,
        kind="too_much",
        statement="Too much at once.",
        raised_by=world.staff,
    )
    group = LearningGroup.objects.create(
        organisation=world.organisation, name="Set", facilitator=world.coach
    )
    group.members.set([world.coach, world.staff, world.lead])
    session = LearningSession.objects.create(
        organisation=world.organisation,
        group=group,
        held_on=world.staff_mission.period_start,
        topic="Saying no",
    )
    from leadership.models import Idea, InnovationChallenge

    innovation = InnovationChallenge.objects.create(
        organisation=world.organisation,
        mission=world.staff_mission,
        question="How could one nurse watch more beds?",
        closes_on=world.staff_mission.period_end,
    )
    innovation.teams.set([world.top_team])
    idea = Idea.objects.create(
        organisation=world.organisation,
        challenge=innovation,
        title="Night dashboards",
        description="Sorted by who needs a call first.",
        submitted_by=world.staff,
    )
    idea.authors.set([world.staff])
    from leadership.models import DevelopmentPlan

    development_plan = DevelopmentPlan.objects.create(
        organisation=world.organisation, person=world.staff
    )
    return {
        **_coalition_objects(world),
        "development_plan": development_plan,
        "innovation": innovation,
        "idea": idea,
        "stakeholder": stakeholder,
        "challenge": challenge,
        "learning_group": group,
        "learning_session": session,
    }


def _coalition_objects(world):
    from leadership.models import (
        Coalition,
        CoalitionMember,
        CoalitionMission,
        Contribution,
        LearningGroup,
    )

    def coalition(name, other_status):
        made = Coalition.objects.create(name=name, purpose="Together.")
        for organisation, status in (
            (world.organisation, "active"),
            (world.other_organisation, other_status),
        ):
            CoalitionMember.objects.create(coalition=made, member=organisation, status=status)
        return made

    shared = coalition("Home first", "active")
    mission = CoalitionMission.objects.create(coalition=shared, title="No one waits")
    group = LearningGroup.objects.create(
        organisation=world.organisation, name="Peers", facilitator=world.coach, coalition=shared
    )
    group.members.set([world.coach, world.staff])
    return {
        "coalition_group": group,
        "coalition": shared,
        "invitation": coalition("Invited", "invited"),
        "coalition_mission": mission,
        "contribution": Contribution.objects.create(
            organisation=world.organisation, coalition_mission=mission, mission=world.staff_mission
        ),
        "partner_contribution": Contribution.objects.create(
            organisation=world.other_organisation,
            coalition_mission=mission,
            mission=world.other_mission,
        ),
    }


def _actor(world, persona, obj):
    """The persona as seen from the organisation the object belongs to; a coalition's rows,
    shared by organisations, from the persona's own."""
    if hasattr(obj, "shared_with"):
        own = world.other_organisation if persona == "outsider" else world.organisation
        return actor_for(getattr(world, persona), own)
    organisation = getattr(obj, "organisation", obj)
    return actor_for(getattr(world, persona), organisation)


@pytest.mark.parametrize(("action", "target"), list(MATRIX))
def test_the_permission_matrix(world, action, target) -> None:
    obj = _objects(world)[target]
    allowed = {p for p in PERSONAS if can(_actor(world, p, obj), action, obj)}
    assert allowed == MATRIX[(action, target)]


def test_every_action_is_in_the_matrix() -> None:
    assert {action for action, _ in MATRIX} == set(Action)


def test_a_member_asking_about_another_organisations_object_is_refused(world) -> None:
    actor = actor_for(world.org_admin, world.organisation)
    assert not can(actor, A.VIEW, world.other_mission)
    with pytest.raises(Http404):
        require(actor, A.VIEW, world.other_mission)


def test_require_answers_404_to_outsiders_and_403_to_members(world) -> None:
    assert actor_for(world.outsider, world.organisation) is None
    with pytest.raises(Http404):
        require(None, A.VIEW, world.org_mission)
    with pytest.raises(PermissionDenied):
        require(actor_for(world.coach, world.organisation), A.EDIT, world.org_mission)
    require(actor_for(world.lead, world.organisation), A.EDIT, world.team_mission)


def test_staff_may_be_kept_off_the_organisation_dashboard(world) -> None:
    world.organisation.staff_see_dashboard = False
    world.organisation.save()
    assert not can(actor_for(world.staff, world.organisation), A.VIEW_DASHBOARD)
    assert can(actor_for(world.lead, world.organisation), A.VIEW_DASHBOARD)


def test_the_actor_costs_two_queries(world, django_assert_num_queries) -> None:
    with django_assert_num_queries(2):  # membership; teams led
        actor = actor_for(world.lead, world.organisation)
    assert actor.led_team_ids == {world.team.pk}
    assert not actor.leads_top_team


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        ("draft", {"propose"}),
        ("sent_back", {"propose"}),
        ("proposed", {"align"}),
        ("aligned", set()),
    ],
)
def test_a_page_offers_an_alignment_step_only_from_the_states_it_starts_from(
    world, status, offered
) -> None:
    """The owner and the boss together (an organisation admin) may do both steps; the
    mission's state decides which one the page offers, as the services decide which they do."""
    mission = world.staff_mission
    mission.alignment_status = status
    actor = actor_for(world.org_admin, mission.organisation)
    steps = {"propose": Action.PROPOSE, "align": Action.ALIGN, "edit": Action.EDIT}
    may = abilities(actor, mission, steps)
    assert {name for name in ("propose", "align") if may[name]} == offered
    assert may["edit"]  # editing is no step of the conversation
