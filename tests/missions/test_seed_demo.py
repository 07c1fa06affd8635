"""``manage.py seed_demo``: the demo organisation, its coalition partner, their coalition and
their log-ins; a second run leaves the demo as its users left it and writes nothing; ``--reset``
builds it again from nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from axe_playwright_python import __file__ as axe_package
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from kernel import tree
from kernel.models import (
    AuditEvent,
    CoachAssignment,
    Membership,
    Notification,
    Organisation,
    Team,
)
from kernel.permissions import actor_for
from kernel.tenancy import tenant_scope
from leadership.models import (
    Coalition,
    CoalitionLink,
    CoalitionMember,
    Contact,
    Contribution,
    DevelopmentGoal,
    DevelopmentPlan,
    Idea,
    IdeaComment,
    IdeaSupport,
    InnovationChallenge,
    LearningGroup,
    PriorityChallenge,
    Recognition,
    SessionNote,
    Stakeholder,
)
from measures.calibrating import calibration_of
from measures.figures import kpi_figures
from measures.models import CheckIn, Kpi
from measures.services import kpi_record_value
from measures.summary import mission_figures, standing_check_ins
from missions.demo import past
from missions.generate.purge import dependants as _dependants
from missions.management.commands.seed_demo import VISION
from missions.models import Interdependency, KeyTask, Mission, Vision
from missions.querysets import in_play
from missions.services import key_task_update, mission_align, vision_update
from reviews.health import health_counts
from reviews.models import PREDICTED_KINDS, AlignmentSnapshot, Finding, Review

pytestmark = pytest.mark.django_db
User = get_user_model()
Role = Membership.Role


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every stored field of every row of the demo organisation."""
    org = Organisation.objects.get(slug="demo")
    in_org = {
        "organisation": Organisation.objects.filter(pk=org.pk),
        "users": User.objects.filter(memberships__organisation=org),
        "teams": Team.objects.filter(organisation=org),
        "memberships": Membership.objects.filter(organisation=org),
        "coaching": CoachAssignment.objects.filter(organisation=org),
        "vision": Vision.objects.filter(organisation=org),
        "missions": Mission.objects.filter(organisation=org),
        "kpis": Kpi.objects.filter(organisation=org),
        "check_ins": CheckIn.objects.filter(kpi__organisation=org),
        "key_tasks": KeyTask.objects.filter(mission__organisation=org),
        "links": Interdependency.objects.filter(organisation=org),
        "reviews": Review.objects.filter(mission__organisation=org),
        "audit": AuditEvent.objects.filter(organisation=org),
        "snapshots": AlignmentSnapshot.objects.filter(organisation=org),
        "stakeholders": Stakeholder.objects.filter(organisation=org),
        "contacts": Contact.objects.filter(organisation=org),
        "challenges": PriorityChallenge.objects.filter(organisation=org),
        "learning": SessionNote.objects.filter(organisation=org),
        "recognitions": Recognition.objects.filter(organisation=org),
        "innovation": InnovationChallenge.objects.filter(organisation=org),
        "ideas": Idea.objects.filter(organisation=org),
        "supports": IdeaSupport.objects.filter(organisation=org),
        "idea_comments": IdeaComment.objects.filter(organisation=org),
        "development_plans": DevelopmentPlan.objects.filter(organisation=org),
        "development_goals": DevelopmentGoal.objects.filter(organisation=org),
        "contributions": Contribution.objects.filter(organisation=org),
    }
    return {name: list(rows.order_by("pk").values()) for name, rows in in_org.items()}


# Fields that differ between two builds of the same demo: ids, times of writing, and what
# points at ids.
VOLATILE = {"id", "created_at", "updated_at", "last_login", "date_joined", "path"}
CONTRIBUTION_REPR = re.compile(r"^\d+ → \d+")


