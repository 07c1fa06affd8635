"""A leader's brief composed from its parts: the data read, the summary, the sections."""

from __future__ import annotations

import datetime as dt

from kernel.permissions import Actor

from .data import brief_data
from .sections import Brief, sections_of
from .summariser import summarise
from .text import prose


def brief_for(*, actor: Actor, today: dt.date | None = None, rewrite: bool = True) -> Brief:
    """The brief of ``actor`` in their organisation, read now. ``rewrite``: let the operator's
    summariser, if one is set, rewrite the summary (the deterministic wording when it is off or
    fails)."""
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
