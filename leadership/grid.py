"""The influence/interest grid of a stakeholder map, drawn on the server as SVG: readable
without JavaScript and in print, and said in words (``<title>``, ``<desc>``) for screen
readers; the page's table beside it lists the same stakeholders with links.

Influence rises up the grid, interest to the right; the quadrants say how to engage each
(manage closely, keep satisfied, keep informed, monitor). A dot's colour is where the
stakeholder stands now; a ring around it, where the mission needs them, when that differs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe

from measures.charts import escape
from missionlead.palette import AXIS, DANGER, GRID, INK, LINK, OK, WARNING, WHITE

from .models import HIGH, Stakeholder, Stance

FONT = 'font-family="system-ui, sans-serif" font-size="12"'
STANCE_COLOURS = {
    Stance.OPPOSED: DANGER,
    Stance.SCEPTICAL: WARNING,
    Stance.NEUTRAL: AXIS,
    Stance.SUPPORTIVE: LINK,
    Stance.CHAMPION: OK,
}
QUADRANTS = (
    # (label, interest high, influence high)
    ("Keep satisfied", False, True),
    ("Manage closely", True, True),
    ("Monitor", False, False),
    ("Keep informed", True, False),
)


def describe(stakeholders: Sequence[Stakeholder]) -> str:
    """The grid in words: how many stakeholders in each quadrant, and who must move most."""
    if not stakeholders:
        return "No stakeholders on the map yet."
    counts = {label: 0 for label, _, _ in QUADRANTS}
    for s in stakeholders:
        counts[s.quadrant] += 1
    parts = [f"{label}: {n}" for label, n in counts.items() if n]
    movers = sorted(
        (s for s in stakeholders if s.stance_gap > 0), key=lambda s: (-s.stance_gap, s.pk)
    )
    text = "; ".join(parts) + "."
    if movers:
        names = ", ".join(
            f"{s.display_name} ({Stance(s.stance).label.lower()}, needed "
            f"{Stance(s.desired_stance).label.lower()})"
            for s in movers[:3]
        )
        text += f" Furthest from where they are needed: {names}."
    return text


def influence_interest_grid(stakeholders: Sequence[Stakeholder], *, uid: str) -> SafeString:
    width, height = 560, 420
    left, right, top, bottom = 44, 12, 12, 64
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(interest: float) -> float:
        return left + (interest - 0.5) / 5 * plot_w

    def y(influence: float) -> float:
        return top + (5.5 - influence) / 5 * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart chart--grid" role="img" aria-labelledby="{uid}-title {uid}-desc" {FONT}>',
        f'<title id="{uid}-title">Stakeholders by influence and interest</title>',
        f'<desc id="{uid}-desc">{escape(describe(stakeholders))}</desc>',
        f'<rect width="{width}" height="{height}" fill="{WHITE}"/>',
    ]
    split_x, split_y = x(HIGH - 0.5), y(HIGH - 0.5)
    for label, high_interest, high_influence in QUADRANTS:
        qx = split_x + 6 if high_interest else left + 6
        qy = top + 16 if high_influence else split_y + 16
        out.append(
            f'<text x="{qx:.1f}" y="{qy:.1f}" fill="{AXIS}" font-weight="600">'
            f"{escape(label)}</text>"
        )
    out.append(
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        f'stroke="{GRID}"/>'
        f'<line x1="{split_x:.1f}" y1="{top}" x2="{split_x:.1f}" y2="{top + plot_h}" '
        f'stroke="{GRID}" stroke-width="2"/>'
        f'<line x1="{left}" y1="{split_y:.1f}" x2="{left + plot_w}" y2="{split_y:.1f}" '
        f'stroke="{GRID}" stroke-width="2"/>'
    )
    for value in range(1, 6):
        out.append(
            f'<text x="{x(value):.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
            f'fill="{INK}">{value}</text>'
            f'<text x="{left - 8}" y="{y(value) + 4:.1f}" text-anchor="end" fill="{INK}">'
            f"{value}</text>"
        )
    out.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h + 34}" text-anchor="middle" '
        f'fill="{INK}">Interest →</text>'
        f'<text x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">Influence →</text>'
    )
    # Stakeholders in the same cell sit on a small circle around its centre.
    cells: dict[tuple[int, int], list[Stakeholder]] = {}
    for s in stakeholders:
        cells.setdefault((s.interest, s.influence), []).append(s)
    for (interest, influence), group in cells.items():
        for k, s in enumerate(group):
            angle = 2 * math.pi * k / len(group)
            spread = 0 if len(group) == 1 else 16
            cx = x(interest) + spread * math.cos(angle)
            cy = y(influence) + spread * math.sin(angle)
            colour = STANCE_COLOURS[Stance(s.stance)]
            if s.desired_stance != s.stance:
                needed = STANCE_COLOURS[Stance(s.desired_stance)]
                out.append(
                    f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="10" fill="none" '
                    f'stroke="{needed}" stroke-width="2"/>'
                )
            out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="{colour}"/>')
            anchor = "end" if interest >= 4 else "start"
            dx = -12 if anchor == "end" else 12
            out.append(
                f'<text x="{cx + dx:.1f}" y="{cy + 4:.1f}" text-anchor="{anchor}" fill="{INK}">'
                f"{escape(s.display_name[:28])}</text>"
            )
    legend_y = height - 12
    lx = float(left)
    for stance, colour in STANCE_COLOURS.items():
        out.append(
            f'<circle cx="{lx + 6:.1f}" cy="{legend_y - 4}" r="6" fill="{colour}"/>'
            f'<text x="{lx + 16:.1f}" y="{legend_y}" fill="{INK}">{escape(stance.label)}</text>'
        )
        lx += 24 + 7.2 * len(stance.label) + 14
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 — every text placed is escaped above