def comparable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows without their ids and write times, in a stable order."""
    kept = [
        {k: v for k, v in row.items() if k not in VOLATILE and not k.endswith("_id")}
        for row in rows
    ]
    for row in kept:  # a contribution names itself by its ids ("311 → 13 (aligned)")
        if "object_repr" in row:
            row["object_repr"] = CONTRIBUTION_REPR.sub("# → #", row["object_repr"])
    return sorted(kept, key=repr)


def assert_paths_consistent(org: Organisation) -> None:
    for model in (Mission, Team):
        rows = {r["id"]: r for r in model.objects.filter(organisation=org).values()}
        for row in rows.values():
            parent = rows.get(row["parent_id"])
            expected = tree.child_path(parent["path"], parent["id"]) if parent else ""
            assert row["path"] == expected, (model.__name__, row["id"])


def test_creates_the_demo_organisation_with_its_log_ins() -> None:
    output = seed()

    org = Organisation.objects.get(slug="demo")
    assert org.name == "Northvale Health"
    for username in ("ceo", "lead", "staff", "coach", "admin"):
        assert authenticate(username=username, password="mission-demo") is not None, username
        assert username in output
    assert "mission-demo" in output

    def membership(username: str) -> Membership:
        return Membership.objects.select_related("team").get(
            organisation=org, user__username=username
        )

    ceo, lead, staff = membership("ceo"), membership("lead"), membership("staff")
    top = Team.objects.get(organisation=org, parent=None)
    assert top.leader.username == "ceo" and ceo.role == Role.LEADER and ceo.team == top
    assert lead.role == Role.LEADER and lead.team.leader.username == "lead"
    assert lead.team.parent == top
    assert staff.role == Role.STAFF and staff.team == lead.team
    assert membership("coach").role == Role.COACH
    assert CoachAssignment.objects.filter(
        organisation=org, coach__username="coach", team=None
    ).exists()
    assert membership("admin").role == Role.ADMIN
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.get(username="ceo").is_superuser

    org_missions = Mission.objects.filter(organisation=org, level=Mission.Level.ORGANISATION)
    assert org_missions.exists()
    assert all(m.owner_team == top and m.parent_id is None for m in org_missions)

    vision = Vision.objects.get(organisation=org)
    assert vision.purpose and vision.vision and vision.success_picture and vision.ceo_intent
    years_ahead = (vision.horizon - timezone.localdate()).days / 365
    assert 4 <= years_ahead <= 5.5


def test_the_demo_is_realistic_in_size_and_mix() -> None:
    seed()
    org = Organisation.objects.get(slug="demo")
    today = timezone.localdate()

    assert 10 <= org.teams.count() <= 14
    assert 50 <= org.memberships.count() <= 70
    assert all(u.first_name and u.last_name and u.email for u in User.objects.filter(
        memberships__organisation=org
    ))  # fmt: skip
    missions = list(Mission.objects.filter(organisation=org).prefetch_related("kpis"))
    assert 30 <= len(missions) <= 70
    assert {m.level for m in missions} == set(Mission.Level.values)
    # Individual missions sit under team missions, and team missions under directorates'.
    assert any(m.level == "individual" and m.parent.level == "team" for m in missions)
    assert any(m.level == "team" and m.parent.level == "team" for m in missions)

    alignment = [m.alignment_status for m in missions]
    assert alignment.count("aligned") > len(missions) / 2
    assert alignment.count("proposed") >= 2
    assert alignment.count("sent_back") == 1

    for mission in missions:
        assert mission.period_start < mission.period_end
        assert mission.deadline and mission.deadline <= mission.period_end
        if mission.level != "individual":
            assert mission.scope and mission.budget and mission.headcount
            assert set(mission.decision_rights) == {"free", "consult", "must_not"}
        if mission.alignment_status != "draft":
            assert 2 <= len(mission.kpis.all()) <= 4, mission.title
    assert sum(1 for m in missions if not m.kpis.all()) <= 1

    kpis = Kpi.objects.filter(organisation=org).select_related("mission", "parent_kpi")
    assert {k.direction for k in kpis} == {"increase", "decrease", "range"}
    linked = [k for k in kpis if k.parent_kpi_id]
    assert len(linked) >= 10
    assert all(k.parent_kpi.mission_id == k.mission.parent_id for k in linked)
    for kpi in kpis:
        history = list(kpi.check_ins.order_by("recorded_on"))
        assert len(history) >= 4, kpi.name
        assert history[-1].recorded_on <= today
        assert (today - history[0].recorded_on).days >= 60, kpi.name
    stale = [k for k in kpis if (today - k.check_ins.latest("recorded_on").recorded_on).days > 45]
    assert 1 <= len(stale) <= 3

    tasks = KeyTask.objects.filter(mission__organisation=org)
    assert tasks.filter(status="done").exists()
    assert tasks.filter(due_date__lt=today).exclude(status__in=["done", "cancelled"]).exists()
    assert all(t.completed_at for t in tasks.filter(status="done"))

    links = Interdependency.objects.filter(organisation=org)
    assert {link.kind for link in links} == {"depends_on", "supports"}
    assert {"proposed", "acknowledged", "declined", "resolved"} <= {x.status for x in links}

    reviews = Review.objects.filter(mission__organisation=org)
    scheduled = reviews.filter(status="scheduled")
    assert reviews.filter(status="done").exists()
    assert scheduled.filter(due_date__lt=today).exists()  # overdue
    assert scheduled.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(7)).exists()
    for mission in missions:
        open_reviews = [r.due_date for r in scheduled if r.mission_id == mission.pk]
        assert len(open_reviews) <= 1
        assert mission.next_review_due == (open_reviews[0] if open_reviews else None)
    # Reviews only of missions in play: none of the draft or the sent-back ones.
    assert not reviews.exclude(in_play("mission__")).exists()
    assert Mission.objects.filter(organisation=org).exclude(in_play()).exists()

    # Influence: lead's mission has a stakeholder map with a plan due today in lead's inbox
    # and a stance that moved; the CEO keeps a map of their own.
    stakeholders = Stakeholder.objects.filter(organisation=org)
    assert stakeholders.filter(mission__isnull=True, leader__username="ceo").exists()
    council = stakeholders.get(name="Eastbrook Patients' Council")
    assert council.mission.owner_team.leader.username == "lead"
    assert [c.stance_after for c in council.contacts.order_by("contacted_on")] == [-2, -1]
    assert Notification.objects.filter(
        recipient__username="lead", kind="contact_due", done_at__isnull=True
    ).exists()

    # Be brave: staff's challenge waits for lead; another was answered.
    challenges = PriorityChallenge.objects.filter(organisation=org)
    assert challenges.get(answered_at__isnull=True).raised_by.username == "staff"
    assert Notification.objects.filter(
        recipient__username="lead", kind="challenge_raised", done_at__isnull=True
    ).exists()
    assert challenges.filter(outcome="decided").exists()

    # Action learning: a group lead and staff are in, with notes; the CEO is not in it.
    group = LearningGroup.objects.get(organisation=org)
    assert {"lead", "staff", "coach"} <= {u.username for u in group.members.all()}
    assert SessionNote.objects.filter(session__group=group).count() == 3

    # Recognition: staff was recognised twice, on the developing theme.
    assert Recognition.objects.filter(receiver__username="staff", theme="developing").count() == 2

    # Innovation: an open challenge for Virtual Wards with a shortlisted idea; a closed one
    # for everyone whose best idea became a key task of lead's mission, crediting staff.
    open_one = InnovationChallenge.objects.get(organisation=org, mission__title__startswith="Resp")
    assert open_one.accepts_ideas() and open_one.ideas.filter(status="shortlisted").exists()
    taken = Idea.objects.get(organisation=org, status="adopted")
    assert not taken.challenge.accepts_ideas()
    assert taken.key_task.mission.owner_team.leader.username == "lead"
    assert taken.key_task.description.startswith("From the idea “Book visits by street")
    assert "Sam Okafor" in taken.key_task.description.splitlines()[0]
    assert Notification.objects.filter(recipient__username="staff", kind="idea_news").exists()

    # Development: staff's plan with two goals, evidence from lead, a review held with lead,
    # and one asked of the coach, waiting in the coach's inbox.
    plan = DevelopmentPlan.objects.get(organisation=org, person__username="staff")
    assert plan.goals.count() == 2 and plan.reviews.get().reviewer.username == "lead"
    assert plan.review_asked_of.username == "coach"
    assert Notification.objects.filter(
        recipient__username="coach", kind="development_review", done_at__isnull=True
    ).exists()

    # Writes went through the services, so the audit log tells the story.
    verbs = set(AuditEvent.objects.filter(organisation=org).values_list("verb", flat=True))
    assert {"created", "proposed", "aligned", "sent_back"} <= verbs
    assert_paths_consistent(org)


def test_staff_has_an_individual_mission_under_leads_team_mission() -> None:
    seed()
    mission = Mission.objects.select_related("parent__owner_team__leader").get(
        organisation__slug="demo", owner_user__username="staff"
    )
    assert mission.level == Mission.Level.INDIVIDUAL
    assert mission.parent.level == Mission.Level.TEAM
    assert mission.parent.owner_team.leader.username == "lead"
    assert mission.alignment_status == "aligned"
    kpis = list(mission.kpis.all())
    assert len(kpis) >= 2
    assert all(kpi.check_ins.filter(author__username="staff").count() >= 4 for kpi in kpis)
    assert any(kpi.parent_kpi and kpi.parent_kpi.mission == mission.parent for kpi in kpis)
    assert mission.key_tasks.exists()
    assert mission.reviews.exists()


def everything() -> dict[str, Any]:
    """Every table's row count, and every ``updated_at`` there is."""
    state: dict[str, Any] = {}
    for model in apps.get_models(include_auto_created=True):
        rows = model._base_manager.order_by("pk")
        state[model._meta.label] = rows.count()
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            state[f"{model._meta.label}.updated_at"] = list(rows.values_list("pk", "updated_at"))
    return state


