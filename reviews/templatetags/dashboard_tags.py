"""Template helpers of the dashboards: sortable column headers and score words."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from reviews.dashboards import score_band

register = template.Library()

# Columns whose first click shows the largest values first (the worst, for these).
DESCENDING_FIRST = {"missions", "open", "critical", "at_risk", "off_track"}


@register.simple_tag(takes_context=True)
def sort_header(context: template.Context, key: str, label: str, current: str) -> SafeString:
    """A ``<th>`` whose link sorts the table by ``key``, again in the other direction when it
    already does; ``aria-sort`` says the current order to screen readers."""
    first = f"-{key}" if key in DESCENDING_FIRST else key
    flipped = key if first.startswith("-") else f"-{key}"
    target = flipped if current == first else first
    query = context["request"].GET.copy()
    query["sort"] = target
    query.pop("page", None)
    aria, arrow = "none", ""
    if current.lstrip("-") == key:
        descending = current.startswith("-")
        aria, arrow = ("descending", "▼") if descending else ("ascending", "▲")
    css = "" if key == "name" else ' class="num"'
    return format_html(
        '<th scope="col"{} aria-sort="{}"><a href="?{}">{}</a>'
        '<span aria-hidden="true"> {}</span></th>',
        SafeString(css),
        aria,
        query.urlencode(),
        label,
        arrow,
    )


@register.filter
def score(value: float | None) -> str:
    """72.44 → "72"; None → "—"."""
    return "—" if value is None else f"{value:.0f}"


@register.filter
def band(value: float | None) -> str:
    """The heat map's band of a score: good, watch, poor or unknown."""
    return score_band(value)


BAND_WORDS = {"good": "good", "watch": "watch", "poor": "drifting", "unknown": "not scored yet"}


@register.filter
def band_word(band: str) -> str:
    return BAND_WORDS.get(band, band)
