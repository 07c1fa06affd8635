"""The dashboards' charts, drawn on the server as SVG: a score trend line, a distribution bar
and labelled bars. Readable without JavaScript and in print, and said in words (``<title>``
and ``<desc>``) for screen readers.

KPI sparklines are ``measures.charts.sparkline``; the number and date formats come from
``kernel.formats`` and the palette from ``missionlead.palette``, so every chart of the product
reads the same. Each function
takes plain numbers and escapes every text it places (``measures.charts.escape``, which also
drops what XML cannot hold).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from kernel.formats import day, number
from measures.charts import HISTORY, escape
from missionlead.palette import AXIS, GRID, INK, WHITE

FONT = 'font-family="system-ui, sans-serif"'
FONT_SIZE = 12


def _open(uid: str, width: int, height: int, title: str, desc: str, css: str) -> list[str]:
    # Narrow canvases: drawn at a card's width (about 300px), the text stays near 12px.
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="{css}" role="img" aria-labelledby="{uid}-title {uid}-desc" {FONT} '
        f'font-size="{FONT_SIZE}">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
    ]


def _text(x: float, y: float, text: str, anchor: str = "start", **attrs: str) -> str:
    fill = attrs.pop("fill", INK)
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{escape(text)}</text>"
    )


def describe_trend(points: Sequence[tuple[dt.date, float]], noun: str = "score") -> str:
    """The trend in words: first and last value, lowest and highest."""
    if not points:
        return f"No {noun} recorded yet."
    (first_on, first), (last_on, last) = points[0], points[-1]
    if len(points) == 1:
        return f"One {noun} so far: {number(last)} on {day(last_on)}."
    values = [v for _, v in points]
    return (
        f"From {number(first)} on {day(first_on)} to {number(last)} on {day(last_on)}; "
        f"lowest {number(min(values))}, highest {number(max(values))}."
    )


def trend_chart(
    points: Sequence[tuple[dt.date, float]], *, uid: str, title: str, days: int = 90
) -> SafeString:
    """A 0–100 score over the last ``days`` days, one point per day that has a value."""
    width, height = 320, 150
    left, right, top, bottom = 28, 8, 10, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    end = timezone.localdate()
    start = end - dt.timedelta(days=days - 1)
    points = [(when, value) for when, value in points if start <= when <= end]

    def x(when: dt.date) -> float:
        return left + (when - start).days / max(days - 1, 1) * plot_w

    def y(value: float) -> float:
        return top + (100 - max(0.0, min(100.0, value))) / 100 * plot_h

    out = _open(uid, width, height, title, describe_trend(points), "chart chart--trend")
    out.append(f'<rect width="{width}" height="{height}" fill="{WHITE}"/>')
    for tick in (0, 25, 50, 75, 100):
        out.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - right}" y2="{y(tick):.1f}" '
            f'stroke="{GRID}"/>'
        )
        out.append(_text(left - 6, y(tick) + 4, str(tick), "end"))
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{AXIS}"/>'
    )
    out.append(_text(left, height - 8, day(start)))
    out.append(_text(width - right, height - 8, day(end), "end"))
    if len(points) > 1:
        joined = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
        out.append(
            f'<polyline points="{joined}" fill="none" stroke="{HISTORY}" stroke-width="2.5" '
            f'stroke-linejoin="round"/>'
        )
    if points:
        last_on, last = points[-1]
        # Above the last point, or below it near the top where the canvas would cut it off.
        label_y = y(last) - 7 if y(last) - 7 >= 14 else y(last) + 17
        out.append(_text(x(last_on) - 5, label_y, number(round(last)), "end", font_weight="700"))
    for when, value in points[-1:] if len(points) > 30 else points:
        out.append(
            f'<circle cx="{x(when):.1f}" cy="{y(value):.1f}" r="3" fill="{HISTORY}">'
            f"<title>{escape(day(when))}: {escape(number(value))}</title></circle>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above is escaped


def distribution_bar(parts: Sequence[tuple[str, int, str]], *, uid: str, title: str) -> SafeString:
    """One bar split into ``(label, count, colour)`` parts by their share of the total."""
    width, height = 320, 30
    total = sum(count for _, count, _ in parts)
    words = (
        "; ".join(f"{label}: {count} ({round(100 * count / total)}%)" for label, count, _ in parts)
        if total
        else "Nothing to count yet."
    )
    out = _open(uid, width, height, title, words, "chart chart--bar")
    out.append(f'<rect width="{width}" height="{height}" fill="{GRID}" rx="4"/>')
    offset = 0.0
    for label, count, colour in parts:
        if not count:
            continue
        part = count / total * width
        out.append(
            f'<rect x="{offset:.1f}" y="0" width="{part:.1f}" height="{height}" '
            f'fill="{colour}"><title>{escape(label)}: {count}</title></rect>'
        )
        if part >= 34:
            share = f"{round(100 * count / total)}%"
            out.append(
                _text(
                    offset + part / 2,
                    height / 2 + 4,
                    share,
                    "middle",
                    fill=WHITE,
                    font_weight="700",
                )
            )
        offset += part
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above is escaped


def bar_chart(
    items: Sequence[tuple[str, int]], *, uid: str, title: str, colour: str = HISTORY
) -> SafeString:
    """Horizontal bars, each label written above its bar so that it stays legible when the
    chart shrinks to a phone's width."""
    width, row, bar = 300, 38, 12
    height = max(row * len(items), row)
    top_value = max((count for _, count in items), default=0) or 1
    words = "; ".join(f"{label}: {count}" for label, count in items) or "Nothing to count."
    out = _open(uid, width, height, title, words, "chart chart--bars")
    for i, (label, count) in enumerate(items):
        y0 = i * row
        length = max(count / top_value * (width - 40), 2 if count else 0)
        out.append(_text(0, y0 + 13, label))
        out.append(
            f'<rect x="0" y="{y0 + 19}" width="{length:.1f}" height="{bar}" fill="{colour}" '
            f'rx="2"/>'
        )
        out.append(_text(length + 5, y0 + 30, number(count), font_weight="700"))
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above is escaped