def org_rows(org: Organisation) -> dict[str, set[Any]]:
    """The primary keys of every row that hangs off the organisation, table by table."""
    rows = {}
    for model, lookup in _dependants(Organisation):
        keys = model._base_manager.filter(**{lookup: org.pk}).values_list("pk", flat=True)
        rows[model._meta.label] = set(keys)
    return rows


def change_like_a_user(org: Organisation) -> dict[str, Any]:
    """What a demo session might do, through the same services the pages call."""
    ceo = User.objects.get(username="ceo")
    vision_update(organisation=org, data={"ceo_intent": "Changed in a demo."}, by=ceo)
    task = KeyTask.objects.filter(mission__organisation=org, status="todo").order_by("pk")[0]
    key_task_update(task=task, data={"status": "done"}, by=ceo)
    proposed = Mission.objects.filter(organisation=org, alignment_status="proposed").first()
    mission_align(mission=proposed, by=ceo)
    kpi = Kpi.objects.filter(organisation=org, mission__owner_user__username="staff")[0]
    staff = User.objects.get(username="staff")
    kpi_record_value(kpi=kpi, value=Decimal("42"), by=staff, comment="Checked in in a demo.")
    staff.set_password("changed-in-a-demo")
    staff.save()
    return {"task": task, "mission": proposed, "kpi": kpi}


