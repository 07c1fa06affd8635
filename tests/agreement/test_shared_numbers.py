"""Numbers written in two places that name one thing: until each is written once, they are
held equal here.

- The look-back of review compliance: ``reviews.dashboards.WINDOW_DAYS`` (live figures, and
  the trend) and ``reviews.checks.COMPLIANCE_WINDOW_DAYS`` (the check's snapshot).
- How soon a review is "due soon": ``reviews.dashboards.DUE_SOON_DAYS`` (a team's
  dashboard) and the default of ``reviews.selectors.reviews_due_for`` (a person's home and
  work pages).
- The heat map's bands and the checks' weights: one critical finding takes a mission out
  of "good" (the bands' own comment says so), one warning does not.
"""

from __future__ import annotations

import inspect

from reviews import checks, dashboards, selectors


def test_compliance_looks_back_over_one_window_in_the_dashboards_and_the_checks() -> None:
    assert dashboards.WINDOW_DAYS == checks.COMPLIANCE_WINDOW_DAYS == 90


def test_due_soon_is_one_horizon_on_a_teams_dashboard_and_on_a_persons_pages() -> None:
    default = inspect.signature(selectors.reviews_due_for).parameters["within_days"].default
    assert default == dashboards.DUE_SOON_DAYS == 14


def test_one_critical_finding_leaves_good_and_one_warning_does_not() -> None:
    assert dashboards.score_band(100 - checks.WEIGHTS["critical"]) != "good"
    assert dashboards.score_band(100 - checks.WEIGHTS["warning"]) == "good"
