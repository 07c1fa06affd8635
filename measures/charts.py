"""KPI charts drawn on the server as SVG: readable without JavaScript, printable, and said in
words (``<title>`` and ``<desc>``) for screen readers.

The numbers come from ``measures.summary.KpiFigures`` (the figures stored on the KPI, and the
history of its standing check-ins); this module only places them on a canvas. Colours are SVG
attributes rather than CSS classes so that the same markup works inline in a page and as a file
of its own (``kpis/<id>/chart.svg``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import escape as html_escape
from django.utils.safestring import SafeString, mark_safe

from kernel.formats import day, number, quantity
from kernel.validators import xml_safe
from missionlead import palette
from missionlead.palette import AXIS, GRID, INK, WHITE

from .forecast import Target
from .summary import KpiFigures

DOT = 5  # room for a dot on the plot's edge
SPARK_WIDTH, SPARK_HEIGHT, SPARK_POINTS = 120, 32, 24

# What each line of a KPI chart is drawn in (missionlead.palette names the colours).
HISTORY = palette.LINK
TARGET = palette.OK
BAND = palette.OK_BAND
BASELINE = palette.INK_MUTED
FORECAST = palette.WARNING

MARK = palette.INK  # a key task that a change in the trend followed

STATUS_WORDS = {
    "on_track": "on track",
    "at_risk": "at risk",
    "off_track": "off track",
    "unknown": "not enough check-ins to forecast",
}


@dataclass(frozen=True)
class Canvas:
    """The size of a line chart and of the margins its labels take, in SVG units."""

    name: str  # part of the chart's element ids, unique on a page for each size
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font_size: int


# The KPI page's chart, and the smaller one of a KPI's card on its mission's page: the card's
# keeps its labels readable at a third of a wide page or the width of a phone.
PAGE = Canvas("chart", 440, 250, 50, 16, 20, 36, 13)
CARD = Canvas("card-chart", 360, 200, 44, 12, 18, 32, 12)


def escape(text: str) -> str:
    """Text for SVG markup: HTML-escaped, and without the characters XML cannot hold (a name
    stored before the model refused control characters would make the whole file invalid)."""
    return html_escape(xml_safe(str(text)))


@dataclass(frozen=True)
class _Scale:
    """Maps ``lo``–``hi`` of the data onto ``start``–``end`` of the canvas."""

    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        return self.start + (value - self.lo) / (self.hi - self.lo) * (self.end - self.start)


def _step(span: float, count: int) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``count`` ticks."""
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def _value_range(figures: KpiFigures) -> tuple[float, float, float]:
    """The y range (low, high, tick step), tick-aligned, with the forecast only if it is near."""
    goal = Target.of(figures.kpi)
    values = [v for _, v in figures.history] + [goal.baseline, goal.target]
    if goal.target_max is not None:
        values.append(goal.target_max)
    lo, hi = min(values), max(values)
    # A count, or any value that never was negative (a share, a cost), cannot fall below 0:
    # nor can its axis, its padding or the forecast drawn on it.
    floor = 0.0 if lo >= 0 else -math.inf
    at_due = figures.forecast.value_at_due
    # A wild forecast would flatten everything else; beyond one span it is clipped instead.
    if at_due is not None and lo - (hi - lo) <= at_due <= hi + (hi - lo):
        lo, hi = max(min(lo, at_due), floor), max(hi, at_due)
    if hi == lo:
        lo, hi = max(lo - 1, floor), hi + 1
    pad = (hi - lo) * 0.06
    step = _step(hi - lo + 2 * pad, 4)
    low = max(math.floor((lo - pad) / step) * step, floor)
    return low, math.ceil((hi + pad) / step) * step, step


def _date_range(figures: KpiFigures) -> tuple[dt.date, dt.date]:
    kpi = figures.kpi
    created = timezone.localtime(kpi.created_at).date() if kpi.created_at else kpi.due_date
    start = figures.history[0][0] if figures.history else min(created, timezone.localdate())
    start = min(start, kpi.due_date)
    end = max(kpi.due_date, figures.history[-1][0] if figures.history else start)
    if end <= start:  # one day wide, inside the calendar even at 9999-12-31 (an old row)
        if start == dt.date.max:
            start -= dt.timedelta(days=1)
        end = start + dt.timedelta(days=1)
    return start, end