def test_a_second_run_writes_nothing() -> None:
    seed()
    before, tables_before = snapshot(), everything()

    output = seed()

    assert output.strip().splitlines() == [
        "The demo organisation exists; left as it is (use --reset to rebuild it).",
        "The coalition partner 'Northvale County Council' exists; left as it is.",
        "The coalition 'Home First Northvale' exists; left as it is.",
    ]
    assert everything() == tables_before
    after = snapshot()
    for table in before:
        assert after[table] == before[table], table


def test_a_second_run_keeps_what_the_users_changed() -> None:
    seed()
    org = Organisation.objects.get(slug="demo")
    changed = change_like_a_user(org)
    before = snapshot()

    seed()

    assert snapshot() == before
    assert Vision.objects.get(organisation=org).ceo_intent == "Changed in a demo."
    changed["task"].refresh_from_db()
    assert changed["task"].status == "done"
    changed["mission"].refresh_from_db()
    assert changed["mission"].alignment_status == "aligned"
    assert changed["kpi"].check_ins.filter(comment="Checked in in a demo.").exists()
    assert authenticate(username="staff", password="changed-in-a-demo") is not None


@time_machine.travel(timezone.now(), tick=False)  # the same "now" for both builds
def test_reset_rebuilds_the_canonical_demo_and_leaves_nothing_of_the_old_one() -> None:
    seed()
    fresh = snapshot()
    old = Organisation.objects.get(slug="demo")
    changed = change_like_a_user(old)
    old_rows = org_rows(old)
    # What hangs off the organisation includes the append-only check-ins, the audit log, the
    # notifications, the reviews and the findings.
    for label in ("measures.CheckIn", "kernel.AuditEvent", "kernel.Notification"):
        assert old_rows[label], label
    assert old_rows["reviews.Review"] and old_rows["reviews.Finding"]
    users = dict(User.objects.values_list("username", "pk"))

    output = seed("--reset")

    assert "Removed the old demo organisation" in output
    new = Organisation.objects.get(slug="demo")
    assert new.pk != old.pk
    for label, keys in old_rows.items():
        model = apps.get_model(label)
        assert not model._base_manager.filter(pk__in=keys).exists(), label
    # The demo people are the same accounts, back to the demo password.
    assert dict(User.objects.values_list("username", "pk")) == users
    assert authenticate(username="staff", password="mission-demo") is not None
    # The canonical demo again: what the users changed is gone, and the rebuilt demo equals a
    # fresh one but for ids and times.
    assert Vision.objects.get(organisation=new).ceo_intent == VISION["ceo_intent"]
    task = KeyTask.objects.get(mission__organisation=new, title=changed["task"].title)
    assert task.status == "todo"
    mission = Mission.objects.get(organisation=new, title=changed["mission"].title)
    assert mission.alignment_status == "proposed"
    assert not CheckIn.objects.filter(comment="Checked in in a demo.").exists()
    rebuilt = snapshot()
    for table in fresh:
        assert len(rebuilt[table]) == len(fresh[table]), table
        assert comparable(rebuilt[table]) == comparable(fresh[table]), table
    assert_paths_consistent(new)
    if connection.vendor == "postgresql":
        # The purge opened the append-only check-ins for itself only.
        with pytest.raises(DatabaseError), transaction.atomic():
            CheckIn.objects.filter(kpi__organisation=new)[:1].get().delete()


def test_reset_reuses_a_demo_person_who_changed_their_email() -> None:
    seed()
    User.objects.filter(username="lead").update(email="priya@elsewhere.example")

    seed("--reset")

    lead = User.objects.get(username="lead")
    assert lead.email == "priya.shah@northvale.example"
    assert Membership.objects.filter(organisation__slug="demo", user=lead).exists()


def test_reset_without_a_demo_creates_it() -> None:
    output = seed("--reset")
    assert "Removed" not in output
    assert Organisation.objects.filter(slug="demo").exists()


