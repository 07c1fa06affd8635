"""The weekly brief of a leader: what moved in their part of the cascade, what is at risk,
what needs their decision and which actions preceded movement; every sentence links to its
evidence.

``scope`` finds the part, ``data`` reads it in a fixed number of queries, ``sections`` words
each item, ``text`` sums it up and writes it as plain text, and ``summariser`` (off unless an
operator sets it) may rewrite the summary through their own OpenAI-compatible endpoint; the
sections, and so the evidence, are never rewritten.
"""

from __future__ import annotations

import datetime as dt

from kernel.permissions import Actor

from .data import brief_data
from .sections import Brief, Item, Section, sections_of
from .summariser import summarise
from .text import plain, prose

__all__ = ["Brief", "Item", "Section", "brief_for", "plain"]


def brief_for(*, actor: Actor, today: dt.date | None = None, rewrite: bool = True) -> Brief:
    """The brief of ``actor`` in their organisation. ``rewrite``: let the operator's summariser,
    if one is set, rewrite the summary (the deterministic wording when it is off or fails)."""
    found = brief_data(actor=actor, today=today)
    summary = prose(found, owns_nothing=found.scope.empty)
    rewritten = summarise(summary) if rewrite else None
    return Brief(
        organisation=actor.organisation,
        today=found.today,
        owns_nothing=found.scope.empty,
        summary=rewritten or summary,
        sections=sections_of(actor.organisation, found),
        summarised=rewritten is not None,
    )
