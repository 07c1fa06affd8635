"""Each team with its sub-teams as the checks count it (``SubtreeSnapshot``), and the table of
teams sorted and paged in SQL from those rows.

The rows are checked against the dashboards' live roll-up (``team_rows`` over
``figures_by_team``) of the same missions, on the morning after the checks.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

import pytest
from django.utils import timezone

from kernel.models import Team
from missions.models import Mission
from reviews import dashboards
from reviews.checks import run_checks
from reviews.health import health_counts
from reviews.models import AlignmentSnapshot, Finding, Review, SubtreeSnapshot
from tests.measures.factories import KpiFactory
from tests.missions.factories import MissionFactory, TeamFactory, align

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
STATUSES = dashboards.STATUSES


def _branches(world, *, wide: int = 0) -> dict[str, Team]:
    """Board > Operations > Clinics > Night ward, and Operations > Wards, each with missions
    of its own (KPIs of every forecast, reviews held and missed, a mission without KPIs for a
    finding); ``wide`` more teams under the Board with one mission each."""
    teams = {"Board": world.top_team, "Operations": world.team}
    for name, parent in (
        ("Clinics", "Operations"),
        ("Night ward", "Clinics"),
        ("Wards", "Operations"),
    ):
        teams[name] = TeamFactory(organisation=world.organisation, name=name, parent=teams[parent])
    for i in range(wide):
        teams[f"Unit {i:02d}"] = TeamFactory(
            organisation=world.organisation, name=f"Unit {i:02d}", parent=world.top_team
        )
    for n, (name, team) in enumerate(teams.items()):
        for m in range(1 + n % 3):
            mission = MissionFactory(
                parent=world.org_mission, level="team", owner_team=team, title=f"{name} {m}"
            )
            align(mission)
            for k in range((n + m) % 4):  # no KPI at all: a finding of the checks
                KpiFactory(mission=mission, forecast_status=STATUSES[(n + k) % 4])
            if m == 0:
                held = n % 2 == 0
                Review.objects.create(
                    mission=mission,
                    due_date=TODAY - dt.timedelta(days=10 + n),
                    held_on=TODAY - dt.timedelta(days=10 + n) if held else None,
                    status="done" if held else "scheduled",
                )
    return teams


def _live_rows(organisation) -> dict[int, dashboards.TeamRow]:
    teams = dashboards.team_infos(organisation=organisation, scope=None)
    own = dashboards.figures_by_team(organisation=organisation, scope=None)
    return {row.team.pk: row for row in dashboards.team_rows(teams, own)}


def test_each_team_with_its_sub_teams_is_the_sum_of_what_lies_below(world) -> None:
    teams = _branches(world)
    run_checks(organisation=world.organisation)
    live = _live_rows(world.organisation)
    rows = {s.team_id: s for s in SubtreeSnapshot.objects.filter(run_date=TODAY)}
    assert set(rows) == {t.pk for t in teams.values()}
    assert rows[world.top_team.pk].findings  # something to count
    for name, team in teams.items():
        checked, expected = rows[team.pk], live[team.pk].figures
        assert checked.missions == expected.missions > 0, name
        assert checked.score == pytest.approx(expected.score), name
        assert (checked.open_findings, checked.critical_findings) == (
            expected.open_findings,
            expected.critical_findings,
        ), name
        assert {s: getattr(checked, f"kpis_{s}") for s in STATUSES if expected.kpis.get(s)} == {
            s: n for s, n in expected.kpis.items() if n
        }, name
        assert (checked.reviews_due, checked.reviews_on_time) == (
            expected.reviews_due,
            expected.reviews_on_time,
        ), name
        by_kind: Counter[str] = Counter()
        for key, n in checked.findings.items():
            by_kind[key.split(":")[0]] += n
        assert by_kind == Counter(expected.by_kind) + Counter(expected.foreseen_by_kind), name
        in_scope = dashboards.missions_in_scope(organisation=world.organisation, scope=[team])
        health = health_counts(in_scope.filter(status=Mission.Status.ACTIVE))
        assert {s: getattr(checked, f"missions_{s}") for s in health} == health, name
    # The top team holds everything but the missions of people in no team.
    assert (
        rows[world.top_team.pk].missions
        == Mission.objects.filter(organisation=world.organisation, status="active")
        .exclude(owner_team=None)
        .count()
        + 1
    )  # + the staff member's own mission (Operations)


def test_the_organisations_own_row_holds_its_open_findings_by_kind(world, client) -> None:
    """The organisation dashboard's headline reads the check's row, as the live count has it."""
    _branches(world)
    run_checks(organisation=world.organisation)
    live = Counter(
        f"{f.kind}:{f.severity}"
        for f in Finding.objects.filter(
            organisation=world.organisation, resolved_at=None, mission__status="active"
        )
    )
    itself = AlignmentSnapshot.objects.get(
        organisation=world.organisation, team=None, run_date=TODAY
    )
    assert itself.findings == dict(live) and sum(live.values()) > 0
    board = dashboards.organisation_dashboard(organisation=world.organisation, scope=None, sort="")
    shown = Counter(board.figures.by_kind) + Counter(board.figures.foreseen_by_kind)
    by_kind: Counter[str] = Counter()
    for key, n in live.items():
        by_kind[key.split(":")[0]] += n
    assert shown == by_kind
    client.force_login(world.leader)
    page = client.get("/o/acme/dashboard/").content.decode()
    assert "Open findings by kind" in page


def test_a_re_run_on_the_same_day_replaces_the_rows(world) -> None:
    teams = _branches(world)
    run_checks(organisation=world.organisation)
    night = Mission.objects.filter(owner_team=teams["Night ward"])
    gone = night.count()
    night.update(status=Mission.Status.ARCHIVED)
    run_checks(organisation=world.organisation)
    rows = SubtreeSnapshot.objects.filter(organisation=world.organisation, run_date=TODAY)
    assert rows.count() == len(teams) - 1  # Night ward has nothing left to count
    before = _live_rows(world.organisation)[teams["Clinics"].pk].figures.missions
    assert rows.get(team=teams["Clinics"]).missions == before
    assert gone > 0


@pytest.mark.parametrize("sort", [*dashboards.SORTS, *(f"-{key}" for key in dashboards.SORTS)])
def test_the_table_sorts_in_sql_as_the_rows_sort_in_python(world, sort) -> None:
    """Empty values last, ties by name: the SQL of ``CHECKED_SORTS`` is the rule of
    ``SORTS``, on the same rows."""
    _branches(world, wide=8)
    TeamFactory(organisation=world.organisation, name="Empty", parent=world.top_team)
    run_checks(organisation=world.organisation)
    table, applied = dashboards.checked_table(
        organisation=world.organisation, scope=None, day=TODAY, sort=sort
    )
    assert applied == sort
    in_sql = [row.team.name for row in table]
    in_python, _ = dashboards.sort_rows(list(table), sort)
    assert in_sql == [row.team.name for row in in_python]


def test_the_table_of_teams_is_read_a_page_at_a_time_and_exported_whole(world, client) -> None:
    _branches(world, wide=60)
    run_checks(organisation=world.organisation)
    board = dashboards.organisation_dashboard(
        organisation=world.organisation, scope=None, sort="name", page=2
    )
    names = sorted(t.name.lower() for t in Team.objects.filter(organisation=world.organisation))
    assert board.page.paginator.count == len(names) == 65
    assert [row.team.name.lower() for row in board.rows] == names[50:]
    client.force_login(world.leader)
    body = b"".join(client.get("/o/acme/dashboard/export.csv").streaming_content).decode()
    lines = list(csv.reader(io.StringIO(body)))
    assert len(lines) == 2 + 65  # the header, the organisation, every team
    assert lines[2][0] == "Board"  # depth first: the tree's root, then what lies below it
    ward = next(line for line in lines if line[0] == "Night ward")
    assert ward[1] == "Clinics"


def test_the_tree_lists_each_team_right_before_what_lies_below_it(world) -> None:
    teams = _branches(world)
    run_checks(organisation=world.organisation)
    table, applied = dashboards.checked_table(
        organisation=world.organisation, scope=None, day=TODAY, sort="tree"
    )
    assert applied == "tree"
    order = [row.team.name for row in table]
    assert order.index("Clinics") + 1 == order.index("Night ward")
    assert order[0] == "Board"
    depth = {row.team.name: row.depth for row in table}
    assert (depth["Board"], depth["Operations"], depth["Night ward"]) == (0, 1, 3)
    scoped, _ = dashboards.checked_table(
        organisation=world.organisation, scope=[teams["Clinics"]], day=TODAY, sort="tree"
    )
    assert [(row.team.name, row.depth) for row in scoped] == [("Clinics", 0), ("Night ward", 1)]


def test_a_team_dashboard_reads_its_subtree_from_one_row(world) -> None:
    teams = _branches(world)
    run_checks(organisation=world.organisation)
    board = dashboards.team_dashboard(team=teams["Operations"], sort="-missions")
    live = _live_rows(world.organisation)[teams["Operations"].pk].figures
    assert board.figures.missions == live.missions
    assert board.figures.by_kind == live.by_kind and board.figures.by_kind
    assert board.figures.foreseen_by_kind == live.foreseen_by_kind
    assert sum(board.states.values()) == live.missions
    assert [row.team.name for row in board.rows][0] == "Operations"  # the most missions
    assert {row.team.name for row in board.rows} == {"Operations", "Clinics", "Wards"}
    assert board.trend[-1] == (TODAY, pytest.approx(live.score))
