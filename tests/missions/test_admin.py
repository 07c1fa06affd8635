"""The Django admin: every page of our three apps opens, lists stay bounded, records that are
append-only stay so, and admin writes keep the cascade's materialized paths right."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    ApiToken,
    BrowserSession,
    OrganisationSSO,
    Profile,
    ScimGroup,
    ScimToken,
    ScimUser,
)
from accounts.scim.tokens import scim_token_create
from accounts.sso.services import sso_save
from accounts.tokens import api_token_create
from kernel import tree
from kernel.audit import audit_record
from kernel.models import AuditEvent, Invitation, Membership, Notification, Team
from kernel.services import invitation_create
from measures.models import CheckIn, ForecastCalibration, Kpi
from missions.models import Interdependency, KeyTask, Mission, Period, Vision
from missions.services import mission_template_create
from reviews.models import (
    AlignmentSnapshot,
    BriefClaim,
    CalendarFeed,
    CoachingNote,
    DigestClaim,
    Finding,
    MissionScore,
    Reminder,
    Review,
    SearchEntry,
    SubtreeSnapshot,
)
from reviews.services.comments import comment_post
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.factories import MissionFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

# The registry as the URLs fill it (the settings install the admin without autodiscovery):
# read at collection, where an empty one would leave the tests below with no model to test.
admin.autodiscover()
OUR_APPS = {"missions", "measures", "reviews", "accounts"}
OUR_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in OUR_APPS),
    key=lambda model: model._meta.label,
)
# The Mission changelist, whatever the number of rows:
#   1 session, 2 user, 3 count of the filtered rows, 4 the page of missions with their
#   organisation, parent and owners joined in, 5 the organisations of the filter sidebar.
MISSION_CHANGELIST_QUERIES = 5


def _url(model: type, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser() -> Any:
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def admin_client(client: Any, superuser: Any) -> Any:
    client.force_login(superuser)
    return client


@pytest.fixture
def full_world(world: Any) -> Any:
    """The ``world`` with a row in every table the admin shows."""
    kpi = KpiFactory(mission=world.team_mission, name="Patients treated at home")
    CheckInFactory(kpi=kpi, author=world.lead, value=25)
    KeyTask.objects.create(mission=world.team_mission, title="Hire nurses", owner=world.lead)
    Interdependency.objects.create(
        organisation=world.organisation,
        from_mission=world.staff_mission,
        to_mission=world.team_mission,
        kind=Interdependency.Kind.DEPENDS_ON,
    )
    Review.objects.create(mission=world.team_mission, due_date=dt.date(2026, 2, 1))
    audit_record(
        obj=world.org_mission,
        organisation=world.organisation,
        verb="created",
        by=world.leader,
        mission=world.org_mission,
    )
    Notification.objects.create(
        organisation=world.organisation,
        recipient=world.staff,
        kind="aligned",
        message="Your mission is aligned.",
        mission=world.staff_mission,
    )
    # What the checks, the reminder sweep and coaches write.
    review = Review.objects.get(mission=world.team_mission)
    Reminder.objects.create(review=review, kind="due", recipient=world.lead)
    now = timezone.now()
    Finding.objects.create(
        organisation=world.organisation,
        mission=world.team_mission,
        kind="no_kpi",
        severity="warning",
        message="No measure of success.",
        opened_at=now,
        last_seen_at=now,
    )
    MissionScore.objects.create(
        organisation=world.organisation, mission=world.team_mission, score=90
    )
    AlignmentSnapshot.objects.create(
        organisation=world.organisation,
        run_date=dt.date(2026, 2, 1),
        score=90,
        missions=3,
        open_findings=1,
    )
    SubtreeSnapshot.objects.create(
        organisation=world.organisation,
        team=world.team,
        run_date=dt.date(2026, 2, 1),
        score=90,
        missions=3,
        open_findings=1,
    )
    ForecastCalibration.objects.create(
        organisation=world.organisation, knots=[[0.5, 0.6]], outcomes=40, learnt_at=now
    )
    CoachingNote.objects.create(
        organisation=world.organisation, coach=world.coach, coachee=world.lead, body="Private."
    )
    invitation_create(organisation=world.organisation, email="new@example.org", by=world.org_admin)
    Profile.objects.create(user=world.staff, time_zone="Europe/London")
    api_token_create(user=world.staff, name="A script")
    BrowserSession.objects.create(user=world.staff, session_key="k" * 32)
    scim_token_create(organisation=world.organisation, name="Okta", by=world.org_admin)
    ScimUser.objects.create(organisation=world.organisation, user=world.staff, external_id="s")
    ScimGroup.objects.create(organisation=world.organisation, team=world.team, external_id="t")
    sso_save(
        organisation=world.organisation,
        data={
            "issuer": "https://example.okta.com",
            "client_id": "mission-leadership",
            "client_secret": "s3cret",
            "allowed_domains": "example.org",
            "require_sso": False,
            "enabled": True,
        },
        by=world.org_admin,
    )
    now = timezone.now()
    DigestClaim.objects.create(
        user=world.staff, period="2026-03-11", starts_at=now - dt.timedelta(days=1), ends_at=now
    )
    BriefClaim.objects.create(organisation=world.organisation, user=world.lead, period="2026-W11")
    CalendarFeed.objects.create(organisation=world.organisation, user=world.staff, digest="0" * 64)
    comment_post(on=world.staff_mission, body="@lead a word on the rota", by=world.staff)
    mission_template_create(
        organisation=world.organisation,
        data={"name": "Virtual wards", "title": "Open a virtual ward"},
        by=world.lead,
    )
    Period.objects.create(
        organisation=world.organisation,
        name="FY2027",
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2027, 3, 31),
    )
    return world


def test_it_registers_every_model_of_our_apps() -> None:
    ours = {m for m in apps.get_models() if m._meta.app_label in OUR_APPS}
    assert ours <= set(admin.site._registry), ours - set(admin.site._registry)


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_it_opens_every_changelist_and_search(admin_client: Any, full_world: Any, model) -> None:
    assert admin_client.get(_url(model, "changelist")).status_code == 200
    if admin.site._registry[model].search_fields:
        assert admin_client.get(_url(model, "changelist"), {"q": "a"}).status_code == 200


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_it_opens_every_add_page(admin_client: Any, full_world: Any, model) -> None:
    response = admin_client.get(_url(model, "add"))
    # Rows that only the system writes (the audit log, the checks' findings and snapshots,
    # the reminder and digest claims) have no add page; nor do coaching notes, which only a
    # coach writes, in the app (the admin never sees their bodies), nor invitations, whose
    # token only the email carries (the People page and the API send them).
    written_by_system = {
        AuditEvent,
        Finding,
        MissionScore,
        AlignmentSnapshot,
        SubtreeSnapshot,
        Reminder,
        DigestClaim,
        BriefClaim,
        CoachingNote,
        Invitation,
        ApiToken,
        BrowserSession,
        ForecastCalibration,
        SearchEntry,
        ScimToken,  # made on the People pages, where its key is shown once
        ScimUser,  # written through SCIM
        ScimGroup,
        CalendarFeed,  # made by its person, on their calendar page: only a hash is kept
        OrganisationSSO,  # set on the People pages, with its client secret
    }
    assert response.status_code == (403 if model in written_by_system else 200)


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_it_opens_every_change_page(admin_client: Any, full_world: Any, model) -> None:
    obj = model._default_manager.first()
    if obj is None:
        pytest.skip(f"add a {model._meta.label} to the full_world fixture")
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_it_lists_missions_in_bounded_queries(
    admin_client: Any, world: Any, django_assert_max_num_queries: Any, count: int
) -> None:
    for _ in range(count):
        MissionFactory(parent=world.org_mission)
    with django_assert_max_num_queries(MISSION_CHANGELIST_QUERIES):
        response = admin_client.get(_url(Mission, "changelist"))
    assert response.status_code == 200
    assert "Community wards" in response.content.decode()


def test_it_never_offers_a_select_of_every_mission(admin_client: Any, world: Any) -> None:
    for _ in range(3):
        MissionFactory(parent=world.org_mission)
    page = admin_client.get(_url(Mission, "change", world.team_mission.pk)).content.decode()
    # Autocomplete widgets render only the selected mission, never one option per mission.
    assert page.count(f'value="{world.org_mission.pk}"') <= 1
    assert "admin-autocomplete" in page


@pytest.mark.parametrize("model", [CheckIn, AuditEvent], ids=lambda m: m._meta.label)
def test_it_refuses_to_change_or_delete_append_only_records(
    admin_client: Any, full_world: Any, model
) -> None:
    obj = model._default_manager.first()
    model_admin = admin.site._registry[model]
    request = admin_client.get("/").wsgi_request
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    assert admin_client.post(_url(model, "change", obj.pk), {}).status_code == 403
    assert admin_client.get(_url(model, "delete", obj.pk)).status_code == 403
    assert admin_client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=obj.pk).exists()


def test_it_refuses_to_add_audit_events(admin_client: Any) -> None:
    assert admin_client.post(_url(AuditEvent, "add"), {}).status_code == 403


def _inline_management(*prefixes: str) -> dict[str, str]:
    data = {}
    for prefix in prefixes:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def _mission_form(**values: Any) -> dict[str, Any]:
    data = {
        "level": "team",
        "title": "Virtual ward rota",
        "statement": "",
        "intent": "",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "status": "active",
        "scope": "",
        "constraints": "",
        "decision_rights": "{}",
    }
    data |= _inline_management("key_tasks", "kpis")
    return data | {name: str(value) for name, value in values.items()}


def test_it_adds_a_mission_through_the_service(admin_client: Any, world: Any) -> None:
    data = _mission_form(
        organisation=world.organisation.pk, parent=world.team_mission.pk, owner_team=world.team.pk
    )
    response = admin_client.post(_url(Mission, "add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    mission = Mission.objects.get(title="Virtual ward rota")
    assert mission.path == tree.child_path(world.team_mission.path, world.team_mission.pk)
    assert mission.created_by.username == "root"
    # One entry: the form's dry run of the service left nothing behind.
    assert AuditEvent.objects.filter(mission=mission, verb="created").count() == 1
    assert Mission.objects.filter(title="Virtual ward rota").count() == 1


def test_it_moves_a_mission_and_its_subtree(admin_client: Any, world: Any) -> None:
    other_top = MissionFactory(
        organisation=world.organisation, level=Mission.Level.ORGANISATION, owner_team=world.team
    )
    data = _mission_form(
        level="team",
        title=world.team_mission.title,
        parent=other_top.pk,
        owner_team=world.team.pk,
    )
    response = admin_client.post(_url(Mission, "change", world.team_mission.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    world.team_mission.refresh_from_db()
    world.staff_mission.refresh_from_db()
    assert world.team_mission.path == tree.child_path(other_top.path, other_top.pk)
    assert world.staff_mission.path == tree.child_path(
        world.team_mission.path, world.team_mission.pk
    )


def test_it_refuses_a_parent_from_another_organisation(admin_client: Any, world: Any) -> None:
    data = _mission_form(
        organisation=world.organisation.pk, parent=world.other_mission.pk, owner_team=world.team.pk
    )
    response = admin_client.post(_url(Mission, "add"), data)
    assert response.status_code == 200
    assert "This belongs to another organisation." in response.content.decode()
    assert not Mission.objects.filter(title="Virtual ward rota").exists()


def test_it_refuses_a_mission_under_its_own_descendant(admin_client: Any, world: Any) -> None:
    data = _mission_form(
        level="team",
        title=world.team_mission.title,
        parent=world.staff_mission.pk,
        owner_team=world.team.pk,
    )
    response = admin_client.post(_url(Mission, "change", world.team_mission.pk), data)
    assert response.status_code == 200
    assert "cannot sit under itself" in response.content.decode()


def test_it_moves_a_team_and_its_sub_teams(admin_client: Any, world: Any) -> None:
    moving = TeamFactory(organisation=world.organisation, name="Estates", parent=world.top_team)
    child = TeamFactory(organisation=world.organisation, name="Facilities", parent=moving)
    data = {"name": "Estates", "parent": world.team.pk, "leader": ""}
    data |= _inline_management("memberships", "memberships-2")
    response = admin_client.post(_url(Team, "change", moving.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    moving.refresh_from_db()
    child.refresh_from_db()
    assert moving.path == tree.child_path(world.team.path, world.team.pk)
    assert child.path == tree.child_path(moving.path, moving.pk)


def test_it_adds_a_team_with_its_path(admin_client: Any, world: Any) -> None:
    data = {"organisation": world.organisation.pk, "name": "Pharmacy", "parent": world.team.pk}
    data |= _inline_management("memberships", "memberships-2")
    response = admin_client.post(_url(Team, "add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    team = Team.objects.get(name="Pharmacy")
    assert team.path == tree.child_path(world.team.path, world.team.pk)


def test_it_writes_the_vision_through_the_service(admin_client: Any, world: Any) -> None:
    vision = Vision.objects.get(organisation=world.organisation)
    data = {
        "purpose": vision.purpose,
        "vision": vision.vision,
        "horizon": "",
        "success_picture": "",
        "ceo_intent": "Care at home first.",
    }
    response = admin_client.post(_url(Vision, "change", vision.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    vision.refresh_from_db()
    assert vision.ceo_intent == "Care at home first."
    assert vision.updated_by.username == "root"
    assert AuditEvent.objects.filter(verb="updated", object_id=vision.pk).exists()


def test_it_shows_only_the_latest_check_ins_of_a_kpi(admin_client: Any, world: Any) -> None:
    kpi = KpiFactory(mission=world.team_mission)
    for day in range(1, 26):
        CheckInFactory(kpi=kpi, author=world.lead, recorded_on=dt.date(2026, 1, day))
    page = admin_client.get(_url(Kpi, "change", kpi.pk)).content.decode()
    assert "Jan. 25, 2026" in page or "25 Jan 2026" in page or "2026-01-25" in page
    assert 'name="check_ins-TOTAL_FORMS" value="20"' in page


def test_it_adds_a_member_to_a_team_and_its_organisation(admin_client: Any, world: Any) -> None:
    estates = TeamFactory(organisation=world.organisation, name="Estates", parent=world.top_team)
    newcomer = UserFactory(username="newcomer")
    data = {"name": "Estates", "parent": world.top_team.pk, "leader": ""}
    data |= _inline_management("memberships")
    data |= {
        "memberships-2-TOTAL_FORMS": "2",
        "memberships-2-INITIAL_FORMS": "0",
        "memberships-2-0-user": newcomer.pk,
        "memberships-2-0-role": "staff",
        "memberships-2-1-user": world.staff.pk,
        "memberships-2-1-role": "staff",
    }
    response = admin_client.post(_url(Team, "change", estates.pk), data)
    # staff already belongs to the organisation: the form says so and nothing is saved.
    assert response.status_code == 200
    assert "already a member of the organisation" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()

    data["memberships-2-TOTAL_FORMS"] = "1"
    response = admin_client.post(_url(Team, "change", estates.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=newcomer)
    assert (membership.organisation, membership.team) == (world.organisation, estates)


def test_it_shows_the_services_rules_on_the_form(admin_client: Any, world: Any) -> None:
    Mission.objects.filter(pk=world.team_mission.pk).update(deadline=dt.date(2026, 6, 30))
    data = _mission_form(
        organisation=world.organisation.pk,
        parent=world.team_mission.pk,
        owner_team=world.team.pk,
        deadline="2026-09-30",
    )
    response = admin_client.post(_url(Mission, "add"), data)
    assert response.status_code == 200
    # The deadline is later than the parent's: the operating space does not fit inside it.
    assert "after the parent mission" in response.content.decode()
    assert not Mission.objects.filter(title="Virtual ward rota").exists()


def test_it_adds_key_tasks_and_kpis_through_the_services(admin_client: Any, world: Any) -> None:
    data = _mission_form(
        level="team",
        title=world.team_mission.title,
        parent=world.org_mission.pk,
        owner_team=world.team.pk,
    )
    data |= {
        "key_tasks-TOTAL_FORMS": "1",
        "key_tasks-0-title": "Hire nurses",
        "key_tasks-0-owner": world.lead.pk,
        "key_tasks-0-status": "done",
        "kpis-TOTAL_FORMS": "1",
        "kpis-0-name": "Patients at home",
        "kpis-0-unit": "%",
        "kpis-0-direction": "increase",
        "kpis-0-baseline": "10",
        "kpis-0-target": "40",
        "kpis-0-due_date": "2026-12-31",
        "kpis-0-cadence_days": "30",
        "kpis-0-status": "active",
    }
    response = admin_client.post(_url(Mission, "change", world.team_mission.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    task = KeyTask.objects.get(mission=world.team_mission)
    assert task.completed_at is not None  # done means done at a time
    assert task.created_by.username == "root"
    kpi = Kpi.objects.get(mission=world.team_mission)
    assert kpi.organisation == world.organisation
    logged = set(
        AuditEvent.objects.filter(mission=world.team_mission).values_list("verb", "object_id")
    )
    assert {("created", task.pk), ("created", kpi.pk)} <= logged


def test_a_staff_user_who_is_no_superuser_is_told_on_the_form_of_a_move_they_may_not_make(
    client: Any, world: Any
) -> None:
    """The form's dry run acts as the person saving (it used to act as nobody, which may move
    anything, and the save itself then refused the move)."""
    from django.contrib.auth.models import Permission

    clerk = world.staff
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_mission", "change_mission"])
    )
    client.force_login(clerk)
    other_top = MissionFactory(
        organisation=world.organisation, level=Mission.Level.ORGANISATION, owner_team=world.team
    )
    data = _mission_form(
        level="team", title=world.team_mission.title, parent=other_top.pk, owner_team=world.team.pk
    )
    response = client.post(_url(Mission, "change", world.team_mission.pk), data)
    assert response.status_code == 200
    assert "Only the owner of a mission above this one moves it" in response.content.decode()
    world.team_mission.refresh_from_db()
    assert world.team_mission.parent == world.org_mission


def test_every_model_admin_passes_djangos_checks() -> None:
    """Django's checks of each ``ModelAdmin`` (fields, filters, look-ups that exist): with
    the admin installed without autodiscovery, ``manage.py check`` may run them before the
    URLs have registered anything, so they are run here over the whole registry."""
    assert len(admin.site._registry) >= len(OUR_MODELS)
    assert admin.site.check(None) == []
