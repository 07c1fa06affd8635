"""The product's colours, named by what they mean, for what Python draws: the KPI charts, the
dashboards' SVG charts and the heat map. The pages' stylesheet declares the same values as CSS
variables (``static/css/app.css``, ``:root``); ``tests/test_palette.py`` keeps the two in step.
Every colour of text on white meets WCAG AA contrast (4.5:1).
"""

from __future__ import annotations

WHITE = "#ffffff"
INK = "#3e4c59"  # chart text
INK_MUTED = "#52606d"  # --ink-muted: secondary text, a KPI's baseline
GRID = "#e4e7eb"
AXIS = "#7b8794"
LINK = "#1d4ed8"  # --link: a KPI's history
OK = "#166534"  # --ok: a KPI's target
OK_BAND = "#dcfce7"  # a range's band behind the target
WARNING = "#b45309"  # --focus: at risk, a forecast
DANGER = "#b91c1c"  # --danger: off track, late

# A KPI's forecast status, wherever it is drawn.
STATUS = {
    "on_track": "#15803d",
    "at_risk": WARNING,
    "off_track": DANGER,
    "unknown": AXIS,
}

# Python's names and the stylesheet's variables for the same colour.
CSS_VARIABLES = {
    "--ink-muted": INK_MUTED,
    "--link": LINK,
    "--ok": OK,
    "--focus": WARNING,
    "--danger": DANGER,
    "--paper": WHITE,
}
