"""The alignment snapshots of the days before the demo was built, so that the dashboards'
90-day trend has a line to show from the first day rather than a single dot.

The nightly checks write one ``AlignmentSnapshot`` a day for the organisation and each team
(``reviews.checks.scores.snapshot``); a demo built today has had one night. Its earlier days
are drawn from what the demo holds once today's checks have run:

- a mission's alignment score on a past day is today's, except for its KPIs' forecasts: a KPI
  forecast off track costs its mission the weight of the finding the checks open for it
  (``kpi_off_track``), on the days it was off track and not on the others. A KPI's forecast on
  a day is the one the product would have stored then: ``measures.figures.kpi_figures`` over
  the check-ins recorded up to that day. The other findings are taken as they stand today.
- a team's score is the mean of its missions' scores and the organisation's the mean of all
  active missions', as in the checks' snapshot; with each day's KPI forecasts and review
  compliance (the reviews that fell due in the window before that day, and those held on time).

So the trend tells the story the check-ins tell (a recovery lifts it, a setback lowers it) and
ends where today's checks begin. Everything is computed in memory from four queries and
written with one bulk insert.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection

from kernel.models import Organisation
from measures.figures import kpi_figures
from measures.models import CheckIn, ForecastStatus, Kpi
from measures.summary import standing_check_ins
from missions.models import Mission
from reviews.checks import COMPLIANCE_WINDOW_DAYS, MEMBERSHIP_JOIN, OWNER_TEAM, SCORE_JOIN, WEIGHTS
from reviews.checks.rules import rules
from reviews.models import AlignmentSnapshot, Finding, Review

OFF_TRACK = ForecastStatus.OFF_TRACK
STATUSES = [s.value for s in ForecastStatus]
ACTIVE = Mission.Status.ACTIVE
# The days before today that get a snapshot: the trend's whole window.
DAYS = COMPLIANCE_WINDOW_DAYS - 1


@dataclass
class _Mission:
    team_id: int | None
    score: float | None  # today's, from today's checks (none for a draft: not started)
    kpis: list[_Kpi] = field(default_factory=list)


@dataclass
class _Kpi:
    """When the KPI's forecast changed (after each check-in) and what it became."""

    since: list[dt.date]
    status: list[str]

    def on(self, day: dt.date) -> str:
        i = bisect.bisect_right(self.since, day)
        return self.status[i - 1] if i else ForecastStatus.UNKNOWN


def forecast_history(kpi: Kpi, standing: Sequence[CheckIn]) -> _Kpi:
    """The forecast stored after each of the KPI's standing check-ins (oldest first)."""
    since, status = [], []
    for i, check_in in enumerate(standing):
        since.append(check_in.recorded_on)
        status.append(kpi_figures(kpi, standing[: i + 1])["forecast_status"])
    return _Kpi(since, status)


def _missions(organisation: Organisation) -> dict[int, _Mission]:
    """The active missions with their team (as the checks' snapshot groups them) and score."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.id, {OWNER_TEAM}, s.score FROM missions_mission m "
            f"{MEMBERSHIP_JOIN} {SCORE_JOIN} WHERE m.organisation_id = %s AND m.status = %s",
            [organisation.pk, ACTIVE],
        )
        return {
            pk: _Mission(team, None if score is None else float(score))
            for pk, team, score in cursor.fetchall()
        }


def _off_track_weight() -> int:
    rule = next(r for r in rules() if r.kind == Finding.Kind.KPI_OFF_TRACK)
    return WEIGHTS[rule.severity]


def _compliance(reviews: Iterable[tuple[dt.date, bool]], day: dt.date) -> tuple[int, int]:
    """(due, held on time) of the reviews that fell due in the window before ``day``: the
    rule of the checks' snapshot (``reviews.checks.scores``), on these (due date, on time)."""
    since = day - dt.timedelta(days=COMPLIANCE_WINDOW_DAYS)
    due = [on_time for due_date, on_time in reviews if since <= due_date < day]
    return len(due), sum(due)


def past_snapshots(*, organisation: Organisation, today: dt.date) -> list[AlignmentSnapshot]:
    """The organisation's and its teams' snapshots of the ``DAYS`` days before ``today``, drawn
    from today's (which the checks must have written)."""
    missions = _missions(organisation)
    kpis = Kpi.objects.filter(
        organisation=organisation, status=Kpi.Status.ACTIVE, mission__status=ACTIVE
    ).prefetch_related(standing_check_ins())
    for kpi in kpis:
        missions[kpi.mission_id].kpis.append(forecast_history(kpi, list(kpi.check_ins.all())))
    reviews: defaultdict[int | None, list[tuple[dt.date, bool]]] = defaultdict(list)
    rows = (
        Review.objects.filter(mission__organisation=organisation, mission__status=ACTIVE)
        .exclude(status=Review.Status.CANCELLED)
        .values_list("mission_id", "due_date", "status", "held_on")
    )
    for mission_id, due_date, status, held_on in rows:
        in_time = status == Review.Status.DONE and held_on is not None and held_on <= due_date
        for team in {missions[mission_id].team_id, None}:
            reviews[team].append((due_date, in_time))
    today_rows = {
        s.team_id: s
        for s in AlignmentSnapshot.objects.filter(organisation=organisation, run_date=today)
    }
    weight = _off_track_weight()
    off_today = {pk: sum(k.on(today) == OFF_TRACK for k in m.kpis) for pk, m in missions.items()}

    snapshots = []
    for back in range(DAYS, 0, -1):
        day = today - dt.timedelta(days=back)
        scores: defaultdict[int | None, list[float]] = defaultdict(list)
        counted: Counter[int | None] = Counter()
        forecasts: defaultdict[int | None, Counter[str]] = defaultdict(Counter)
        more_open: Counter[int | None] = Counter()
        for pk, mission in missions.items():
            statuses = [k.on(day) for k in mission.kpis]
            off = statuses.count(OFF_TRACK)
            for team in {mission.team_id, None}:
                counted[team] += 1
                if mission.score is not None:  # a draft has no score (not started)
                    score = mission.score + weight * (off_today[pk] - off)
                    scores[team].append(min(100.0, max(0.0, score)))
                forecasts[team].update(statuses)
                more_open[team] += off - off_today[pk]
        for team, missions_counted in counted.items():
            team_scores = scores[team]
            now = today_rows.get(team)
            if now is None:  # a team the checks do not snapshot (no mission of its own)
                continue
            due, on_time = _compliance(reviews[team], day)
            snapshots.append(
                AlignmentSnapshot(
                    organisation=organisation,
                    team_id=team,
                    run_date=day,
                    score=sum(team_scores) / len(team_scores) if team_scores else None,
                    missions=missions_counted,
                    scored=len(team_scores),
                    open_findings=max(0, now.open_findings + more_open[team]),
                    critical_findings=now.critical_findings,
                    **{f"kpis_{s}": forecasts[team][s] for s in STATUSES},
                    reviews_due=due,
                    reviews_on_time=on_time,
                )
            )
    return snapshots
