"""Alignment dashboards, the heat map, CSV exports and coaching notes.

The figures are checked on a small world built by hand (see ``figures``), the permissions as a
matrix of personas, and the query counts at 200 and 2,000 missions.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from kernel import tree
from kernel.lookups import Ids
from kernel.models import CoachAssignment, Membership, Team
from kernel.permissions import actor_for, can_read_coaching_note
from measures.models import CheckIn, Kpi
from missions.models import Mission
from reviews import dashboards
from reviews.checks import roll_up_day, run_checks
from reviews.dashboards.team import LeastAlignedFirst
from reviews.health import health_counts
from reviews.models import AlignmentSnapshot, CoachingNote, Finding, MissionScore, Review
from tests.conftest import TENANT_SCOPE_QUERIES
from tests.measures.factories import CheckInFactory, KpiFactory
from tests.missions.factories import (
    MembershipFactory,
    MissionFactory,
    TeamFactory,
    UserFactory,
    align,
)
from tests.reviews.scores import score_of, set_score

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NOW = timezone.now()
ROOT = Path(__file__).resolve().parents[2]


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def _finding(mission, kind: str, severity: str, **extra) -> Finding:
    return Finding.objects.create(
        organisation=mission.organisation,
        mission=mission,
        kind=kind,
        severity=severity,
        message=f"{kind} on {mission.title}",
        opened_at=NOW,
        last_seen_at=NOW,
        **extra,
    )


@pytest.fixture
def figures(world):
    """Scores 100 / 75 / 50; four KPIs, one of each forecast; three open findings; three
    reviews due in the window, one held on time; two organisation snapshots in the window.

    Board owns org_mission (100); Operations owns team_mission (75) and, through ``staff``,
    staff_mission (50). Everything of "other" and everything outside the windows is noise.
    """
    scores = {world.org_mission: 100, world.team_mission: 75, world.staff_mission: 50}
    for mission, score in scores.items():
        set_score(mission, score)
    set_score(world.other_mission, 0)
    for mission, status in (
        (world.org_mission, "unknown"),
        (world.team_mission, "on_track"),
        (world.staff_mission, "off_track"),
        (world.staff_mission, "at_risk"),
    ):
        KpiFactory(mission=mission, forecast_status=status, name=f"{status} KPI", progress=0.5)
    KpiFactory(mission=world.team_mission, forecast_status="off_track", status="archived")
    KpiFactory(mission=world.other_mission, forecast_status="off_track")
    _finding(world.team_mission, "no_kpi", "warning")
    _finding(world.staff_mission, "kpi_off_track", "warning")
    _finding(world.staff_mission, "space_exceeds_parent", "critical")
    _finding(world.staff_mission, "orphan", "critical", resolved_at=NOW)  # resolved
    _finding(world.other_mission, "orphan", "critical")  # another organisation
    Review.objects.create(
        mission=world.team_mission, due_date=days(-10), held_on=days(-12), status="done"
    )
    Review.objects.create(
        mission=world.staff_mission, due_date=days(-20), held_on=days(-15), status="done"
    )
    Review.objects.create(mission=world.org_mission, due_date=days(-5))  # missed
    Review.objects.create(mission=world.org_mission, due_date=days(-40), status="cancelled")
    Review.objects.create(mission=world.org_mission, due_date=days(-100))  # before the window
    Review.objects.create(mission=world.team_mission, due_date=TODAY)  # not late yet
    Review.objects.create(mission=world.other_mission, due_date=days(-3))
    for when, score in ((-2, 70.0), (-1, 72.0), (0, 75.0), (-120, 10.0)):
        AlignmentSnapshot.objects.create(
            organisation=world.organisation,
            run_date=days(when),
            score=score,
            missions=3,
            scored=3,
            open_findings=3,
            critical_findings=1,
            reviews_due=3,
            reviews_on_time=1,
            # What the checks count of the KPIs above: one of each forecast.
            kpis_on_track=1,
            kpis_at_risk=1,
            kpis_off_track=1,
            kpis_unknown=1,
            # ... and of the open findings, by kind and severity.
            findings={
                "no_kpi:warning": 1,
                "kpi_off_track:warning": 1,
                "space_exceeds_parent:critical": 1,
            },
        )
    # Today's team snapshots say what the live data says, as the checks would write them.
    for team, when, score, missions, found, critical in (
        (world.team, -1, 60.0, 2, 3, 1),
        (world.team, 0, 62.5, 2, 3, 1),
        (world.top_team, 0, 100.0, 1, 0, 0),
    ):
        AlignmentSnapshot.objects.create(
            organisation=world.organisation,
            team=team,
            run_date=days(when),
            score=score,
            missions=missions,
            scored=missions,
            open_findings=found,
            critical_findings=critical,
            **TEAM_KPIS_AND_REVIEWS[team.name],
        )
    for when in (-2, -1, 0):  # each team with its sub-teams, as the checks roll them up
        roll_up_day(organisation_id=world.organisation.pk, day=days(when))
    return world


# What the checks write into the teams' snapshots from the KPIs and reviews above.
TEAM_KPIS_AND_REVIEWS = {
    "Operations": {
        "kpis_on_track": 1,
        "kpis_at_risk": 1,
        "kpis_off_track": 1,
        "reviews_due": 2,
        "reviews_on_time": 1,
    },
    "Board": {"kpis_unknown": 1, "reviews_due": 1, "reviews_on_time": 0},
}


def test_it_computes_the_organisation_figures(figures) -> None:
    board = dashboards.organisation_dashboard(
        organisation=figures.organisation, scope=None, sort=""
    )
    f = board.figures
    assert f.missions == 3
    assert f.score == 75
    assert dict(f.kpis) == {"unknown": 1, "on_track": 1, "off_track": 1, "at_risk": 1}
    assert [f.kpi_share(s) for s in dashboards.STATUSES] == [0.25, 0.25, 0.25, 0.25]
    assert f.open_findings == 3 and f.critical_findings == 1
    assert dict(f.by_kind) == {"no_kpi": 1, "kpi_off_track": 1, "space_exceeds_parent": 1}
    assert (f.reviews_due, f.reviews_on_time) == (3, 1)
    assert f.compliance == pytest.approx(1 / 3)
    assert board.trend == [(days(-2), 70.0), (days(-1), 72.0), (TODAY, 75.0)]
    assert board.checked_on == TODAY


def test_it_rolls_sub_teams_into_their_parent(figures) -> None:
    board = dashboards.organisation_dashboard(
        organisation=figures.organisation, scope=None, sort="name"
    )
    rows = {row.team.name: row.figures for row in board.rows}
    assert [row.team.name for row in board.rows] == ["Board", "Operations"]
    assert (rows["Operations"].missions, rows["Operations"].score) == (2, 62.5)
    assert (rows["Board"].missions, rows["Board"].score) == (3, 75)
    assert rows["Operations"].open_findings == 3
    assert rows["Operations"].compliance == pytest.approx(1 / 2)
    assert rows["Board"].critical_findings == 1
    leaders = {row.team.name: row.team.leader_name for row in board.rows}
    assert leaders["Operations"] == figures.lead.get_full_name()
    nobody = TeamFactory(organisation=figures.organisation, name="Leaderless", leader=None)
    teams = dashboards.team_infos(organisation=figures.organisation, scope=[nobody])
    assert [t.leader_name for t in teams] == [""]


def test_the_dashboard_takes_scores_and_findings_from_the_last_check(figures) -> None:
    """What the checks have not seen yet shows after their next run, in the headline as in
    the table: one figure, whatever the size of the organisation."""
    set_score(figures.staff_mission, 0)
    _finding(figures.team_mission, "orphan", "critical")
    board = dashboards.organisation_dashboard(
        organisation=figures.organisation, scope=None, sort="name"
    )
    assert board.figures.score == 75
    assert (board.figures.open_findings, board.figures.critical_findings) == (3, 1)
    assert "orphan" not in board.figures.by_kind
    operations = next(r for r in board.rows if r.team.name == "Operations")
    assert operations.figures.score == 62.5
    scoped = dashboards.organisation_dashboard(
        organisation=figures.organisation, scope=[figures.team], sort=""
    )
    assert scoped.rows[0].figures.score == 62.5  # a team-scoped view reads the check too
    assert scoped.checked_on == TODAY


def test_before_the_checks_first_run_the_figures_are_live(world) -> None:
    """A new organisation has no check yet: its dashboards count live rather than show
    nothing."""
    AlignmentSnapshot.objects.filter(organisation=world.organisation).delete()
    set_score(world.staff_mission, 40)
    board = dashboards.team_dashboard(team=world.team)
    assert board.checked_on is None
    active = dashboards.missions_in_scope(
        organisation=world.organisation, scope=[world.team]
    ).filter(status="active")
    assert board.figures.missions == active.count() > 0
    assert board.figures.score == pytest.approx(
        sum(score_of(m) or 0 for m in active) / sum(score_of(m) is not None for m in active)
    )
    assert sum(board.states.values()) == board.figures.missions


def test_the_team_dashboard_reads_the_checks_counts_of_its_subtree(world) -> None:
    """Figures, findings by kind and severity and the missions' health of a team with its
    sub-teams are the sums of its teams' snapshot rows, and equal what a live count says
    on the morning after the check."""
    clinics = TeamFactory(organisation=world.organisation, name="Clinics", parent=world.team)
    MissionFactory(parent=world.team_mission, level="team", owner_team=clinics)
    run_checks(organisation=world.organisation)
    board = dashboards.team_dashboard(team=world.team)
    assert board.checked_on == TODAY
    live = dashboards.figures_by_team(organisation=world.organisation, scope=[world.team])
    total = dashboards.Figures()
    for own in live.values():
        total.add(own)
    assert board.figures.missions == total.missions == 3
    assert board.figures.score == pytest.approx(total.score)
    assert board.figures.by_kind == total.by_kind and board.figures.by_kind
    assert board.figures.by_severity == total.by_severity
    assert board.figures.foreseen_by_kind == total.foreseen_by_kind
    assert board.figures.kpis == total.kpis
    active = dashboards.missions_in_scope(
        organisation=world.organisation, scope=[world.team]
    ).filter(status="active")
    assert board.states == health_counts(active)


def test_it_sorts_the_table_and_keeps_empty_values_last(figures) -> None:
    empty = TeamFactory(organisation=figures.organisation, name="Empty", parent=figures.top_team)
    org = figures.organisation
    by_score = dashboards.organisation_dashboard(organisation=org, scope=None, sort="score")
    assert [r.team.name for r in by_score.rows] == ["Operations", "Board", "Empty"]
    best_first = dashboards.organisation_dashboard(organisation=org, scope=None, sort="-score")
    assert [r.team.name for r in best_first.rows] == ["Board", "Operations", "Empty"]
    tree_order = dashboards.organisation_dashboard(organisation=org, scope=None, sort="nonsense")
    assert tree_order.sort == "tree"
    assert tree_order.rows[0].team.pk == figures.top_team.pk
    assert empty.pk in [r.team.pk for r in tree_order.rows]


def test_the_organisation_page_explains_and_draws_each_figure(figures, client) -> None:
    client.force_login(figures.leader)
    response = client.get("/o/acme/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    for words in (
        "Alignment score",
        "loses 25 for each critical open finding",
        "Review compliance",
        "Of the 3 reviews due in the last 90 days, 1 was held on or before its due date.",
        "KPI forecasts",
        "Open findings",
    ):
        assert words in html
    assert html.count('role="img"') == 4  # trend, reviews bar, KPI bar, findings by kind
    assert "<desc" in html and "From 70 on" in html
    assert f'href="/o/acme/dashboard/teams/{figures.team.pk}/"' in html
    assert "?sort=-missions" in html


def test_the_team_dashboard_lists_what_to_act_on(figures, client) -> None:
    align(figures.team_mission)  # in play: its scheduled review is due
    client.force_login(figures.lead)
    response = client.get(f"/o/acme/dashboard/teams/{figures.team.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    board = response.context["board"]
    assert board.figures.missions == 2 and board.figures.score == 62.5
    assert [f.severity for f in board.findings] == ["critical", "warning", "warning"]
    assert f'href="/o/acme/missions/{figures.staff_mission.pk}/"' in html
    assert [m.pk for m, _ in board.mission_rows] == [
        figures.staff_mission.pk,
        figures.team_mission.pk,
    ]
    health = dict((m.pk, h) for m, h in board.mission_rows)
    # measures.health: a draft under a parent is not started, whatever its KPIs; aligned and
    # on track but with an open warning finding is watch.
    assert health[figures.staff_mission.pk].health == "not_started"
    assert health[figures.team_mission.pk].health == "watch"
    assert [f.kpi.forecast_status for f in board.kpis] == ["off_track", "at_risk", "on_track"]
    assert [r.due_date for r in board.reviews] == [TODAY]  # Operations' scheduled review
    assert board.trend == [(days(-1), 60.0), (TODAY, 62.5)]


def test_the_team_dashboard_draws_sparklines_from_stored_forecasts(world, client) -> None:
    kpi = KpiFactory(
        mission=world.team_mission,
        forecast_status="at_risk",
        forecast_value=40.0,
        name="Beds open",
    )
    for day, value in ((-30, 12), (-20, 18), (-10, 25)):
        CheckInFactory(kpi=kpi, author=world.lead, value=value, recorded_on=days(day))
    client.force_login(world.lead)
    html = client.get(f"/o/acme/dashboard/teams/{world.team.pk}/").content.decode()
    assert 'class="sparkline"' in html
    assert "Trend of the last 3 check-ins: 12, 18, 25" in html
    # The stored forecast value (not a new regression), said as on every page.
    assert "At risk</strong>: likely 40" in html


def test_the_print_view_has_the_figures_and_a_print_stylesheet(figures, client) -> None:
    client.force_login(figures.lead)
    response = client.get(f"/o/acme/dashboard/teams/{figures.team.pk}/print/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Operations: review meeting" in html and "Findings to act on" in html
    assert "What is not working?" in html
    assert "pagination" not in html
    css = (ROOT / "static/css/app.css").read_text()
    assert "/* --- Dashboards --- */" in css and "@media print" in css.split("Dashboards")[-1]


# --- Exports --------------------------------------------------------------------------------


def _rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_it_exports_the_table_of_teams_as_csv(figures, client) -> None:
    client.force_login(figures.leader)
    rows = _rows(client.get("/o/acme/dashboard/export.csv"))
    header = rows[0]
    assert header[:5] == ["Team", "Parent team", "Leader", "Missions", "Alignment score"]
    table = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(table) == {"Whole organisation", "Board", "Operations"}
    whole = table["Whole organisation"]
    assert (whole["Missions"], whole["Alignment score"]) == ("3", "75.0")
    assert (whole["Open findings"], whole["Critical findings"]) == ("3", "1")
    assert (whole["On track %"], whole["Review compliance %"]) == ("25.0", "33.3")
    operations = table["Operations"]
    assert (operations["Parent team"], operations["Alignment score"]) == ("Board", "62.5")


def test_it_exports_a_team_and_its_missions(figures, client) -> None:
    Team.objects.filter(pk=figures.team.pk).update(name="=HYPERLINK(1)")
    client.force_login(figures.lead)
    rows = _rows(client.get(f"/o/acme/dashboard/teams/{figures.team.pk}/export.csv"))
    assert rows[1][0] == "'=HYPERLINK(1) with its sub-teams"  # never read as a formula
    assert rows[1][3] == "2"
    missions = _rows(
        client.get(f"/o/acme/dashboard/teams/{figures.team.pk}/export.csv?table=missions")
    )
    assert missions[0][:2] == ["Id", "Mission"]
    assert {row[1] for row in missions[1:]} == {"Community wards", "Open two virtual wards"}


# --- Who sees what --------------------------------------------------------------------------

URLS = [
    lambda w: "/o/acme/dashboard/",
    lambda w: "/o/acme/dashboard/export.csv",
    lambda w: f"/o/acme/dashboard/teams/{w.team.pk}/",
    lambda w: f"/o/acme/dashboard/teams/{w.team.pk}/export.csv",
    lambda w: f"/o/acme/dashboard/teams/{w.team.pk}/print/",
    lambda w: "/o/acme/dashboard/heatmap/",
    lambda w: f"/o/acme/dashboard/heatmap/{w.org_mission.pk}/children/",
    lambda w: "/o/acme/coaching/",
]
URL_IDS = ["org", "org-csv", "team", "team-csv", "print", "heatmap", "branch", "coaching"]


@pytest.mark.parametrize("url_of", URLS, ids=URL_IDS)
def test_it_answers_404_to_outsiders(world, client, url_of) -> None:
    client.force_login(world.outsider)
    assert client.get(url_of(world)).status_code == 404


@pytest.mark.parametrize("url_of", URLS, ids=URL_IDS)
def test_it_sends_anonymous_visitors_to_log_in(world, client, url_of) -> None:
    response = client.get(url_of(world))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["leader", "lead", "staff", "coach", "org_admin"])
@pytest.mark.parametrize("url_of", URLS, ids=URL_IDS)
def test_members_see_the_dashboards_when_the_organisation_allows(
    world, client, persona, url_of
) -> None:
    client.force_login(getattr(world, persona))
    assert client.get(url_of(world)).status_code == 200


def test_another_organisations_team_is_not_found(world, client) -> None:
    other_team = Team.objects.get(organisation=world.other_organisation)
    client.force_login(world.leader)
    assert client.get(f"/o/acme/dashboard/teams/{other_team.pk}/").status_code == 404
    assert (
        client.get(f"/o/acme/dashboard/heatmap/{world.other_mission.pk}/children/").status_code
        == 404
    )


@pytest.fixture
def staff_kept_out(world):
    world.organisation.staff_see_dashboard = False
    world.organisation.save()
    return world


def test_staff_are_refused_the_organisation_dashboard_when_the_setting_says_so(
    staff_kept_out, client
) -> None:
    w = staff_kept_out
    client.force_login(w.staff)
    response = client.get("/o/acme/dashboard/")
    assert response.status_code == 403
    assert f'href="/o/acme/dashboard/teams/{w.team.pk}/"' in response.content.decode()
    assert client.get("/o/acme/dashboard/export.csv").status_code == 403
    assert client.get("/o/acme/dashboard/heatmap/").status_code == 403
    assert client.get(f"/o/acme/dashboard/teams/{w.team.pk}/").status_code == 200
    assert client.get(f"/o/acme/dashboard/teams/{w.top_team.pk}/").status_code == 403
    assert client.get(f"/o/acme/dashboard/teams/{w.top_team.pk}/export.csv").status_code == 403


def test_the_staff_setting_does_not_touch_leaders_and_coaches(staff_kept_out, client) -> None:
    for user in (staff_kept_out.lead, staff_kept_out.coach, staff_kept_out.org_admin):
        client.force_login(user)
        assert client.get("/o/acme/dashboard/").status_code == 200


@pytest.fixture
def team_coach(world):
    """A coach of Operations only."""
    user = UserFactory(username="team-coach")
    MembershipFactory(organisation=world.organisation, user=user, role=Membership.Role.COACH)
    CoachAssignment.objects.create(organisation=world.organisation, coach=user, team=world.team)
    return user


def test_a_team_coach_sees_only_the_teams_they_coach(figures, team_coach, client) -> None:
    client.force_login(team_coach)
    response = client.get("/o/acme/dashboard/")
    assert response.status_code == 200
    board = response.context["board"]
    assert [row.team.pk for row in board.rows] == [figures.team.pk]
    assert (board.figures.missions, board.figures.score) == (2, 62.5)
    # Operations' snapshots, not the organisation's
    assert board.trend == [(days(-1), 60.0), (TODAY, 62.5)]
    assert client.get(f"/o/acme/dashboard/teams/{figures.team.pk}/").status_code == 200
    assert client.get(f"/o/acme/dashboard/teams/{figures.top_team.pk}/").status_code == 403
    rows = _rows(client.get("/o/acme/dashboard/export.csv"))
    assert [row[0] for row in rows[1:]] == ["Teams you coach", "Operations"]


def test_a_team_coachs_heat_map_starts_at_their_teams(figures, team_coach, client) -> None:
    client.force_login(team_coach)
    response = client.get("/o/acme/dashboard/heatmap/")
    assert [n.mission for n in response.context["nodes"]] == [figures.team_mission]
    branch = f"/o/acme/dashboard/heatmap/{figures.org_mission.pk}/children/"
    assert client.get(branch).status_code == 403
    mine = client.get(f"/o/acme/dashboard/heatmap/{figures.team_mission.pk}/children/")
    assert [n.mission for n in mine.context["nodes"]] == [figures.staff_mission]


def test_coaches_get_no_edit_buttons(figures, client) -> None:
    client.force_login(figures.coach)
    for url in (
        "/o/acme/dashboard/",
        f"/o/acme/dashboard/teams/{figures.team.pk}/",
        "/o/acme/dashboard/heatmap/",
    ):
        html = client.get(url).content.decode()
        assert "/edit/" not in html and 'method="post"' not in html.split("<main")[1]
        assert "/align/" not in html and "/send-back/" not in html and "/new/" not in html


def test_the_heat_map_colours_missions_and_branches(figures, client) -> None:
    client.force_login(figures.coach)
    response = client.get("/o/acme/dashboard/heatmap/")
    (root,) = response.context["nodes"]
    # The top mission's only KPI has not enough data: not started, coloured neutral.
    assert root.mission == figures.org_mission and root.band == "unknown"
    assert (root.branch_score, root.branch_missions, root.branch_band) == (75, 3, "watch")
    html = response.content.decode()
    assert "heat--unknown" in html and "Branch" in html and "out of 100, watch" in html
    branch = client.get(
        f"/o/acme/dashboard/heatmap/{figures.org_mission.pk}/children/", HTTP_HX_REQUEST="true"
    )
    assert "<html" not in branch.content.decode()  # the htmx partial
    (node,) = branch.context["nodes"]
    assert (node.band, node.branch_score) == ("unknown", 62.5)  # a draft: not started


def test_the_heat_map_takes_the_cascades_filters(figures, client) -> None:
    client.force_login(figures.coach)
    response = client.get("/o/acme/dashboard/heatmap/?q=virtual")
    assert [n.mission for n in response.context["results"]] == [figures.staff_mission]
    assert response.context["results"][0].band == "unknown"  # a draft: not started
    by_team = client.get("/o/acme/dashboard/heatmap/?team=Operations")
    assert {n.mission for n in by_team.context["results"]} == {
        figures.team_mission,
        figures.staff_mission,
    }


# --- Coaching notes -------------------------------------------------------------------------


def _write(client, world, body: str = "We talked about saying no to a fourth mission."):
    coachee = Membership.objects.get(organisation=world.organisation, user=world.lead)
    return client.post("/o/acme/coaching/", {"coachee": coachee.pk, "body": body})


def test_a_coach_writes_a_note_only_the_coachee_reads(world, client) -> None:
    client.force_login(world.coach)
    page = client.get("/o/acme/coaching/").content.decode()
    assert '<label for="id_coachee">Coachee' in page and '<label for="id_body">Note' in page
    assert "Save note" in page
    response = _write(client, world)
    assert response.status_code == 302
    note = CoachingNote.objects.get()
    assert (note.coach, note.coachee, note.organisation) == (
        world.coach,
        world.lead,
        world.organisation,
    )
    assert "fourth mission" in client.get("/o/acme/coaching/").content.decode()
    client.force_login(world.lead)
    assert "fourth mission" in client.get("/o/acme/coaching/").content.decode()
    for other in (world.leader, world.staff, world.org_admin):
        client.force_login(other)
        assert "fourth mission" not in client.get("/o/acme/coaching/").content.decode()


def test_only_the_coach_and_the_coachee_may_read_a_note(world) -> None:
    note = CoachingNote.objects.create(
        organisation=world.organisation, coach=world.coach, coachee=world.lead, body="x"
    )
    readers = {
        user.username
        for user in (world.coach, world.lead, world.leader, world.staff, world.org_admin)
        if can_read_coaching_note(actor_for(user, world.organisation), note)
    }
    assert readers == {"coach", "lead"}
    assert not can_read_coaching_note(actor_for(world.outsider, world.organisation), note)
    assert not can_read_coaching_note(actor_for(world.lead, world.other_organisation), note)


def test_only_coaches_write_notes(world, client) -> None:
    client.force_login(world.leader)
    assert _write(client, world).status_code == 403
    assert not CoachingNote.objects.exists()


def test_a_team_coach_writes_only_about_their_teams_people(world, team_coach, client) -> None:
    client.force_login(team_coach)
    choices = client.get("/o/acme/coaching/").context["form"].fields["coachee"].coachees
    assert {m.user.username for m in choices} == {"lead", "staff"}
    # The picker suggests them, and only them, whatever is typed.
    options = client.get("/o/acme/coaching/pick/", {"q": ""}).content.decode()
    names = {u.get_full_name() for u in (world.lead, world.staff, world.leader)}
    assert len(names) == 3
    assert world.lead.get_full_name() in options and world.staff.get_full_name() in options
    assert world.leader.get_full_name() not in options
    ceo = Membership.objects.get(organisation=world.organisation, user=world.leader)
    for named in (ceo.pk, "ceo"):  # by the picker's number, or by a typed username
        response = client.post("/o/acme/coaching/", {"coachee": named, "body": "Hello"})
        assert response.status_code == 400 and not CoachingNote.objects.exists()
    response = client.post("/o/acme/coaching/", {"coachee": "staff", "body": "Hello"})
    assert response.status_code == 302
    assert CoachingNote.objects.get().coachee == world.staff


def test_an_empty_note_is_refused_with_a_message(world, client) -> None:
    client.force_login(world.coach)
    response = _write(client, world, body="   ")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not CoachingNote.objects.exists()


def test_the_admin_never_shows_a_notes_body(world, client) -> None:
    note = CoachingNote.objects.create(
        organisation=world.organisation, coach=world.coach, coachee=world.lead, body="secret-ish"
    )
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    listing = client.get("/admin/reviews/coachingnote/")
    assert listing.status_code == 200 and "secret-ish" not in listing.content.decode()
    detail = client.get(f"/admin/reviews/coachingnote/{note.pk}/change/")
    assert detail.status_code == 200 and "secret-ish" not in detail.content.decode()


# --- Query counts ---------------------------------------------------------------------------


def _grow(world, n: int) -> None:
    """Add about n missions in new sub-teams of Operations, each with a score, a KPI with two
    check-ins, an open finding and a review due in the window."""
    teams = []
    for i in range(max(n // 20, 1)):
        team = Team(
            organisation=world.organisation,
            name=f"Squad {n}-{i}",
            parent=world.team,
            path=tree.child_path(world.team.path, world.team.pk),
        )
        teams.append(team)
    teams = Team.objects.bulk_create(teams)
    parent = world.team_mission
    missions = Mission.objects.bulk_create(
        Mission(
            organisation=world.organisation,
            level="team",
            title=f"Grown {n}-{i}",
            parent=parent,
            path=tree.child_path(parent.path, parent.pk),
            owner_team=teams[i % len(teams)],
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
        )
        for i in range(n)
    )
    MissionScore.objects.bulk_create(
        MissionScore(mission=m, organisation=world.organisation, score=(i * 7) % 101)
        for i, m in enumerate(missions)
    )
    statuses = dashboards.STATUSES
    kpis = Kpi.objects.bulk_create(
        Kpi(
            organisation=world.organisation,
            mission=m,
            name="k",
            baseline=0,
            target=10,
            due_date=dt.date(2026, 12, 31),
            forecast_status=statuses[i % 4],
            progress=0.3,
        )
        for i, m in enumerate(missions)
    )
    CheckIn.objects.bulk_create(
        CheckIn(kpi=k, value=v, recorded_on=days(d), author=world.lead)
        for k in kpis
        for v, d in ((1, -20), (2, -10))
    )
    Finding.objects.bulk_create(
        Finding(
            organisation=world.organisation,
            mission=m,
            kind="no_kpi",
            severity="warning",
            message="m",
            opened_at=NOW,
            last_seen_at=NOW,
        )
        for m in missions
    )
    Review.objects.bulk_create(
        Review(organisation_id=m.organisation_id, mission=m, due_date=days(-5)) for m in missions
    )
    # Fresh statistics, as autovacuum (and generate_org) keep them: without them PostgreSQL
    # plans a table it thinks empty with nested loops, and one query takes minutes.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


QUERY_URLS = [
    lambda w: "/o/acme/dashboard/",
    lambda w: "/o/acme/dashboard/?sort=-open&page=2",
    lambda w: f"/o/acme/dashboard/teams/{w.team.pk}/",
    lambda w: f"/o/acme/dashboard/teams/{w.team.pk}/print/",
    lambda w: "/o/acme/dashboard/heatmap/",
    lambda w: f"/o/acme/dashboard/heatmap/{w.team_mission.pk}/children/",
    lambda w: "/o/acme/dashboard/heatmap/?q=Grown",
]


@pytest.mark.parametrize("persona", ["lead", "coach"])
@pytest.mark.parametrize(
    "url_of",
    QUERY_URLS,
    ids=["org", "org-sorted", "team", "print", "heatmap", "branch", "heat-search"],
)
def test_query_counts_do_not_grow_with_the_organisation(
    world, client, django_assert_max_num_queries, url_of, persona
) -> None:
    client.force_login(getattr(world, persona))
    url = url_of(world)
    _grow(world, 180)  # about 200 missions
    with django_assert_max_num_queries(30 + TENANT_SCOPE_QUERIES) as small:
        assert client.get(url).status_code == 200
    _grow(world, 1800)  # about 2,000 missions, 100 teams
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_organisation_dashboard_costs_these_queries(
    world, client, django_assert_num_queries
) -> None:
    client.force_login(world.leader)
    _grow(world, 180)
    # 1 session, 2 user, 3 organisation, 4 membership, 5 teams led (the actor),
    # 6 missions and their mean score, 7 open findings by kind and severity, 8 KPIs by
    # forecast, 9 the organisation's snapshot of the last check (its review compliance),
    # 10 teams counted, 11 a page of them sorted, 12 their rows with leaders and the
    # check's figures, 13 organisation snapshots (trend), 14 unread notifications, 15 the
    # active missions by health (the headline), live as the checks have not run yet.
    with django_assert_num_queries(15 + TENANT_SCOPE_QUERIES):
        assert client.get("/o/acme/dashboard/").status_code == 200
    run_checks(organisation=world.organisation)
    # The morning after the checks: the whole headline (6, 7, 8 and 15) is the check's (9).
    with django_assert_num_queries(11 + TENANT_SCOPE_QUERIES):
        assert client.get("/o/acme/dashboard/").status_code == 200


def test_the_team_dashboard_costs_these_queries(world, client, django_assert_num_queries) -> None:
    client.force_login(world.lead)
    _grow(world, 180)
    run_checks(organisation=world.organisation)  # the morning: the nightly checks have run
    # 1–5 session, user, organisation, membership, teams led; 6 the team; 7 the day of the
    # latest check; 8 the team and its sub-teams with the check's figures of each subtree;
    # 9 the team's subtree snapshots (trend); 10 count, 11 page (its scored missions, 12 how
    # many are scored and 13 the missions without a score that fill it: these are drafts) and
    # 14 its missions with their health; 15 their KPI progress; 16 worst KPIs and 17 their
    # last check-ins; 18 reviews due; 19 the findings to act on and 20 the rows of those; 21
    # unread notifications.
    with django_assert_num_queries(21 + TENANT_SCOPE_QUERIES):
        assert client.get(f"/o/acme/dashboard/teams/{world.team.pk}/").status_code == 200


# --- Charts ---------------------------------------------------------------------------------


def test_the_charts_say_what_they_draw_and_escape_their_text() -> None:
    from reviews import svg

    bars = svg.bar_chart([("<script>", 3), ("Orphan", 1)], uid="t", title="By kind")
    assert "&lt;script&gt;" in bars and "<script>" not in bars
    assert '<desc id="t-desc">&lt;script&gt;: 3; Orphan: 1</desc>' in bars
    split = svg.distribution_bar([("On track", 3, "#000"), ("Off", 1, "#111")], uid="d", title="x")
    assert "On track: 3 (75%); Off: 1 (25%)" in split and ">75%<" in split
    assert "Nothing to count yet." in svg.distribution_bar([], uid="e", title="x")
    line = svg.trend_chart([(days(-3), 40.0), (days(-1), 55.5)], uid="l", title="Score")
    assert "From 40 on" in line and "to 55.5 on" in line and "<polyline" in line
    assert svg.trend_chart([(days(-200), 40.0)], uid="o", title="x").count("<circle") == 0
    # A score near 100 keeps its label inside the canvas (failing first: drawn at y=3, cut).
    high = svg.trend_chart([(days(-3), 97.0), (days(0), 100.0)], uid="h", title="x")
    label_y = float(re.search(r'<text x="[\d.]+" y="([\d.]+)"[^>]*font-weight="700"', high)[1])
    assert label_y >= 14


def test_the_team_missions_are_paged_least_aligned_first_then_those_without_a_score(
    world,
) -> None:
    """Scored missions in the order of their scores (then title and id), read from the
    scores' side; then the missions without a score (drafts below the top), by title: page
    after page, across the boundary, none twice and none left out."""
    parent = world.team_mission
    made = [
        MissionFactory(
            parent=parent,
            level="team",
            owner_team=world.team,
            title=f"Mission {i:02}",
            alignment_status="draft" if i % 3 == 0 else "aligned",
        )
        for i in range(11)
    ]
    for i, mission in enumerate(made):
        if mission.alignment_status != "draft":
            set_score(mission, (i * 37) % 5 * 20)
    ids = Ids(
        dashboards.mission_ids_in_scope(
            organisation=world.organisation, scope=[world.team], status="active"
        ).values_list("pk", flat=True)
    )
    everyone = Mission.objects.filter(pk__in=list(ids))
    expected = [
        m.pk
        for m in sorted(
            everyone,
            key=lambda m: (score_of(m) is None, score_of(m) or 0, m.title, m.pk),
        )
    ]
    order = LeastAlignedFirst(world.organisation, ids)
    assert len(order) == len(expected) > 11
    paged = [pk for start in range(0, len(order), 4) for pk in order[start : start + 4]]
    assert paged == expected
    assert order[len(expected) - 1] == expected[-1]
