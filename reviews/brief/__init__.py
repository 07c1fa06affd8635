"""The weekly brief of a leader: what moved in their part of the cascade, what is at risk,
what needs their decision and which actions preceded movement; every sentence links to its
evidence.

``scope`` finds the part, ``data`` reads it in a fixed number of queries, ``sections`` words
each item, ``text`` sums it up and writes it as plain text, ``compose`` puts a brief together,
and ``summariser`` (off unless an operator sets it) may rewrite the summary through their own
OpenAI-compatible endpoint; the sections, and so the evidence, are never rewritten.
``prepared`` keeps the briefs of the leaders of large parts, read by a worker after the
nightly checks, for the day.
"""

from __future__ import annotations

from .compose import brief_for
from .prepared import brief_to_show, prepare_briefs, prepared_brief
from .sections import Brief, Item, Section
from .text import plain

__all__ = [
    "Brief",
    "Item",
    "Section",
    "brief_for",
    "brief_to_show",
    "plain",
    "prepare_briefs",
    "prepared_brief",
]
