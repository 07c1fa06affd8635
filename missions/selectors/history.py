"""A mission's history, in words (``kernel.history``)."""

from __future__ import annotations

from kernel.history import HistoryEntry, history_in_words
from kernel.models import AuditEvent

from ..models import Mission

# The entries the mission page shows: the latest changes, not the mission's whole life.
HISTORY_PAGE = 30


def mission_history(*, mission: Mission, limit: int = HISTORY_PAGE) -> list[HistoryEntry]:
    """The latest changes to the mission and to what belongs to it (KPIs, check-ins, key
    tasks, links, reviews), newest first, in words. One query for the entries (the index on
    ``mission, -created_at``), and one per kind of row their changes name (teams, people)."""
    events = AuditEvent.objects.filter(mission=mission).select_related("actor")[:limit]
    return history_in_words(events, subject=mission)