def describe(figures: KpiFigures) -> str:
    """The chart in words: where the KPI started, where it is, where it must get and will get."""
    kpi = figures.kpi
    goal = Target.of(kpi)
    if goal.direction == "range" and goal.target_max is not None:
        aim = f"stay between {number(goal.target)} and {quantity(goal.target_max, kpi.unit)}"
    else:
        verb = "reach" if goal.direction == "increase" else "come down to"
        aim = f"{verb} {quantity(goal.target, kpi.unit)}"
    words = [f"Baseline {quantity(goal.baseline, kpi.unit)}; target: {aim} by {day(kpi.due_date)}."]
    if figures.history:
        (first_on, first), (last_on, last) = figures.history[0], figures.history[-1]
        count = len(figures.history)
        if count == 1:
            words.append(f"One check-in: {quantity(last, kpi.unit)} on {day(last_on)}.")
        else:
            words.append(
                f"{count} check-ins, from {quantity(first, kpi.unit)} on {day(first_on)} "
                f"to {quantity(last, kpi.unit)} on {day(last_on)}."
            )
    else:
        words.append("No check-ins yet.")
    forecast = figures.forecast
    status = STATUS_WORDS[forecast.status]
    if forecast.value_at_due is not None:
        words.append(
            f"Forecast at the due date: {quantity(forecast.value_at_due, kpi.unit)}, {status}."
        )
    else:
        words.append(f"Forecast: {status}.")
    return " ".join(words)


@dataclass(frozen=True)
class Mark:
    """A day marked on a KPI chart, and what happened then (its tooltip)."""

    on: dt.date
    label: str


def _said(marks: Sequence[Mark]) -> list[str]:
    """The marks in words, for the chart's description."""
    if not marks:
        return []
    return ["Marked: " + "; ".join(mark.label for mark in marks) + "."]


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, **extra: str) -> str:
    attrs = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{value}"' for name, value in extra.items()
    )
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"{attrs}/>'
    )


def _text(x: float, y: float, text: str, anchor: str = "start", colour: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{colour}">'
        f"{escape(text)}</text>"
    )


def line_chart(
    figures: KpiFigures, canvas: Canvas = PAGE, *, marks: Sequence[Mark] = ()
) -> SafeString:
    """The KPI's history against its baseline and target, with the forecast to the due date,
    and a mark on each day of ``marks`` (the key tasks a change in its trend followed)."""
    kpi = figures.kpi
    goal = Target.of(kpi)
    uid = f"kpi-{kpi.pk}-{canvas.name}"
    lo, hi, step = _value_range(figures)
    start, end = _date_range(figures)
    width, height = canvas.width, canvas.height
    left, right = canvas.left, width - canvas.right
    top, bottom = canvas.top, height - canvas.bottom
    x = _Scale(start.toordinal(), end.toordinal(), left, right)
    y = _Scale(lo, hi, bottom, top)

    def at(when: dt.date, value: float) -> str:
        return f"{x(when.toordinal()):.1f},{y(value):.1f}"

    title = f"{kpi.name}: history against the target"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-labelledby="{uid}-title {uid}-desc" '
        f'font-family="system-ui, sans-serif" font-size="{canvas.font_size}">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(" ".join([describe(figures), *_said(marks)]))}</desc>',
        f'<defs><clipPath id="{uid}-plot"><rect x="{left - DOT}" y="{top - DOT}" '
        f'width="{right - left + 2 * DOT}" height="{bottom - top + 2 * DOT}"/></clipPath></defs>',
        f'<rect width="{width}" height="{height}" fill="{WHITE}"/>',
    ]
    # Value axis: gridlines and their labels.
    tick = lo
    while tick <= hi + step / 1000:
        out.append(_line(left, y(tick), right, y(tick), GRID))
        out.append(_text(left - 6, y(tick) + 4, number(tick), "end"))
        tick += step
    # Date axis: the first day, the middle and the last (the due date unless it has passed).
    out.append(_line(left, bottom, right, bottom, AXIS))
    middle = start + (end - start) / 2
    ticks = [(start, "start"), (end, "end")]
    if (end - start).days > 20:
        ticks.insert(1, (middle, "middle"))
    for when, anchor in ticks:
        out.append(_line(x(when.toordinal()), bottom, x(when.toordinal()), bottom + 4, AXIS))
        out.append(_text(x(when.toordinal()), bottom + 18, day(when), anchor))
    # Target: a band for a range, a line otherwise; the baseline dashed.
    out.append(f'<g clip-path="url(#{uid}-plot)">')
    if goal.direction == "range" and goal.target_max is not None:
        band_top, band_bottom = y(goal.target_max), y(goal.target)
        out.append(
            f'<rect class="chart__target" x="{left}" y="{band_top:.1f}" width="{right - left}" '
            f'height="{max(band_bottom - band_top, 1):.1f}" fill="{BAND}" stroke="{TARGET}" '
            f'stroke-width="1"/>'
        )
        target_label = f"Target range {number(goal.target)}–{number(goal.target_max)}"
        target_y = band_top
    else:
        out.append(
            _line(
                left,
                y(goal.target),
                right,
                y(goal.target),
                TARGET,
                stroke_width="2",
                class_="chart__target",
            )
        )
        target_label, target_y = f"Target {number(goal.target)}", y(goal.target)
    out.append(
        _line(
            left,
            y(goal.baseline),
            right,
            y(goal.baseline),
            BASELINE,
            stroke_width="1.5",
            stroke_dasharray="2 4",
            class_="chart__baseline",
        )
    )
    due_x = x(kpi.due_date.toordinal())
    out.append(_line(due_x, top, due_x, bottom, AXIS, stroke_dasharray="1 3"))
    # History, then the forecast from the last point to the due date.
    history = figures.history
    if len(history) > 1:
        points = " ".join(at(when, value) for when, value in history)
        out.append(
            f'<polyline class="chart__history" points="{points}" fill="none" '
            f'stroke="{HISTORY}" stroke-width="2.5" stroke-linejoin="round"/>'
        )
    at_due = figures.forecast.value_at_due
    if history and at_due is not None and kpi.due_date > history[-1][0]:
        last_on, last = history[-1]
        out.append(
            f'<polyline class="chart__forecast" points="{at(last_on, last)} '
            f'{at(kpi.due_date, at_due)}" fill="none" stroke="{FORECAST}" stroke-width="2" '
            f'stroke-dasharray="6 4"/>'
        )
        out.append(
            f'<circle cx="{due_x:.1f}" cy="{y(at_due):.1f}" r="4" fill="{WHITE}" '
            f'stroke="{FORECAST}" stroke-width="2"><title>'
            f"Forecast on {escape(day(kpi.due_date))}: {escape(number(at_due))}"
            f"</title></circle>"
        )
    for mark in marks:
        if start <= mark.on <= end:
            mark_x = x(mark.on.toordinal())
            rule = _line(mark_x, top, mark_x, bottom, MARK, stroke_dasharray="4 3")
            diamond = f"M{mark_x:.1f},{bottom - 10:.1f} l5,5 l-5,5 l-5,-5 z"
            out.append(
                f'<g class="chart__mark"><title>{escape(mark.label)}</title>{rule}'
                f'<path d="{diamond}" fill="{MARK}"/></g>'
            )
    for when, value in history:
        cx, cy = at(when, value).split(",")
        out.append(
            f'<circle cx="{cx}" cy="{cy}" r="3.5" fill="{HISTORY}"><title>'
            f"{escape(day(when))}: {escape(number(value))}</title></circle>"
        )
    out.append("</g>")
    # Labels last, so that lines never cover them.
    # The target's label above its line, unless that is where "Due" is written (a target at
    # the top of the plot).
    size = canvas.font_size
    target_label_y = target_y - 6 if target_y - 6 - size >= top - 6 else target_y + size + 2
    out.append(_text(right - 4, target_label_y, target_label, "end", TARGET))
    # The baseline's label on the side away from the target, where the history rarely runs,
    # unless that is among the dates under the plot.
    baseline_y = y(goal.baseline)
    below = 15 if goal.target >= goal.baseline and baseline_y + size < bottom else -6
    out.append(_text(right - 4, baseline_y + below, f"Baseline {number(goal.baseline)}", "end"))
    out.append(_text(due_x - 4, top - 6, "Due", "end"))
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above is escaped