def test_a_run_weeks_later_leaves_the_demo_and_a_reset_moves_it_forward() -> None:
    seed()
    org = Organisation.objects.get(slug="demo")
    missions = org.missions.count()
    latest_before = CheckIn.objects.filter(kpi__organisation=org).latest("recorded_on").recorded_on
    before = snapshot()
    later = timezone.now() + dt.timedelta(days=45)

    with time_machine.travel(later, tick=False):
        seed()
        assert snapshot() == before

        seed("--reset")
        today = timezone.localdate()
        org = Organisation.objects.get(slug="demo")
        check_ins = CheckIn.objects.filter(kpi__organisation=org)
        assert org.missions.count() == missions
        # The history moved with the clock (how many check-ins it holds may stay the same).
        assert check_ins.count() > 0
        assert check_ins.latest("recorded_on").recorded_on > latest_before
        # One check-in per KPI and date, the latest up to today, none in the future.
        pairs = list(check_ins.values_list("kpi_id", "recorded_on"))
        assert len(pairs) == len(set(pairs))
        assert max(day for _kpi, day in pairs) <= today
        assert today - max(day for _kpi, day in pairs) < dt.timedelta(days=30)
        scheduled = Review.objects.filter(mission__organisation=org, status="scheduled")
        per_mission = list(scheduled.values_list("mission_id", flat=True))
        assert len(per_mission) == len(set(per_mission))
        assert_paths_consistent(org)


def test_refuses_to_take_over_an_existing_user() -> None:
    User.objects.create_user("admin", email="someone@example.com", password="secret")
    with pytest.raises(CommandError, match="admin"):
        seed()
    assert not Organisation.objects.filter(slug="demo").exists()
    assert User.objects.get(username="admin").check_password("secret")


# --- the coalition partner and the coalition -------------------------------------------------

COUNCIL = "northvale-council"
COALITION = "Home First Northvale"


def test_the_coalition_partner_is_a_small_but_whole_county_council() -> None:
    output = seed()

    org = Organisation.objects.get(slug=COUNCIL)
    assert org.name == "Northvale County Council"
    assert "Coalition partner 'Northvale County Council'" in output
    for username in ("council-ceo", "council-lead", "council-staff"):
        assert authenticate(username=username, password="mission-demo") is not None, username
        assert f"  {username} " in output
    people = User.objects.filter(memberships__organisation=org)
    assert people.count() == org.memberships.count() == 8
    assert all(u.email.endswith("@northvale-council.example") for u in people)
    assert not people.filter(memberships__organisation__slug="demo").exists()
    top = Team.objects.get(organisation=org, parent=None)
    assert top.leader.username == "council-ceo" and org.teams.count() == 3
    lead = Membership.objects.get(organisation=org, user__username="council-lead")
    assert lead.role == Role.LEADER and lead.team.parent == top
    staff = Membership.objects.get(organisation=org, user__username="council-staff")
    assert staff.role == Role.STAFF and staff.team == lead.team
    vision = Vision.objects.get(organisation=org)
    assert vision.purpose and vision.ceo_intent and vision.horizon > timezone.localdate()

    missions = list(Mission.objects.filter(organisation=org).prefetch_related("kpis"))
    assert len(missions) == 5
    assert {m.level for m in missions} == set(Mission.Level.values)
    assert all(m.alignment_status == "aligned" and len(m.kpis.all()) == 2 for m in missions)
    today = timezone.localdate()
    for kpi in Kpi.objects.filter(organisation=org):
        history = list(kpi.check_ins.order_by("recorded_on"))
        assert len(history) >= 4 and history[-1].recorded_on <= today, kpi.name
        assert kpi.forecast_status != "unknown", kpi.name
    assert KeyTask.objects.filter(mission__organisation=org).count() >= 5
    assert Interdependency.objects.filter(organisation=org).count() == 1
    assert Review.objects.filter(mission__organisation=org, status="done").exists()
    assert AlignmentSnapshot.objects.filter(organisation=org, team=None).count() == 90
    verbs = set(AuditEvent.objects.filter(organisation=org).values_list("verb", flat=True))
    assert {"created", "proposed", "aligned"} <= verbs
    assert_paths_consistent(org)
    # Northvale Health is built first, as before: the API's examples keep their ids.
    assert Organisation.objects.get(slug="demo").pk < org.pk


