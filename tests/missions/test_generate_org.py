"""``manage.py generate_org``: a synthetic organisation that keeps every database rule."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import subprocess
import sys
import threading
from collections import defaultdict
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from kernel import tree
from kernel.models import CoachAssignment, Membership, Organisation, Team
from measures.calibrating import calibration_of
from measures.figures import FIGURE_FIELDS, kpi_figures, rollup_of
from measures.models import CheckIn, Kpi
from missions.generate import kpis as generated_kpis
from missions.models import Interdependency, KeyTask, Mission
from reviews.models import Review
from tests.conftest import World

pytestmark = pytest.mark.django_db
User = get_user_model()
N = 300
SLUG = "synthetic-test"
ROOT = Path(__file__).resolve().parents[2]
# Not passed on to a command that must run on the embedded default (SQLite, no Redis): the
# services of the test run, and what the test settings put into the environment.
NOT_INHERITED = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)


def generate(*args: str) -> str:
    out = StringIO()
    call_command(
        "generate_org", "--missions", str(N), "--slug", SLUG, *args, stdout=out, stderr=StringIO()
    )
    # The test's transaction never commits: check the deferred foreign keys now.
    connection.check_constraints()
    return out.getvalue()


def org_counts(org: Organisation) -> dict[str, int]:
    return {
        "teams": Team.objects.filter(organisation=org).count(),
        "memberships": Membership.objects.filter(organisation=org).count(),
        "missions": Mission.objects.filter(organisation=org).count(),
        "kpis": Kpi.objects.filter(organisation=org).count(),
        "check_ins": CheckIn.objects.filter(kpi__organisation=org).count(),
        "key_tasks": KeyTask.objects.filter(mission__organisation=org).count(),
        "reviews": Review.objects.filter(mission__organisation=org).count(),
        "links": Interdependency.objects.filter(organisation=org).count(),
    }


def test_generates_about_n_missions_with_people_kpis_and_check_ins() -> None:
    output = generate()

    org = Organisation.objects.get(slug=SLUG)
    counts = org_counts(org)
    assert counts["missions"] == N
    assert 20 <= counts["teams"] <= 60
    assert 100 <= counts["memberships"] <= 300
    assert 2.5 * N <= counts["kpis"] <= 3.5 * N
    assert counts["check_ins"] == 10 * counts["kpis"]
    assert counts["key_tasks"] == 2 * N
    # A held and a scheduled review for each mission in play; none for a draft or sent back.
    in_play = Mission.objects.filter(organisation=org).in_play()
    assert N * 0.8 < in_play.count() < N
    assert counts["reviews"] == 2 * in_play.count()
    out_of_play = Mission.objects.filter(organisation=org).exclude(pk__in=in_play)
    assert not Review.objects.filter(mission__in=out_of_play).exists()
    assert not out_of_play.filter(next_review_due__isnull=False).exists()
    assert counts["links"] > 0
    assert f"{N:,} missions" in output
    assert User.objects.filter(memberships__organisation=org).count() == counts["memberships"]
    # One password hash for everyone, and by default nobody can log in with it.
    passwords = set(User.objects.filter(memberships__organisation=org).values_list("password"))
    assert len(passwords) == 1
    assert not User.objects.filter(memberships__organisation=org).first().has_usable_password()


def test_the_cascade_is_a_consistent_tree() -> None:
    generate()
    org = Organisation.objects.get(slug=SLUG)
    missions = {m["id"]: m for m in Mission.objects.filter(organisation=org).values()}
    teams = {t["id"]: t for t in Team.objects.filter(organisation=org).values()}

    for rows in (missions, teams):
        for row in rows.values():
            parent = rows.get(row["parent_id"])
            if row["parent_id"] is not None:
                assert parent is not None, "parent in another organisation"
            expected = tree.child_path(parent["path"], parent["id"]) if parent else ""
            assert row["path"] == expected
    assert sum(1 for t in teams.values() if t["parent_id"] is None) == 1

    levels = defaultdict(list)
    for m in missions.values():
        levels[m["level"]].append(m)
        assert m["period_start"] < m["period_end"]
        if m["level"] == "organisation":
            assert m["parent_id"] is None and m["owner_team_id"] and not m["owner_user_id"]
        elif m["level"] == "team":
            parent = missions[m["parent_id"]]
            assert m["owner_team_id"] and not m["owner_user_id"]
            assert parent["level"] in ("organisation", "team")
            # A team mission serves a mission of its parent team.
            assert teams[m["owner_team_id"]]["parent_id"] == parent["owner_team_id"]
        else:
            assert m["owner_user_id"] and not m["owner_team_id"] and m["parent_id"]
    assert set(levels) == {"organisation", "team", "individual"}
    assert len(levels["individual"]) > len(levels["team"]) > len(levels["organisation"])
    assert max(tree.depth(m["path"]) for m in missions.values()) >= 3

    # Operating spaces fit inside the parent's.
    budgets: dict[int, Decimal] = defaultdict(Decimal)
    for m in missions.values():
        if m["parent_id"] and m["budget"] is not None:
            budgets[m["parent_id"]] += m["budget"]
        if m["parent_id"]:
            assert m["deadline"] <= missions[m["parent_id"]]["deadline"]
    assert all(total <= missions[pk]["budget"] for pk, total in budgets.items())

    # Ids of the descendants come from one prefix query on the path.
    top = next(m for m in levels["organisation"])
    subtree = Mission.objects.descendants_of(Mission.objects.get(pk=top["id"]))
    children = defaultdict(list)
    for m in missions.values():
        children[m["parent_id"]].append(m["id"])
    expected, stack = set(), list(children[top["id"]])
    while stack:
        pk = stack.pop()
        expected.add(pk)
        stack.extend(children[pk])
    assert set(subtree.values_list("pk", flat=True)) == expected


def test_kpis_check_ins_and_work_keep_the_rules() -> None:
    generate()
    org = Organisation.objects.get(slug=SLUG)
    kpis = Kpi.objects.filter(organisation=org).select_related("mission", "parent_kpi__mission")
    assert {k.direction for k in kpis} == {"increase", "decrease", "range"}
    for kpi in kpis:
        if kpi.direction == "range":
            assert kpi.target_max is not None and kpi.target_max >= kpi.target
        else:
            assert kpi.target_max is None
        if kpi.parent_kpi:
            assert kpi.parent_kpi.mission_id == kpi.mission.parent_id
    assert any(k.parent_kpi_id for k in kpis)

    members = set(Membership.objects.filter(organisation=org).values_list("user_id", flat=True))
    check_ins = CheckIn.objects.filter(kpi__organisation=org)
    assert set(check_ins.values_list("author_id", flat=True)) <= members
    assert not check_ins.filter(confidence__gt=100).exists()
    assert KeyTask.objects.filter(mission__organisation=org, status="done").exists()
    assert not KeyTask.objects.filter(status="done", completed_at=None).exists()
    reviews = Review.objects.filter(mission__organisation=org)
    assert reviews.filter(status="done").count() == reviews.filter(status="scheduled").count()
    links = Interdependency.objects.filter(organisation=org).select_related(
        "from_mission", "to_mission"
    )
    assert all(x.from_mission.organisation_id == x.to_mission.organisation_id for x in links)
    assert CoachAssignment.objects.filter(organisation=org, team=None).exists()


def test_the_organisation_is_separate_from_others(world: World) -> None:
    before = org_counts(world.organisation)
    users_before = set(User.objects.values_list("pk", flat=True))

    generate()

    org = Organisation.objects.get(slug=SLUG)
    assert org_counts(world.organisation) == before
    new_users = set(User.objects.values_list("pk", flat=True)) - users_before
    assert new_users == set(
        Membership.objects.filter(organisation=org).values_list("user_id", flat=True)
    )
    assert not Membership.objects.filter(user_id__in=new_users).exclude(organisation=org).exists()
    for model in (Team, Mission, Kpi, Interdependency):
        rows = model.objects.filter(organisation=org)
        assert rows.exists()
    # Every link of the new organisation stays inside it.
    assert not Mission.objects.filter(organisation=org).exclude(parent=None).exclude(
        parent__organisation=org
    ).exists()  # fmt: skip
    assert not Mission.objects.filter(organisation=org).exclude(owner_team=None).exclude(
        owner_team__organisation=org
    ).exists()  # fmt: skip
    assert not Kpi.objects.filter(organisation=org).exclude(mission__organisation=org).exists()
    assert not Kpi.objects.filter(parent_kpi__organisation=world.organisation).exists()
    assert not Membership.objects.filter(organisation=org).exclude(team=None).exclude(
        team__organisation=org
    ).exists()  # fmt: skip


def test_a_second_run_needs_replace(world: World) -> None:
    generate()
    org = Organisation.objects.get(slug=SLUG)
    counts = org_counts(org)

    with pytest.raises(CommandError, match="--replace"):
        generate()

    assert org_counts(org) == counts


def test_replace_deletes_the_old_organisation_and_generates_it_again(world: World) -> None:
    other_before = org_counts(world.organisation)
    generate()
    old = Organisation.objects.get(slug=SLUG)
    old_missions = set(Mission.objects.filter(organisation=old).values_list("pk", flat=True))

    generate("--replace", "--seed", "7")

    new = Organisation.objects.get(slug=SLUG)
    assert new.pk != old.pk
    assert not Mission.objects.filter(pk__in=old_missions).exists()
    assert org_counts(new)["missions"] == N
    assert org_counts(world.organisation) == other_before
    # The old synthetic people went with their organisation; no one is left over.
    synthetic = User.objects.filter(username__startswith=f"{SLUG}-u")
    assert synthetic.count() == org_counts(new)["memberships"]
    assert not synthetic.filter(memberships=None).exists()
    # The purge opened the append-only check-ins only for itself.
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            CheckIn.objects.filter(kpi__organisation=new)[:1].get().delete()


def test_same_seed_same_organisation() -> None:
    def shape() -> list[tuple]:
        org = Organisation.objects.get(slug=SLUG)
        return list(
            Mission.objects.filter(organisation=org)
            .order_by("pk")
            .values_list("level", "title", "budget", "alignment_status")
        )

    generate()
    first = shape()
    generate("--replace")
    assert shape() == first


# What seed 1 writes for N missions, pinned: the benchmark relies on these row counts (and a
# faster generator must still draw the same organisation).
SEED_1_COUNTS = {
    "teams": 34,
    "memberships": 181,
    "missions": 300,
    "kpis": 896,
    "check_ins": 8960,
    "key_tasks": 600,
    "reviews": 564,
    "links": 15,
}


def test_seed_1_writes_the_rows_it_always_wrote() -> None:
    generate()
    assert org_counts(Organisation.objects.get(slug=SLUG)) == SEED_1_COUNTS


def schema_of_loaded_tables() -> list[tuple[str, str, str]]:
    """The indexes and constraints of the tables the generator loads, as declared."""
    loaded = (User, Team, Membership, Mission, Kpi, CheckIn, KeyTask, Review, Interdependency)
    tables = [model._meta.db_table for model in loaded]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = ANY(%s) "
            "UNION ALL SELECT c.conrelid::regclass::text, c.conname, "
            "pg_get_constraintdef(c.oid) || CASE WHEN c.convalidated THEN '' ELSE ' NOT VALID' END "
            "FROM pg_constraint c WHERE c.conrelid::regclass::text = ANY(%s) ORDER BY 1, 2, 3",
            [tables, tables],
        )
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and dropped indexes")
def test_the_loaded_tables_keep_their_indexes_and_keys() -> None:
    before = schema_of_loaded_tables()
    assert any(" INDEX " in definition for _, _, definition in before)

    generate()

    assert schema_of_loaded_tables() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY in a thread of its own")
def test_a_failed_copy_leaves_nothing_behind(monkeypatch) -> None:
    before = schema_of_loaded_tables()
    # Longer than a KPI's name may be: the database refuses the KPIs' COPY.
    monkeypatch.setattr(generated_kpis, "METRICS", [("x" * 300, "%")])

    with pytest.raises(DatabaseError):
        generate()

    assert not Organisation.objects.filter(slug=SLUG).exists()
    assert not User.objects.filter(username__startswith=f"{SLUG}-u").exists()
    assert schema_of_loaded_tables() == before
    assert not [thread for thread in threading.enumerate() if thread.name == "copy"]


def kpis_and_check_ins() -> tuple[list[tuple], list[tuple]]:
    """The organisation's KPIs with their stored figures and roll-ups, and its check-ins, ids
    counted from its first KPI (a second run takes new ids). Check-ins without their time of
    writing: today's is written at the time of the run."""
    org = Organisation.objects.get(slug=SLUG)
    fields = ["id", "name", "direction", "target", "parent_kpi_id", *FIGURE_FIELDS]
    kpis = list(Kpi.objects.filter(organisation=org).order_by("id").values_list(*fields))
    first = kpis[0][0]
    kpis = [(pk - first, *rest[:3], rest[3] and rest[3] - first, *rest[4:]) for pk, *rest in kpis]
    check_ins = [
        (kpi_id - first, *rest)
        for kpi_id, *rest in CheckIn.objects.filter(kpi__organisation=org)
        .order_by("kpi_id", "recorded_on")
        .values_list("kpi_id", "value", "confidence", "comment", "recorded_on")
    ]
    return kpis, check_ins


