"""``manage.py seed_demo``: the demo organisation, its log-ins, and a second run that changes
nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from measures.models import CheckIn, Kpi
from missions import tree
from missions.models import (
    AuditEvent,
    CoachAssignment,
    Interdependency,
    KeyTask,
    Membership,
    Mission,
    Organisation,
    Team,
    Vision,
)
from missions.services import mission_align
from reviews.models import Review

pytestmark = pytest.mark.django_db
User = get_user_model()
Role = Membership.Role


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
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
    }
    return {name: list(rows.order_by("pk").values()) for name, rows in in_org.items()}


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


def test_a_second_run_changes_nothing() -> None:
    seed()
    before = snapshot()

    output = seed()

    after = snapshot()
    for table in before:
        assert len(after[table]) == len(before[table]), table
        assert after[table] == before[table], table
    assert "nothing to change" in output
    assert_paths_consistent(Organisation.objects.get(slug="demo"))


def test_a_run_weeks_later_moves_the_demo_forward() -> None:
    seed()
    org = Organisation.objects.get(slug="demo")
    check_ins = CheckIn.objects.filter(kpi__organisation=org)
    counts = {"missions": org.missions.count(), "check_ins": check_ins.count()}
    later = timezone.now() + dt.timedelta(days=45)

    with time_machine.travel(later, tick=False):
        seed()
        today = timezone.localdate()
        assert org.missions.count() == counts["missions"]
        assert check_ins.count() > counts["check_ins"]
        # Append-only history: added, never duplicated, never in the future.
        pairs = list(check_ins.values_list("kpi_id", "recorded_on"))
        assert len(pairs) == len(set(pairs))
        assert max(day for _kpi, day in pairs) <= today
        scheduled = Review.objects.filter(mission__organisation=org, status="scheduled")
        per_mission = list(scheduled.values_list("mission_id", flat=True))
        assert len(per_mission) == len(set(per_mission))
        assert_paths_consistent(org)
        before = snapshot()
        seed()
        assert snapshot() == before


def test_a_run_restores_what_a_demo_session_changed() -> None:
    seed()
    org = Organisation.objects.get(slug="demo")
    proposed = Mission.objects.filter(organisation=org, alignment_status="proposed").first()
    mission_align(mission=proposed, by=User.objects.get(username="ceo"))
    Vision.objects.filter(organisation=org).update(ceo_intent="Changed in a demo.")
    User.objects.filter(username="staff").update(password="x")

    seed()

    proposed.refresh_from_db()
    assert proposed.alignment_status == "proposed"
    assert Vision.objects.get(organisation=org).ceo_intent != "Changed in a demo."
    assert authenticate(username="staff", password="mission-demo") is not None


def test_refuses_to_take_over_an_existing_user() -> None:
    User.objects.create_user("admin", email="someone@example.com", password="secret")
    with pytest.raises(CommandError, match="admin"):
        seed()
    assert not Organisation.objects.filter(slug="demo").exists()
    assert User.objects.get(username="admin").check_password("secret")