def test_the_two_form_a_coalition_through_the_services() -> None:
    seed()
    demo = Organisation.objects.get(slug="demo")
    council = Organisation.objects.get(slug=COUNCIL)
    coalition = Coalition.objects.get(name=COALITION)
    assert coalition.convened_by == demo and coalition.created_by.username == "ceo"
    assert "leave hospital on the day they are ready" in coalition.purpose
    assert coalition.active_member_ids() == sorted([demo.pk, council.pk])
    joined = CoalitionMember.objects.get(coalition=coalition, member=council)
    assert (joined.invited_by.username, joined.answered_by.username) == ("ceo", "council-ceo")
    assert list(coalition.missions.values_list("title", "written_by__slug")) == [
        ("No one waits in hospital for care", "demo"),
        ("Homes ready for the day people come home", COUNCIL),
    ]

    # Each member's contribution, aligned by the other; one offer still waiting.
    rows = Contribution.objects.select_related("mission", "offered_by", "answered_by")
    with tenant_scope([demo.pk]):
        [ours] = rows.filter(organisation=demo)
    with tenant_scope([council.pk]):
        theirs = {c.mission.title: c for c in rows.filter(organisation=council)}
    assert ours.mission.title == "Discharge to assess, home first"
    assert (ours.status, ours.offered_by.username, ours.answered_by.username) == (
        "aligned",
        "sanjay.mehta",
        "council-ceo",
    )
    packages = theirs["Care packages within 48 hours"]
    assert (packages.status, packages.answered_by.username) == ("aligned", "ceo")
    waiting = theirs["Homes fit to come home to"]
    assert waiting.status == "offered" and waiting.answered_by is None
    link = CoalitionLink.objects.get()
    assert (link.contribution, link.depends_on) == (ours, packages)
    assert link.organisation == demo and link.created_by.username == "sanjay.mehta"

    # The offer waits in the inboxes of Northvale Health's leaders, the invitation in none.
    offered = Notification.objects.filter(kind="contribution_offered", done_at__isnull=True)
    assert {n.recipient.username for n in offered} == {"ceo", "admin"}
    assert all(n.organisation == demo and "Homes fit to come home to" in n.message for n in offered)
    assert not Notification.objects.filter(kind="coalition_invited", done_at__isnull=True).exists()
    # The history of each member tells who did what.
    verbs = set(AuditEvent.objects.values_list("organisation__slug", "verb"))
    assert {("demo", "created"), ("demo", "invited"), (COUNCIL, "joined")} <= verbs
    assert {("demo", "offered"), ("demo", "aligned"), (COUNCIL, "offered")} <= verbs
    assert AuditEvent.objects.filter(
        mission=ours.mission, verb="aligned", actor__username="council-ceo"
    ).exists()

    # Each sees the other's contribution with its KPIs, and nothing else of it.
    ceo, council_ceo = Client(), Client()
    ceo.login(username="ceo", password="mission-demo")
    council_ceo.login(username="council-ceo", password="mission-demo")
    page = ceo.get(f"/o/demo/coalitions/{coalition.pk}/").content.decode()
    for shown in ("Care packages within 48 hours", "Home care packages started within 48 hours"):
        assert shown in page
    for hidden in ("A council that lives within its means", "Savings delivered", "Femi Adebayo"):
        assert hidden not in page
    page = council_ceo.get(f"/o/{COUNCIL}/coalitions/{coalition.pk}/").content.decode()
    assert "Discharge to assess, home first" in page
    assert "Patients waiting over 7 days for a care package" in page
    for hidden in ("Four hours, every day", "Care closer to home", "Sanjay Mehta"):
        assert hidden not in page
    assert "Homes fit to come home to" in page  # their own offer, waiting
    assert ceo.get(f"/o/{COUNCIL}/").status_code == 404


def test_a_coalition_as_the_users_left_it_is_left_and_a_reset_rebuilds_it_once() -> None:
    seed()
    council = Organisation.objects.get(slug=COUNCIL)
    coalition = Coalition.objects.get(name=COALITION)
    council_ceo = User.objects.get(username="council-ceo")
    from leadership.services import coalition_leave

    with tenant_scope([council.pk]):
        coalition_leave(actor=actor_for(council_ceo, council), coalition=coalition)
    before = everything()

    output = seed()

    assert "The coalition 'Home First Northvale' exists; left as it is." in output
    assert everything() == before
    assert coalition.members.get(member=council).status == "left"

    output = seed("--reset")

    assert "Removed the old demo organisations" in output
    assert not Coalition.objects.filter(pk=coalition.pk).exists()
    rebuilt = Coalition.objects.get(name=COALITION)
    assert len(rebuilt.active_member_ids()) == 2
    assert Contribution.objects.filter(status="aligned").count() == 2
    # And once more: the rebuilt demo is left as it is.
    before = everything()
    seed()
    assert everything() == before


def test_a_reset_keeps_a_coalition_with_an_organisation_outside_the_demo() -> None:
    seed()
    from leadership.services import coalition_form, coalition_invite
    from tests.missions.factories import OrganisationFactory

    demo = Organisation.objects.get(slug="demo")
    ceo = actor_for(User.objects.get(username="ceo"), demo)
    OrganisationFactory(slug="eastbrook-hospice", name="Eastbrook Hospice")
    kept = coalition_form(actor=ceo, data={"name": "End of life at home", "purpose": "Together."})
    coalition_invite(actor=ceo, coalition=kept, address="eastbrook-hospice")
    only_ours = coalition_form(actor=ceo, data={"name": "Demo only", "purpose": "Together."})

    seed("--reset")

    assert Coalition.objects.filter(pk=kept.pk).exists()
    assert list(kept.members.values_list("member__slug", flat=True)) == ["eastbrook-hospice"]
    assert not Coalition.objects.filter(pk=only_ours.pk).exists()
    assert Coalition.objects.filter(name=COALITION).count() == 1