def test_it_generates_the_same_kpis_check_ins_and_figures_however_many_workers(
    monkeypatch,
) -> None:
    # Several batches of forecasts, so the workers finish them in any order.
    monkeypatch.setattr(generated_kpis, "FORECAST_BATCH", 97)
    generate("--workers", "1")
    first = kpis_and_check_ins()
    generate("--replace", "--workers", "3")
    assert kpis_and_check_ins() == first
    generate("--replace", "--workers", "2", "--seed", "2")
    assert kpis_and_check_ins() != first


def test_it_stores_the_figures_and_roll_ups_the_product_computes(monkeypatch) -> None:
    monkeypatch.setattr(generated_kpis, "FORECAST_BATCH", 97)
    generate("--workers", "2")
    org = Organisation.objects.get(slug=SLUG)
    calibration = calibration_of(org.pk)
    assert calibration.knots  # learnt from the generated histories
    kpis = list(Kpi.objects.filter(organisation=org).order_by("id"))
    for kpi in kpis[::7]:  # a sample, from every batch
        standing = list(kpi.check_ins.standing().in_order())
        assert {name: getattr(kpi, name) for name in FIGURE_FIELDS} == kpi_figures(
            kpi, standing, calibration
        )
    contributors = defaultdict(list)
    for kpi in kpis:
        if kpi.parent_kpi_id is not None and kpi.status == Kpi.Status.ACTIVE:
            contributors[kpi.parent_kpi_id].append((kpi.weight, kpi.progress))
    assert contributors
    for kpi in kpis:
        assert kpi.rollup_progress == rollup_of(contributors[kpi.pk])