def sparkline(figures: KpiFigures) -> SafeString:
    """A small line of the latest check-ins against the target, for lists of KPIs."""
    points: Sequence[tuple[dt.date, float]] = figures.history[-SPARK_POINTS:]
    if not points:
        return mark_safe("")
    goal = Target.of(figures.kpi)
    values = [v for _, v in points] + [goal.target, goal.baseline]
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    first, last = points[0][0].toordinal(), points[-1][0].toordinal()
    x = _Scale(first, last if last > first else first + 1, 3, SPARK_WIDTH - 3)
    y = _Scale(lo, hi, SPARK_HEIGHT - 3, 3)
    if len(points) == 1:
        x = _Scale(first - 1, first + 1, 3, SPARK_WIDTH - 3)
    coords = [(x(when.toordinal()), y(value)) for when, value in points]
    label = (
        f"Trend of the last {len(points)} check-in{'s' if len(points) > 1 else ''}: "
        + ", ".join(number(v) for _, v in points)
        + f"; target {number(goal.target)}"
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" '
        f'width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" class="sparkline" role="img" '
        f'aria-label="{escape(label)}">',
        _line(0, y(goal.target), SPARK_WIDTH, y(goal.target), TARGET, stroke_dasharray="3 3"),
    ]
    if len(coords) > 1:
        joined = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
        out.append(
            f'<polyline points="{joined}" fill="none" stroke="{HISTORY}" stroke-width="2" '
            f'stroke-linejoin="round"/>'
        )
    cx, cy = coords[-1]
    out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.5" fill="{HISTORY}"/>')
    out.append("</svg>")
    return mark_safe("".join(out))  # the label is escaped
