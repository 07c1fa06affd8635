"""A mission's health: not started, on track, watch or off track, written once.

Every page that says how a mission is doing (the cascade, the mission page, home, My work,
the dashboards, the heat map, the printed review sheet) reads this rule, through
``health_of`` in memory or its SQL twin ``reviews.health.with_health``;
``tests/agreement/test_one_health.py`` feeds both the same cases.

The first of these that holds decides:

1. **Not started** — a draft below the top of the cascade (still being written; a top
   mission stays a draft as nobody aligns it), whatever its figures.
2. **Off track** — an active KPI forecast off track, or an open critical finding.
3. **Not started** — no active KPI with a forecast yet (none, or none with enough data) and
   no open warning finding: nothing to judge it by.
4. **Watch** — an active KPI at risk, an open warning finding, or not aligned yet (proposed,
   or sent back).
5. **On track** — otherwise: aligned (or the top), its KPIs forecast on track, no open
   critical or warning finding.

Info findings do not change a mission's health.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from .models import ForecastStatus


class Health(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    WATCH = "watch", "Watch"
    OFF_TRACK = "off_track", "Off track"


# The colour each state borrows from the score bands' palette (CSS modifiers).
TONE = {
    Health.NOT_STARTED: "unknown",
    Health.ON_TRACK: "good",
    Health.WATCH: "watch",
    Health.OFF_TRACK: "poor",
}
KNOWN_FORECASTS = (ForecastStatus.ON_TRACK, ForecastStatus.AT_RISK, ForecastStatus.OFF_TRACK)
NOT_ALIGNED_YET = ("proposed", "sent_back")


def health_of(
    *, alignment_status: str, top: bool, forecasts: Iterable[str], findings: Iterable[str] = ()
) -> Health:
    """The health of a mission in ``alignment_status`` (``top``: it has no parent) whose
    active KPIs forecast ``forecasts`` and whose open findings have ``findings`` severities."""
    statuses, severities = set(forecasts), set(findings)
    if alignment_status == "draft" and not top:
        return Health.NOT_STARTED
    if ForecastStatus.OFF_TRACK in statuses or "critical" in severities:
        return Health.OFF_TRACK
    if not statuses.intersection(KNOWN_FORECASTS) and "warning" not in severities:
        return Health.NOT_STARTED
    if (
        ForecastStatus.AT_RISK in statuses
        or "warning" in severities
        or alignment_status in NOT_ALIGNED_YET
    ):
        return Health.WATCH
    return Health.ON_TRACK