# --- the story the demo's charts tell ------------------------------------------------------------

TREND_POINTS = re.compile(r'class="chart chart--trend".*?<polyline points="([^"]*)"', re.S)


def trend_on(client: Client, path: str) -> tuple[list[tuple[dt.date, float]], int]:
    """The 90-day trend a dashboard page shows: its points, and those its chart draws."""
    response = client.get(path)
    assert response.status_code == 200, path
    drawn = TREND_POINTS.search(response.content.decode())
    return response.context["board"].trend, len(drawn.group(1).split()) if drawn else 0


def test_the_dashboards_show_a_daily_trend_of_the_last_90_days_and_none_to_come(
    client: Client,
) -> None:
    seed()
    org = Organisation.objects.get(slug="demo")
    lead_team = Team.objects.get(organisation=org, leader__username="lead")
    today = timezone.localdate()
    client.login(username="ceo", password="mission-demo")

    for path in ("/o/demo/dashboard/", f"/o/demo/dashboard/teams/{lead_team.pk}/"):
        points, drawn = trend_on(client, path)
        days = [day for day, _score in points]
        assert len(days) == len(set(days)) >= 60, path
        assert days[0] >= today - dt.timedelta(days=89) and days[-1] == today, path
        assert drawn == len(points), path
    # The organisation and each team the checks snapshot today have a snapshot of every day of
    # the window, and none of a day to come.
    window = {today - dt.timedelta(days=n) for n in range(90)}
    days: dict[int | None, list[dt.date]] = {}
    for team, run_date in AlignmentSnapshot.objects.filter(organisation=org).values_list(
        "team_id", "run_date"
    ):
        days.setdefault(team, []).append(run_date)
    assert None in days and len(days) >= 10
    assert all(sorted(d) == sorted(window) for d in days.values())


def test_most_missions_and_kpis_are_on_track_some_at_risk_a_few_off_all_with_charts() -> None:
    seed()
    org = Organisation.objects.get(slug="demo")
    active = Mission.objects.filter(organisation=org, status=Mission.Status.ACTIVE)

    health = health_counts(active)  # the health model, as the dashboards and home read it
    total = sum(health.values())
    assert health["on_track"] >= 0.6 * total, health
    assert health["watch"] >= 1, health
    assert 1 <= health["off_track"] <= 0.15 * total, health

    kpis = Kpi.objects.filter(organisation=org, status="active", mission__in=active)
    forecasts = Counter(kpis.values_list("forecast_status", flat=True))
    assert forecasts["on_track"] >= 0.7 * kpis.count(), forecasts
    # Some KPIs are not on track. Whether a "behind" story reads at risk or off track on the
    # day the demo is built moves with the day (built on each of 28 days: 0 to 7 at risk, none
    # on 3 of them), so the count of those at risk is not asserted; the missions' health
    # above keeps "watch" (at risk) every day.
    assert forecasts["at_risk"] + forecasts["off_track"] >= 3, forecasts
    assert 1 <= forecasts["off_track"] <= 0.1 * kpis.count(), forecasts
    # The stored forecasts are the forecast model's, from the check-ins, calibrated by what
    # the demo's own history taught.
    calibration = calibration_of(org.pk)
    for kpi in kpis.prefetch_related(standing_check_ins()):
        assert kpi_figures(kpi, list(kpi.check_ins.all()), calibration)["forecast_status"] == (
            kpi.forecast_status
        ), kpi.name
    # Every KPI's chart and sparkline has a history to draw.
    figures = mission_figures(active, history=True)
    charts = [kpi for mission in figures.values() for kpi in mission.kpis]
    assert len(charts) == kpis.count()
    assert all(len(chart.history) >= 4 for chart in charts)