@pytest.mark.parametrize("n", [1, 7])
def test_tiny_organisations(n: int) -> None:
    call_command(
        "generate_org", "--missions", str(n), "--slug", SLUG, "--checkins-per-kpi", "2",
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    connection.check_constraints()
    assert Mission.objects.filter(organisation__slug=SLUG).count() == n


@pytest.mark.parametrize("args", [["--missions", "0"], ["--missions", "5", "--slug", "not a slug"]])
def test_rejects_nonsense(args: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command("generate_org", *args, stdout=StringIO())
    assert not Organisation.objects.exists()


SQLITE_COUNTS = {
    "organisations": "SELECT COUNT(*) FROM missions_organisation",
    "people": "SELECT COUNT(*) FROM auth_user",
    "missions": "SELECT COUNT(*) FROM missions_mission",
    "kpis": "SELECT COUNT(*) FROM measures_kpi",
    "without_figures": "SELECT COUNT(*) FROM measures_kpi WHERE latest_value IS NULL",
    "check_ins": "SELECT COUNT(*) FROM measures_checkin",
    "undated": "SELECT COUNT(*) FROM measures_checkin WHERE created_at IS NULL",
    # Stored as UTC text, as SQLite's own clock gives it.
    "in_the_future": "SELECT COUNT(*) FROM measures_checkin"
    " WHERE created_at > strftime('%Y-%m-%d %H:%M:%f', 'now')",
}


# In the morning (UTC), before the hour the generated check-ins are stamped with.
@time_machine.travel(dt.datetime(2025, 3, 10, 8, tzinfo=dt.UTC), tick=False)
def test_no_check_in_is_written_in_the_future() -> None:
    generate()
    now = timezone.now()
    check_ins = CheckIn.objects.filter(kpi__organisation__slug=SLUG)
    assert check_ins.exists()
    assert not check_ins.filter(created_at__gt=now).exists()
    assert not check_ins.filter(recorded_on__gt=timezone.localdate()).exists()


@pytest.mark.slow
def test_it_works_on_sqlite_the_embedded_default(tmp_path: Path) -> None:
    """``make run``'s database: the rows go through bulk_create instead of COPY. The suite runs
    on PostgreSQL, so the commands run in a process of their own on a fresh SQLite file."""
    db = tmp_path / "db.sqlite3"
    env = {name: value for name, value in os.environ.items() if name not in NOT_INHERITED}
    env.update(DEBUG="1", MISSIONLEAD_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{db}")

    def manage(*args: str) -> None:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr[-4000:]}"

    def counts() -> dict[str, int]:
        with contextlib.closing(sqlite3.connect(db)) as sqlite:
            return {name: sqlite.execute(sql).fetchone()[0] for name, sql in SQLITE_COUNTS.items()}

    manage("migrate", "--noinput", "-v", "0")
    manage("generate_org", "--missions", "60", "--no-progress")

    first = counts()
    assert first["organisations"] == 1
    assert first["missions"] == 60
    assert first["kpis"] > 60
    assert first["check_ins"] == 10 * first["kpis"]
    assert first["undated"] == first["in_the_future"] == first["without_figures"] == 0

    # --replace removes the old organisation and its people on SQLite too.
    manage("generate_org", "--missions", "60", "--no-progress", "--replace")
    assert counts() == first
