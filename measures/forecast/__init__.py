"""Progress and forecast of a KPI: computed here and nowhere else.

``base`` holds what a forecast is about (the aim, the forecast, progress, the history read),
``combined`` the forecast itself, ``calibration`` what an organisation's history teaches of its
probabilities. Callers import from here.

Pure functions over plain numbers and dates, so the pages, the API, the dashboards and the
alignment checks all agree, and the edge cases are tested in one place.

**Progress** (0–1) is how far the latest value has come from the baseline to the target:
- *increase*: ``(value − baseline) / (target − baseline)``;
- *decrease*: ``(baseline − value) / (baseline − target)``;
- *range* (stay within ``[target, target_max]``): 1 inside the range; outside it, the share of
  the way from the baseline to the nearest bound (0 if the baseline itself was inside);
clamped to [0, 1]. When the baseline already equals the target, progress is 1 if the value
meets the target and 0 otherwise, never a division by zero.

**Forecast** (the method's reasons and its backtest: docs/forecasting.md). Four simple
methods, each sound where another fails, are combined over the last ``MAX_POINTS`` check-ins:
- the *recent level*: the median of the last ``LEVEL_POINTS`` values, each carried to the
  latest date at the local pace (one wild reading does not move it);
- the *robust line*: Theil–Sen, the median of the slopes between every two check-ins, through
  the median of what it leaves (outliers and an old shift move it little);
- the *damped trend*: the recent level plus the local pace (Theil–Sen over the last
  ``LOCAL_POINTS``), fading over ``DAMPING`` history spans, so a climb that slows down is not
  carried on at full pace for ever;
- the *local trend*: the recent level plus the local pace, undamped, for a pace that changed
  for good a few check-ins ago.
Each is fitted to the first check-ins of the history and forecasts the later ones; it weighs
the inverse of its squared error on the latest check-in (equal weights with two check-ins).
When the history spans a year and an F-test finds a yearly swing, the swing is taken out
first and put back. The value at the due date follows a Student-t around the combination:
its spread pools the combination's own errors with the noise about the robust line, and grows
with the horizon (the line's uncertainty, and a drift per check-in step); its 80% interval is
``low``–``high``, and ``probability`` is the share of it that meets the target, calibrated
by the organisation's own history when one is given (``measures.calibrating``).
- *on track*: meeting the target is at least as likely as not (``ON_TRACK_PROBABILITY``;
  for an increase or a decrease, exactly when the likely value meets it);
- *at risk*: a chance of at least ``AT_RISK_PROBABILITY``;
- *off track*: less than that;
- *unknown*: fewer than two dated values (unless the one value already meets the target).
A due date already past is read from the check-ins (probability 1 or 0). ``reach_date`` is
the first day the likely value meets the target (the latest date if the latest value already
does), or None if it does not within ``REACH_HORIZON_DAYS``. ``recent_line`` keeps the first
method (least squares over the last ``WINDOW``), which the backtest compares.
"""

from .base import (
    AT_RISK_SHARE,
    DIRECTIONS,
    REACH_HORIZON_DAYS,
    STATUSES,
    WINDOW,
    Aim,
    Dated,
    Direction,
    Forecast,
    Status,
    Target,
    direction_of,
    least_squares,
    points_from,
    progress,
    recent_line,
    series,
    status_of,
)
from .calibration import CALIBRATION_PRIOR, Calibration, calibration_from
from .combined import (
    AT_RISK_PROBABILITY,
    CALIBRATED_METHODS,
    COMBINED,
    INTERVAL,
    MAX_POINTS,
    OBSERVED,
    ON_TRACK_PROBABILITY,
    SEASONAL,
    SINGLE,
    forecast,
    status_for,
    theil_sen,
)

__all__ = [
    "AT_RISK_PROBABILITY",
    "AT_RISK_SHARE",
    "CALIBRATED_METHODS",
    "CALIBRATION_PRIOR",
    "COMBINED",
    "DIRECTIONS",
    "INTERVAL",
    "MAX_POINTS",
    "OBSERVED",
    "ON_TRACK_PROBABILITY",
    "REACH_HORIZON_DAYS",
    "SEASONAL",
    "SINGLE",
    "STATUSES",
    "WINDOW",
    "Aim",
    "Calibration",
    "Dated",
    "Direction",
    "Forecast",
    "Status",
    "Target",
    "calibration_from",
    "direction_of",
    "forecast",
    "least_squares",
    "points_from",
    "progress",
    "recent_line",
    "series",
    "status_for",
    "status_of",
    "theil_sen",
]
