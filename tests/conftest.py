"""Shared fixtures: one small organisation with its personas, and a second one outside it.

demo-like organisation "acme"
  top team "Board"      led by ``leader`` (the CEO)   owns ``org_mission``
    team "Operations"   led by ``lead``               owns ``team_mission`` (child)
      ``staff``         member of Operations          owns ``staff_mission`` (grandchild)
  ``coach``  coach of the whole organisation
  ``org_admin``  organisation admin
``outsider``  a leader in another organisation "other"
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import factory.random
import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from kernel.models import CoachAssignment, Membership
from missions.models import Interdependency, KeyTask, Mission
from tests.missions.factories import (
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
    VisionFactory,
)
from tests.smtp import Mailbox

Role = Membership.Role
# A page of an organisation, and an API request, runs in one transaction that row-level
# security limits to its organisation(s) (kernel.tenancy). In production that costs one
# statement (the setting); inside a test's own transaction it costs four: a savepoint, the
# setting, the test's scope put back, and the savepoint's release. Query budgets add these.
TENANT_SCOPE_QUERIES = 4
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright tests use the ORM from the test thread while the browser drives live_server.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Every test starts with an empty cache: rate-limit counts (and anything else cached) do
    not leak from one test into the next."""
    cache.clear()


@pytest.fixture(autouse=True)
def _the_same_names_every_run(request: pytest.FixtureRequest) -> None:
    """The factories' fake names and words are drawn from a generator seeded by the test's
    own id, so a test meets the same people on every run: a test that passed once cannot
    fail later because a random surname happened to match its search (a lead drawn as
    "Kayla Taylor" came first in a picker that one run typed "taylor" into)."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture
def mailbox(settings: Any) -> Iterator[Mailbox]:
    """A real SMTP server, and Django's SMTP backend pointed at it for this test."""
    with Mailbox() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.SITE_URL = "http://missions.example.test"
        yield server


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Debian's Chromium, headless, with nothing that reaches the internet."""
    return {"executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS, "headless": True}


@dataclass
class World:
    organisation: Any
    other_organisation: Any
    top_team: Any
    team: Any
    leader: Any
    lead: Any
    staff: Any
    coach: Any
    org_admin: Any
    outsider: Any
    org_mission: Mission
    team_mission: Mission
    staff_mission: Mission
    other_mission: Mission


@pytest.fixture
def world(db: None) -> World:
    organisation = OrganisationFactory(name="Acme Health", slug="acme")
    VisionFactory(organisation=organisation)
    leader, lead, staff, coach, org_admin = (
        UserFactory(username=name) for name in ("ceo", "lead", "staff", "coach", "admin")
    )
    top_team = TeamFactory(organisation=organisation, name="Board", leader=leader)
    team = TeamFactory(organisation=organisation, name="Operations", parent=top_team, leader=lead)
    for user, role, member_of in (
        (leader, Role.LEADER, top_team),
        (lead, Role.LEADER, team),
        (staff, Role.STAFF, team),
        (coach, Role.COACH, None),
        (org_admin, Role.ADMIN, None),
    ):
        MembershipFactory(organisation=organisation, user=user, role=role, team=member_of)
    CoachAssignment.objects.create(organisation=organisation, coach=coach)

    org_mission = MissionFactory(
        organisation=organisation,
        level=Mission.Level.ORGANISATION,
        owner_team=top_team,
        title="Care closer to home",
    )
    team_mission = MissionFactory(
        parent=org_mission, level=Mission.Level.TEAM, owner_team=team, title="Community wards"
    )
    staff_mission = MissionFactory(
        parent=team_mission,
        level=Mission.Level.INDIVIDUAL,
        owner_user=staff,
        title="Open two virtual wards",
    )

    other = OrganisationFactory(name="Other Org", slug="other")
    outsider = UserFactory(username="outsider")
    other_team = TeamFactory(organisation=other, name="Other board", leader=outsider)
    MembershipFactory(organisation=other, user=outsider, role=Role.LEADER, team=other_team)
    other_mission = MissionFactory(
        organisation=other, level=Mission.Level.ORGANISATION, owner_team=other_team
    )
    return World(
        organisation=organisation,
        other_organisation=other,
        top_team=top_team,
        team=team,
        leader=leader,
        lead=lead,
        staff=staff,
        coach=coach,
        org_admin=org_admin,
        outsider=outsider,
        org_mission=org_mission,
        team_mission=team_mission,
        staff_mission=staff_mission,
        other_mission=other_mission,
    )


@pytest.fixture
def leader(world: World) -> Any:
    return world.leader


@pytest.fixture
def staff(world: World) -> Any:
    return world.staff


@pytest.fixture
def coach(world: World) -> Any:
    return world.coach


@pytest.fixture
def outsider(world: World) -> Any:
    return world.outsider


@dataclass
class ApiWorld:
    """One object of every API resource in "acme", around ``staff_mission``."""

    world: World
    vision: Any
    kpi: Any
    check_in: Any
    key_task: Any
    link: Any
    review: Any
    finding: Any
    notification: Any
    invitation: Any
    invitation_token: str
    stakeholder: Any
    challenge: Any
    learning_group: Any
    learning_session: Any
    recognition: Any
    innovation: Any
    idea: Any
    development_plan: Any
    development_goal: Any
    coalition: Any
    coalition_mission: Any
    contribution: Any
    offered_contribution: Any
    comment: Any
    webhook_endpoint: Any
    webhook_delivery: Any
    mission_template: Any
    period: Any


@pytest.fixture
def api_world(world: World) -> ApiWorld:
    """``world`` plus a KPI with a check-in, a key task, a support request, a scheduled review
    and a finding on ``staff_mission``, a notification to ``lead``, a pending invitation and
    a stakeholder on ``staff_mission``'s map whose plan ``ceo`` owns, and a coalition of
    "acme" and "other" with one mission, to which ``org_mission`` is aligned and
    ``other_mission`` offered, and which the learning group is open to (for the security
    matrix and the fuzzing run)."""
    from kernel.models import Notification
    from measures.services import kpi_refresh_figures
    from reviews.models import Comment, Finding, Review
    from tests.measures.factories import CheckInFactory, KpiFactory

    kpi = KpiFactory(mission=world.staff_mission, name="Virtual ward beds")
    check_in = CheckInFactory(kpi=kpi, author=world.staff)
    kpi_refresh_figures(kpi=kpi)
    key_task = KeyTask.objects.create(
        mission=world.staff_mission, title="Recruit two nurses", owner=world.staff
    )
    link = Interdependency.objects.create(
        organisation=world.organisation,
        from_mission=world.staff_mission,
        to_mission=world.team_mission,
        kind=Interdependency.Kind.DEPENDS_ON,
        description="Transport for the home visits.",
        created_by=world.staff,
    )
    today = timezone.localdate()
    review = Review.objects.create(mission=world.staff_mission, due_date=today)
    now = timezone.now()
    finding = Finding.objects.create(
        organisation=world.organisation,
        mission=world.staff_mission,
        kind=Finding.Kind.NO_KPI,
        severity=Finding.Severity.WARNING,
        message="No measure of success.",
        opened_at=now,
        last_seen_at=now,
    )
    notification = Notification.objects.create(
        organisation=world.organisation,
        recipient=world.lead,
        kind=Notification.Kind.ALIGNMENT_REQUESTED,
        message="“Open two virtual wards” waits for your alignment.",
        mission=world.staff_mission,
    )
    from kernel.services import invitation_create

    invitation = invitation_create(
        organisation=world.organisation,
        email="newcomer@example.org",
        role=Role.STAFF,
        team=world.team,
        by=world.org_admin,
    )
    from leadership.models import Stakeholder

    stakeholder = Stakeholder.objects.create(
        organisation=world.organisation,
        mission=world.staff_mission,
        name="Patients' council",
        why="Their voice decides whether the wards are trusted.",
        influence=4,
        interest=5,
        stance=-1,
        desired_stance=1,
        plan_owner=world.leader,
        cadence_days=30,
        next_contact_on=today,
    )
    from leadership.models import PriorityChallenge

    challenge = PriorityChallenge.objects.create(
        organisation=world.organisation,
        mission=world.staff_mission,
        kind=PriorityChallenge.Kind.TOO_MUCH,
        statement="Two wards and the winter rota at once: one of them slips.",
        raised_by=world.staff,
    )
    from leadership.models import LearningGroup, LearningSession

    nurse = UserFactory(username="nurse")
    MembershipFactory(organisation=world.organisation, user=nurse, role=Role.STAFF, team=world.team)
    learning_group = LearningGroup.objects.create(
        organisation=world.organisation, name="New leaders' set", facilitator=world.coach
    )
    learning_group.members.set([world.coach, world.staff, world.lead, nurse])
    learning_session = LearningSession.objects.create(
        organisation=world.organisation, group=learning_group, held_on=today, topic="Saying no"
    )
    from leadership.models import Recognition

    recognition = Recognition.objects.create(
        organisation=world.organisation,
        giver=world.org_admin,
        receiver=world.staff,
        team=world.team,
        behaviour="earning_trust",
        story="Sat with the night team until the new rota made sense to them.",
    )
    from leadership.models import Idea, InnovationChallenge

    # Opened on staff_mission (its keepers: staff, lead, the admin) for Operations (lead,
    # staff, nurse); staff's idea.
    innovation = InnovationChallenge.objects.create(
        organisation=world.organisation,
        mission=world.staff_mission,
        question="How could one nurse watch over more beds at night?",
        closes_on=today + dt.timedelta(days=14),
        opened_by=world.staff,
    )
    innovation.teams.set([world.team])
    idea = Idea.objects.create(
        organisation=world.organisation,
        challenge=innovation,
        title="Night dashboards on the ward tablet",
        description="Readings from the home kits, sorted by who needs a call first.",
        submitted_by=world.staff,
    )
    idea.authors.set([world.staff])
    from leadership.models import DevelopmentGoal, DevelopmentPlan

    # staff's development plan: read by staff, lead (leads Operations) and the coach.
    development_plan = DevelopmentPlan.objects.create(
        organisation=world.organisation, person=world.staff, aspiration="Lead a ward team."
    )
    development_goal = DevelopmentGoal.objects.create(
        organisation=world.organisation,
        plan=development_plan,
        behaviour="communicating_with_impact",
        goal="Say the one thing the board must decide, in the first minute.",
    )
    from leadership.models import Coalition, CoalitionMember, CoalitionMission, Contribution

    # Formed by acme's CEO and joined by other's leader; each offered one mission, acme's is
    # aligned (by other's leader), other's waits for acme's leaders.
    coalition = Coalition.objects.create(
        name="Home first",
        purpose="People leave hospital on the day they are ready, into the care they need.",
        convened_by=world.organisation,
        created_by=world.leader,
    )
    for organisation, by in (
        (world.organisation, world.leader),
        (world.other_organisation, world.outsider),
    ):
        CoalitionMember.objects.create(
            coalition=coalition,
            member=organisation,
            status=CoalitionMember.Status.ACTIVE,
            invited_by=world.leader,
            answered_by=by,
            answered_at=now,
        )
    coalition_mission = CoalitionMission.objects.create(
        coalition=coalition,
        title="No one waits in hospital for care",
        written_by=world.organisation,
        created_by=world.leader,
    )
    contribution = Contribution.objects.create(
        organisation=world.organisation,
        coalition_mission=coalition_mission,
        mission=world.org_mission,
        how="Discharge before noon.",
        status=Contribution.Status.ALIGNED,
        offered_by=world.leader,
        answered_by=world.outsider,
        answered_at=now,
    )
    # The action learning group is open to the coalition: the people of its members who are
    # not in it may join it.
    learning_group.coalition = coalition
    learning_group.save(update_fields=["coalition"])
    offered_contribution = Contribution.objects.create(
        organisation=world.other_organisation,
        coalition_mission=coalition_mission,
        mission=world.other_mission,
        how="Home care within 48 hours.",
        offered_by=world.outsider,
    )
    comment = Comment.objects.create(
        organisation=world.organisation,
        mission=world.staff_mission,
        author=world.staff,
        body="Can we open the second ward in May?",
    )
    # A webhook endpoint of "acme", turned off (so that nothing the other tests do is sent to
    # it), with one delivery in its log.
    from kernel.models import WebhookDelivery, WebhookEndpoint
    from kernel.webhooks import new_secret

    webhook_endpoint = WebhookEndpoint.objects.create(
        organisation=world.organisation,
        name="Data warehouse",
        url="https://hooks.example.org/missions",
        events=["check_in.created"],
        secret=new_secret(),
        is_active=False,
        disabled_reason="Turned off by the tests.",
    )
    webhook_delivery = WebhookDelivery.objects.create(
        organisation=world.organisation,
        endpoint=webhook_endpoint,
        message_id="msg_test",
        event="check_in.created",
        payload={"type": "check_in.created", "timestamp": "2026-12-01T00:00:00Z", "data": {}},
        status=WebhookDelivery.Status.FAILED,
        error="Not sent: the endpoint is turned off.",
    )
    from missions.models import MissionTemplate

    mission_template = MissionTemplate.objects.create(
        organisation=world.organisation,
        name="Virtual wards",
        title="Open a virtual ward",
        created_by=world.lead,
    )
    from missions.models import Period

    period = Period.objects.create(
        organisation=world.organisation,
        name="FY2027",
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2027, 3, 31),
    )
    return ApiWorld(
        world=world,
        comment=comment,
        webhook_endpoint=webhook_endpoint,
        webhook_delivery=webhook_delivery,
        mission_template=mission_template,
        period=period,
        coalition=coalition,
        coalition_mission=coalition_mission,
        contribution=contribution,
        offered_contribution=offered_contribution,
        development_plan=development_plan,
        development_goal=development_goal,
        innovation=innovation,
        idea=idea,
        stakeholder=stakeholder,
        recognition=recognition,
        challenge=challenge,
        learning_group=learning_group,
        learning_session=learning_session,
        invitation=invitation,
        invitation_token=invitation.token,
        vision=world.organisation.vision,
        kpi=kpi,
        check_in=check_in,
        key_task=key_task,
        link=link,
        review=review,
        finding=finding,
        notification=notification,
    )


@pytest.fixture
def at_the_start_of_an_hour(time_machine: Any) -> None:
    """The clock moved to the start of the next hour, and running from there. The log-in
    limits count in fixed windows (a minute, an hour); a test that sends a run of attempts
    must not see its window roll over halfway, which a slow machine made happen now and then."""
    now = dt.datetime.now(dt.UTC)
    time_machine.move_to(now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1))


# When the tests were collected: many modules read ``TODAY = timezone.localdate()`` then.
COLLECTED_AT = timezone.now()


@pytest.fixture(autouse=True)
def _on_the_day_of_collection() -> Iterator[None]:
    """A run that crosses midnight keeps the day its modules were collected on: their
    ``TODAY`` and ``days()`` would otherwise be yesterday's against the code's today (a clean
    run started at 23:55 failed nine tests after midnight). A run within one day is untouched."""
    if timezone.localdate() == timezone.localdate(COLLECTED_AT):
        yield
        return
    with time_machine.travel(COLLECTED_AT, tick=True):
        yield
