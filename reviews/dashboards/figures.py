"""The figures of the dashboards, as plain types: a set of missions' ``Figures`` (score, KPI
forecasts, open findings, review compliance), a team as a table shows it, a row of that table,
and the words of the score bands.

Plain ints and dicts, no model objects: a table of 10,000 teams adds up 10,000 of these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from measures.models import ForecastStatus

from ..checks import COMPLIANCE_WINDOW_DAYS
from ..models import PREDICTED_KINDS, Finding

# Review compliance looks back as far as the checks' snapshots do; the trend shows as many days.
WINDOW_DAYS = COMPLIANCE_WINDOW_DAYS
STATUSES = [s.value for s in ForecastStatus]
# Score bands of the heat map: one critical finding (25) already leaves "good".
GOOD_FROM, WATCH_FROM = 85, 60


def score_band(score: float | None) -> str:
    """good (85–100), watch (60–84), poor (below 60) or unknown (not scored yet)."""
    if score is None:
        return "unknown"
    if score >= GOOD_FROM:
        return "good"
    return "watch" if score >= WATCH_FROM else "poor"


def ending_today(
    trend: list[tuple[dt.date, float]], score: float | None
) -> list[tuple[dt.date, float]]:
    """The trend of a score whose last point is today's ``score``, the figure printed beside
    the chart: the nightly snapshot of today (or none yet) gives way to the live score, so the
    number and the chart's last label are one value."""
    today = timezone.localdate()
    points = [(day, value) for day, value in trend if day != today]
    return points if score is None else [*points, (today, score)]


def merge_counts(into: dict[str, int], other: dict[str, int]) -> None:
    for key, count in other.items():
        into[key] = into.get(key, 0) + count


@dataclass(slots=True)
class Figures:
    """The dashboard's figures for one set of active missions. Plain ints and dicts: a table
    of 10,000 teams adds up 10,000 of these."""

    missions: int = 0
    score_sum: float = 0.0
    scored: int = 0
    kpis: dict[str, int] = field(default_factory=dict)  # forecast status -> active KPIs
    open_findings: int = 0
    critical_findings: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    # Predicted findings: not problems yet, so not among the open findings above.
    foreseen: int = 0
    foreseen_by_kind: dict[str, int] = field(default_factory=dict)
    reviews_due: int = 0
    reviews_on_time: int = 0
    # Active missions by health (``measures.health``), where the alignment check counted them:
    # for a whole set of teams (``take_breakdown``), never added up team by team.
    health: dict[str, int] = field(default_factory=dict)

    def add(self, other: Figures) -> None:
        self.missions += other.missions
        self.score_sum += other.score_sum
        self.scored += other.scored
        merge_counts(self.kpis, other.kpis)
        self.open_findings += other.open_findings
        self.critical_findings += other.critical_findings
        if other.by_kind:
            merge_counts(self.by_kind, other.by_kind)
            merge_counts(self.by_severity, other.by_severity)
        if other.foreseen:
            self.foreseen += other.foreseen
            merge_counts(self.foreseen_by_kind, other.foreseen_by_kind)
        self.reviews_due += other.reviews_due
        self.reviews_on_time += other.reviews_on_time

    def take_breakdown(self, other: Figures) -> None:
        """Findings by kind and severity, and missions by health, from ``other``: the same
        missions counted apart (the checks' snapshots keep them apart from each team's row)."""
        self.by_kind, self.by_severity = dict(other.by_kind), dict(other.by_severity)
        self.foreseen, self.foreseen_by_kind = other.foreseen, dict(other.foreseen_by_kind)
        self.health = dict(other.health)

    def count_findings(self, kind: str, severity: str, count: int) -> None:
        if kind in PREDICTED_KINDS:
            merge_counts(self.foreseen_by_kind, {kind: count})
            self.foreseen += count
            return
        merge_counts(self.by_kind, {kind: count})
        merge_counts(self.by_severity, {severity: count})
        self.open_findings += count
        if severity == Finding.Severity.CRITICAL:
            self.critical_findings += count

    @property
    def score(self) -> float | None:
        """Mean alignment score of the scored missions; None before the checks ran."""
        return self.score_sum / self.scored if self.scored else None

    @property
    def band(self) -> str:
        return score_band(self.score)

    @property
    def compliance(self) -> float | None:
        """Share of the reviews due in the window that were held on time (0–1)."""
        return self.reviews_on_time / self.reviews_due if self.reviews_due else None

    @property
    def reviews_late(self) -> int:
        """Reviews of the window held after their due date, or not held at all."""
        return self.reviews_due - self.reviews_on_time

    @property
    def kpi_total(self) -> int:
        return sum(self.kpis.values())

    def kpi_share(self, status: str) -> float | None:
        total = self.kpi_total
        return self.kpis.get(status, 0) / total if total else None

    @property
    def kinds(self) -> list[tuple[str, int]]:
        """Open findings by kind, the most frequent first, with their labels."""
        labels = dict(Finding.Kind.choices)
        ranked = sorted(self.by_kind.items(), key=lambda item: (-item[1], item[0]))
        return [(labels.get(kind, kind), count) for kind, count in ranked if count]

    @property
    def foreseen_kinds(self) -> list[tuple[str, int]]:
        """Open predicted findings by kind, the most frequent first, with their labels."""
        labels = dict(Finding.Kind.choices)
        ranked = sorted(self.foreseen_by_kind.items(), key=lambda item: (-item[1], item[0]))
        return [(labels.get(kind, kind), count) for kind, count in ranked if count]

    @property
    def severities(self) -> list[tuple[str, str, int]]:
        return [
            (key, label, self.by_severity.get(key, 0))
            for key, label in reversed(Finding.Severity.choices)
        ]

    @property
    def kpi_parts(self) -> list[tuple[str, str, int, float | None]]:
        """(status, label, count, share) in the order the bar shows them."""
        labels = dict(ForecastStatus.choices)
        return [(s, labels[s], self.kpis.get(s, 0), self.kpi_share(s)) for s in STATUSES]


@dataclass(frozen=True)
class TeamInfo:
    """What a table row shows of a team: a plain row, so 10,000 teams cost no model objects."""

    pk: int
    name: str
    parent_id: int | None
    path: str
    leader_name: str


@dataclass
class TeamRow:
    """One line of the table of teams: the team with its sub-teams' figures rolled in."""

    team: TeamInfo
    depth: int
    figures: Figures


def total_of(own: dict[int | None, Figures]) -> Figures:
    """The figures of these teams added up."""
    total = Figures()
    for figures in own.values():
        total.add(figures)
    return total