def test_the_charts_tell_a_story_of_recoveries_and_slips() -> None:
    seed()
    org = Organisation.objects.get(slug="demo")
    today = timezone.localdate()
    then = today - dt.timedelta(days=75)

    # KPIs: the forecast 75 days ago (from the check-ins recorded by then) and now.
    kpis = Kpi.objects.filter(organisation=org, status="active").prefetch_related(
        standing_check_ins()
    )
    moves: Counter[tuple[str, str]] = Counter()
    for kpi in kpis:
        before = [c for c in kpi.check_ins.all() if c.recorded_on <= then]
        moves[kpi_figures(kpi, before)["forecast_status"], kpi.forecast_status] += 1
    assert moves["off_track", "on_track"] >= 5, moves  # recoveries
    assert moves["on_track", "on_track"] >= 40, moves  # steady progress
    assert moves["on_track", "at_risk"] + moves["on_track", "off_track"] >= 2, moves  # slips

    # The organisation's score rose with them; a team that slipped ends below its best.
    snapshots = AlignmentSnapshot.objects.filter(organisation=org).order_by("run_date")
    scores = list(snapshots.filter(team=None).values_list("score", flat=True))
    assert scores[-1] - scores[0] >= 2, scores
    first, last = snapshots.filter(team=None).first(), snapshots.filter(team=None).last()
    assert first.kpis_off_track > last.kpis_off_track
    by_team: dict[int, list[float]] = {}
    for team, score in snapshots.exclude(team=None).values_list("team_id", "score"):
        by_team.setdefault(team, []).append(score)
    assert any(max(s) - s[-1] >= 3 for s in by_team.values()), by_team
    # Some reviews held, a few of them late; a few findings.
    reviews = Review.objects.filter(mission__organisation=org, status="done")
    late = reviews.filter(held_on__gt=F("due_date")).count()
    assert 1 <= late <= 0.2 * reviews.count()
    found = Finding.objects.filter(organisation=org, resolved_at=None)
    assert 5 <= found.exclude(kind__in=PREDICTED_KINDS).count() <= 30


def test_the_demo_foresees_problems_of_several_kinds() -> None:
    seed()
    foreseen = Finding.objects.filter(
        organisation__slug="demo", resolved_at=None, kind__in=PREDICTED_KINDS
    )
    # A KPI likely to miss comes and goes with the day the demo is built, as its at-risk KPIs
    # do (none on about one day in four, built on each of 23 days): not asserted here.
    assert {"contributors_miss", "support_late"} <= set(foreseen.values_list("kind", flat=True))
    today = timezone.localdate()
    assert all(f.expected_on is not None and f.expected_on >= today for f in foreseen)


def test_the_past_snapshots_are_drawn_in_a_few_queries_whatever_the_size(
    django_assert_max_num_queries: Any,
) -> None:
    seed()
    org = Organisation.objects.get(slug="demo")
    today = timezone.localdate()
    past_rows = AlignmentSnapshot.objects.filter(organisation=org, run_date__lt=today)
    written = comparable(list(past_rows.values()))
    past_rows.delete()

    # The missions, the KPIs and their check-ins, the reviews, today's snapshots.
    with django_assert_max_num_queries(5):
        rows = past.past_snapshots(organisation=org, today=today)
    AlignmentSnapshot.objects.bulk_create(rows)

    assert comparable(list(past_rows.values())) == written


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_demos_charts_in_a_browser_at_desktop_and_phone_width(
    live_server: Any, new_context: Any
) -> None:
    """The demo's own pages, with its 90-day trends and months of check-ins: every chart drawn
    with its points, no console error, no sideways scrolling, no axe-core violation."""
    axe = (Path(axe_package).parent / "axe.min.js").read_text()
    seed()
    org = Organisation.objects.get(slug="demo")
    team = Team.objects.get(organisation=org, leader__username="lead")
    # Staff's KPI that stalled, then recovered.
    kpi = Kpi.objects.get(organisation=org, name="Frailty virtual ward admissions per month")
    pages = {
        "ceo": ["/o/demo/", "/o/demo/dashboard/", f"/o/demo/dashboard/teams/{team.pk}/"],
        "staff": ["/o/demo/me/", f"/o/demo/kpis/{kpi.pk}/"],
    }
    problems: list[str] = []
    for username, paths in pages.items():
        for width in (1280, 390):
            page = new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()
            errors: list[str] = []
            page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
            page.goto(f"{live_server.url}/accounts/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill("mission-demo")
            page.get_by_role("button", name="Log in").click()
            expect(page).to_have_url(f"{live_server.url}/o/demo/")
            for path in paths:
                where = f"{username} {width} {path}"
                errors.clear()
                response = page.goto(f"{live_server.url}{path}")
                assert response is not None and response.status == 200, where
                page.wait_for_load_state("networkidle")
                trends = page.locator(".chart--trend polyline").evaluate_all(
                    "lines => lines.map(l => l.points.numberOfItems)"
                )
                if "/dashboard/" in path and not (trends and min(trends) >= 60):
                    problems.append(f"{where}: trends of {trends} points")
                history = page.locator(".kpi-layout__chart svg circle").count()
                if path.startswith("/o/demo/kpis/") and history < 4:
                    problems.append(f"{where}: KPI chart of {history} points")
                if errors:
                    problems.append(f"{where}: console {errors}")
                if page.evaluate("document.documentElement.scrollWidth") > width:
                    problems.append(f"{where}: wider than the screen")
                page.evaluate(axe)
                violations = page.evaluate(
                    "async () => (await axe.run()).violations.map(v => `${v.id} (${v.impact})`)"
                )
                if violations:
                    problems.append(f"{where}: axe {violations}")
            page.context.close()
    assert problems == []
